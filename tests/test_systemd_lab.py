"""harden on a live host with a real systemd and dockerd: installed offline
from a wheelhouse, finding docker.service through systemctl."""
import json

import pytest


pytestmark = pytest.mark.releases

@pytest.fixture
def lab(systemd_lab):
    return systemd_lab


UNIT_DIRECTORIES = {"bookworm": "/lib/systemd/system", "trixie": "/usr/lib/systemd/system"}  # trixie's packages ship units in /usr


def test_live_file_permissions_through_systemctl(lab, lab_release):
    units = UNIT_DIRECTORIES[lab_release]
    assert f"FragmentPath={units}/docker.service" in lab.run("systemctl", "show", "-p", "FragmentPath", "docker.service").stdout
    lab.run("chmod", "664", f"{units}/docker.service")
    lab.run("chown", "root:docker", f"{units}/docker.socket")
    before = lab.run("stat", "-c", "%U:%G %a", f"{units}/docker.service", f"{units}/docker.socket").stdout

    preview = lab.harden("--dry-run", "--only", "file-permissions")
    assert preview.returncode == 2, preview
    assert f"{units}/docker.service: owner/mode root:root 0664 -> root:root 0644" in preview.stdout
    assert f"{units}/docker.socket: owner/mode root:docker 0644 -> root:root 0644" in preview.stdout

    applied = lab.harden("apply", "--yes", "--only", "file-permissions")
    assert applied.returncode == 0, applied
    assert lab.harden("check", "--only", "file-permissions").returncode == 0
    assert lab.run("journalctl", "-t", "harden", "--no-pager", check=False).stdout.count("item file-permissions") >= 2, \
        "every change is in the system log"

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert lab.run("stat", "-c", "%U:%G %a", f"{units}/docker.service", f"{units}/docker.socket").stdout == before


def test_the_units_files_are_where_the_labs_systemd_loads_them_from_one_systemctl_show(lab, lab_release):
    """docker.socket put in /etc/systemd/system.control (first on systemd's search path, and not on the walk harden
    falls back to where no systemd runs): harden judges the file systemd loaded, read from one `systemctl show` of
    both units, and docker.service's stays the package's."""
    units = UNIT_DIRECTORIES[lab_release]
    lab.run("mkdir", "-p", "/etc/systemd/system.control")
    lab.run("install", "-m", "664", f"{units}/docker.socket", "/etc/systemd/system.control/docker.socket")
    lab.run("systemctl", "daemon-reload")
    assert "FragmentPath=/etc/systemd/system.control/docker.socket" in lab.run("systemctl", "show", "-p", "FragmentPath", "docker.socket").stdout
    preview = lab.harden("--dry-run", "--only", "file-permissions")
    assert "/etc/systemd/system.control/docker.socket: owner/mode root:root 0664 -> root:root 0644" in preview.stdout, preview.stdout
    assert f"{units}/docker.service" not in preview.stdout and f"{units}/docker.socket" not in preview.stdout
    checked = lab.harden("check", "--only", "file-permissions", "--format", "json")
    targets = {finding["target"] for item in json.loads(checked.stdout)["items"] for finding in item["findings"]}
    assert {f"{units}/docker.service", "/etc/systemd/system.control/docker.socket"} <= targets, targets


# SocketMode lines of a docker.socket drop-in, in order: the mode the lab's systemd gives docker.sock is the
# oracle for what harden reads (an octal number up to 07777; another line is ignored, the last valid one wins)
SOCKET_MODES = [("0640",), ("rw",), ("0o660",), ("0600", "rw"), ("660",), ("010000",), ("+660",), ("0640", "0600")]


