"""A user's rootless dockerd names paths (in its unit, its daemon.json, its
environment files) that root then reads and changes: harden may look at such
a path's metadata, but reads, writes, chowns or chmods it only where the file
is the user's and every directory on its way is the user's or root's and
writable by no one else. Anything else is a manual finding of the user's
daemon, and the tree is left exactly as it was, through apply and rollback."""
import json
import os
import stat
import subprocess
import sys

import pytest

import hosts
from conftest import run_harden
from test_rootless import rootless_host

ALICE, BOB = 1000, 1001


def owned(path, uid, mode):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("-----BEGIN CERTIFICATE-----\n" if path.suffix == ".pem" else "{}\n")
    os.chown(path, uid, uid)
    path.chmod(mode)
    return path


def hostile_root(make_root, flags, env_file=None):
    root = rootless_host(make_root, flags=flags)
    (root / "etc/passwd").write_text((root / "etc/passwd").read_text() + "bob:x:1001:1001::/home/bob:/bin/bash\n")
    (root / "etc/group").write_text((root / "etc/group").read_text() + "bob:x:1001:\n")
    (root / "etc/docker/daemon.json").write_text('{"icc": false, "log-level": "info", "live-restore": true}\n')  # the system's: compliant
    owned(root / "etc/shadow", 0, 0o640).write_text("root:$6$secret:19000:0:99999:7:::\n")
    owned(root / "etc/app/config.json", 0, 0o644).write_text('{"debug": true}\n')
    owned(root / "etc/ssl/private/server.key", 0, 0o640)
    bob = root / "home/bob"
    bob.mkdir(parents=True)
    os.chown(bob, BOB, BOB)
    owned(bob / "shared/alice-ca.pem", ALICE, 0o644)  # alice's file, but bob can swap it
    os.chown(bob / "shared", BOB, BOB)
    tmp = root / "tmp"
    tmp.mkdir(exist_ok=True)
    tmp.chmod(0o1777)
    owned(tmp / "alice-cert.pem", ALICE, 0o644)
    if env_file:
        unit = root / "home/admin/.config/systemd/user/docker.service"
        unit.write_text(unit.read_text().replace("[Service]\n", f"[Service]\nEnvironmentFile={env_file}\n"))
    return root


def harden_json(*args):
    result = run_harden(*args, "--format", "json")
    assert result.code in (0, 2), result
    return result


def rootless_findings(result):
    return {(item["id"], f["target"]): (f["status"], f["reason"]) for item in result.json["items"] for f in item["findings"]
            if f.get("evidence", {}).get("rootless_user")}


@pytest.mark.parametrize("flags, target, blocker", [
    ("--tlscacert /etc/shadow", "/etc/shadow", "/etc/shadow is root:root 0640"),
    ("--tlskey=/etc/ssl/private/server.key", "/etc/ssl/private/server.key", "/etc/ssl/private/server.key is root:root 0640"),
    ("--tlscacert /home/bob/shared/alice-ca.pem", "/home/bob/shared/alice-ca.pem", "/home/bob is bob:bob 0755"),
    ("--tlscert /tmp/alice-cert.pem", "/tmp/alice-cert.pem", "/tmp is root:root 1777"),
])
def test_a_tls_path_that_is_not_the_users_alone_is_manual_and_untouched(make_root, flags, target, blocker):
    root = hostile_root(make_root, f"--tlsverify {flags}")
    if "bob" in target:
        (root / "home/bob").chmod(0o755)
    start = hosts.snapshot(root)
    found = harden_json("check", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    evidence = next(f["evidence"] for item in found.json["items"] for f in item["findings"] if f["target"] == target)
    assert rootless_findings(found)[("config-file-permissions", target)] == ("manual", "not_users")
    assert evidence["blocker"] == blocker
    (message,) = [f["message"] for item in found.json["items"] for f in item["findings"] if f["target"] == target]
    assert message == (f"admin's rootless dockerd: it names {target} (in {root}), which is not admin's alone ({blocker}): "
                       "harden neither reads nor changes it; point it at a file of admin's")
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code in (0, 2), applied
    assert hosts.snapshot(root) == start, "nothing a user names is chowned or chmodded unless it is theirs alone"
    assert run_harden("rollback", "--yes", "--root", root).code in (0, 1)
    assert hosts.snapshot(root) == start


@pytest.mark.parametrize("flags, env_file", [
    ("--config-file /etc/app/config.json", None),
    ("--config-file=/etc/shadow", None),
    ("$OPTS", "/etc/shadow"),
])
def test_a_config_file_or_environment_file_that_is_not_the_users_is_neither_read_nor_written(make_root, flags, env_file):
    root = hostile_root(make_root, flags, env_file)
    start = hosts.snapshot(root)
    found = harden_json("check", "--root", root, "--profile", "cis", "--only", "live-restore,log-level,config-file-permissions")
    rootless = rootless_findings(found)
    assert rootless[("live-restore", "live-restore (rootless, admin)")] == ("manual", "not_users"), rootless
    assert "$6$secret" not in found.out, "the content of a file not the user's is never read"
    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "live-restore")
    assert "admin's rootless dockerd: it names /etc/" in text.out and "which is not admin's alone" in text.out, text.out
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions,live-restore,log-level")
    assert applied.code in (0, 2), applied
    assert hosts.snapshot(root) == start, "no live-restore written into root's file, no chown of it"
    assert run_harden("rollback", "--yes", "--root", root).code in (0, 1)
    assert hosts.snapshot(root) == start


