"""Rootless Docker live: in the systemd lab, a user's rootless dockerd set up as
dockerd-rootless-setuptool.sh does (Debian's rootlesskit, uidmap and
slirp4netns), started by the user's own systemd manager. harden finds it, fixes
it where it reads its options, restarts it through that manager with the user's
container running again, and rolls it back.

What the lab showed of rootlesskit: a reload (the unit's kill -s HUP of
rootlesskit) reaches dockerd, which takes live-restore; but a restart ends the
containers whatever live-restore says, since they live in rootlesskit's
namespaces. So harden does not reload a rootless dockerd before its restart,
and says that its containers stop and are started again."""
import json

import pytest

USER, UID = "alice", 1000
RUNTIME = f"/run/user/{UID}"
CONFIG = f"/home/{USER}/.config/docker/daemon.json"
CONTRIB = "/usr/share/docker.io/contrib"


def as_user(lab, *command, check=True):
    return lab.run("runuser", "-u", USER, "--", "env", f"HOME=/home/{USER}", f"XDG_RUNTIME_DIR={RUNTIME}",
                   f"DBUS_SESSION_BUS_ADDRESS=unix:path={RUNTIME}/bus", f"DOCKER_HOST=unix://{RUNTIME}/docker.sock",
                   f"PATH={CONTRIB}:/usr/bin:/bin:/usr/sbin:/sbin", *command, check=check)


pytestmark = pytest.mark.releases

@pytest.fixture
def rootless(systemd_lab):
    lab = systemd_lab
    lab.run("useradd", "--create-home", "--uid", str(UID), "--shell", "/bin/bash", USER)
    lab.run("loginctl", "enable-linger", USER)
    lab.wait_for(["systemctl", "--user", "-M", f"{USER}@", "is-system-running"], timeout=60)
    # the lab cannot load kernel modules; the system dockerd's iptables work, rootless dockerd runs with --iptables=false
    # its last step runs `docker version` from its own directory, where Debian has no docker: that step alone fails
    installed = as_user(lab, f"{CONTRIB}/dockerd-rootless-setuptool.sh", "install", "--skip-iptables", check=False)
    assert "Creating /home/alice/.config/systemd/user/docker.service" in installed.stdout + installed.stderr, installed
    assert lab.run("systemctl", "--user", "-M", f"{USER}@", "is-active", "docker.service").stdout.strip() == "active"
    as_user(lab, "sh", "-c", "mkdir -p /tmp/image/bin && cp /bin/busybox /tmp/image/bin/ && "
                             "for applet in sh sleep; do ln -s busybox /tmp/image/bin/$applet; done && "
                             "tar -C /tmp/image -c . | docker import - lab/busybox >/dev/null")
    as_user(lab, "mkdir", "-p", f"/home/{USER}/.config/docker")
    as_user(lab, "sh", "-c", f"echo '{{\"experimental\": true, \"log-level\": \"debug\"}}' > {CONFIG}")
    lab.run("systemctl", "--user", "-M", f"{USER}@", "restart", "docker.service")
    lab.wait_for(["runuser", "-u", USER, "--", "docker", "--host", f"unix://{RUNTIME}/docker.sock", "info"])
    as_user(lab, "docker", "run", "--detach", "--name", "job", "lab/busybox", "sleep", "3600")
    return lab


def dockerd_pid(lab):
    return lab.run("cat", f"{RUNTIME}/docker.pid").stdout.strip()


def user_docker(lab, *args):
    return as_user(lab, "docker", *args).stdout.strip()


def test_a_rootless_dockerd_found_fixed_restarted_and_rolled_back(rootless):
    lab = rootless
    check = lab.harden("check", "--profile", "cis", "--only", "experimental,log-level", "--format", "json")
    findings = {f["target"]: (f["status"], f["message"]) for item in json.loads(check.stdout)["items"] for f in item["findings"]}
    assert findings["experimental (rootless, alice)"] == (
        "fail", f"alice's rootless dockerd: experimental is true ({CONFIG}); wanted: false")
    assert findings["experimental"][0] == "pass", "the system's dockerd is another"
    before, pid = lab.run("cat", CONFIG).stdout, dockerd_pid(lab)
    assert as_user(lab, "docker", "info", "--format", "{{.ExperimentalBuild}}").stdout.strip() == "true"

    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", "experimental,log-level")
    assert applied.returncode == 0, applied
    assert f"systemctl --user -M {USER}@ restart docker.service" in applied.stdout
    assert dockerd_pid(lab) != pid, "restarted by the user's manager"
    assert as_user(lab, "docker", "info", "--format", "{{.ExperimentalBuild}}").stdout.strip() == "false", "read from the running dockerd"
    assert json.loads(lab.run("cat", CONFIG).stdout) == {"log-level": "info"}
    assert lab.run("stat", "-c", "%U", CONFIG).stdout.strip() == USER
    assert as_user(lab, "docker", "ps", "--format", "{{.Names}}").stdout.split() == ["job"], "its container runs again"
    assert lab.run("systemctl", "is-active", "docker.service").stdout.strip() == "active", "the system's dockerd untouched"

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert lab.run("cat", CONFIG).stdout == before
    assert as_user(lab, "docker", "info", "--format", "{{.ExperimentalBuild}}").stdout.strip() == "true"
    assert as_user(lab, "docker", "ps", "--format", "{{.Names}}").stdout.split() == ["job"]


