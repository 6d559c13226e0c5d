"""The daemon items on a live host: a real systemd restarts a real dockerd."""
import json

import pytest

IMAGE = "lab/busybox"
DAEMON = "icc,log-level,iptables,no-aufs"


pytestmark = pytest.mark.releases

@pytest.fixture
def lab(systemd_lab):
    """The lab with an image made inside it, from its own busybox."""
    systemd_lab.run("sh", "-c", "mkdir -p /tmp/image/bin && cp /bin/busybox /tmp/image/bin/ && "
                                "for applet in sh sleep; do ln -s busybox /tmp/image/bin/$applet; done && "
                                f"tar -C /tmp/image -c . | docker import - {IMAGE} >/dev/null")
    return systemd_lab


def snapshot(lab, *paths):
    """The bytes, owner and mode of each path (or that it is missing)."""
    found = {}
    for path in paths:
        result = lab.run("sh", "-c", f"stat -c '%U:%G %a' {path} && sha256sum {path}", check=False)
        found[path] = result.stdout if result.returncode == 0 else "missing"
    return found


def bridge_icc(lab):
    options = json.loads(lab.run("docker", "network", "inspect", "bridge", "--format", "{{json .Options}}").stdout)
    return options["com.docker.network.bridge.enable_icc"]


def dockerd_args(lab):
    pid = lab.run("systemctl", "show", "--property=MainPID", "--value", "docker.service").stdout.strip()
    return lab.run("cat", f"/proc/{pid}/cmdline").stdout.split("\0")


def running(lab):
    return set(lab.run("docker", "ps", "--format", "{{.Names}}").stdout.split())


FILES = ("/etc/docker/daemon.json", "/etc/default/docker", "/etc/systemd/system/docker.service.d/override.conf",
         "/etc/systemd/system.control/docker.service.d/override.conf", "/etc/systemd/system/docker.service.d/zz-hardener.conf",
         "/lib/systemd/system/docker.service")


def test_stock_debian_with_running_containers(lab):
    lab.run("docker", "run", "-d", "--name", "web", "--restart", "always", IMAGE, "sleep", "3600")
    lab.run("docker", "run", "-d", "--name", "job", IMAGE, "sleep", "3600")
    start = snapshot(lab, *FILES)
    pid_before = lab.run("systemctl", "show", "--property=MainPID", "--value", "docker.service").stdout
    assert bridge_icc(lab) == "true"

    applied = lab.harden("apply", "--yes", "--only", DAEMON)
    assert applied.returncode == 0, applied
    assert "systemctl restart docker.service" in applied.stdout
    assert lab.run("systemctl", "show", "--property=MainPID", "--value", "docker.service").stdout != pid_before, "restarted"
    assert bridge_icc(lab) == "false"
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {"icc": False}
    assert running(lab) == {"web", "job"}, "both containers run again, the one without restart policy by harden"
    assert lab.harden("check", "--only", DAEMON).returncode == 0

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert bridge_icc(lab) == "true"
    assert snapshot(lab, *FILES) == start
    assert running(lab) == {"web", "job"}


@pytest.mark.parametrize("where", ["drop-in", "control", "docker-opts"])
def test_flags_fixed_where_they_are_written(lab, where):
    """In a drop-in, in one of /etc/systemd/system.control (where `systemctl set-property` writes, ahead of
    /etc/systemd/system: systemd reads it, and so does harden), or in DOCKER_OPTS."""
    if where in ("drop-in", "control"):
        directory = "/etc/systemd/system/docker.service.d" if where == "drop-in" else "/etc/systemd/system.control/docker.service.d"
        lab.run("mkdir", "-p", directory)
        lab.run("sh", "-c", "printf '[Service]\\nExecStart=\\nExecStart=/usr/sbin/dockerd -H fd:// "
                            "--containerd=/run/containerd/containerd.sock --iptables=false --log-level=debug\\n' "
                            f"> {directory}/override.conf")
    else:
        lab.run("sh", "-c", "echo 'DOCKER_OPTS=\"--iptables=false --log-level=debug\"' >> /etc/default/docker")
    lab.run("systemctl", "daemon-reload")
    lab.run("systemctl", "restart", "docker")
    assert "--iptables=false" in dockerd_args(lab)
    start = snapshot(lab, *FILES)

    applied = lab.harden("apply", "--yes", "--only", DAEMON)
    assert applied.returncode == 0, applied
    args = dockerd_args(lab)
    assert "--iptables=false" not in args and "--log-level=debug" not in args, args
    if where in ("drop-in", "control"):
        assert "daemon-reload" in applied.stdout
        assert "--iptables" not in lab.run("cat", f"{directory}/override.conf").stdout
    else:
        assert lab.run("tail", "-n", "1", "/etc/default/docker").stdout == 'DOCKER_OPTS=""\n'
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {"icc": False, "log-level": "info"}
    assert bridge_icc(lab) == "false"

    assert lab.harden("rollback", "--yes").returncode == 0
    assert snapshot(lab, *FILES) == start and "--iptables=false" in dockerd_args(lab)