def test_socket_mode_as_the_labs_systemd_reads_it(lab):
    import json
    import re

    lab.run("mkdir", "-p", "/etc/systemd/system/docker.socket.d")
    for lines in SOCKET_MODES:
        body = "".join(f"SocketMode={line}\n" for line in lines)
        lab.run("sh", "-c", f"printf '[Socket]\\n{body}' > /etc/systemd/system/docker.socket.d/mode.conf")
        cursor = lab.run("journalctl", "--show-cursor", "-n", "0", "--quiet").stdout.strip().rpartition("cursor: ")[2]
        lab.run("systemctl", "daemon-reload")
        lab.run("systemctl", "stop", "docker.service", "docker.socket")
        lab.run("systemctl", "reset-failed", "docker.socket", "docker.service", check=False)  # eight starts in a row: no start limit
        started = lab.run("systemctl", "start", "docker.socket", check=False)
        assert started.returncode == 0, (lines, started, lab.run("journalctl", "--no-pager", "-n", "20").stdout)
        made = lab.run("stat", "-c", "%a", "/run/docker.sock").stdout.strip()
        checked = lab.harden("check", "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
        item = json.loads(checked.stdout)["items"][0]
        unit = next(f for f in item["findings"] if f["target"] == "docker.socket" and "settings" in f["evidence"])
        assert f"SocketMode={int(made, 8):04o} " in unit["evidence"]["settings"], (lines, made, unit)
        ignored = [f["evidence"]["where"] for f in item["findings"] if f["reason"] == "socket_mode_ignored"]
        lab.run("journalctl", "--sync")
        logged = lab.run("journalctl", "--no-pager", "--after-cursor", cursor, "--output", "cat").stdout
        # 252: "mode.conf:2: Failed to parse mode value, ignoring: rw"; 257: "... Failed to parse SocketMode=rw, ignoring: ..."
        refused = re.findall(r"^(/etc/systemd/system/docker.socket.d/mode.conf:\d+): Failed to parse (?:mode value|SocketMode=)", logged,
                             re.MULTILINE)
        assert ignored == refused, (lines, ignored, logged)


def test_a_tcp_socket_docker_socket_hands_over_is_served_and_judged(lab):
    """2.8: ExecStart says -H fd://, and a docker.socket drop-in adds a TCP address: dockerd serves it (the
    docker client reaches it), and harden's tls-auth says so, from the files and from asking the address itself. With
    the drop-in gone but nothing restarted, the files say no TCP, and the address still answers: still a finding."""
    import json

    lab.run("mkdir", "-p", "/etc/systemd/system/docker.socket.d")
    lab.run("sh", "-c", "printf '[Socket]\\nListenStream=127.0.0.1:2375\\n' > /etc/systemd/system/docker.socket.d/tcp.conf")
    lab.run("systemctl", "daemon-reload")
    lab.run("systemctl", "stop", "docker.service", "docker.socket")
    lab.run("systemctl", "start", "docker.socket", "docker.service")
    assert lab.run("docker", "-H", "tcp://127.0.0.1:2375", "version", "--format", "{{.Server.Version}}").stdout.strip()
    checked = lab.harden("check", "--profile", "cis", "--only", "tls-auth", "--format", "json")
    (found,) = json.loads(checked.stdout)["items"][0]["findings"]
    assert (found["status"], found["reason"]) == ("manual", "answers_without_tls"), found
    assert found["evidence"]["addresses"] == found["evidence"]["answers_without_tls"] == "tcp://127.0.0.1:2375"
    assert "/etc/systemd/system/docker.socket.d/tcp.conf:2" in found["evidence"]["where"]

    lab.run("rm", "/etc/systemd/system/docker.socket.d/tcp.conf")
    lab.run("systemctl", "daemon-reload")
    checked = lab.harden("check", "--profile", "cis", "--only", "tls-auth", "--format", "json")
    (found,) = json.loads(checked.stdout)["items"][0]["findings"]
    assert (found["status"], found["reason"], found["evidence"]["addresses"]) == ("manual", "answers_without_tls", "tcp://127.0.0.1:2375")
    assert found["evidence"]["where"].endswith("docker.socket:7, listening now"), found
    lab.run("systemctl", "stop", "docker.service", "docker.socket")
    lab.run("systemctl", "start", "docker.socket", "docker.service")
    checked = lab.harden("check", "--profile", "cis", "--only", "tls-auth", "--format", "json")
    (found,) = json.loads(checked.stdout)["items"][0]["findings"]
    assert (found["status"], found["reason"]) == ("not_applicable", "no_tcp"), found


def test_a_drop_in_every_socket_takes_is_read_and_overridden_not_edited(lab):
    """socket.d/ (systemd.unit(5): drop-ins of a unit type) opens docker.sock as systemd makes it; harden judges the
    mode systemd gives, and fixes it with a drop-in of docker.socket's own, which systemd reads after it, leaving the
    one every socket takes as it was."""
    shared = "/etc/systemd/system/socket.d/10-open.conf"
    lab.run("sh", "-c", f"mkdir -p /etc/systemd/system/socket.d && printf '[Socket]\\nSocketMode=0666\\n' > {shared} "
                        "&& systemctl daemon-reload && systemctl stop docker.service docker.socket "
                        "&& systemctl start docker.socket docker.service")
    assert lab.run("stat", "-c", "%a", "/run/docker.sock").stdout.strip() == "666"
    checked = lab.harden("check", "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
    item = json.loads(checked.stdout)["items"][0]
    (socket,) = [f for f in item["findings"] if f["target"] == "docker.socket" and "settings" in f["evidence"]]
    assert socket["status"] == "fail" and socket["evidence"]["settings"].startswith("SocketMode=0666 ") \
        and socket["evidence"]["where"].startswith(f"{shared}:2, "), socket
    applied = lab.harden("apply", "--yes", "--profile", "cis", "--only", "config-file-permissions")
    assert applied.returncode == 0, applied
    assert lab.run("systemctl", "show", "--property=SocketMode", "--value", "docker.socket").stdout.strip() == "0660"
    assert lab.run("cat", shared).stdout == "[Socket]\nSocketMode=0666\n"
    assert lab.harden("rollback", "--yes").returncode == 0
    assert lab.run("systemctl", "show", "--property=SocketMode", "--value", "docker.socket").stdout.strip() == "0666"
