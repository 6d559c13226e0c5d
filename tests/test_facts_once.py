"""One facts layer: a whole `check --profile cis` on this machine asks each distinct question once (systemctl show
of a unit, auditctl, dockerd --version), a failing one too (no systemd runs as PID 1 here: every systemctl fails)."""
import shutil
import stat
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import with_private_var_lib
from docker_lab import Engine, live_harden

PROGRAMS = ("systemctl", "auditctl", "dockerd", "docker", "augenrules")


def counting(directory):
    """Shims in front of the programs harden may start, each recording its argv."""
    directory.mkdir()
    for program in PROGRAMS:
        real = shutil.which(program)
        if real is None:
            continue
        shim = directory / program
        shim.write_text(f'#!/bin/sh\necho "{program} $*" >> {directory}/calls\nexec {real} "$@"\n')
        shim.chmod(stat.S_IRWXU)
    return directory


def test_a_whole_cis_check_asks_each_question_once(tmp_path):
    shims = counting(tmp_path / "shims")
    checked = live_harden(tmp_path / "journal", "check", "--profile", "cis", "--format", "json", path_prefix=shims)
    assert checked.code in (0, 1, 2) and "Traceback" not in checked.err, checked  # 1: the engine may be down
    calls = (shims / "calls").read_text().splitlines() if (shims / "calls").exists() else []
    repeated = {call: count for call, count in Counter(calls).items() if count > 1}
    assert not repeated, repeated
    assert not [call for call in calls if call.startswith("systemctl")], "no systemd runs here (sd_booted): not asked"
    assert not [call for call in calls if call.startswith("docker ")], "the engine is read through its API, not the CLI"


def test_a_whole_cis_check_on_this_machine_starts_no_process(tmp_path):
    """With this machine's dockerd answering and no systemd: nothing is started (strace counts every execve). Not
    systemctl (it would refuse: /run/systemd/system is missing), not `dockerd --version` (the engine runs that file
    and says its version), not `ldconfig -p` (python-augeas' library search)."""
    trace, journal = tmp_path / "trace", tmp_path / "journal"
    journal.mkdir()
    with Engine():
        checked = with_private_var_lib(journal, ["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none",
                                                              "-o", str(trace), sys.executable, "-m", "hardener", "check",
                                                              "--profile", "cis", "--format", "json"])
    assert checked.returncode in (1, 2) and "Traceback" not in checked.stderr, checked.stderr
    started = [line for line in trace.read_text().splitlines() if "execve(" in line and "= 0" in line][1:]
    assert started == [], started


def test_a_whole_cis_check_reads_each_unit_file_once(tmp_path, monkeypatch):
    """Several items read docker.service and docker.socket (the daemon's options, the socket's owner and mode, the
    files to audit): the lens parses each file once a run."""
    from hardener import cli
    from hardener.facts import systemd

    root = tmp_path / "host"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "demo-host", root, symlinks=True)
    parsed = Counter()
    real = systemd.read_assignments
    monkeypatch.setattr(systemd, "read_assignments", lambda text, path: parsed.update([path]) or real(text, path))
    monkeypatch.setattr(sys, "argv", ["harden", "check", "--profile", "cis", "--root", str(root), "--format", "json"])
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *thresholds: None)  # a command's, not the test session's
    monkeypatch.setattr(cli.gc, "freeze", lambda: None)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    assert set(parsed) == {"/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket"}, parsed
    assert set(parsed.values()) == {1}, parsed