def test_option_both_in_daemon_json_and_execstart(lab):
    lab.run("sh", "-c", "echo '{\"log-level\": \"info\"}' > /etc/docker/daemon.json && "
                        "echo 'DOCKER_OPTS=\"--log-level=warn\"' >> /etc/default/docker")
    assert lab.run("systemctl", "restart", "docker", check=False).returncode != 0, "dockerd refuses such a host"
    lab.run("systemctl", "reset-failed", "docker")
    applied = lab.harden("apply", "--yes", "--only", DAEMON)
    assert applied.returncode == 0, applied
    assert lab.run("docker", "info", check=False).returncode == 0
    assert "--log-level=warn" not in dockerd_args(lab)
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {"log-level": "info", "icc": False}


def test_dockerd_that_refuses_the_change_is_rolled_back(lab):
    """An older dockerd that does not know an option: here a wrapper refuses icc in daemon.json."""
    lab.run("mv", "/usr/sbin/dockerd", "/usr/sbin/dockerd.real")
    lab.run("sh", "-c", "printf '#!/bin/sh\\ngrep -q icc /etc/docker/daemon.json 2>/dev/null && "
                        "{ echo \"unknown option icc\" >&2; exit 1; }\\nexec /usr/sbin/dockerd.real \"$@\"\\n' "
                        "> /usr/sbin/dockerd && chmod 755 /usr/sbin/dockerd")
    lab.run("systemctl", "restart", "docker")
    lab.run("docker", "run", "-d", "--name", "web", IMAGE, "sleep", "3600")
    start = snapshot(lab, *FILES)

    applied = lab.harden("apply", "--yes", "--only", DAEMON)
    assert applied.returncode == 3, applied
    assert "docker.service did not come back" in applied.stderr and "were undone" in applied.stderr
    assert applied.stderr.count("\n") == 1
    assert snapshot(lab, *FILES) == start
    assert lab.run("systemctl", "is-active", "docker").stdout.strip() == "active"
    assert running(lab) == {"web"}
    history = json.loads(lab.harden("history", "--format", "json").stdout)
    assert [run["state"] for run in history["runs"]] == ["failed_rolled_back"]


def test_no_restart_stages_the_files_and_reports_pending_restart(lab):
    lab.run("docker", "run", "-d", "--name", "web", IMAGE, "sleep", "3600")
    lab.run("docker", "run", "-d", "--name", "api", IMAGE, "sleep", "3600")
    preview = lab.harden("--dry-run", "--only", "icc")
    assert "restarting docker stops the running containers api, web (live-restore is off)" in preview.stdout
    assert "on the default bridge, these containers will no longer reach each other: api, web" in preview.stdout
    pid = lab.run("systemctl", "show", "--property=MainPID", "--value", "docker.service").stdout

    staged = lab.harden("apply", "--yes", "--no-restart", "--only", "icc", "--format", "json")
    assert staged.returncode == 2, staged
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {"icc": False}
    assert lab.run("systemctl", "show", "--property=MainPID", "--value", "docker.service").stdout == pid, "not restarted"
    item = json.loads(staged.stdout)["items"][0]
    assert (item["status"], item["reason"]) == ("fail", "pending_restart")

    preview = lab.harden("--dry-run", "--only", "icc")
    assert "then: systemctl restart docker.service" in preview.stdout, "the plan is the restart alone"
    lab.run("systemctl", "restart", "docker")
    assert lab.harden("check", "--only", "icc").returncode == 0


