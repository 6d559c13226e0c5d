"""A corpus of hostile host trees, kept: each case breaks one thing in a copy of
a Debian host the way a real host can be broken, runs apply, and asserts the
exit code, one line on stderr and no traceback, and a byte-identical tree
(content, owner, mode) wherever nothing should change. Damaged journals are in
test_journal_trust.py, full disks in test_full_disk.py.

A case: (kind, name, break(root), exit codes allowed, a word the error says
or None, whether the tree must stay as it was)."""
import os
from pathlib import Path
import shutil
import subprocess

import pytest

import hosts
from conftest import run_harden

ITEMS = "audit-docker-files,icc,log-level,iptables,no-aufs,file-permissions,content-trust"
DAEMON_JSON = "etc/docker/daemon.json"
DROP_IN = "etc/systemd/system/docker.service.d/override.conf"
DEFAULT = "etc/default/docker"
AUDIT = "etc/audit/audit.rules"


def put(root, path, content, mode=0o644):
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_file():
        target.unlink()
    (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    os.chmod(target, mode)


def link(root, path, to):
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink() if not target.is_dir() or target.is_symlink() else shutil.rmtree(target)
    target.symlink_to(to)


def directory(root, path):
    target = root / path
    if target.exists():
        target.unlink()
    target.mkdir(parents=True)


def with_auditd(root, rules):
    put(root, "usr/sbin/auditctl", "#!/bin/sh\n", 0o755)
    put(root, AUDIT, rules, 0o640)


def config(root, text):
    put(root, "etc/hardener/config.toml", text)


def lock_held(root):
    """A lock another (live) process holds: this test's own open descriptor."""
    import fcntl

    home = root / hosts.JOURNAL
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"999999\n")
    return fd


UNCHANGED, MAY_CHANGE = True, False