def test_the_users_own_files_are_still_fixed_and_rolled_back(make_root):
    root = hostile_root(make_root, "--tlsverify --tlscacert /home/admin/.config/docker/ca.pem --config-file /home/admin/.config/docker/d.json")
    owned(root / "home/admin/.config/docker/ca.pem", ALICE, 0o664)
    os.chown(root / "home/admin/.config/docker", ALICE, ALICE)
    owned(root / "home/admin/.config/docker/d.json", ALICE, 0o644)
    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions,live-restore")
    assert applied.code == 0, applied
    assert (root / "home/admin/.config/docker/ca.pem").stat().st_mode & 0o777 == 0o444
    assert json.loads((root / "home/admin/.config/docker/d.json").read_text()) == {"live-restore": True}
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def test_a_file_of_another_user_in_the_users_directory_is_not_given_to_them(make_root):
    root = rootless_host(make_root, daemon_json={"icc": False})
    config = root / "home/admin/.config/docker/daemon.json"
    os.chown(config, BOB, BOB)
    start = hosts.snapshot(root)
    found = rootless_findings(harden_json("check", "--root", root, "--profile", "cis", "--only", "config-file-permissions,icc"))
    assert found[("icc", "icc (rootless, admin)")] == ("manual", "not_users")
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code in (0, 2) and hosts.snapshot(root) == start, applied


def test_the_write_itself_refuses_a_file_swapped_for_roots_between_the_look_and_the_change(make_root):
    """The guard is on the descriptors the change is made through, not only on the look before it."""
    from hardener.host import Host, HostError

    root = rootless_host(make_root, daemon_json={"icc": False})
    config = root / "home/admin/.config/docker/daemon.json"
    os.chown(config, ALICE, ALICE)
    host = Host(str(root))
    assert host.users_file_problem("/home/admin/.config/docker/daemon.json", ALICE) is None
    os.chown(config, 0, 0)  # the swap: now root's (as a hard link to root's file would be)
    now_roots = f"/home/admin/.config/docker/daemon.json (in {root}) is root:root now, not admin's; nothing was changed there"
    with pytest.raises(HostError) as raised:
        host.set_owner_mode("/home/admin/.config/docker/daemon.json", ALICE, ALICE, 0o644, user=ALICE)
    assert str(raised.value) == now_roots
    with pytest.raises(HostError) as raised:
        host.write_file("/home/admin/.config/docker/daemon.json", b"{}", user=ALICE)
    assert str(raised.value) == now_roots
    assert (config.stat().st_uid, config.read_text()) == (0, '{"icc": false}\n')
    (root / "home/admin/.config").chmod(0o777)  # a directory on the way others can change
    os.chown(config, ALICE, ALICE)
    with pytest.raises(HostError, match="others than admin and root can change"):
        host.set_owner_mode("/home/admin/.config/docker/daemon.json", ALICE, ALICE, 0o600, user=ALICE)
    with pytest.raises(HostError) as raised:
        host.write_file("/etc/app.json", b"{}", new_owner=(ALICE, ALICE), user=ALICE)
    assert str(raised.value) == f"/etc (in {root}) is root:root now, not admin's; nothing was changed there", "where it would be made"
    assert not (root / "etc/app.json").exists(), "a new file of the user's only in a directory of theirs"