def test_via_execstart_in_a_drop_in_and_in_an_existing_override(lab):
    applied = lab.harden("apply", "--yes", "--via", "execstart", "--only", DAEMON)
    assert applied.returncode == 0, applied
    assert "systemctl daemon-reload && systemctl restart docker.service" in applied.stdout
    assert "--icc=false" in dockerd_args(lab)
    assert "ExecStart=" in lab.run("cat", "/etc/systemd/system/docker.service.d/zz-hardener.conf").stdout
    assert bridge_icc(lab) == "false"
    assert lab.harden("rollback", "--yes").returncode == 0
    assert lab.run("test", "-e", "/etc/systemd/system/docker.service.d/zz-hardener.conf", check=False).returncode == 1

    lab.run("mkdir", "-p", "/etc/systemd/system/docker.service.d")
    lab.run("sh", "-c", "printf '[Service]\\nExecStart=\\nExecStart=/usr/sbin/dockerd -H fd:// "
                        "--containerd=/run/containerd/containerd.sock\\n' > /etc/systemd/system/docker.service.d/override.conf")
    lab.run("systemctl", "daemon-reload")
    applied = lab.harden("apply", "--yes", "--via", "execstart", "--only", DAEMON)
    assert applied.returncode == 0, applied
    assert lab.run("test", "-e", "/etc/systemd/system/docker.service.d/zz-hardener.conf", check=False).returncode == 1, \
        "the override is edited, not shadowed"
    assert "--icc=false" in lab.run("cat", "/etc/systemd/system/docker.service.d/override.conf").stdout
    assert "--icc=false" in dockerd_args(lab)


def test_live_restore_keeps_the_containers_running(lab):
    lab.run("sh", "-c", "echo '{\"debug\": true}' > /etc/docker/daemon.json")
    lab.run("systemctl", "restart", "docker")
    lab.run("docker", "run", "-d", "--name", "web", IMAGE, "sleep", "3600")
    started = lab.run("docker", "inspect", "--format", "{{.State.StartedAt}}", "web").stdout
    assert "add --live-restore" in lab.harden("--dry-run", "--only", DAEMON).stdout

    applied = lab.harden("apply", "--yes", "--live-restore", "--only", DAEMON, "--format", "json")
    assert applied.returncode == 2, applied  # icc waits for a restart with no container running
    assert lab.run("docker", "inspect", "--format", "{{.State.StartedAt}}", "web").stdout == started, "never stopped"
    assert lab.run("docker", "info", "--format", "{{.Debug}}").stdout.strip() == "false", "the log level took effect"
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {"icc": False, "log-level": "info", "live-restore": True}
    items = {item["id"]: item for item in json.loads(applied.stdout)["items"]}
    assert (items["icc"]["status"], items["icc"]["reason"]) == ("fail", "pending_restart")
    assert items["log-level"]["status"] == "pass"
    assert any("icc stays pending_restart" in note for note in items["icc"]["notes"])


def test_a_restart_of_docker_leaves_each_container_as_it_was(lab):
    """What an administrator has: one container stopped by hand whose policy is `always` (dockerd starts it again at
    its start), one running healthy, one running without a policy (dockerd does not start it again). After apply
    (a restart of docker) and after rollback (another): stopped, healthy, running, as before."""
    lab.run("sh", "-c", "echo '{\"debug\": true}' > /etc/docker/daemon.json")
    lab.run("systemctl", "restart", "docker")
    loop = "trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done"
    lab.run("docker", "run", "-d", "--name", "parked", "--restart", "always", IMAGE, "sh", "-c", loop)
    lab.run("docker", "stop", "--time", "1", "parked")
    lab.run("docker", "run", "-d", "--name", "checked", "--health-cmd", "true", "--health-interval", "1s", IMAGE, "sh", "-c", loop)
    lab.run("docker", "run", "-d", "--name", "plain", IMAGE, "sh", "-c", loop)
    lab.run("sh", "-c", "until [ \"$(docker inspect --format '{{.State.Health.Status}}' checked)\" = healthy ]; do sleep 0.5; done", timeout=60)
    as_it_was = ["parked false", "checked true healthy", "plain true"]

    def states():
        return [f"{name} " + lab.run("docker", "inspect", "--format", "{{.State.Running}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
                                     name).stdout.strip() for name in ("parked", "checked", "plain")]

    assert states() == as_it_was
    applied = lab.harden("apply", "--yes", "--only", "icc")
    assert applied.returncode == 0, applied
    assert "restarted docker.service" in lab.run("journalctl", "-t", "harden", "--no-pager").stdout
    assert states() == as_it_was
    assert lab.run("docker", "inspect", "--format", "{{.RestartCount}}", "plain", "checked").stdout.split() == ["0", "0"]
    assert lab.harden("rollback", "--yes").returncode == 0
    assert states() == as_it_was