def test_the_running_rootless_dockerd_is_the_one_serving_the_users_socket_whatever_its_pid_file_says(rootless):
    """alice's dockerd runs with --experimental; she takes the flag out of her unit without restarting it, and points
    her pid file at a process of hers that is no dockerd: the dockerd that serves her socket is the one judged, and
    its restart is still wanted."""
    lab = rootless
    unit = f"/home/{USER}/.config/systemd/user/docker.service"
    as_user(lab, "sh", "-c", f"echo '{{\"log-level\": \"info\"}}' > {CONFIG}")
    as_user(lab, "sed", "-i", "s|dockerd-rootless.sh|dockerd-rootless.sh --experimental|", unit)
    lab.run("systemctl", "--user", "-M", f"{USER}@", "daemon-reload")
    lab.run("systemctl", "--user", "-M", f"{USER}@", "restart", "docker.service")
    lab.wait_for(["runuser", "-u", USER, "--", "docker", "--host", f"unix://{RUNTIME}/docker.sock", "info"])
    assert user_docker(lab, "info", "--format", "{{.ExperimentalBuild}}") == "true"
    as_user(lab, "sed", "-i", "s| --experimental||", unit)
    as_user(lab, "sh", "-c", f"sleep 600 >/dev/null 2>&1 & echo $! > {RUNTIME}/docker.pid")
    check = lab.harden("check", "--profile", "cis", "--only", "experimental", "--format", "json")
    findings = {f["target"]: (f["status"], f["reason"]) for item in json.loads(check.stdout)["items"] for f in item["findings"]}
    assert findings["experimental (rootless, alice)"] == ("fail", "pending_restart"), findings


