"""A full disk: apply refuses before the first change when the room is not there,
and a disk that fills up half way is undone; never a traceback, a temporary
file left behind, or a run that claims what it did not do."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hosts
from conftest import harden_env, run_harden

ITEMS = ["--only", "file-permissions,content-trust,icc,log-level,iptables,no-aufs"]
DEMO = Path(__file__).parent.parent / "examples" / "demo-host"


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs holding a copy of the demo host; unmounted after."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=755", "tmpfs", str(mount)], check=True)
    try:
        shutil.copytree(DEMO, mount / "h", symlinks=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def free_bytes(path):
    info = os.statvfs(path)
    return info.f_bfree * info.f_frsize


def fill_to(mount, free):
    """Leave `free` bytes free on the disk, with a filler file."""
    filler = mount / "filler"
    size = filler.stat().st_size if filler.exists() else 0
    with open(filler, "ab") as stream:
        stream.truncate(0)
    os.sync()
    target = max(free_bytes(mount) - free, 0)
    with open(filler, "wb") as stream:
        stream.write(b"\0" * target)
    assert abs(free_bytes(mount) - free) <= 4096 or free_bytes(mount) == 0, (free, free_bytes(mount))
    return size


def temporary_files(root):
    return [str(p) for p in root.rglob("*") if p.name.endswith((".hardener-tmp", ".tmp"))]


def test_apply_at_every_free_size_ends_exact_or_refused(small_disk):
    root = small_disk / "h"
    start = hosts.snapshot(root)
    outcomes = {}
    for free_kib in range(4, 68, 4):
        fill_to(small_disk, free_kib * 1024)
        result = run_harden("apply", "--yes", "--root", root, *ITEMS)
        assert "Traceback" not in result.err and result.err.count("\n") <= 1, (free_kib, result)
        assert not temporary_files(root), (free_kib, temporary_files(root))
        outcomes[free_kib] = result.code
        if result.code == 0:
            assert run_harden("check", "--root", root, *ITEMS).code == 0
            (small_disk / "filler").unlink()
            assert run_harden("rollback", "--yes", "--root", root).code == 0
        else:
            assert result.code in (1, 3), (free_kib, result)
            assert "free" in result.err or "space" in result.err or "undone" in result.err, result
            if result.code == 3:
                assert "undone" in result.err or "rollback" in result.err, result
                if "undone" not in result.err:
                    (small_disk / "filler").unlink()
                    assert run_harden("rollback", "--yes", "--root", root).code == 0
        assert hosts.snapshot(root) == start, f"tree differs with {free_kib} KiB free"
        assert not temporary_files(root)
    assert 1 in outcomes.values() and 0 in outcomes.values(), outcomes


def _stopped(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("record", [2, 5, 8, 11])
def test_a_disk_that_fills_up_half_way_is_undone(small_disk, record):
    """The run passes the room check, then something else fills the disk."""
    root = small_disk / "h"
    start = hosts.snapshot(root)
    process = subprocess.Popen([sys.executable, "-m", "hardener", "apply", "--yes", "--root", str(root), *ITEMS],
                               env=harden_env({"HARDENER_TEST_STOP_AFTER_RECORD": str(record)}),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while process.poll() is None and not _stopped(process.pid):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert process.poll() is None, "the run stops at the record"
    fill_to(small_disk, 0)
    os.kill(process.pid, signal.SIGCONT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 3, (out, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert not temporary_files(root)
    if "were undone" in err:
        assert hosts.snapshot(root) == start
    else:  # even the undo found no room: harden says so, and rollback finishes it once there is room
        assert "harden rollback" in err, err
        (small_disk / "filler").unlink()
        rolled = run_harden("rollback", "--yes", "--root", root)
        assert rolled.code == 0, rolled
        assert hosts.snapshot(root) == start