def test_the_example_company_profile_live_then_rolled_back(lab):
    """examples/acme-docker.toml on a live host: its own daemon option reaches the running dockerd (a restart), its
    two stricter modes and its limits are applied, its container rule is a manual finding for a container logging
    nowhere; rollback gives every file and setting back."""
    from pathlib import Path

    example = (Path(__file__).parent.parent / "examples/acme-docker.toml").read_text()
    lab.run("mkdir", "-p", "/etc/hardener/profiles")
    lab.run("sh", "-c", "cat > /etc/hardener/profiles/acme-docker.toml", input=example)
    lab.run("docker", "run", "-d", "--name", "quiet", "--log-driver", "none", "-p", "127.0.0.1:18081:80", IMAGE, "sleep", "3600")
    assert lab.run("pgrep", "-x", "docker-proxy", check=False).returncode == 0, "dockerd's default: docker-proxy forwards"
    start = snapshot(lab, "/etc/docker/daemon.json", "/etc/default/docker")
    profile = ("--profile", "/etc/hardener/profiles/acme-docker.toml")
    own = "acme-daemon-json-0600,acme-default-docker-0600,acme-no-userland-proxy,acme-log-driver,memory-limit,pids-limit"
    applied = lab.harden("apply", "--yes", *profile, "--only", own, "--format", "json")
    assert applied.returncode == 2, applied  # the log driver is for a person
    items = {item["id"]: item for item in json.loads(applied.stdout)["items"]}
    assert {item: items[item]["status"] for item in own.split(",")} == {
        "acme-daemon-json-0600": "pass", "acme-default-docker-0600": "pass", "acme-no-userland-proxy": "pass",
        "acme-log-driver": "manual", "memory-limit": "pass", "pids-limit": "pass"}, items
    assert [f["severity"] for f in items["acme-log-driver"]["findings"]] == ["high"]
    assert lab.run("stat", "-c", "%a", "/etc/docker/daemon.json", "/etc/default/docker").stdout.split() == ["600", "600"]
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout)["userland-proxy"] is False
    lab.run("docker", "run", "-d", "--name", "published", "-p", "127.0.0.1:18080:80", IMAGE, "sleep", "3600")
    assert lab.run("pgrep", "-x", "docker-proxy", check=False).returncode == 1, "the restarted dockerd forwards without docker-proxy"
    assert lab.run("docker", "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", "quiet").stdout.split() == [
        str(512 * 2 ** 20), "256"]
    rechecked = lab.harden("check", *profile, "--only", "acme-no-userland-proxy")
    assert rechecked.returncode == 0, rechecked
    assert lab.harden("rollback", "--yes").returncode == 0
    assert snapshot(lab, "/etc/docker/daemon.json", "/etc/default/docker") == start


def container_state(lab, name):
    found = json.loads(lab.run("docker", "inspect", name).stdout)[0]
    return {"id": found["Id"], "running": found["State"]["Running"], "memory": found["HostConfig"]["Memory"],
            "binds": found["HostConfig"]["Binds"], "restart": found["HostConfig"]["RestartPolicy"]["Name"],
            "read_only": found["HostConfig"]["ReadonlyRootfs"]}


