"""One facts layer: a whole `check --profile cis` on this machine asks each distinct question once (systemctl show
of a unit, auditctl, dockerd --version), a failing one too (no systemd runs as PID 1 here: every systemctl fails)."""
import shutil
import stat
from collections import Counter

from docker_lab import live_harden

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
    assert "systemctl show --property=LoadState,FragmentPath docker.service" in calls, "systemd is asked, once"
    assert sum(1 for call in calls if call.startswith("systemctl show")) <= 6, calls
    assert not [call for call in calls if call.startswith("docker ")], "the engine is read through its API, not the CLI"