def test_what_a_system_unit_runs_as_root_is_roots_alone(make_root):
    """A drop-in, its directory, an environment file or the program a unit starts that another can write lets them run
    commands as root: file-permissions holds each to root:root with no group or world write, and rollback gives them back."""
    root = make_root("debian", compliant=True)
    drop_ins = root / "etc/systemd/system/docker.service.d"
    drop_ins.mkdir(parents=True)
    (drop_ins / "proxy.conf").write_text("[Service]\nEnvironment=HTTP_PROXY=http://proxy.example:3128\n")
    (drop_ins / "proxy.conf").chmod(0o664)
    os.chown(drop_ins, ALICE, ALICE)
    os.chown(root / "etc/default/docker", ALICE, 0)
    (root / "usr/sbin/dockerd").chmod(0o775)
    socket_drop_ins = root / "etc/systemd/system/docker.socket.d"
    socket_drop_ins.mkdir()
    (socket_drop_ins / "listen.conf").write_text("[Socket]\nListenStream=/run/docker.sock\n")
    (socket_drop_ins / "listen.conf").chmod(0o646)
    start = hosts.snapshot(root)
    found = harden_json("check", "--root", root, "--only", "file-permissions")
    statuses = {f["target"]: (f["status"], f["evidence"]["owner"], f["evidence"]["mode"]) for f in found.json["items"][0]["findings"]}
    assert statuses["/etc/systemd/system/docker.service.d"] == ("fail", "admin:admin", "0755")
    assert statuses["/etc/systemd/system/docker.service.d/proxy.conf"] == ("fail", "root:root", "0664")
    assert statuses["/etc/default/docker"] == ("fail", "admin:root", "0644")
    assert statuses["/usr/sbin/dockerd"] == ("fail", "root:root", "0775")
    assert statuses["/etc/systemd/system/docker.socket.d/listen.conf"] == ("fail", "root:root", "0646")
    assert statuses["/etc/systemd/system/docker.socket.d"][0] == "pass"
    assert run_harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    for path, mode in ((drop_ins, 0o755), (drop_ins / "proxy.conf", 0o644), (root / "etc/default/docker", 0o644),
                       (root / "usr/sbin/dockerd", 0o755), (socket_drop_ins / "listen.conf", 0o644)):
        info = path.stat()
        assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (0, 0, mode), path
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


# Each option of dockerd that names a path, as a user's unit can write it (checked against this machine's dockerd: an
# option it does not know fails the test). Docker 25's --cdi-spec-dir is not 20.10's: it is read all the same.
PATH_OPTIONS = {"--config-file": "--config-file=/etc/shadow", "--tlscacert": "--tlscacert=/etc/shadow",
                "--tlscert": "--tlscert=/etc/shadow", "--tlskey": "--tlskey=/etc/shadow", "--data-root": "--data-root=/etc/shadow",
                "--exec-root": "--exec-root=/etc/shadow", "--pidfile": "--pidfile=/etc/shadow",
                "--seccomp-profile": "--seccomp-profile=/etc/shadow", "--userland-proxy-path": "--userland-proxy-path=/etc/shadow",
                "--init-path": "--init-path=/etc/shadow", "--containerd": "--containerd=/etc/shadow",
                "--host": "-H unix:///etc/shadow", "--add-runtime": "--add-runtime=evil=/etc/shadow",
                "--cdi-spec-dir": "--cdi-spec-dir=/etc/shadow"}
NEWER_THAN_20_10 = {"--cdi-spec-dir"}


def test_the_path_options_are_dockerds():
    import subprocess

    usage = subprocess.run(["dockerd", "--help"], capture_output=True, text=True).stdout
    assert {option for option in PATH_OPTIONS if f" {option} " not in usage} == NEWER_THAN_20_10