def test_daemon_items_recreation_and_memory_limits_in_one_run_then_rollback(lab):
    """What an administrator runs: the daemon items (a restart of docker) and
    --recreate and a memory limit in one run; then rollback gives back every
    container that ran, under its own id, with its own settings."""
    lab.run("sh", "-c", "echo '{\"debug\": true}' > /etc/docker/daemon.json")
    lab.run("systemctl", "restart", "docker")
    lab.run("docker", "run", "-d", "--name", "etcmount", "-v", "/etc:/host-etc", IMAGE, "sleep", "3600")
    lab.run("docker", "run", "-d", "--name", "sock", "-v", "/run/docker.sock:/run/docker.sock", IMAGE, "sleep", "3600")
    lab.run("docker", "run", "-d", "--name", "plain", "--restart", "always", "--read-only", IMAGE, "sleep", "3600")
    lab.run("mkdir", "-p", "/etc/hardener")
    lab.run("sh", "-c", "printf \"[memory_limit]\\ndefault = '256m'\\n\" > /etc/hardener/config.toml")
    before = {name: container_state(lab, name) for name in ("etcmount", "sock", "plain")}
    start = snapshot(lab, *FILES)

    applied = lab.harden("apply", "--yes", "--recreate", "--skip", "audit-docker-files", "--format", "json")
    assert applied.returncode in (0, 2), applied  # content-trust stays manual unless named
    after = {name: container_state(lab, name) for name in ("etcmount", "sock", "plain")}
    assert all(state["running"] for state in after.values()), after
    for name in ("etcmount", "sock"):
        assert after[name]["id"] != before[name]["id"], "recreated"
        assert after[name]["memory"] == 256 * 2 ** 20, "the recreated container has the limit"
    assert after["plain"]["id"] == before["plain"]["id"] and after["plain"]["memory"] == 256 * 2 ** 20, "updated live"
    assert after["etcmount"]["binds"] in (None, []) and after["etcmount"]["read_only"]
    check = lab.harden("check", "--only", "icc,log-level,no-sensitive-mounts,no-docker-sock,memory-limit",
                       "--container", "etcmount", "--container", "sock", "--container", "plain")
    assert check.returncode == 0, check

    preview = lab.harden("rollback", "--dry-run").stdout.splitlines()
    restart = next(i for i, line in enumerate(preview) if "systemctl restart docker.service" in line)
    assert restart == len(preview) - 1 and any("daemon.json" in line for line in preview[:restart]), \
        "rollback restarts last, and its preview says so"
    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert snapshot(lab, *FILES) == start
    back = {name: container_state(lab, name) for name in ("etcmount", "sock", "plain")}
    for name in ("etcmount", "sock", "plain"):
        assert back[name]["running"], f"{name} runs again"
        assert back[name]["id"] == before[name]["id"], f"{name} under its own id"
        assert (back[name]["binds"], back[name]["restart"], back[name]["read_only"]) == \
            (before[name]["binds"], before[name]["restart"], before[name]["read_only"])
    assert back["etcmount"]["memory"] == 0 and back["sock"]["memory"] == 0, "the originals never had a limit"


CIS_DAEMON = "experimental,live-restore,daemon-no-new-privileges,userland-proxy,insecure-registries"


def test_cis_section_2_fixes_live_then_rolled_back(lab):
    """Every automatic and when-named fix of CIS section 2 applied at once: dockerd
    runs with each (docker info, the running daemon), a container running before
    keeps running through it all (live-restore goes in with a reload first), then
    rollback brings the files back byte for byte and dockerd as it ran."""
    lab.run("sh", "-c", "echo '{\"experimental\": true, \"insecure-registries\": [\"10.9.9.9:5000\"]}' > /etc/docker/daemon.json")
    lab.run("systemctl", "restart", "docker")
    lab.run("docker", "run", "-d", "--name", "web", IMAGE, "sleep", "3600")
    started = lab.run("docker", "inspect", "--format", "{{.State.StartedAt}}", "web").stdout
    start = snapshot(lab, *FILES)
    info = lambda: json.loads(lab.run("docker", "info", "--format", "{{json .}}").stdout)  # noqa: E731
    before = info()
    assert before["ExperimentalBuild"] is True and "10.9.9.9:5000" in json.dumps(before["RegistryConfig"])

    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", CIS_DAEMON, "--format", "json")
    assert applied.returncode == 0, [(i["id"], i["status"], [f["message"] for f in i["findings"]])
                                     for i in json.loads(applied.stdout or "{\"items\": []}")["items"] if i["status"] != "pass"] or applied
    after = info()
    assert after["ExperimentalBuild"] is False and after["LiveRestoreEnabled"] is True
    assert "10.9.9.9:5000" not in json.dumps(after["RegistryConfig"])
    assert json.loads(lab.run("cat", "/etc/docker/daemon.json").stdout) == {
        "no-new-privileges": True, "userland-proxy": False, "live-restore": True}
    assert lab.run("docker", "inspect", "--format", "{{.State.StartedAt}}", "web").stdout == started, "never stopped"
    fresh = lab.run("docker", "run", "--rm", IMAGE, "sh", "-c", "grep NoNewPrivs /proc/self/status").stdout
    assert fresh.split() == ["NoNewPrivs:", "1"], "a new container gets no-new-privileges from the daemon"
    check = lab.harden("check", "--profile", "cis", "--only", CIS_DAEMON, "--format", "json")
    assert check.returncode == 0, check  # judged against the running dockerd too: nothing is pending_restart

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert snapshot(lab, *FILES) == start
    back = info()
    assert back["ExperimentalBuild"] is True and "10.9.9.9:5000" in json.dumps(back["RegistryConfig"])
    assert running(lab) == {"web"}


