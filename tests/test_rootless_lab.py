"""Rootless Docker live: in the systemd lab, a user's rootless dockerd set up as
dockerd-rootless-setuptool.sh does (Debian's rootlesskit, uidmap and
slirp4netns), started by the user's own systemd manager. harden finds it, fixes
it where it reads its options, restarts it through that manager with the user's
container running again, and rolls it back."""
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


def test_a_rootless_dockerds_files_are_its_users(rootless):
    check = rootless.harden("check", "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
    findings = {f["target"]: f["status"] for f in json.loads(check.stdout)["items"][0]["findings"]}
    assert findings[CONFIG] == "pass" and findings[RUNTIME] == "pass", findings
