"""The round trip on each fixture root, a run killed at every journal step,
a change that fails half way, and a root whose links point outside it."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hosts
from conftest import harden_env

BOTH = ["--only", "file-permissions,content-trust,icc,log-level,iptables,no-aufs"]


@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_round_trip(make_root, harden, kind):
    root = make_root(kind)
    start = hosts.snapshot(root)

    preview = harden("--dry-run", "--root", root, *BOTH)
    assert preview.code == 2, preview
    assert "Plan: 4 to change" in preview.out
    assert hosts.snapshot(root) == start
    assert not (root / hosts.JOURNAL).exists(), "a dry run writes nothing, not even the journal"

    applied = harden("apply", "--yes", "--root", root, *BOTH)
    assert applied.code == 0, applied
    assert "Applied 5 change(s) in run" in applied.out  # icc and log-level share one edit of daemon.json

    check = harden("check", "--root", root, *BOTH, "--format", "json")
    assert check.code == 0, check
    assert {item["status"] for item in check.json["items"]} == {"pass"}

    again = harden("apply", "--yes", "--root", root, *BOTH, "--format", "json")
    assert again.code == 0, again
    assert again.json["changed"] is False and again.json["run_id"] is None
    assert len(list((root / hosts.JOURNAL / "runs").iterdir())) == 1, "an apply that changed nothing records no run"

    rolled = harden("rollback", "--yes", "--root", root)
    assert rolled.code == 0, rolled
    assert hosts.snapshot(root) == start


def test_extended_attributes_and_trailing_newline_survive(make_root, harden):
    root = make_root("centos")
    unit = root / "usr/lib/systemd/system/docker.service"
    os.setxattr(unit, "user.origin", b"rpm")
    os.setxattr(root / "etc/docker", "user.note", b"keep")
    start = hosts.snapshot(root)
    assert harden("apply", "--yes", "--root", root, *BOTH).code == 0
    assert os.getxattr(unit, "user.origin") == b"rpm"
    assert harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def _stopped(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except FileNotFoundError:
        return False


def _killed_at_record(args, record) -> bool:
    """harden ARGS, stopped after its journal record `record` and killed there with SIGKILL
    from this (separate) process; False when it finished before that record."""
    process = subprocess.Popen([sys.executable, "-m", "hardener", *args],
                               env=harden_env({"HARDENER_TEST_STOP_AFTER_RECORD": str(record)}),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while process.poll() is None and not _stopped(process.pid):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    if process.poll() is not None:
        assert process.returncode == 0, process.stderr.read()
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return True


@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_killed_after_each_journal_record_then_rolled_back(make_root, harden, kind):
    """SIGKILL from this (separate) process after journal record 1, 2, 3, ...
    until a run gets through; every time, rollback gives the tree back."""
    for record in range(1, 50):
        root = make_root(kind)
        start = hosts.snapshot(root)
        if not _killed_at_record(["apply", "--yes", "--root", str(root), *BOTH], record):
            assert record > 5, "the run must have stopped at a few records at least"
            break

        history = harden("history", "--root", root, "--format", "json")
        (state,) = [run["state"] for run in history.json["runs"]]
        if state == "interrupted":
            refused = harden("apply", "--yes", "--root", root, *BOTH)
            assert refused.code == 1 and "did not finish" in refused.err, (record, refused)
        else:
            assert state == "applied", (record, history)  # killed after its very last record

        rolled = harden("rollback", "--yes", "--root", root)
        assert rolled.code == 0, (record, rolled)
        assert hosts.snapshot(root) == start, f"tree differs after a kill at journal record {record}"
    else:
        pytest.fail("the run never finished")


def test_change_failing_half_way_undoes_the_earlier_ones(make_root, harden):
    root = make_root("debian")
    start = hosts.snapshot(root)
    immutable = root / "etc/docker"  # changed after the two unit files
    subprocess.run(["chattr", "+i", str(immutable)], check=True)
    try:
        result = harden("apply", "--yes", "--root", root, *BOTH)
        assert result.code == 3, result
        assert result.err.count("\n") == 1 and "/etc/docker" in result.err and "undone" in result.err
        assert hosts.snapshot(root) == start
        history = harden("history", "--root", root, "--format", "json").json
        assert [run["state"] for run in history["runs"]] == ["failed_rolled_back"]
    finally:
        subprocess.run(["chattr", "-i", str(immutable)], check=True)


def test_absolute_link_in_the_image_stays_in_the_image(make_root, harden, tmp_path):
    machine_dir = tmp_path / "machine-docker-config"  # exists on this machine...
    machine_dir.mkdir()
    os.chmod(machine_dir, 0o777)
    root = make_root("debian", compliant=True)
    shutil.rmtree(root / "etc/docker")
    inside = root / str(machine_dir).lstrip("/")  # ...and at the same path inside the image
    inside.mkdir(parents=True)
    os.chmod(inside, 0o777)
    (root / "etc/docker").symlink_to(machine_dir)
    real_etc_docker = os.stat("/etc/docker") if os.path.exists("/etc/docker") else None

    result = harden("apply", "--yes", "--root", root, "--only", "file-permissions")
    assert result.code == 0, result
    assert os.stat(inside).st_mode & 0o777 == 0o755, "the directory inside the image is fixed"
    assert os.stat(machine_dir).st_mode & 0o777 == 0o777, "the machine's directory of that name is not touched"
    if real_etc_docker:
        assert os.stat("/etc/docker") == real_etc_docker
    assert harden("rollback", "--yes", "--root", root).code == 0
    assert os.stat(inside).st_mode & 0o777 == 0o777


def test_links_inside_the_image_resolve_inside_it(make_root, tmp_path):
    from hardener.host import Host

    root = make_root("debian")
    (root / "etc/alt").symlink_to("/etc/docker")
    host = Host(str(root))
    assert host.resolve("/etc/alt") == "/etc/docker"
    assert host.real_path("/lib/systemd/system/docker.service") == root / "usr/lib/systemd/system/docker.service"
    (root / "escape").symlink_to("../../../../../../../../etc")
    assert host.real_path("/escape/passwd") == root / "etc/passwd"


def _timed(argv):
    start = time.monotonic()
    subprocess.run(argv, env=harden_env(), stdin=subprocess.DEVNULL, capture_output=True, check=True)
    return time.monotonic() - start


def _kill_after(argv, delay):
    process = subprocess.Popen(argv, env=harden_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_killed_at_random_moments_of_apply_and_of_rollback(make_root, harden):
    """SIGKILL at 20 random moments of an apply and 20 of a rollback (not only
    between journal records); then rollback gives the tree back, byte for byte.
    Where the kills land depends on the machine's speed: the tests above kill
    after every journal record, deterministically."""
    import random

    rng = random.Random(1129)
    probe = make_root("debian")
    apply_argv = lambda root: [sys.executable, "-m", "hardener", "apply", "--yes", "--root", str(root), *BOTH]
    rollback_argv = lambda root: [sys.executable, "-m", "hardener", "rollback", "--yes", "--root", str(root)]
    apply_time = _timed(apply_argv(probe))
    rollback_time = _timed(rollback_argv(probe))
    startup = _timed([sys.executable, "-m", "hardener", "history", "--root", str(probe)])  # the moments before any work
    for phase, moments in (("apply", 20), ("rollback", 20)):
        for moment in range(moments):
            root = make_root("debian")
            start = hosts.snapshot(root)
            if phase == "apply":
                _kill_after(apply_argv(root), rng.uniform(startup * 0.8, apply_time * 1.05))
            else:
                assert harden("apply", "--yes", "--root", root, *BOTH).code == 0
                _kill_after(rollback_argv(root), rng.uniform(startup * 0.8, rollback_time * 1.05))
            rolled = harden("rollback", "--yes", "--root", root)
            assert rolled.code == 0, (phase, moment, rolled)
            assert hosts.snapshot(root) == start, f"tree differs after a kill in {phase} #{moment}"
            assert not [p for p in root.rglob("*.hardener-tmp")], "no temporary file left behind"


@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_rollback_killed_after_each_of_its_records_then_rolled_back_again(make_root, harden, kind):
    for record in range(1, 40):
        root = make_root(kind)
        start = hosts.snapshot(root)
        assert harden("apply", "--yes", "--root", root, *BOTH).code == 0
        if not _killed_at_record(["rollback", "--yes", "--root", str(root)], record):
            assert record > 4, "the rollback stops at a few records at least"
            break
        (state,) = [run["state"] for run in harden("history", "--root", root, "--format", "json").json["runs"]]
        assert state in ("interrupted", "rolled_back"), (record, state)
        rolled = harden("rollback", "--yes", "--root", root)
        assert rolled.code == 0, (record, rolled)
        assert hosts.snapshot(root) == start, f"tree differs after a rollback killed at record {record}"
    else:
        pytest.fail("the rollback never finished")