CIS_SECTIONS_2_3 = ",".join(("non-root-daemon", "icc", "log-level", "iptables", "insecure-registries", "no-aufs", "no-devicemapper",
                             "tls-auth", "default-ulimits", "userns-remap", "cgroup-parent", "base-device-size",
                             "authorization-plugin", "remote-logging", "daemon-no-new-privileges", "live-restore",
                             "userland-proxy", "seccomp-profile", "experimental", "file-permissions", "config-file-permissions"))

SOCKET_DROP_IN = "/etc/systemd/system/docker.socket.d/zz-hardener.conf"


def test_cis_sections_2_and_3_in_one_run_then_rollback(lab):
    lab.run("sh", "-c", "echo '{\"experimental\": true}' > /etc/docker/daemon.json && chmod 0664 /etc/docker/daemon.json "
                        "&& chmod 0666 /etc/default/docker && mkdir -p /etc/systemd/system/docker.socket.d "
                        "&& printf '[Socket]\\nSocketMode=0666\\n' > /etc/systemd/system/docker.socket.d/10-open.conf "
                        "&& systemctl daemon-reload && systemctl stop docker.service docker.socket "
                        "&& systemctl start docker.socket docker.service")
    assert lab.run("stat", "-c", "%a", "/run/docker.sock").stdout.strip() == "666"
    start = snapshot(lab, *FILES, SOCKET_DROP_IN)
    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", CIS_SECTIONS_2_3, "--format", "json")
    assert applied.returncode == 2, applied  # the manual recommendations stay manual
    items = {item["id"]: item for item in json.loads(applied.stdout)["items"]}
    assert {item_id for item_id, item in items.items() if item["status"] == "fail"} == set(), items
    assert lab.run("stat", "-c", "%a", "/etc/docker/daemon.json").stdout.strip() == "644"
    assert lab.run("stat", "-c", "%a", "/etc/default/docker").stdout.strip() == "644"
    assert lab.run("docker", "info", "--format", "{{.ExperimentalBuild}} {{.LiveRestoreEnabled}}").stdout.split() == ["false", "true"]
    assert lab.run("stat", "-c", "%a %G", "/run/docker.sock").stdout.strip() == "660 docker", "the live socket now"
    assert lab.run("systemctl", "show", "--property=SocketMode", "--value", "docker.socket").stdout.strip() == "0660", \
        "and at every start: systemd reads harden's drop-in after 10-open.conf"
    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert snapshot(lab, *FILES, SOCKET_DROP_IN) == start
    assert lab.run("systemctl", "show", "--property=SocketMode", "--value", "docker.socket").stdout.strip() == "0666"
    assert lab.run("docker", "info", "--format", "{{.ExperimentalBuild}}").stdout.strip() == "true"