CASES = [
    # -- daemon.json --------------------------------------------------------------
    ("daemon.json", "invalid", lambda r: put(r, DAEMON_JSON, '{"icc": false,,}'), {1}, "not valid JSON", UNCHANGED),
    ("daemon.json", "non-utf8", lambda r: put(r, DAEMON_JSON, b'{"labels": ["\xff"]}'), {1}, "not UTF-8", UNCHANGED),
    ("daemon.json", "bom", lambda r: put(r, DAEMON_JSON, '\ufeff{"icc": false}'), {1}, "not valid JSON", UNCHANGED),
    ("daemon.json", "array", lambda r: put(r, DAEMON_JSON, '[{"icc": false}]'), {1}, "not a JSON object", UNCHANGED),
    ("daemon.json", "wrong type", lambda r: put(r, DAEMON_JSON, '{"icc": "false"}'), {1}, "dockerd wants a boolean", UNCHANGED),
    ("daemon.json", "a directory", lambda r: directory(r, DAEMON_JSON), {1}, "is a directory", UNCHANGED),
    ("daemon.json", "a link loop", lambda r: link(r, DAEMON_JSON, "daemon.json"), {1}, "too many levels", UNCHANGED),
    ("daemon.json", "a link to /etc/shadow", lambda r: (put(r, "etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640),
                                                        link(r, DAEMON_JSON, "/etc/shadow")), {1}, "not valid JSON", UNCHANGED),
    ("daemon.json", "duplicate keys, the last wins", lambda r: put(r, DAEMON_JSON, '{"icc": true, "icc": false}\n'), {0, 2}, None, MAY_CHANGE),
    ("daemon.json", "huge", lambda r: put(r, DAEMON_JSON, '{"labels": [' + ",".join(['"x=%d"' % i for i in range(200000)]) + ']}'),
     {0, 2}, None, MAY_CHANGE),
    # -- units and drop-ins --------------------------------------------------------------
    ("units", "binary", lambda r: put(r, DROP_IN, b"[Service]\nExecStart=\x00\xff\xfe\n"), {1}, "not UTF-8", UNCHANGED),
    ("units", "two ExecStart=", lambda r: put(r, DROP_IN, "[Service]\nExecStart=/usr/sbin/dockerd\n"), {1}, "systemd refuses", UNCHANGED),
    ("units", "reset, none after", lambda r: put(r, DROP_IN, "[Service]\nExecStart=\n"), {1}, "no ExecStart= left", UNCHANGED),
    ("units", "unbalanced quote", lambda r: put(r, DROP_IN, '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --label "a\n'),
     {1}, "systemd cannot parse", UNCHANGED),
    ("units", "a line with no =", lambda r: put(r, DROP_IN, "[Service]\nnonsense\n"), {1}, "not a [Section]", UNCHANGED),
    ("units", "continuation with comments and a quoted #", lambda r: put(
        r, DROP_IN, '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd \\\n# skipped\n  --label="a#b" --iptables=false\n'),
     {0, 2}, None, MAY_CHANGE),
    ("units", "empty drop-in", lambda r: put(r, DROP_IN, ""), {0, 2}, None, MAY_CHANGE),
    ("units", "a failing flag through a drop-in's Environment=", lambda r: put(
        r, DROP_IN, '[Service]\nEnvironment="EXTRA=--icc=true"\nExecStart=\nExecStart=/usr/sbin/dockerd $EXTRA\n'), {2}, None, MAY_CHANGE),
    ("units", "masked", lambda r: link(r, "etc/systemd/system/docker.service", "/dev/null"), {0, 2}, None, MAY_CHANGE),
    # -- environment files ---------------------------------------------------------------
    ("environment files", "a quoted value across lines", lambda r: put(r, DEFAULT, 'DOCKER_OPTS="--debug\n  --iptables=false"\n'),
     {0, 2}, None, MAY_CHANGE),
    ("environment files", "non-utf8", lambda r: put(r, DEFAULT, b"DOCKER_OPTS=\xff\n"), {1}, "not UTF-8", UNCHANGED),
    ("environment files", "unterminated quote", lambda r: put(r, DEFAULT, 'DOCKER_OPTS="--iptables=false\n'), {0, 2}, None, MAY_CHANGE),
    ("environment files", "a directory", lambda r: directory(r, DEFAULT), {1}, "is a directory", UNCHANGED),
    ("environment files", "export and CR LF", lambda r: put(r, DEFAULT, 'export DOCKER_OPTS="--iptables=false"\r\nB=1\r\n'),
     {0, 2}, None, MAY_CHANGE),
    ("environment files", "required and missing", lambda r: put(
        r, DROP_IN, "[Service]\nEnvironmentFile=/etc/docker/missing.env\n"), {1}, "does not exist", UNCHANGED),
    # -- audit rules ---------------------------------------------------------------------
    ("audit rules", "a narrow watch", lambda r: with_auditd(r, "-w /etc/docker -p r -k docker\n"), {0, 2}, None, MAY_CHANGE),
    ("audit rules", "unbalanced quotes", lambda r: with_auditd(r, '-w "/etc/docker -k docker\n'), {0, 2}, None, MAY_CHANGE),
    ("audit rules", "non-utf8", lambda r: with_auditd(r, b"-w /etc/\xff -k x\n"), {1}, "not UTF-8", UNCHANGED),
    ("audit rules", "a directory", lambda r: (with_auditd(r, ""), (r / AUDIT).unlink(), (r / AUDIT).mkdir()), {1}, "is a directory", UNCHANGED),
    ("audit rules", "immutable mode", lambda r: with_auditd(r, "-e 2\n"), {0, 2}, None, MAY_CHANGE),
    # -- profile scripts -----------------------------------------------------------------
    ("profile scripts", "no /etc/profile", lambda r: (r / "etc/profile").unlink(), {0, 2}, None, MAY_CHANGE),
    ("profile scripts", "profile.d a file", lambda r: (shutil.rmtree(r / "etc/profile.d"), put(r, "etc/profile.d", "")),
     {0, 1, 2}, None, MAY_CHANGE),
    ("profile scripts", "non-utf8", lambda r: put(r, "etc/profile.d/site.sh", b"export X=\xff\n"), {1}, "not UTF-8", UNCHANGED),
    ("profile scripts", "a directory where a script is", lambda r: directory(r, "etc/profile.d/site.sh"), {0, 1, 2}, None, MAY_CHANGE),
    ("profile scripts", "our script is a link", lambda r: link(r, "etc/profile.d/zz-hardener-docker-content-trust.sh", "/etc/environment"),
     {1}, "symbolic link", UNCHANGED),
    # -- locks --------------------------------------------------------------------------
    ("locks", "the journal home is a file", lambda r: put(r, hosts.JOURNAL, ""), {1}, "lock", UNCHANGED),
    ("locks", "the lock is a directory", lambda r: directory(r, hosts.JOURNAL + "/lock"), {1}, "lock", UNCHANGED),
    ("locks", "a stale lock of a dead process", lambda r: put(r, hosts.JOURNAL + "/lock", "999999\n", 0o600), {0, 2}, None, MAY_CHANGE),
    ("locks", "an empty stale lock", lambda r: put(r, hosts.JOURNAL + "/lock", "", 0o600), {0, 2}, None, MAY_CHANGE),
    ("locks", "the runs directory is a file", lambda r: put(r, hosts.JOURNAL + "/runs", ""), {1}, None, UNCHANGED),
    # -- configs ------------------------------------------------------------------------
    ("configs", "unknown key", lambda r: config(r, "colour = 'red'\n"), {1}, "unknown key", UNCHANGED),
    ("configs", "not TOML", lambda r: config(r, "items = [\n"), {1}, "not valid TOML", UNCHANGED),
    ("configs", "non-utf8", lambda r: put(r, "etc/hardener/config.toml", b"items = ['\xff']\n"), {1}, "config", UNCHANGED),
    ("configs", "a directory", lambda r: directory(r, "etc/hardener/config.toml"), {1}, "config", UNCHANGED),
    ("configs", "a bad memory limit", lambda r: config(r, "[memory_limit]\ndefault = 'lots'\n"), {1}, "config.toml", UNCHANGED),
    ("configs", "a memory limit Docker cannot count", lambda r: config(r, "[memory_limit]\ndefault = '99999999999999999999g'\n"),
     {1}, "config.toml:2: memory limit", UNCHANGED),
    ("configs", "unknown daemon_options", lambda r: config(r, "daemon_options = 'registry'\n"), {1}, "config.toml", UNCHANGED),
    # -- file system faults ------------------------------------------------------------------
    ("file system faults", "an immutable file", lambda r: subprocess.run(["chattr", "+i", str(r / "etc/docker")], check=True),
     {3}, "undone", UNCHANGED),
    ("file system faults", "/etc/docker a file", lambda r: (shutil.rmtree(r / "etc/docker"), put(r, "etc/docker", "")), {1}, None, UNCHANGED),
    ("file system faults", "a link out of the root", lambda r: link(r, "etc/default/docker", "../../../../../../../../../etc/hostname"),
     {0, 1, 2}, None, MAY_CHANGE),
    ("file system faults", "a dangling link", lambda r: link(r, DAEMON_JSON, "/nonexistent/daemon.json"), {0, 1, 2}, None, MAY_CHANGE),
    ("file system faults", "a directory among a registry's certificates", lambda r: (r / "etc/docker/certs.d/registry:5000/sub").mkdir(
        parents=True), {0, 2}, None, MAY_CHANGE),
    ("file system faults", "a fifo where a file is", lambda r: ((r / DEFAULT).unlink(), os.mkfifo(r / DEFAULT)), {1}, "not a regular file",
     UNCHANGED),
]


def _release(root):
    subprocess.run(["chattr", "-R", "-i", str(root)], capture_output=True)


@pytest.mark.parametrize("kind, name, breakage, codes, says, unchanged", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_hostile_tree(make_root, kind, name, breakage, codes, says, unchanged):
    root = make_root("debian")
    breakage(root)
    start = hosts.snapshot(root)
    try:
        result = run_harden("apply", "--yes", "--root", root, "--only", ITEMS, timeout=300)
    finally:
        _release(root)
    assert result.code in codes, result
    assert "Traceback" not in result.err and "Traceback" not in result.out, result
    if result.code not in (0, 2):
        assert result.err.startswith("harden: error: ") and result.err.count("\n") == 1, result
        if says:
            assert says in result.err, result
    if unchanged:
        assert hosts.snapshot(root) == start, f"{kind}: {name} changed the tree"
    check = run_harden("check", "--root", root, "--only", ITEMS, timeout=300)
    assert "Traceback" not in check.err, check


def test_every_kind_has_five_cases():
    kinds = {}
    for case in CASES:
        kinds[case[0]] = kinds.get(case[0], 0) + 1
    assert kinds.keys() == {"daemon.json", "units", "environment files", "audit rules", "profile scripts", "locks",
                            "configs", "file system faults"}
    assert min(kinds.values()) >= 5, kinds


def test_an_empty_root_is_an_error_not_the_live_host(make_root):
    """`harden apply --yes --root "$UNSET"` must not harden the machine it runs on."""
    for argv in (("apply", "--yes", "--root", ""), ("--root", " ", "check"), ("rollback", "--yes", "--root", "")):
        result = run_harden(*argv)
        assert result.code == 1 and result.err == "harden: error: --root was given an empty value; name a directory or file, or leave --root out\n", result


def test_a_newline_in_a_hosts_word_cannot_forge_a_line(make_root):
    root = make_root("debian", compliant=True)
    forged = root / "etc/docker/certs.d/evil\n[pass] no-privileged  forged"
    forged.mkdir(parents=True)
    (forged / "ca.crt").write_text("x")
    (forged / "ca.crt").chmod(0o666)
    for argv in (("check",), ("--dry-run",)):
        result = run_harden(*argv, "--root", root, "--profile", "cis", "--only", "config-file-permissions,no-privileged")
        assert result.code == 2, result
        assert not any(line.startswith("[pass] no-privileged  forged") for line in result.out.splitlines()), result.out
        assert "/etc/docker/certs.d/evil\\n[pass] no-privileged  forged/ca.crt is root:root 0666" in result.out, result.out


def test_a_held_lock_changes_nothing(make_root):
    root = make_root("debian")
    fd = lock_held(root)
    try:
        start = hosts.snapshot(root)
        result = run_harden("apply", "--yes", "--root", root, "--only", ITEMS)
        assert result.code == 1 and "pid 999999" in result.err and result.err.count("\n") == 1, result
        assert run_harden("rollback", "--yes", "--root", root).code == 1
        assert hosts.snapshot(root) == start
    finally:
        os.close(fd)


def test_a_command_that_does_not_end_is_stopped_at_its_timeout_and_one_that_does_costs_little(tmp_path):
    """Host.run: a silent command (a user's docker socket that never answers) is killed at its timeout and is a
    one-line error; a quick one is not held up by the watch on it (sh's own _timeout cost 0.1 s a command)."""
    import time

    from hardener.host import Host, HostError

    host = Host("/")
    started = time.monotonic()
    with pytest.raises(HostError, match="did not finish within 1 s and was stopped"):
        host.run("sh", "-c", f"echo $$ > {tmp_path}/pid; exec sleep 30", timeout=1)
    assert time.monotonic() - started < 5
    pid = int((tmp_path / "pid").read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], "killed"
    started = time.monotonic()
    for _ in range(10):
        host.run("true")
    assert time.monotonic() - started < 0.7, "ten quick commands in well under the 0.1 s each a polled watch costs"


def test_a_failing_commands_error_is_said_whole_not_its_last_line():
    """docker puts its reason first and "See 'docker run --help'." last: the error carries every line, not the last."""
    from hardener.host import Host, HostError

    with pytest.raises(HostError) as raised:
        Host("/").run("sh", "-c", "echo 'docker: Error response from daemon: Conflict. The name is in use.' >&2; "
                                  "echo \"See 'docker run --help'.\" >&2; exit 125")
    assert str(raised.value).endswith("failed: docker: Error response from daemon: Conflict. The name is in use. / "
                                      "See 'docker run --help'."), raised.value
