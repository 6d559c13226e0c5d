"""CIS 3.7–3.24 in the cis profile: certificates, keys, configuration files and
sockets; stricter modes pass and only the excess bits go, then rollback."""
import json
import os

import pytest

from conftest import run_harden
import hosts


def findings(root):
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
    assert result.code in (0, 2), result
    (item,) = result.json["items"]
    return {finding["target"]: finding for finding in item["findings"]}


def test_certificates_keys_and_config_files(make_root):
    root = make_root("debian", compliant=True)
    certs = root / "etc/docker/certs.d/registry.example.cn:5000"
    certs.mkdir(parents=True)
    (certs / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    os.chmod(certs / "ca.crt", 0o644)
    for name, mode in (("ca.pem", 0o444), ("cert.pem", 0o440), ("key.pem", 0o640)):
        (root / "etc/docker" / name).write_text("pem\n")
        os.chmod(root / "etc/docker" / name, mode)
    (root / "etc/docker/daemon.json").write_text(json.dumps({"tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem",
                                                             "tlskey": "/etc/docker/key.pem"}))
    os.chmod(root / "etc/docker/daemon.json", 0o600)
    found = findings(root)
    assert found["/etc/docker/certs.d/registry.example.cn:5000/ca.crt"]["status"] == "fail"
    assert found["/etc/docker/certs.d/registry.example.cn:5000/ca.crt"]["cis"] == ["3.7", "3.8"]
    assert found["/etc/docker/ca.pem"]["status"] == "pass" and found["/etc/docker/cert.pem"]["status"] == "pass", "stricter is fine"
    assert (found["/etc/docker/key.pem"]["status"], found["/etc/docker/key.pem"]["cis"]) == ("fail", ["3.13", "3.14"])
    assert found["/etc/docker/daemon.json"]["status"] == "pass"
    assert found["/etc/sysconfig/docker"]["status"] == "not_applicable"

    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code == 0, applied
    assert oct(os.stat(root / "etc/docker/key.pem").st_mode & 0o777) == "0o400"
    assert oct(os.stat(certs / "ca.crt").st_mode & 0o777) == "0o444"
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def test_a_directory_among_a_registrys_certificates_is_passed_by(make_root):
    """dockerd reads only the files of /etc/docker/certs.d/REG/ (a directory there is not its): one does not turn the
    item's 18 recommendations into errors, and the files beside it are judged and fixed as ever."""
    root = make_root("debian", compliant=True)
    certs = root / "etc/docker/certs.d/registry:5000"
    (certs / "sub").mkdir(parents=True)
    (certs / "sub/ca.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    (certs / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    os.chmod(certs / "ca.crt", 0o666)
    found = findings(root)
    assert found["/etc/docker/certs.d/registry:5000/ca.crt"]["status"] == "fail"
    assert not [target for target in found if "/sub" in target], found.keys()
    assert not [finding for finding in found.values() if finding["status"] == "error"]
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code == 0, applied
    assert oct(os.stat(certs / "ca.crt").st_mode & 0o777) == "0o444" and (certs / "sub").is_dir()


def test_tls_files_not_configured_are_not_applicable(make_root):
    found = findings(make_root("debian", compliant=True))
    assert found["tlskey"]["status"] == "not_applicable" and found["tlskey"]["reason"] == "not_configured"


def test_the_socket_unit_decides_docker_sock_and_a_drop_in_fixes_it(make_root):
    root = make_root("debian", compliant=True)
    assert findings(root)["docker.socket"]["status"] == "pass"
    drop_in = root / "etc/systemd/system/docker.socket.d/10-open.conf"
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text("[Socket]\nSocketMode=0666\nSocketGroup=staff\n")
    socket = findings(root)["docker.socket"]
    assert (socket["status"], socket["reason"], socket["cis"]) == ("fail", "socket_unit", ["3.15", "3.16"])
    assert "10-open.conf:2" in socket["message"] and "SocketMode=0660 SocketUser=root SocketGroup=docker" in socket["message"]
    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code == 0, applied
    ours = root / "etc/systemd/system/docker.socket.d/zz-hardener.conf"
    assert "SocketMode=0660\nSocketUser=root\nSocketGroup=docker\n" in ours.read_text(), "after 10-open.conf: it wins"
    assert findings(root)["docker.socket"]["status"] == "pass"
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start
    drop_in.write_text("[Socket]\nSocketMode=0600\nSocketGroup=staff\n")
    run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert "SocketMode=0600\n" in ours.read_text(), "a stricter mode stays"


@pytest.mark.parametrize("where, said", [
    ("/etc/systemd/system/socket.d/zzz-open.conf", True),  # every socket's, read after harden's zz-hardener.conf
    ("/etc/systemd/system/docker.socket.d/zzz-open.conf", True),
    ("/etc/systemd/system.control/docker.socket.d/zz-hardener.conf", True),  # its name's: hides harden's
    ("/usr/lib/systemd/system/docker.socket.d/zz-hardener.conf", False),  # hidden by harden's in /etc
])
def test_a_socket_setting_systemd_reads_after_harden_s_drop_in_is_said_not_overridden_in_vain(make_root, where, said):
    """A drop-in systemd reads after harden's (file-name order, a same name in a directory before /etc) would keep
    its SocketMode: the plan says where to change it by hand, and writes nothing that would not take."""
    root = make_root("debian", compliant=True)
    drop_in = root / where.lstrip("/")
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text("[Socket]\nSocketMode=0666\n")
    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    ours = root / "etc/systemd/system/docker.socket.d/zz-hardener.conf"
    if said:
        assert applied.code == 1 and f"{where}:2 (in {root}): systemd reads it after the drop-in harden would write" in applied.err \
            and "its SocketMode= would still be the one taken; change it there by hand" in applied.err, applied
        assert hosts.snapshot(root) == start
    else:
        assert applied.code == 0 and "SocketMode=0660\n" in ours.read_text(), applied
        assert findings(root)["docker.socket"]["status"] == "pass"


@pytest.mark.parametrize("lines, mode, user, ignored", [
    ("SocketMode=0640\nSocketMode=rw\n", "0640", "root", ["rw"]),
    ("SocketMode=0o660\n", "0660", "root", ["0o660"]),  # the package's own 0660 stays
    ("SocketMode=0660\nSocketUser=nobody\n", "0660", "nobody", []),
    ("SocketMode=99999\nSocketMode=0660\n", "0660", "root", ["99999"]),
])
def test_docker_socket_settings_are_read_as_systemd_reads_them(make_root, lines, mode, user, ignored):
    """SocketMode: an octal number up to 07777; systemd ignores any other line and keeps the last valid one (0666 where
    none came: the package unit gives 0660); SocketUser is judged as well (nobody:docker is not root's socket)."""
    root = make_root("debian", compliant=True)
    drop_in = root / "etc/systemd/system/docker.socket.d/10-site.conf"
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text("[Socket]\n" + lines)
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", "config-file-permissions", "--format", "json")
    assert "Traceback" not in result.err, result
    unit = [f for f in result.json["items"][0]["findings"] if f["target"] == "docker.socket"]
    verdict = next(f for f in unit if f["reason"].startswith("socket_unit"))
    assert f"SocketMode={mode} SocketUser={user}" in verdict["message"], verdict
    assert verdict["status"] == ("pass" if not int(mode, 8) & ~0o660 and user == "root" else "fail"), verdict
    assert sorted(f["evidence"]["value"] for f in unit if f["reason"] == "socket_mode_ignored") == ignored