def test_a_dockerd_no_docker_service_starts_is_judged_not_skipped(lab):
    """Section 2 where no docker.service runs dockerd itself: its units gone, systemd's sysv generator makes a
    docker.service of docker.io's /etc/init.d/docker, and dockerd runs from a transient unit, as a start by hand would.
    Judged on its real command line, never "not applicable", and nothing is changed for it."""
    lab.run("systemctl", "stop", "docker.service", "docker.socket")
    lab.run("sh", "-c", "rm -f /usr/lib/systemd/system/docker.service /usr/lib/systemd/system/docker.socket "
                        "/lib/systemd/system/docker.service /lib/systemd/system/docker.socket && systemctl daemon-reload")
    lab.run("systemd-run", "--unit", "handmade", "/usr/sbin/dockerd", "--debug", "--icc=false")
    lab.wait_for(["docker", "info"])
    assert "ExecStart={ path=/etc/init.d/docker" in lab.run("systemctl", "show", "--property=ExecStart", "docker.service").stdout
    checked = lab.harden("check", "--profile", "cis", "--only", "icc,log-level,live-restore", "--format", "json")
    items = {item["id"]: item for item in json.loads(checked.stdout)["items"]}
    assert items["icc"]["status"] == "pass", items["icc"]
    for item_id in ("log-level", "live-restore"):
        assert items[item_id]["status"] == "manual", items[item_id]
        assert any("started by no docker.service that runs it itself" in note for note in items[item_id]["notes"]), items[item_id]
    assert "/proc/" in json.dumps(items["log-level"]["findings"]), "read from its command line"
    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", "icc,log-level,live-restore")
    assert applied.returncode in (0, 2) and applied.stdout.startswith("Nothing to change"), applied
    assert lab.run("test", "-e", "/etc/systemd/system/docker.service.d/zz-hardener.conf", check=False).returncode != 0


def test_the_storage_driver_nothing_configures_is_the_engines_own(lab):
    """2.6 and 2.7 with no storage-driver anywhere: the running engine says which driver it chose."""
    checked = lab.harden("check", "--profile", "cis", "--only", "no-aufs,no-devicemapper", "--format", "json")
    for item in json.loads(checked.stdout)["items"]:
        (finding,) = item["findings"]
        assert finding["status"] == "pass" and finding["evidence"]["where"] == "the running engine (docker info)", finding
        assert finding["evidence"]["value"] == lab.run("docker", "info", "--format", "{{.Driver}}").stdout.strip()


def test_prior_drivers_data_is_judged_by_the_rules_of_the_engine_installed(lab):
    """2.6 and 2.7 with the engine down and nothing configured: aufs/ and devicemapper/ data beside overlay2/. Docker
    20.10 refuses to start (several drivers' data: harden says so, manual); 26 has neither driver any more and starts
    on overlay2 (harden, reading docker.io's version from dpkg, passes both). Then dockerd is started and agrees."""
    lab.run("systemctl", "start", "docker")
    lab.run("systemctl", "stop", "docker.service", "docker.socket")
    lab.run("sh", "-c", "mkdir -p /var/lib/docker/overlay2/l /var/lib/docker/aufs/diff/0 /var/lib/docker/devicemapper/metadata")
    try:
        release = lab.run("sh", "-c", "dpkg-query -W -f '${Version}' docker.io").stdout
        checked = lab.harden("check", "--profile", "cis", "--only", "no-aufs,no-devicemapper", "--format", "json")
        verdicts = {item["id"]: (item["findings"][0]["status"], item["findings"][0]["reason"]) for item in json.loads(checked.stdout)["items"]}
        started = lab.run("systemctl", "start", "docker", check=False).returncode == 0
        if release.startswith("20.10"):
            assert verdicts == {"no-aufs": ("manual", "several_drivers"), "no-devicemapper": ("manual", "several_drivers")}, verdicts
            assert not started
            assert "contains several valid graphdrivers" in lab.run("journalctl", "-u", "docker", "--no-pager", "-o", "cat").stdout
        else:
            assert verdicts == {"no-aufs": ("pass", "compliant"), "no-devicemapper": ("pass", "compliant")}, verdicts
            assert started and lab.run("docker", "info", "--format", "{{.Driver}}").stdout.strip() == "overlay2"
    finally:
        lab.run("systemctl", "stop", "docker.service", "docker.socket", check=False)
        lab.run("rm", "-rf", "/var/lib/docker/aufs", "/var/lib/docker/devicemapper")
        lab.run("systemctl", "reset-failed", "docker.service", check=False)
