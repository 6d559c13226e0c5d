"""A run killed at every system call harden's writes make, from the journal's
first write on, in apply and in rollback, of a run that changes one file twice
(its content for icc, then its mode for config-file-permissions): each time,
`harden rollback` (without --force) gives the tree back byte for byte. A kill
between a change and its record leaves the file in a state harden itself
made, which is no one else's change.

The kill is strace's own fault injection (SIGKILL at the Nth call of one
system call), so it lands exactly at that call and not at some moment near it."""
import re
import shutil
import subprocess
import sys
from collections import Counter

import hosts
from conftest import harden_env, run_harden

WRITES = ("openat", "write", "fsync", "fdatasync", "rename", "renameat", "renameat2", "fchmod", "fchmodat", "chmod", "fchown",
          "fchownat", "chown", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "fsetxattr", "setxattr", "lsetxattr")
ONE_FILE_TWICE = ("--profile", "cis", "--only", "icc,config-file-permissions", "--no-restart")
CALL = re.compile(r"^(\w+)\(")


def harden_argv(*args):
    return [sys.executable, "-m", "hardener", *map(str, args)]


def host_root(make_root):
    root = make_root("debian", compliant=True)
    daemon_json = root / "etc/docker/daemon.json"
    daemon_json.write_text('{"icc": true, "log-level": "info"}\n')
    daemon_json.chmod(0o666)
    return root


def kill_points(argv, root):
    """(system call, its count so far) of every write call harden makes from the journal's first on."""
    trace = root.parent / f"{root.name}.trace"
    completed = subprocess.run(["strace", "-qq", "-o", str(trace), "-e", f"trace={','.join(WRITES)}", *argv],
                               env=harden_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stderr
    counts, points, journal = Counter(), [], False
    for line in trace.read_text().splitlines():
        found = CALL.match(line)
        if not found:
            continue
        name = found.group(1)
        counts[name] += 1
        journal = journal or (hosts.JOURNAL + "/runs") in line
        if journal:
            points.append((name, counts[name]))
    trace.unlink()
    return points


def killed_at(argv, name, count):
    completed = subprocess.run(["strace", "-qq", "-o", "/dev/null", "-e", f"trace={name}", "-e", f"inject={name}:signal=KILL:when={count}",
                                *argv], env=harden_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert completed.returncode in (-9, 128 + 9), (name, count, completed.returncode, completed.stderr[-500:])


def copy(root, name):
    target = root.parent / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(root, target, symlinks=True)
    return target


def rolled_back_whole(root, start, where):
    rolled = run_harden("rollback", "--yes", "--root", root)
    assert rolled.code == 0, (where, rolled)
    assert hosts.snapshot(root) == start, f"the tree differs after a kill at {where}"
    history = run_harden("history", "--root", root, "--format", "json")
    assert all(run["state"] in ("rolled_back",) for run in history.json["runs"]), (where, history.json)


def test_apply_killed_at_every_write_then_rolled_back_without_force(make_root):
    template = host_root(make_root)
    start = hosts.snapshot(template)
    points = kill_points(harden_argv("apply", "--yes", "--root", copy(template, "traced"), *ONE_FILE_TWICE), template.parent / "traced")
    assert {name for name, _ in points} >= {"openat", "write", "fsync", "rename", "renameat", "fchmod", "fchown", "chown", "chmod"}, points
    for name, count in points:
        root = copy(template, "swept")
        killed_at(harden_argv("apply", "--yes", "--root", root, *ONE_FILE_TWICE), name, count)
        rolled_back_whole(root, start, f"apply's {name} #{count}")


def test_rollback_killed_at_every_write_then_rolled_back_without_force(make_root):
    template = host_root(make_root)
    start = hosts.snapshot(template)
    assert run_harden("apply", "--yes", "--root", template, *ONE_FILE_TWICE).code == 0
    points = kill_points(harden_argv("rollback", "--yes", "--root", copy(template, "traced")), template.parent / "traced")
    assert {name for name, _ in points} >= {"renameat", "chown", "chmod", "fsync"}, points
    for name, count in points:
        root = copy(template, "swept")
        killed_at(harden_argv("rollback", "--yes", "--root", root), name, count)
        rolled_back_whole(root, start, f"rollback's {name} #{count}")


def test_a_state_harden_only_passed_through_is_drift_once_the_run_is_done(make_root):
    """Once every step is recorded done, a file put back by someone into a state harden passed through (the new
    content with the old mode) is someone else's change: rollback refuses it, and says what changed."""
    root = host_root(make_root)
    assert run_harden("apply", "--yes", "--root", root, *ONE_FILE_TWICE).code == 0
    (root / "etc/docker/daemon.json").chmod(0o666)
    refused = run_harden("rollback", "--yes", "--root", root)
    assert refused.code == 4 and "owner/mode root:root 0644 (as harden left it) -> root:root 0666 (now)" in refused.out, refused


def test_apply_killed_in_its_own_undo_rolls_back_without_force(make_root):
    """Apply failed at a step, began undoing itself, and was killed after the undo of its mode change on daemon.json
    was made and before it was recorded: what a rollback leaves, so rollback finishes it without --force."""
    import glob
    import hashlib
    import json

    root = host_root(make_root)
    start = hosts.snapshot(root)
    assert run_harden("apply", "--yes", "--root", root, *ONE_FILE_TWICE).code == 0
    run = glob.glob(str(root / hosts.JOURNAL / "runs/*"))[0]
    info = json.loads(open(f"{run}/run.json").read())
    hostname = root / "etc/hostname"
    state = {"exists": True, "uid": 0, "gid": 0, "mode": 0o644, "sha256": hashlib.sha256(hostname.read_bytes()).hexdigest(), "xattrs": {}}
    begun = info["steps_begun"] + 1
    with open(f"{run}/steps.jsonl", "a") as steps:  # the step that failed, undone and recorded so
        steps.write(json.dumps({"event": "begin", "step": begun, "item": "config-file-permissions", "items": ["config-file-permissions"],
                                "kind": "set_owner_mode", "path": "/etc/hostname", "backup": False, "before": state,
                                "after": dict(state, mode=0o600)}) + "\n")
        steps.write(json.dumps({"event": "undone", "step": begun}) + "\n")
    info.update(state="applying", steps_begun=begun)
    info.pop("finished", None)
    open(f"{run}/run.json", "w").write(json.dumps(info))
    (root / "etc/docker/daemon.json").chmod(0o666)  # the undo of the mode change, made, not recorded
    rolled = run_harden("rollback", "--yes", "--root", root)
    assert rolled.code == 0, rolled
    assert hosts.snapshot(root) == start