@pytest.fixture(scope="module")
def changed_without_a_hostile_option(tmp_path_factory):
    """What the whole cis profile's apply changes in the hostile tree with alice's unit plain: the same apply with one
    of her path options must change nothing more."""
    root = hostile_root(lambda kind, **kwargs: hosts.build(tmp_path_factory.mktemp("plain") / "root", hosts.LAYOUTS[kind]()), "--tlsverify")
    start = hosts.snapshot(root)
    assert run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--skip", "content-trust").code in (0, 2)
    after = hosts.snapshot(root)
    return {path for path in start.keys() | after.keys() if start.get(path) != after.get(path)}


@pytest.mark.parametrize("option", PATH_OPTIONS)
def test_no_path_option_of_a_users_unit_leads_root_to_change_roots_files(make_root, option, changed_without_a_hostile_option):
    """Each path option dockerd takes, pointed by alice's unit at root's /etc/shadow: the whole cis profile's apply
    changes what it changes without that option and nothing else (owner, mode, content), and rollback gives the whole
    tree back."""
    root = hostile_root(make_root, f"--tlsverify {PATH_OPTIONS[option]}")
    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--skip", "content-trust")
    assert "Traceback" not in applied.err, applied
    after = hosts.snapshot(root)
    assert after["etc/shadow"] == start["etc/shadow"], f"{option}: root's file changed"
    changed = {path for path in start.keys() | after.keys() if start.get(path) != after.get(path)}
    assert changed <= changed_without_a_hostile_option, f"{option}: {sorted(changed - changed_without_a_hostile_option)}"
    assert run_harden("rollback", "--yes", "--root", root).code in (0, 1)
    assert hosts.snapshot(root) == start


@pytest.mark.parametrize("plant", ["hard link", "fifo"])
def test_a_temporary_name_a_user_planted_is_made_anew_not_opened(make_root, plant):
    """harden writes a user's file through a temporary beside it: a hard link the user put at that name (to a file of
    root's) is not written through, nor a FIFO waited on."""
    from hardener.host import Host

    root = rootless_host(make_root, daemon_json={"icc": False})
    config = root / "home/admin/.config/docker/daemon.json"
    temp = config.with_name(".daemon.json.hardener-tmp")
    rootfile = owned(root / "etc/rootfile", 0, 0o660)
    rootfile.write_text("root's\n")
    os.link(rootfile, temp) if plant == "hard link" else os.mkfifo(temp)
    Host(str(root)).write_file("/home/admin/.config/docker/daemon.json", b'{"icc": true}\n', user=ALICE)
    assert config.read_text() == '{"icc": true}\n' and config.stat().st_uid == ALICE
    assert rootfile.read_text() == "root's\n" and (rootfile.stat().st_uid, rootfile.stat().st_mode & 0o777) == (0, 0o660)


def test_a_directory_others_can_write_above_what_a_unit_runs_as_root_is_said(make_root):
    """An environment file in a user's directory, an ExecStartPre program others can write: the directory is a
    manual finding (its owner can replace the file), the program's mode a failing one that apply fixes."""
    root = make_root("debian", compliant=True)
    opt = root / "opt/docker"
    opt.mkdir(parents=True)
    (opt / "env").write_text("X=1\n")
    (opt / "pre.sh").write_text("#!/bin/sh\n")
    (opt / "pre.sh").chmod(0o777)
    os.chown(opt, ALICE, ALICE)
    drop_in = root / "etc/systemd/system/docker.service.d/site.conf"
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text("[Service]\nEnvironmentFile=/opt/docker/env\nExecStartPre=-/opt/docker/pre.sh --check\n")
    found = harden_json("check", "--root", root, "--only", "file-permissions")
    statuses = {f["target"]: (f["status"], f["reason"]) for f in found.json["items"][0]["findings"]}
    assert statuses["/opt/docker"] == ("manual", "writable_above"), statuses
    assert statuses["/opt/docker/pre.sh"] == ("fail", "too_permissive") and statuses["/opt/docker/env"][0] == "pass"
    assert "/opt/docker is admin:admin 0755: whoever can write it can replace /opt/docker/env" in \
        run_harden("check", "--root", root, "--only", "file-permissions").out