def test_a_rootless_dockerds_files_are_its_users(rootless):
    check = rootless.harden("check", "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
    findings = {f["target"]: f["status"] for f in json.loads(check.stdout)["items"][0]["findings"]}
    assert findings[CONFIG] == "pass" and findings[RUNTIME] == "pass", findings


def test_live_restore_on_a_rootless_dockerd_what_rootlesskit_allows(rootless):
    lab = rootless
    # what rootlesskit does, which harden's plan follows: a reload reaches dockerd; a restart ends the containers all the same
    as_user(lab, "sh", "-c", f"echo '{{\"experimental\": true, \"log-level\": \"debug\", \"live-restore\": true}}' > {CONFIG}")
    pid = dockerd_pid(lab)
    lab.run("systemctl", "--user", "-M", f"{USER}@", "reload", "docker.service")
    lab.wait_for(["sh", "-c", f"runuser -u {USER} -- docker --host unix://{RUNTIME}/docker.sock info --format '{{{{.LiveRestoreEnabled}}}}' | grep -q true"])
    assert dockerd_pid(lab) == pid, "the reload reached dockerd through rootlesskit"
    lab.run("systemctl", "--user", "-M", f"{USER}@", "restart", "docker.service")
    lab.wait_for(["runuser", "-u", USER, "--", "docker", "--host", f"unix://{RUNTIME}/docker.sock", "info"])
    assert user_docker(lab, "inspect", "--format", "{{.State.Running}}", "job") == "false", "live-restore kept nothing"
    # a reload takes live-restore back off only where daemon.json says false (not where it is gone); no more restarts
    # here, which systemd's start limit would refuse
    as_user(lab, "sh", "-c", f"echo '{{\"experimental\": true, \"log-level\": \"debug\", \"live-restore\": false}}' > {CONFIG}")
    lab.run("systemctl", "--user", "-M", f"{USER}@", "reload", "docker.service")
    lab.wait_for(["sh", "-c", f"runuser -u {USER} -- docker --host unix://{RUNTIME}/docker.sock info --format '{{{{.LiveRestoreEnabled}}}}' | grep -q false"])
    as_user(lab, "docker", "start", "job")
    before = lab.run("cat", CONFIG).stdout

    preview = lab.harden("--dry-run", "--profile", "cis", "--only", "live-restore").stdout
    assert f"systemctl --user -M {USER}@ reload" not in preview, preview
    assert f"restarting {USER}'s rootless dockerd stops its running containers job, live-restore or not" in preview, preview
    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", "live-restore", "--live-restore")
    assert applied.returncode == 0, applied
    assert user_docker(lab, "info", "--format", "{{.LiveRestoreEnabled}}") == "true", "read from the running dockerd"
    assert json.loads(lab.run("cat", CONFIG).stdout)["live-restore"] is True
    assert user_docker(lab, "ps", "--format", "{{.Names}}").split() == ["job"], "started again by harden"
    assert lab.run("systemctl", "is-active", "docker.service").stdout.strip() == "active"

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert lab.run("cat", CONFIG).stdout == before
    assert user_docker(lab, "info", "--format", "{{.LiveRestoreEnabled}}") == "false"
    assert user_docker(lab, "ps", "--format", "{{.Names}}").split() == ["job"]


def test_a_rootless_dockerds_unit_and_config_directory_made_safe_and_still_loaded(rootless):
    lab = rootless
    unit = f"/home/{USER}/.config/systemd/user/docker.service"
    lab.run("chmod", "0666", unit)
    lab.run("chmod", "0777", f"/home/{USER}/.config/docker")
    check = lab.harden("check", "--profile", "cis", "--only", "file-permissions", "--format", "json")
    findings = {f["target"]: f["status"] for f in json.loads(check.stdout)["items"][0]["findings"]}
    assert findings[unit] == "fail" and findings[f"/home/{USER}/.config/docker"] == "fail", findings
    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", "file-permissions")
    assert applied.returncode == 0, applied
    assert lab.run("stat", "-c", "%U:%G %a", unit, f"/home/{USER}/.config/docker").stdout.split("\n")[:2] == [f"{USER}:{USER} 644", f"{USER}:{USER} 755"]
    lab.run("systemctl", "--user", "-M", f"{USER}@", "daemon-reload")
    assert lab.run("systemctl", "--user", "-M", f"{USER}@", "show", "-p", "FragmentPath", "docker.service").stdout.strip() == f"FragmentPath={unit}"
    assert lab.harden("rollback", "--yes").returncode == 0
    assert lab.run("stat", "-c", "%a", unit, f"/home/{USER}/.config/docker").stdout.split() == ["666", "777"]


def test_the_system_and_a_rootless_dockerd_fixed_in_one_run_then_rolled_back(rootless):
    """What an administrator runs on a host with both: the daemon and file items of sections 2 and 3 at once,
    the system's dockerd and alice's each restarted by its own manager, each container running after; rollback
    gives both their files back byte for byte and their dockerds as they ran."""
    lab = rootless
    unit = f"/home/{USER}/.config/systemd/user/docker.service"
    lab.run("sh", "-c", "echo '{\"experimental\": true}' > /etc/docker/daemon.json")
    lab.run("systemctl", "restart", "docker")
    lab.run("sh", "-c", "tar -C /tmp/image -c . | docker import - lab/busybox >/dev/null")  # the image alice's fixture made
    lab.run("docker", "run", "-d", "--name", "web", "lab/busybox", "sleep", "3600")
    lab.run("chmod", "0664", unit)
    files = ("/etc/docker/daemon.json", CONFIG, unit)
    start = {path: lab.run("stat", "-c", "%U:%G %a", path).stdout + lab.run("cat", path).stdout for path in files}

    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only",
                         "experimental,log-level,live-restore,file-permissions,config-file-permissions", "--format", "json")
    assert applied.returncode == 0, applied
    system = json.loads(lab.run("docker", "info", "--format", "{{json .}}").stdout)
    assert system["ExperimentalBuild"] is False and system["LiveRestoreEnabled"] is True
    assert user_docker(lab, "info", "--format", "{{.ExperimentalBuild}} {{.LiveRestoreEnabled}}") == "false true"
    assert json.loads(lab.run("cat", CONFIG).stdout) == {"log-level": "info", "live-restore": True}
    assert lab.run("stat", "-c", "%U %a", unit).stdout.strip() == f"{USER} 644"
    assert lab.run("docker", "ps", "--format", "{{.Names}}").stdout.split() == ["web"]
    assert user_docker(lab, "ps", "--format", "{{.Names}}").split() == ["job"]

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert {path: lab.run("stat", "-c", "%U:%G %a", path).stdout + lab.run("cat", path).stdout for path in files} == start
    assert json.loads(lab.run("docker", "info", "--format", "{{json .}}").stdout)["ExperimentalBuild"] is True
    assert user_docker(lab, "info", "--format", "{{.ExperimentalBuild}}") == "true"
    assert lab.run("docker", "ps", "--format", "{{.Names}}").stdout.split() == ["web"]
    assert user_docker(lab, "ps", "--format", "{{.Names}}").split() == ["job"]