def test_a_users_file_is_read_through_the_descriptors_its_check_was_made_on(make_root, monkeypatch):
    """The user's daemon.json is read while it is theirs: swapped after its check for a link to root's /etc/shadow, or
    for a hard link to it (the user's name, root's file), it is not read, and nothing of it is said."""
    from hardener.host import Host, HostError

    root = rootless_host(make_root, daemon_json={"icc": False})
    path = "/home/admin/.config/docker/daemon.json"
    config = root / path.lstrip("/")
    shadow = owned(root / "etc/shadow", 0, 0o640)
    shadow.write_text("root:$6$secret:19000:0:99999:7:::\n")
    host = Host(str(root))
    assert host.read_text(path, ALICE) == '{"icc": false}\n'

    config.unlink()
    os.link(shadow, config)
    with pytest.raises(HostError, match=r"is root:root now, not admin's; it was not read") as raised:
        host.read_text(path, ALICE)
    assert "secret" not in str(raised.value)

    config.unlink()
    config.symlink_to("/etc/shadow")
    os.lchown(config, ALICE, ALICE)
    resolve = Host.resolve  # the swap comes after the walk that judged the path: it saw alice's file there
    monkeypatch.setattr(Host, "resolve", lambda self, named, follow_final=True: resolve(self, named, follow_final=False))
    with pytest.raises(HostError, match="is a link now, not admin's file; it was not read"):
        host.read_text(path, ALICE)


def test_the_report_harden_writes_and_the_reports_it_reads_follow_no_users_link_to_a_file_not_theirs(tmp_path, make_root):
    """--output in a directory a user can write, where they put a link to root's file: refused, the file untouched (it
    was truncated and overwritten). `harden report` reads no user's link to a report not theirs (root's, 0600, shown
    on a page anyone reads); the administrator's own link is followed. An output that exists keeps its owner and
    mode; a new one is made as the umask says."""
    root = make_root("debian", compliant=True)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, ALICE, ALICE)
    victim = tmp_path / "victim"
    victim.write_text("root-secret\n")
    victim.chmod(0o600)

    def users_link(name, target):
        link = theirs / name
        link.symlink_to(target)
        os.chown(link, ALICE, ALICE, follow_symlinks=False)
        return link

    refused = run_harden("check", "--root", root, "--format", "json", "--output", users_link("report.json", victim))
    assert refused.code == 1 and refused.err.startswith("harden: error: cannot write the report: ") and refused.err.count("\n") == 1, refused
    assert victim.read_text() == "root-secret\n"

    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    planted = sticky / "report.json"  # alice's, made first where anyone may make files: it would keep its owner
    planted.write_text("")
    os.chown(planted, ALICE, ALICE)
    refused = run_harden("check", "--root", root, "--format", "json", "--output", planted)
    assert refused.code == 1 and "harden does not write root's report over another's file" in refused.err, refused
    assert planted.read_text() == ""
    kept = tmp_path / "kept.json"
    kept.write_text("")
    kept.chmod(0o640)
    assert run_harden("check", "--root", root, "--format", "json", "--output", kept).code in (0, 2)
    assert json.loads(kept.read_text())["command"] == "check"
    assert (kept.stat().st_uid, kept.stat().st_mode & 0o777) == (0, 0o640), "root's file keeps its mode"
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert run_harden("check", "--root", root, "--format", "json", "--output", null).code in (0, 2)
    assert stat.S_ISCHR(null.stat().st_mode), "a device is written to, never replaced by a file"
    secret_report = tmp_path / "secret.json"
    made = run_harden("check", "--root", root, "--format", "json", "--output", secret_report)
    assert made.code in (0, 2) and (secret_report.stat().st_uid, secret_report.stat().st_mode & 0o777) == (0, 0o644), "umask 022"
    secret_report.chmod(0o600)

    page = tmp_path / "fleet.html"
    through_theirs = run_harden("report", users_link("host.json", secret_report), "--format", "html", "--output", page)
    assert through_theirs.code == 1 and "not a harden JSON report" in through_theirs.err and "another's file" in through_theirs.err, through_theirs
    assert not page.exists()
    own = tmp_path / "own.json"
    own.symlink_to(secret_report)
    assert run_harden("report", own, "--format", "html", "--output", page).code == 0 and page.exists()
    missing = run_harden("report", tmp_path / "none.json", "--format", "html")
    assert missing.code == 1 and "No such file or directory" in missing.err, missing
    piped = subprocess.run(f"cat {secret_report} | {sys.executable} -m hardener report /dev/stdin --format html", shell=True,
                           capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "<html" in piped.stdout, piped.stderr
