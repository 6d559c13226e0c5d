"""The journal and the undo path, in process, record by record: what a run writes to its journal, how each
record is read back (and what damage is told), which states a file can be in after harden's own steps, and
what rollback does with each kind of step. The whole-tool tests (test_journal_trust.py, the crash sweep) run
harden as a user does; these pin every message and every branch, fast enough for a mutation run
(scripts/mutation journal-undo)."""
import contextlib
import datetime
import errno
import fcntl
import json
import os
import resource
import signal
from dataclasses import replace
from pathlib import PurePosixPath

import pytest

from hardener import engine, journal as states
from hardener.engine import (MAKE_DIR, REWRITTEN, RollbackRefused, _create_again, _originals_gone, _restore, _run_undo,
                             _states_left, _undo, changed_since, check_rollback, file_drift, rollback, run_to_roll_back)
from hardener.host import FileState, Host, HostError, sha256_of
from hardener.journal import Journal, JournalDamaged, JournalError, Run, Step, new_run_id
from hardener.model import CreateContainer, ItemResult, RemoveContainer, RunCommand, SetOwnerMode, Status, Text, WriteFile, said

NOW = datetime.datetime(2026, 12, 7, 8, 30, 5, tzinfo=datetime.timezone.utc)


class RecordingHost(Host):
    """A root on disk whose commands, containers and system log are recorded, as a live host would carry them out."""

    def __init__(self, root):
        super().__init__(str(root))
        self.logged, self.ran, self.created = [], [], []
        self.containers = set()
        self.names = {}  # a container's id -> the name it has
        self.failing = {}  # a command's words -> the HostError it raises

    def log(self, message):
        self.logged.append(message)

    def run(self, program, *args, timeout=0):
        command = (program, *args)
        self.ran.append(command)
        if command in self.failing:
            raise self.failing[command]
        return ""

    def container_name(self, container):
        return self.names.get(container, container if container in self.containers else None)

    def create_container(self, change):
        self.created.append(change)
        return "new-id"


@pytest.fixture
def root(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
    (tmp_path / "etc" / "group").write_text("root:x:0:\nalice:x:1000:\n")
    return tmp_path


@pytest.fixture
def host(root):
    return RecordingHost(root)


@pytest.fixture
def journal(host, monkeypatch):
    monkeypatch.setattr(states, "_now", lambda: NOW)
    return Journal(host)


def new_run(journal, items=("icc",)):
    with journal.lock():
        return journal.start_run(list(items))


def records(run):
    return [json.loads(line) for line in (run.directory / "steps.jsonl").read_text().splitlines()]


def info(run):
    return json.loads((run.directory / "run.json").read_text())


def write_info(run, **values):
    (run.directory / "run.json").write_text(json.dumps(values))


def write(host, path, content, mode=0o644):
    real = host.root / path.lstrip("/")
    real.parent.mkdir(parents=True, exist_ok=True)
    real.write_bytes(content.encode() if isinstance(content, str) else content)
    os.chmod(real, mode)
    return real


def carried_out(host, run, change):
    """A change made as apply makes it: journaled first, then made."""
    engine._carry_out(host, run, replace(change, items=change.items or ("icc",)))


A = FileState(exists=True, uid=0, gid=0, mode=0o644, sha256="a" * 64)
B = FileState(exists=True, uid=0, gid=0, mode=0o644, sha256="b" * 64)
C = FileState(exists=True, uid=0, gid=0, mode=0o600, sha256="b" * 64)
GONE = FileState(exists=False)


def step(number, before, after, done=True, undone=False, kind="write_file", path="/etc/docker/daemon.json"):
    return Step(number=number, items=("icc",), kind=kind, path=path, done=done, before=before, after=after, undone=undone)


# -- what a run writes ---------------------------------------------------------------------------------------


def test_a_new_run_is_numbered_after_the_runs_there_and_recorded_whole(journal, host, monkeypatch):
    monkeypatch.setattr(states, "new_run_id", lambda now: f"{now:%Y%m%dT%H%M%SZ}-abcd")
    first = new_run(journal, ["icc", "log-level"])
    assert first.id == "20261207T083005Z-abcd" and first.directory == host.root / "var/lib/hardener/runs" / first.id
    assert info(first) == {"id": first.id, "started": "2026-12-07T08:30:05+00:00", "finished": None, "items": ["icc", "log-level"],
                           "state": "applying", "root": str(host.root), "sequence": 1, "format": 3, "steps_begun": 0}
    assert (first.directory / "run.json").read_text() == json.dumps(info(first), indent=2, sort_keys=True) + "\n"
    assert oct(first.directory.stat().st_mode & 0o777) == oct(first.directory.parent.stat().st_mode & 0o777) == "0o700"
    monkeypatch.setattr(states, "new_run_id", lambda now: "damaged-run")
    damaged = new_run(journal)
    write_info(damaged, state="applied", sequence=7, format=99)  # its sequence cannot be trusted
    monkeypatch.setattr(states, "new_run_id", lambda now: "third-run")
    assert info(new_run(journal))["sequence"] == 2
    for unlocked in (journal, Journal(host)):  # after a lock, and never locked
        with pytest.raises(AssertionError) as raised:
            unlocked.start_run(["icc"])
        assert str(raised.value) == "a run starts under the lock"


def test_a_run_id_is_its_start_time_and_four_random_hex_digits():
    ids = {new_run_id(NOW) for _ in range(20)}
    assert len(ids) > 1
    for run_id in ids:
        stamp, random = run_id.split("-")
        assert stamp == "20261207T083005Z" and len(random) == 4 and set(random) <= set("0123456789abcdef")


def test_each_kind_of_step_is_recorded_as_its_undo_needs_it(journal):
    run = new_run(journal)
    before = FileState(exists=True, uid=0, gid=0, mode=0o644, sha256=sha256_of(b"old"), xattrs={"user.k": b"\x01"})
    after = replace(before, sha256=sha256_of(b"new"))
    first = run.begin(("icc", "log-level"), "write_file", "/etc/docker/daemon.json", before=before, after=after, backup=b"old",
                      written=b"new", user=1000)
    second = run.begin(("live-restore",), "restart_service", "docker.service", command=("systemctl", "restart", "docker.service"),
                       undo=(("systemctl", "daemon-reload"), ("systemctl", "restart", "docker.service")), service="docker",
                       context={"running": ["web"]})
    third = run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "web", "web-old"),
                      undo=(("docker", "rename", "web-old", "web"),), caveat=Text("en words", "中文"), keeps="container web-old",
                      discard=(("docker", "rm", "web-old"),), request={"name": "web", "body": {"Image": "x"}})
    run.done(first)
    run.undone(first)
    assert records(run) == [
        {"event": "begin", "step": 1, "item": "icc", "items": ["icc", "log-level"], "kind": "write_file",
         "path": "/etc/docker/daemon.json", "backup": True, "before": before.to_json(), "after": after.to_json(), "user": 1000},
        {"event": "begin", "step": 2, "item": "live-restore", "items": ["live-restore"], "kind": "restart_service",
         "path": "docker.service", "backup": False, "command": ["systemctl", "restart", "docker.service"],
         "undo": [["systemctl", "daemon-reload"], ["systemctl", "restart", "docker.service"]], "service": "docker",
         "context": {"running": ["web"]}},
        {"event": "begin", "step": 3, "item": "privileged", "items": ["privileged"], "kind": "run_command", "path": "container web",
         "backup": False, "command": ["docker", "rename", "web", "web-old"], "undo": [["docker", "rename", "web-old", "web"]],
         "caveat": {"en": "en words", "zh": "中文"}, "keeps": "container web-old", "discard": [["docker", "rm", "web-old"]],
         "request": {"name": "web", "body": {"Image": "x"}}},
        {"event": "done", "step": 1},
        {"event": "undone", "step": 1},
    ]
    lines = (run.directory / "steps.jsonl").read_text().splitlines(keepends=True)
    assert lines[3] == '{"event": "done", "step": 1}\n' and lines[0] == json.dumps(records(run)[0], sort_keys=True) + "\n"
    assert info(run)["steps_begun"] == 3
    assert (run.directory / "backup" / "0001").read_bytes() == b"old" and run.backup(first) == b"old"
    assert run.written(first) == b"new" and run.written(second) is None
    assert sorted(os.listdir(run.directory / "backup")) == ["0001", "0001.after"]
    assert {oct(path.stat().st_mode & 0o777) for path in [*(run.directory / "backup").iterdir(), run.directory / "steps.jsonl"]} == {"0o600"}
    assert oct((run.directory / "backup").stat().st_mode & 0o777) == "0o700"
    assert first == Step(1, ("icc", "log-level"), "write_file", "/etc/docker/daemon.json", False, before, after, True, user=1000)
    assert second == Step(2, ("live-restore",), "restart_service", "docker.service", False,
                          command=("systemctl", "restart", "docker.service"),
                          undo=(("systemctl", "daemon-reload"), ("systemctl", "restart", "docker.service")),
                          service="docker", context={"running": ["web"]})
    assert third.caveat == Text("en words", "中文") and third.keeps == "container web-old"
    assert third.discard == (("docker", "rm", "web-old"),) and third.request == {"name": "web", "body": {"Image": "x"}}
    read = run.readable_steps()
    assert read == ([replace(first, done=True, undone=True), second, third], [])
    assert run.paths() == {"/etc/docker/daemon.json", "docker.service", "container web"}


def test_a_restart_without_context_records_an_empty_one(journal):
    run = new_run(journal)
    run.begin(("icc",), "restart_service", "docker.service", command=("systemctl", "restart", "docker.service"), service="docker")
    assert records(run)[0]["context"] == {} and "undo" in records(run)[0]


def test_a_run_goes_on_numbering_where_its_process_began(journal):
    run = new_run(journal)
    run.begin(("icc",), "run_command", "x", command=("true",))
    again = Run(journal, run.directory, begun=1)
    assert again.begin(("icc",), "run_command", "y", command=("true",)).number == 2
    assert info(run)["steps_begun"] == 2


@contextlib.contextmanager
def files_cut_at(size):
    """Every write past `size` bytes of a file fails (EFBIG), as a full disk cuts a write short."""
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, old)


def test_a_backup_cut_short_leaves_no_copy_and_no_record(journal):
    run = new_run(journal)
    with files_cut_at(64), pytest.raises(OSError):
        run.begin(("icc",), "write_file", "/etc/a", before=A, after=B, backup=b"x" * 4096)
    assert os.listdir(run.directory / "backup") == [] and not (run.directory / "steps.jsonl").exists()
    assert info(run)["steps_begun"] == 0


def refuse_new_files(monkeypatch):
    """From now on the file system refuses every file the journal writes, before one is made."""
    def no_room(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(states, "_write_synced", no_room)


def test_a_backup_the_file_system_refuses_is_said_as_it_refused_it(journal, monkeypatch):
    run = new_run(journal)
    refuse_new_files(monkeypatch)
    with pytest.raises(OSError) as raised:
        run.begin(("icc",), "write_file", "/etc/a", before=A, after=B, backup=b"x")
    assert raised.value.errno == errno.ENOSPC, "not the removal of the copy that was never made"


def test_a_run_record_the_file_system_refuses_is_said_as_it_refused_it(journal, monkeypatch):
    run = new_run(journal)
    refuse_new_files(monkeypatch)
    with pytest.raises(OSError) as raised:
        run.set_state(states.APPLIED)
    assert raised.value.errno == errno.ENOSPC, "not the removal of the temporary file that was never made"


def test_run_json_cut_short_is_not_left_half_written(journal):
    run = new_run(journal)
    kept = (run.directory / "run.json").read_bytes()
    with files_cut_at(64), pytest.raises(OSError):
        run.set_state(states.APPLIED, error="x" * 4096)
    assert (run.directory / "run.json").read_bytes() == kept and sorted(os.listdir(run.directory)) == ["run.json"]


def test_a_rename_that_fails_leaves_no_temporary_file(journal, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "inside").write_text("")
    with pytest.raises(OSError):
        journal.write_json(tmp_path / "taken", {"a": 1})
    assert not (tmp_path / "taken.tmp").exists()


def test_a_finished_state_is_dated_and_an_unfinished_one_is_not(journal):
    run = new_run(journal)
    run.set_state(states.ROLLING_BACK)
    assert info(run)["finished"] is None and info(run)["state"] == "rolling_back"
    run.set_state(states.ROLLED_BACK, unrestored=["x"])
    assert info(run)["finished"] == "2026-12-07T08:30:05+00:00" and info(run)["unrestored"] == ["x"]


def test_a_damaged_run_json_is_written_anew_with_what_is_known(journal):
    run = new_run(journal)
    (run.directory / "run.json").write_text("{garbage")
    run.set_state(states.APPLYING)
    assert info(run) == {"id": run.id, "state": "applying"}


def test_each_durable_record_is_counted_where_the_crash_test_stops(host, monkeypatch):
    """The crash test stops harden after its Nth durable record: here the 2nd, a step's record, before its count."""
    journal = Journal(host)
    stops = []

    def stopped(pid, sig):
        directory = next(journal.runs_dir.iterdir())
        stops.append((pid, sig, (directory / "steps.jsonl").exists(), json.loads((directory / "run.json").read_text())["steps_begun"]))

    monkeypatch.setattr(states, "_STOP_AFTER_RECORD", "2")
    monkeypatch.setattr(states.os, "kill", stopped)
    run = new_run(journal)  # run.json: the 1st
    assert stops == []
    run.begin(("icc",), "run_command", "x", command=("true",))  # its record (the 2nd), then its count (the 3rd)
    assert stops == [(os.getpid(), signal.SIGSTOP, True, 0)]
    run.done(run.steps()[0])
    assert len(stops) == 1


def test_what_a_forced_rollback_keeps_of_a_drifted_file(journal):
    run = new_run(journal)
    kept = run.save_drifted(step(3, A, B, path="/etc/docker/daemon.json"), b"theirs")
    assert kept == run.directory / "drift" / "0003-daemon.json" and kept.read_bytes() == b"theirs"
    assert oct(kept.parent.stat().st_mode & 0o777) == "0o700"


def test_the_copies_of_what_was_written_go_and_the_backups_stay(journal):
    run = new_run(journal)
    run.begin(("icc",), "write_file", "/etc/a", before=A, after=B, backup=b"old", written=b"new")
    run.begin(("icc",), "write_file", "/etc/b", before=A, after=B, backup=b"old", written=b"new")
    (run.directory / "backup" / "0001.after").unlink()
    (run.directory / "backup" / "0001.after").mkdir()  # what cannot go stays, and the rest goes
    run.discard_written()
    assert sorted(os.listdir(run.directory / "backup")) == ["0001", "0001.after", "0002"]


# -- reading it back -------------------------------------------------------------------------------------------


def run_with(journal, run_json, steps_lines):
    run = new_run(journal)
    (run.directory / "run.json").write_text(run_json if isinstance(run_json, str) else json.dumps(run_json))
    (run.directory / "steps.jsonl").write_bytes(steps_lines)
    return run


BEGIN = {"event": "begin", "item": "icc", "kind": "run_command", "path": "x", "backup": False, "command": ["true"], "undo": []}


def begin_line(number, **extra):
    return (json.dumps(dict(BEGIN, step=number, **extra)) + "\n").encode()


GOOD = {"id": "r", "state": "applied", "sequence": 1, "format": 3, "steps_begun": 1}


@pytest.mark.parametrize("run_json, damage", [
    (GOOD, []),
    ({"state": "applied", "sequence": 1}, []),  # format 1: no step count
    ({"state": "applied", "sequence": 1, "format": 1}, []),
    (dict(GOOD, sequence=None), ["run.json has no sequence number"]),
    (dict(GOOD, sequence=True), ["run.json has no sequence number"]),
    (dict(GOOD, sequence="1"), ["run.json has no sequence number"]),
    (dict(GOOD, state=None), ["run.json has no state"]),
    (dict(GOOD, format=4), ["run.json is of format 4, which this harden does not know"]),
    (dict(GOOD, format="3", steps_begun=None), ["run.json is of format '3', which this harden does not know"]),
    (dict(GOOD, format=2, steps_begun=None), ["run.json does not say how many steps were begun"]),
    (dict(GOOD, steps_begun="1"), ["run.json does not say how many steps were begun"]),
    ({"format": 3}, ["run.json has no sequence number", "run.json has no state", "run.json does not say how many steps were begun"]),
    ("[1]", ["run.json is not an object"]),
    ("{", ["Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]),
])
def test_what_is_wrong_with_a_run_record_is_said(journal, run_json, damage):
    run = run_with(journal, run_json, begin_line(1))
    assert run.damage() == damage
    assert run.state == ("damaged" if damage else "applied")


def test_a_missing_run_record_is_unreadable_and_says_why(journal):
    run = new_run(journal)
    (run.directory / "run.json").unlink()
    with pytest.raises(JournalError) as raised:
        run.info
    assert str(raised.value) == f"journal of run {run.id} is unreadable: [Errno 2] No such file or directory: " \
                                f"'{run.directory / 'run.json'}'"
    assert run.damage() == [f"[Errno 2] No such file or directory: '{run.directory / 'run.json'}'"]
    assert run.recorded_state is None and run.state == "damaged"
    write_info(run, state="applied", sequence="1")
    with pytest.raises(JournalError, match=f"^journal of run {run.id} is damaged: run.json has no sequence number$"):
        run.sequence


def test_an_undone_run_is_undone_even_where_its_record_is_damaged(journal):
    for undone in ("rolled_back", "failed_rolled_back", "rollback_incomplete"):
        run = run_with(journal, {"state": undone, "format": 3}, b"")
        assert run.damage() and run.state == undone


def test_an_unfinished_run_is_interrupted_unless_another_harden_holds_the_lock(journal):
    for recorded in ("applying", "rolling_back"):
        run = run_with(journal, dict(GOOD, state=recorded), begin_line(1))
        assert run.recorded_state == recorded and run.state == "interrupted"
        holder = os.open(journal.home / "lock", os.O_RDWR)
        try:
            fcntl.flock(holder, fcntl.LOCK_EX)
            assert run.state == "in_progress" and Run(Journal(journal.host), run.directory).state == "in_progress"
            with pytest.raises(JournalError) as raised:
                with journal.lock():
                    pass
            assert str(raised.value) == f"another harden apply or rollback (pid {os.getpid()}) is running on {journal.host.root}; " \
                                        "try again when it has finished"
            os.ftruncate(holder, 0)
            with pytest.raises(JournalError, match=r"\(its pid is not known yet\)"):
                with journal.lock():
                    pass
        finally:
            os.close(holder)
        with journal.lock():
            assert run.state == "interrupted"  # the lock is this process's own
            assert (journal.home / "lock").read_text() == f"{os.getpid()}\n"
        assert journal._lock_fd is None and run.state == "interrupted"


def test_a_lock_that_cannot_be_made_is_said(host):
    write(host, "/var/lib/hardener", "a file where the journal's directory goes")
    with pytest.raises(JournalError) as raised:
        with Journal(host).lock():
            pass
    assert str(raised.value) == f"cannot open the lock /var/lib/hardener/lock (in {host.root}): File exists"


def test_without_a_lock_file_nobody_holds_it(host):
    assert Journal(host).lock_is_free_or_mine()


def test_the_lock_is_made_private(journal):
    with journal.lock():
        pass
    assert oct(journal.home.stat().st_mode & 0o777) == "0o700"
    assert oct((journal.home / "lock").stat().st_mode & 0o777) == "0o600"


def test_steps_done_and_undone_are_read_from_their_events(journal):
    lines = begin_line(1) + begin_line(2) + begin_line(3) + b'{"event": "done", "step": 1}\n{"event": "undone", "step": 1}\n' \
        + b'{"event": "done", "step": 2}\n'
    steps, problems = run_with(journal, dict(GOOD, steps_begun=3), lines).readable_steps()
    assert problems == [] and [(s.number, s.done, s.undone) for s in steps] == [(1, True, True), (2, True, False), (3, False, False)]


def test_an_undone_event_alone_makes_a_step_done(journal):
    steps, _ = run_with(journal, GOOD, begin_line(1) + b'{"event": "undone", "step": 1}\n').readable_steps()
    assert (steps[0].done, steps[0].undone) == (True, True)


@pytest.mark.parametrize("garbage", [
    b"{garbage\n", b'{"event": "begin"}\n', b'{"event": "begun", "step": 2}\n', b'{"event": "done", "step": "2"}\n',
    b"[1, 2]\n", b'"text"\n', b'{"event": "begin", "step": 2, "item": "icc", "kind": "x", "path": "p"}\n',
    b'{"event": "done", "step": 1, "\xff": 1\n',
])
def test_an_unreadable_record_before_the_last_is_damage(journal, garbage):
    run = run_with(journal, dict(GOOD, steps_begun=2), begin_line(1) + garbage + begin_line(2))
    steps, problems = run.readable_steps()
    assert [s.number for s in steps] == [1, 2] and problems == ["steps.jsonl line 2 is unreadable"]
    with pytest.raises(JournalDamaged) as raised:
        run.steps()
    assert raised.value.problems == ["steps.jsonl line 2 is unreadable"]
    assert str(raised.value) == f"the journal of run {run.id} is damaged: steps.jsonl line 2 is unreadable"


def test_every_problem_of_a_damaged_journal_is_said(journal):
    run = run_with(journal, dict(GOOD, steps_begun=3), begin_line(1) + b"{garbage\n" + begin_line(2))
    with pytest.raises(JournalDamaged) as raised:
        run.steps()
    assert str(raised.value) == (f"the journal of run {run.id} is damaged: steps.jsonl line 2 is unreadable; "
                                 "1 of the 3 step records begun are missing from steps.jsonl (steps 3)")


def test_a_last_record_whose_line_end_was_not_written_is_read(journal):
    run = run_with(journal, dict(GOOD, steps_begun=1), begin_line(1)[:-1])
    assert [s.number for s in run.readable_steps()[0]] == [1] and run.readable_steps()[1] == []


def test_runs_are_dated_in_utc():
    assert states._now().utcoffset() == datetime.timedelta(0)


def test_a_last_record_cut_short_is_damage_only_where_it_was_counted(journal):
    cut = begin_line(2)[:-9]
    assert run_with(journal, dict(GOOD, steps_begun=1), begin_line(1) + cut).readable_steps()[1] == []
    assert run_with(journal, dict(GOOD, steps_begun=2), begin_line(1) + cut).readable_steps()[1] == [
        "1 of the 2 step records begun are missing from steps.jsonl (steps 2)"]


def test_missing_records_are_counted_and_the_first_five_named(journal):
    assert run_with(journal, dict(GOOD, steps_begun=7), begin_line(3)).readable_steps()[1] == [
        "6 of the 7 step records begun are missing from steps.jsonl (steps 1, 2, 4, 5, 6…)"]
    assert run_with(journal, dict(GOOD, steps_begun=6), begin_line(3)).readable_steps()[1] == [
        "5 of the 6 step records begun are missing from steps.jsonl (steps 1, 2, 4, 5, 6)"]
    assert run_with(journal, dict(GOOD, steps_begun=0), b"").readable_steps() == ([], [])
    run = run_with(journal, dict(GOOD, steps_begun=1), b"")
    with pytest.raises(JournalDamaged, match=r"1 of the 1 step records begun are missing from steps.jsonl \(steps 1\)$"):
        run.steps()


def test_without_a_count_a_missing_record_cannot_be_told(journal):
    unknown = ["the number of steps begun is not known, so a missing step record cannot be told"]
    assert run_with(journal, {"state": "applied", "sequence": 1, "format": 2}, begin_line(1)).readable_steps()[1] == unknown
    assert run_with(journal, "{garbage", begin_line(1)).readable_steps()[1] == unknown
    assert run_with(journal, {"state": "applied", "sequence": 1}, begin_line(2)).readable_steps() == (
        [Step(2, ("icc",), "run_command", "x", False, command=("true",))], [])


def test_steps_that_cannot_be_read_are_said(journal):
    run = new_run(journal)
    (run.directory / "steps.jsonl").mkdir()
    assert run.readable_steps() == ([], ["steps.jsonl is unreadable: Is a directory"])
    assert new_run(journal).readable_steps() == ([], [])  # no steps yet


def test_the_first_journals_steps_are_read_as_they_were_meant():
    restart = {"event": "begin", "step": 1, "item": "icc", "kind": "restart_service", "path": "docker.service", "backup": False,
               "command": ["systemctl", "restart", "docker.service"], "undo": [["systemctl", "restart", "docker.service"]],
               "containers": ["web", "db"]}
    read = states._step(1, restart)
    assert (read.items, read.service, read.context, read.done) == (("icc",), "docker", {"running": ["web", "db"]}, False)
    assert states._step(1, dict(restart, containers=[])).context == {"running": []}
    assert states._step(1, dict(restart, path="docker.service.service")).service == "docker.service"
    newer = states._step(1, dict(restart, service="containerd", context={"x": 1}))
    assert (newer.service, newer.context) == ("containerd", {"x": 1})
    command = {"event": "begin", "step": 2, "item": "icc", "kind": "run_command", "path": "container web", "backup": False}
    read = states._step(2, command)
    assert (read.service, read.context, read.command, read.undo, read.before, read.after) == ("", None, (), (), None, None)
    assert (read.keeps, read.discard, read.user, read.request, read.caveat, read.undone) == ("", (), None, None, None, False)


def test_a_backup_is_trusted_only_when_it_is_there_and_matches_its_checksum(journal):
    run = new_run(journal)
    good = run.begin(("icc",), "write_file", "/etc/a", before=replace(A, sha256=sha256_of(b"old")), after=B, backup=b"old")
    assert run.backup_problem(good) is None
    assert run.backup_problem(replace(good, has_backup=False, before=None)) is None
    tampered = replace(good, before=replace(A, sha256=sha256_of(b"other")))
    assert run.backup_problem(tampered) == "the backup of /etc/a (step 1) does not match the checksum recorded before the change"
    assert run.backup_problem(replace(good, before=None)) == \
        "the backup of /etc/a (step 1) does not match the checksum recorded before the change"
    assert run.backup_problem(replace(good, number=2)) == "the backup of /etc/a (step 2) is missing"


def test_history_s_summary_of_a_run(journal):
    run = new_run(journal)
    run.begin(("icc",), "run_command", "container web", command=("docker", "rename", "web", "web-old"), keeps="container web-old")
    removed = run.begin(("icc",), RemoveContainer.kind, "container db", command=("docker", "rm", "db"), request={"name": "db"})
    run.begin(("icc",), "run_command", "container mq", command=("docker", "rename", "mq", "mq-old"), keeps="container mq-old")
    run.begin(("icc",), RemoveContainer.kind, "container x", command=("docker", "rm", "x"), request={"name": "x"})
    run.begin(("icc",), RemoveContainer.kind, "container y", command=("docker", "rm", "y"), request={"body": {}})
    for number in (1, 2, 5):
        run.done(replace(removed, number=number))
    run.set_state(states.APPLIED, error="it failed", undo_error="so did its undo", unrestored=["y"])
    summary = run.summary()
    assert summary == {"id": run.id, "sequence": 1, "started": "2026-12-07T08:30:05+00:00", "finished": "2026-12-07T08:30:05+00:00",
                       "items": ["icc"], "root": str(journal.host.root), "error": "it failed", "undo_error": "so did its undo",
                       "unrestored": ["y"], "state": "applied", "changes": 5, "keeps": ["container web-old"], "recorded": ["db", ""]}
    run.set_state(states.ROLLED_BACK)
    assert "keeps" not in run.summary() and "recorded" not in run.summary()
    write_info(run, state="applied", sequence=1, format=3)  # no step count
    assert run.summary()["sequence"] is None and run.summary()["state"] == "damaged"
    (run.directory / "run.json").write_text("nothing")
    assert run.summary() == {"id": run.id, "sequence": None, "started": None, "finished": None, "items": [], "root": "",
                             "state": "damaged", "changes": 5, "keeps": ["container web-old"], "recorded": ["db", ""]}


# -- the runs of a journal ---------------------------------------------------------------------------------------


def make_run_dir(journal, run_id, **run_json):
    directory = journal.runs_dir / run_id
    directory.mkdir(parents=True)
    (directory / "run.json").write_text(json.dumps(run_json))
    return directory


def test_runs_are_ordered_by_sequence_and_a_damaged_one_sits_where_its_id_puts_it(journal):
    assert journal.runs() == []
    make_run_dir(journal, "a", sequence=2)
    make_run_dir(journal, "b", state="applied")  # no sequence: after a (its id's neighbour)
    make_run_dir(journal, "c", sequence=1)
    make_run_dir(journal, "d", sequence=3)
    make_run_dir(journal, "e", sequence=3)
    (journal.runs_dir / "f").mkdir()  # no run.json: not a run
    assert [run.id for run in journal.runs()] == ["c", "a", "b", "d", "e"]
    make_run_dir(journal, "0", sequence=5)  # first by id, last by sequence; "b" follows "a" still
    assert [run.id for run in journal.runs()] == ["c", "a", "b", "d", "e", "0"]
    assert journal.run("b").directory == journal.runs_dir / "b"
    with pytest.raises(JournalError) as raised:
        journal.run("zz")
    assert str(raised.value) == f"no run zz in /var/lib/hardener (in {journal.host.root}) (see: harden history)"


def test_a_damaged_run_first_sits_before_the_others(journal):
    make_run_dir(journal, "a", state="applied")
    make_run_dir(journal, "b", sequence=1)
    assert [run.id for run in journal.runs()] == ["a", "b"]


def test_what_runs_keep_aside_until_they_are_rolled_back(journal):
    run = new_run(journal)
    run.begin(("icc",), "run_command", "container web", command=("x",), keeps="container web-old")
    run.begin(("icc",), "run_command", "container db", command=("x",))
    undone = new_run(journal)
    undone.begin(("icc",), "run_command", "container mq", command=("x",), keeps="container mq-old")
    undone.set_state(states.ROLLED_BACK)
    assert journal.kept_aside() == {"container web-old"}
    journal.remove(run)
    assert not run.directory.exists() and journal.kept_aside() == set()


# -- the states harden's own steps can leave a file in -------------------------------------------------------------


def owner_mode_step(number, before, after, **flags):
    return step(number, before, after, kind=SetOwnerMode.kind, **flags)


@pytest.mark.parametrize("steps, rolling_back, left", [
    ([step(1, A, B)], False, [A, B]),
    ([step(1, A, B), step(2, B, C)], False, [A, C]),
    ([step(1, A, B), step(2, B, C, done=False)], False, [A, B, C]),
    ([step(1, A, B, done=False)], False, [A, A, B]),
    ([step(1, A, B, done=False), step(2, B, C, done=False)], False, [A, A, B]),
    ([step(1, A, B), step(2, B, C, done=False), step(3, C, A, done=False)], False, [A, B, C]),
    ([step(1, GONE, A, kind=MAKE_DIR)], False, [GONE, A]),
    ([step(1, A, B), step(2, B, C)], True, [A, B, C]),
    ([step(1, A, B)], True, [A, A, B]),
    ([step(1, A, B), step(2, B, C, undone=True)], False, [A, A, B]),
    ([step(1, A, B), step(2, B, C, undone=True)], True, [A, A, B]),
    ([step(1, A, B, undone=True), step(2, B, C, undone=True)], False, [A]),
    ([step(1, A, B), step(2, B, C), step(3, C, A, undone=True)], False, [A, B, C]),
])
def test_the_states_left_by_harden_s_steps(steps, rolling_back, left):
    assert list(_states_left(steps, rolling_back)) == left


def test_an_owner_and_mode_change_stopped_between_its_chown_and_its_chmod():
    before = FileState(exists=True, uid=0, gid=0, mode=0o644, sha256="a")
    after = FileState(exists=True, uid=1000, gid=1000, mode=0o600, sha256="a")
    left = list(_states_left([owner_mode_step(1, before, after, done=False)], False))
    assert left == [before, before, after, replace(after, mode=0o644), replace(before, mode=0o600)]
    assert list(_states_left([owner_mode_step(1, before, after, undone=False)], True)) == left
    assert list(_states_left([owner_mode_step(1, GONE, after, done=False)], False)) == [GONE, GONE, after]
    assert list(_states_left([owner_mode_step(1, before, GONE, done=False)], False)) == [before, before, GONE]
    assert list(_states_left([step(1, before, after, done=False)], False)) == [before, before, after]


# -- what rollback does with each step -----------------------------------------------------------------------------


def test_a_file_harden_rewrote_gets_its_content_owner_mode_and_attributes_back(journal, host):
    real = write(host, "/etc/docker/daemon.json", '{"debug": true}\n', 0o640)
    os.setxattr(real, "user.label", b"kept")
    os.chown(real, 1000, 1000)
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/docker/daemon.json", '{"icc": false}\n'))
    assert real.read_text() == '{"icc": false}\n'
    os.chmod(real, 0o600)  # someone's later change, which the rollback overwrites
    os.removexattr(real, "user.label")
    (real.parent / ".daemon.json.hardener-tmp").write_text("left by a write cut short")
    (step_,) = run.steps()
    _restore(host, run, step_)
    assert real.read_text() == '{"debug": true}\n' and host.state("/etc/docker/daemon.json") == step_.before
    assert (real.stat().st_uid, oct(real.stat().st_mode & 0o777), os.getxattr(real, "user.label")) == (1000, "0o640", b"kept")
    assert not (real.parent / ".daemon.json.hardener-tmp").exists()


def test_a_file_already_as_it_was_is_not_touched_but_a_temporary_file_goes(journal, host):
    real = write(host, "/etc/docker/daemon.json", "{}\n")
    run = new_run(journal)
    step_ = run.begin(("icc",), WriteFile.kind, "/etc/docker/daemon.json", before=host.state("/etc/docker/daemon.json"), after=B,
                      backup=b"{}\n")
    (real.parent / ".daemon.json.hardener-tmp").write_text("")
    inode = real.stat().st_ino
    _restore(host, run, step_)
    assert real.stat().st_ino == inode and not (real.parent / ".daemon.json.hardener-tmp").exists()


def test_a_new_file_and_the_directories_made_for_it_are_removed(journal, host):
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/new/deeper/file.conf", "x\n", mode=0o600))
    real = host.root / "etc/new/deeper/file.conf"
    assert oct(real.stat().st_mode & 0o777) == "0o600"
    steps = run.steps()
    assert [(s.kind, s.path) for s in steps] == [(MAKE_DIR, "/etc/new"), (MAKE_DIR, "/etc/new/deeper"),
                                                 ("write_file", "/etc/new/deeper/file.conf")]
    for step_ in reversed(steps):
        _restore(host, run, step_)
    assert not (host.root / "etc/new").exists()


def test_a_directory_made_is_left_where_it_holds_something_now(journal, host):
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/new/file.conf", "x\n"))
    (host.root / "etc/new/theirs").write_text("")
    for step_ in reversed(run.steps()):
        _restore(host, run, step_)
    assert os.listdir(host.root / "etc/new") == ["theirs"]


def test_owner_and_mode_changes_are_given_back(journal, host):
    real = write(host, "/etc/docker/key.pem", "secret", 0o644)
    os.setxattr(real, "user.label", b"kept")
    run = new_run(journal)
    carried_out(host, run, SetOwnerMode("/etc/docker/key.pem", 1000, 1000, 0o400))
    os.removexattr(real, "user.label")
    _restore(host, run, run.steps()[0])
    assert host.state("/etc/docker/key.pem") == run.steps()[0].before
    assert os.getxattr(real, "user.label") == b"kept" and real.read_text() == "secret"


@pytest.mark.parametrize("kind", ["write", "new", "directory", "owner"])
def test_a_user_s_file_is_given_back_only_where_it_is_theirs(journal, host, kind):
    """A user's link put where their directory was (to root's /etc) since the run: the undo must not follow it."""
    home = host.root / "home/alice"
    (home / ".config").mkdir(parents=True)
    for path in (home, home / ".config"):
        os.chown(path, 1000, 1000)
    os.symlink("/etc", home / ".config/docker")
    os.lchown(home / ".config/docker", 1000, 1000)
    if kind == "directory":  # an empty directory of root's where the user's link leads: not removed
        target = host.root / "etc/ssl"
        target.mkdir()
        target.chmod(0o755)
    else:
        target = host.root / "etc/shadow"
        write(host, "/etc/shadow", "root's")
    refused_restore(journal, host, kind, f"/home/alice/.config/docker/{target.name}")
    assert (target.stat().st_uid, target.stat().st_mode & 0o777) == (0, 0o755 if kind == "directory" else 0o644)
    assert kind == "directory" or target.read_text() == "root's"


def refused_restore(journal, host, kind, path):
    """The undo of alice's (uid 1000) change of `path` of this kind, refused by the Host's guard."""
    before = {"write": A, "new": GONE, "directory": GONE, "owner": A}[kind]
    after = {"write": B, "new": B, "directory": replace(A, sha256=None), "owner": C}[kind]
    step_ = Step(1, ("icc",), {"write": "write_file", "new": "write_file", "directory": MAKE_DIR, "owner": "set_owner_mode"}[kind],
                 path, True, before=before, after=after, has_backup=kind == "write", user=1000)
    run = new_run(journal)
    if kind == "write":
        run._store("0001", b"user's old content")
    with pytest.raises(HostError):
        _restore(host, run, step_)


@pytest.mark.parametrize("kind", ["write", "new", "directory", "owner"])
def test_a_user_s_file_that_is_root_s_now_is_not_given_back(journal, host, kind):
    """Where the user's file is root's since the run (a hard link to root's file, root's own directory), the undo of
    the user's change leaves it: it restores the user's file only while it is theirs alone."""
    home = host.root / "home/alice/.config/docker"
    home.mkdir(parents=True)
    for path in (home.parent.parent, home.parent, home):
        os.chown(path, 1000, 1000)
    if kind == "directory":
        (home / "certs.d").mkdir()
        (home / "certs.d").chmod(0o755)
        target = home / "certs.d"
    else:
        target = write(host, "/etc/shadow", "root's")
        os.link(target, home / "daemon.json")
    refused_restore(journal, host, kind, "/home/alice/.config/docker/" + ("certs.d" if kind == "directory" else "daemon.json"))
    assert (target.stat().st_uid, target.stat().st_mode & 0o777) == (0, 0o755 if kind == "directory" else 0o644)
    assert kind == "directory" or (target.read_text() == "root's" and (home / "daemon.json").exists())


def test_undo_goes_newest_first_and_restarts_last(journal, host, monkeypatch):
    restarted = []

    class Handler:
        def restart_after_undo(self, host_, unit, undo, context):
            restarted.append((host_, unit, undo, context))

    monkeypatch.setattr(engine.services, "handler", lambda name: Handler() if name == "docker" else None)
    write(host, "/etc/a", "a")
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/a", "A"))
    restart = run.begin(("live-restore", "icc"), "restart_service", "docker.service", command=("systemctl", "restart", "docker"),
                        undo=(("systemctl", "restart", "docker"),), service="docker", context={"running": ["web"]})
    run.done(restart)
    carried_out(host, run, WriteFile("/etc/b", "B", items=("icc", "log-level")))
    command = run.begin(("icc", "privileged"), "run_command", "container web", command=("docker", "rename", "web", "web-old"),
                        undo=(("docker", "rm", "web"), ("docker", "rename", "web-old", "web")))
    run.done(command)
    assert _undo(host, run, run.steps()) == []
    assert host.ran == [("docker", "rm", "web"), ("docker", "rename", "web-old", "web")]
    assert restarted == [(host, "docker.service", [("systemctl", "restart", "docker")], {"running": ["web"]})]
    assert host.logged == [f"run {run.id} item icc: wrote /etc/a",
                           f"run {run.id} item icc, log-level: created /etc/b",
                           f"run {run.id} item icc, privileged: undid container web with docker rm web",
                           f"run {run.id} item icc, privileged: undid container web with docker rename web-old web",
                           f"run {run.id} item icc, log-level: restored /etc/b",
                           f"run {run.id} item icc: restored /etc/a",
                           f"run {run.id} item live-restore, icc: restarted docker.service with the files as they were"]
    assert (host.root / "etc/a").read_text() == "a" and not (host.root / "etc/b").exists()
    undone = [record["step"] for record in records(run) if record["event"] == "undone"]
    assert undone == [4, 3, 1, 2]
    assert all(s.undone for s in run.steps())


def test_a_restart_with_no_context_gets_an_empty_one(journal, host, monkeypatch):
    contexts = []
    monkeypatch.setattr(engine.services, "handler",
                        lambda name: type("H", (), {"restart_after_undo": lambda self, *args: contexts.append(args[-1])})())
    run = new_run(journal)
    run.done(run.begin(("icc",), "restart_service", "docker.service", command=("x",), service="docker"))
    restart = replace(run.steps()[0], context=None)
    _undo(host, run, [restart])
    assert contexts == [{}]


def test_an_undo_that_fails_stops_the_rollback_unless_forced(journal, host):
    write(host, "/etc/a", "a")
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/a", "A"))
    run.done(run.begin(("privileged", "pids-limit"), "run_command", "container web", command=("docker", "stop", "web"),
                       undo=(("docker", "start", "web"),)))
    host.failing[("docker", "start", "web")] = HostError("docker start web failed: no such container")
    with pytest.raises(HostError, match="no such container"):
        _undo(host, run, run.steps())
    assert (host.root / "etc/a").read_text() == "A" and not any(s.undone for s in run.steps())
    host.logged.clear()
    assert _undo(host, run, run.steps(), force=True) == ["container web: docker start web failed: no such container"]
    assert host.logged == [f"run {run.id} item privileged, pids-limit: could not undo container web: docker start web failed: no such container",
                           f"run {run.id} item icc: restored /etc/a"]
    assert [(s.number, s.undone) for s in run.steps()] == [(1, True), (2, False)]
    assert (host.root / "etc/a").read_text() == "a"


def test_an_undo_command_that_fails_after_a_kill_before_its_change_is_passed_by(journal, host):
    run = new_run(journal)
    begun = run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "web", "web-old"),
                      undo=(("docker", "rename", "web-old", "web"), ("docker", "start", "web")))
    host.failing[("docker", "rename", "web-old", "web")] = HostError("no such container web-old")
    _run_undo(host, run, begun)
    assert host.ran == [("docker", "rename", "web-old", "web")] and host.logged == []
    with pytest.raises(HostError, match="no such container web-old"):
        _run_undo(host, run, replace(begun, done=True))


def removal(run, done=True, **request):
    recorded = {"name": "web", "api_version": "1.41", "start": True, "body": {"Image": "nginx"},
                "connect": [["front", {"Aliases": ["w"]}], ["back", {}]], "disconnect": ["bridge"], **request}
    begun = run.begin(("privileged", "cap-drop-all"), RemoveContainer.kind, "container web", command=("docker", "rm", "--force", "0123abc"),
                      request=recorded)
    if done:
        run.done(begun)
    return [s for s in run.steps() if s.number == begun.number][0]


def test_a_removed_container_is_created_again_from_its_record(journal, host):
    run = new_run(journal)
    _create_again(host, run, removal(run))
    assert host.created == [CreateContainer("container web", "web", {"Image": "nginx"}, "1.41",
                                            (("front", {"Aliases": ["w"]}), ("back", {})), True, items=("privileged", "cap-drop-all"),
                                            disconnect=("bridge",))]
    assert host.logged == [f"run {run.id} item privileged, cap-drop-all: created web again from its recorded configuration"]


def test_a_record_without_networks_to_leave_creates_it_joined_as_recorded(journal, host):
    run = new_run(journal)
    recorded = removal(run, start=False)
    del recorded.request["disconnect"], recorded.request["connect"]
    _create_again(host, run, recorded)
    assert (host.created[0].disconnect, host.created[0].connect, host.created[0].start) == ((), (), False)


def test_a_removal_killed_before_it_was_made_creates_nothing(journal, host):
    run = new_run(journal)
    begun = removal(run, done=False)
    host.containers.add("0123abc")
    _create_again(host, run, begun)
    assert host.created == []
    host.containers.clear()  # begun, not recorded done, and gone: it was removed
    _create_again(host, run, begun)
    assert [change.name for change in host.created] == ["web"]
    host.containers.add("0123abc")  # done: whatever has its id now is not it
    _create_again(host, run, replace(begun, done=True))
    assert len(host.created) == 2
    _create_again(host, run, replace(begun, request=None))
    _create_again(host, run, replace(begun, request={}))
    assert len(host.created) == 2


def test_undo_creates_a_removed_container_again(journal, host):
    run = new_run(journal)
    removal(run)
    assert _undo(host, run, run.steps()) == [] and [change.name for change in host.created] == ["web"]
    assert run.steps()[0].undone


# -- which run, and whether it may be rolled back ---------------------------------------------------------------


def test_the_run_to_roll_back(journal):
    assert run_to_roll_back(journal, None) is None
    first = new_run(journal)
    first.set_state(states.APPLIED)
    second = new_run(journal)
    second.set_state(states.ROLLED_BACK)
    assert run_to_roll_back(journal, None).id == first.id
    assert run_to_roll_back(journal, first.id).id == first.id
    with pytest.raises(JournalError) as raised:
        run_to_roll_back(journal, second.id)
    assert str(raised.value) == f"run {second.id} is rolled back already"
    failed = new_run(journal)
    failed.set_state(states.FAILED_ROLLED_BACK)
    with pytest.raises(JournalError, match=f"^run {failed.id} is failed rolled back already$"):
        run_to_roll_back(journal, failed.id)
    first.set_state(states.ROLLED_BACK)
    assert run_to_roll_back(journal, None) is None
    third = new_run(journal)
    assert run_to_roll_back(journal, None).id == third.id


def applied(journal, host, *changes):
    run = new_run(journal)
    for change in changes:
        carried_out(host, run, change)
    run.set_state(states.APPLIED)
    return run


def test_a_run_is_not_rolled_back_over_a_newer_run_s_changes(journal, host):
    write(host, "/etc/a", "a")
    write(host, "/etc/b", "b")
    first = applied(journal, host, WriteFile("/etc/a", "A"), WriteFile("/etc/b", "B"), WriteFile("/etc/c", "C"))
    second = applied(journal, host, WriteFile("/etc/b", "BB"), WriteFile("/etc/a", "AA"))
    with pytest.raises(RollbackRefused) as raised:
        check_rollback(host, journal, first, first.steps())
    assert str(raised.value) == f"run {second.id} changed /etc/a, /etc/b after run {first.id}; roll back {second.id} first"
    assert raised.value.details == ()
    assert check_rollback(host, journal, second, second.steps()) == {}
    third = applied(journal, host, WriteFile("/etc/c", "CC"))
    with pytest.raises(RollbackRefused, match=f"^run {third.id} changed /etc/c after run {first.id}"):
        second.set_state(states.ROLLED_BACK)  # a rolled back run between is passed by, not the end of the look
        check_rollback(host, journal, first, first.steps())
    third.set_state(states.ROLLED_BACK)
    with pytest.raises(RollbackRefused):  # rolled back only in its record: the files are harden's second run's still
        rollback(host, journal, first, force=False)
    assert sorted(check_rollback(host, journal, first, first.steps())) == [1, 2, 3]


def test_a_run_in_progress_in_another_harden_is_not_rolled_back(journal, host):
    run = new_run(journal)
    holder = os.open(journal.home / "lock", os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(RollbackRefused, match=f"^run {run.id} is in progress in another harden$"):
            check_rollback(host, journal, run, [])
    finally:
        os.close(holder)


def test_drift_is_judged_per_file_at_its_last_step(journal, host):
    write(host, "/etc/a", "a\n")
    write(host, "/etc/key", "k", 0o644)
    run = applied(journal, host, WriteFile("/etc/a", "A\n"), SetOwnerMode("/etc/key", 0, 0, 0o600), WriteFile("/etc/a", "AA\n"))
    assert check_rollback(host, journal, run, run.steps()) == {}
    write(host, "/etc/a", "theirs\n")
    write(host, "/etc/key", "k2", 0o640)
    assert check_rollback(host, journal, run, run.steps()) == {
        3: ["--- /etc/a (as harden left it)", "+++ /etc/a (now)", "@@ -1 +1 @@", "-AA", "+theirs"],
        2: ["/etc/key: its content changed since (harden changed only its owner and mode)",
            "/etc/key: owner/mode root:root 0600 (as harden left it) -> root:root 0640 (now)"],
    }


def test_a_file_rewritten_by_a_command_is_not_judged_for_drift(journal, host):
    write(host, "/etc/audit/audit.rules", "old")
    run = new_run(journal)
    rules = host.state("/etc/audit/audit.rules")
    run.done(run.begin(("audit",), REWRITTEN, "/etc/audit/audit.rules", before=rules, after=rules, backup=b"old"))
    write(host, "/etc/audit/audit.rules", "rewritten by augenrules")
    run.done(run.begin(("audit",), "run_command", "audit rules", command=("augenrules", "--load"), undo=(("augenrules", "--load"),)))
    assert check_rollback(host, journal, run, run.steps()) == {}


def test_a_rollback_begun_allows_the_undo_it_may_have_made_unrecorded(journal, host):
    write(host, "/etc/a", "a")
    run = applied(journal, host, WriteFile("/etc/a", "A"), WriteFile("/etc/a", "AA"))
    write(host, "/etc/a", "A")  # the last step's undo, made, its record not
    assert sorted(check_rollback(host, journal, run, run.steps())) == [2]
    run.set_state(states.ROLLING_BACK)
    assert check_rollback(host, journal, run, run.steps()) == {}
    run.set_state(states.APPLIED)
    run.undone(run.steps()[1])
    assert check_rollback(host, journal, run, run.steps()) == {}
    write(host, "/etc/a", "a")
    assert check_rollback(host, journal, run, run.steps()) == {}


def test_what_changed_since_the_run(journal, host):
    write(host, "/etc/a", "one\ntwo\n")
    run = applied(journal, host, WriteFile("/etc/a", "one\n2\n"), WriteFile("/etc/a", "one\nTWO\n"))
    steps = run.steps()
    current = lambda: host.state("/etc/a")  # noqa: E731
    write(host, "/etc/a", "one\nthree\n", 0o600)
    assert changed_since(host, run, steps, current()) == [
        "--- /etc/a (as harden left it)", "+++ /etc/a (now)", "@@ -1,2 +1,2 @@", " one", "-TWO", "+three",
        "/etc/a: owner/mode root:root 0644 (as harden left it) -> root:root 0600 (now)"]
    os.chown(host.root / "etc/a", 1000, 0)
    write(host, "/etc/a", "one\nTWO\n", 0o644)
    assert changed_since(host, run, steps, current()) == [
        "/etc/a: owner/mode root:root 0644 (as harden left it) -> alice:root 0644 (now)"]
    os.chown(host.root / "etc/a", 0, 1000)
    assert changed_since(host, run, steps, current()) == [
        "/etc/a: owner/mode root:root 0644 (as harden left it) -> root:alice 0644 (now)"]
    os.unlink(host.root / "etc/a")
    assert changed_since(host, run, steps, current()) == ["/etc/a was removed since"]
    assert file_drift(host, run, steps, False) == ["/etc/a was removed since"]
    write(host, "/etc/a", "")
    assert changed_since(host, run, steps, current())[2:] == ["@@ -1,2 +0,0 @@", "-one", "-TWO"]
    write(host, "/etc/a", b"one\n\xff3\n")
    (run.directory / "backup" / "0002.after").write_bytes(b"one\n\xfe2\n")  # a copy damaged since: shown, not a crash
    assert changed_since(host, run, steps, current())[2:] == ["@@ -1,2 +1,2 @@", " one", "-\ufffd2", "+\ufffd3"]
    run.discard_written()
    write(host, "/etc/a", "x")
    assert changed_since(host, run, steps, current()) == ["/etc/a: its content changed since (harden changed only its owner and mode)"]


def test_what_changed_since_the_run_is_said_in_chinese_all_but_the_files_own_lines(journal, host):
    write(host, "/etc/a", "one\n")
    write(host, "/etc/key", "k", 0o644)
    run = applied(journal, host, WriteFile("/etc/a", "remove /x\n"), SetOwnerMode("/etc/key", 0, 0, 0o600))
    steps = run.steps()
    write(host, "/etc/a", "/x was removed since\n", 0o600)
    write(host, "/etc/key", "k2", 0o600)
    said_zh = lambda path_steps: [said(line, "zh") for line in changed_since(host, run, path_steps, host.state(path_steps[-1].path))]  # noqa: E731
    assert said_zh(steps[:1]) == ["--- /etc/a（harden 留下的状态）", "+++ /etc/a（现在）", "@@ -1 +1 @@", "-remove /x", "+/x was removed since",
                                  "/etc/a：属主/权限 root:root 0644（harden 留下的状态）-> root:root 0600（现在）"]
    assert said_zh(steps[1:]) == ["/etc/key：此后内容已被更改（harden 只更改了其属主和权限）"]
    os.unlink(host.root / "etc/a")
    assert said_zh(steps[:1]) == ["/etc/a 此后已被删除"]


def test_a_file_that_became_a_link_is_drift_said_as_the_host_says_it(journal, host):
    write(host, "/etc/a", "a")
    run = applied(journal, host, WriteFile("/etc/a", "A"))
    os.unlink(host.root / "etc/a")
    os.symlink("/etc/passwd", host.root / "etc/a")
    assert check_rollback(host, journal, run, run.steps()) == {1: [f"/etc/a (in {host.root}) is a symbolic link where a file was "
                                                                    "expected; harden does not write through links"]}


def test_a_file_harden_made_and_someone_removed_is_not_drift(journal, host):
    run = applied(journal, host, WriteFile("/etc/new.conf", "x"))
    os.unlink(host.root / "etc/new.conf")
    assert check_rollback(host, journal, run, run.steps()) == {}


# -- rollback, whole -----------------------------------------------------------------------------------------------


def test_a_rollback_gives_back_every_file_and_records_it(journal, host):
    write(host, "/etc/a", "a")
    before = host.state("/etc/a")
    run = applied(journal, host, WriteFile("/etc/a", "A"), WriteFile("/etc/d/new", "N"))
    caveat = Text("the container's log is new", "容器日志是新的")
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "x"), undo=(("docker", "y"),),
                       caveat=caveat))
    outcome = rollback(host, journal, run, force=False)
    assert outcome == engine.RollbackOutcome(run.id, 4, [], [("container web", caveat)], [])
    assert host.state("/etc/a") == before and not (host.root / "etc/d").exists()
    assert info(run)["state"] == "rolled_back" and info(run)["finished"] == "2026-12-07T08:30:05+00:00"
    assert "unrestored" not in info(run)


def test_a_damaged_journal_is_refused_whole_and_forced_restores_what_it_verifies(journal, host):
    write(host, "/etc/a", "a")
    write(host, "/etc/b", "b")
    run = applied(journal, host, WriteFile("/etc/a", "A"), WriteFile("/etc/b", "B"))
    (run.directory / "backup" / "0002").write_bytes(b"tampered")
    write_info(run, **dict(info(run), sequence=None))
    message = (f"the journal of run {run.id} is damaged: run.json has no sequence number; the backup of /etc/b (step 2) does not "
               f"match the checksum recorded before the change; nothing was restored (harden rollback --force {run.id} restores "
               "what can be verified and lists the rest)")
    with pytest.raises(RollbackRefused) as raised:
        rollback(host, journal, run, force=False)
    assert str(raised.value) == message
    assert (host.root / "etc/a").read_text() == "A" and info(run)["state"] == "applied"
    outcome = rollback(host, journal, run, force=True)
    unrestored = ["the backup of /etc/b (step 2) does not match the checksum recorded before the change"]
    assert (outcome.undone, outcome.unrestored) == (1, unrestored)
    assert (host.root / "etc/a").read_text() == "a" and (host.root / "etc/b").read_text() == "B"
    assert info(run)["state"] == "rollback_incomplete" and info(run)["unrestored"] == unrestored


def test_a_journal_missing_a_record_is_refused_and_forced_lists_it(journal, host):
    write(host, "/etc/a", "a")
    run = applied(journal, host, WriteFile("/etc/a", "A"))
    run._update(steps_begun=2)
    missing = "1 of the 2 step records begun are missing from steps.jsonl (steps 2)"
    with pytest.raises(RollbackRefused, match=f"^the journal of run {run.id} is damaged: {missing.replace('(', '.').replace(')', '.')};"):
        rollback(host, journal, run, force=False)
    write_info(run, state="applied", format=3, steps_begun=1)  # and run.json without its sequence
    with pytest.raises(RollbackRefused, match="run.json has no sequence number; nothing was restored"):
        rollback(host, journal, run, force=False)
    run._update(steps_begun=2)
    outcome = rollback(host, journal, run, force=True)
    assert outcome.unrestored == [missing] and outcome.undone == 1 and (host.root / "etc/a").read_text() == "a"


def test_drift_refuses_and_forced_keeps_what_was_overwritten(journal, host):
    write(host, "/etc/a", "a")
    write(host, "/etc/b", "b")
    run = applied(journal, host, WriteFile("/etc/same", "S"), WriteFile("/etc/a", "A"), WriteFile("/etc/b", "B"), WriteFile("/etc/c", "C"))
    write(host, "/etc/a", "theirs")  # the files after one as harden left it
    os.unlink(host.root / "etc/c")
    os.chmod(host.root / "etc/b", 0o600)
    with pytest.raises(RollbackRefused) as raised:
        rollback(host, journal, run, force=False)
    assert str(raised.value) == f"files changed since run {run.id}; rollback would overwrite those changes (--force to roll back anyway)"
    assert raised.value.details == ["--- /etc/a (as harden left it)", "+++ /etc/a (now)", "@@ -1 +1 @@", "-A", "\\ No newline at end of file", "+theirs", "\\ No newline at end of file",
                                    "/etc/b: owner/mode root:root 0644 (as harden left it) -> root:root 0600 (now)"]
    assert (host.root / "etc/a").read_text() == "theirs" and info(run)["state"] == "applied"
    outcome = rollback(host, journal, run, force=True)
    kept_a, kept_b = run.directory / "drift" / "0002-a", run.directory / "drift" / "0003-b"
    assert outcome.saved == [("/etc/a", str(kept_a)), ("/etc/b", str(kept_b))]
    assert kept_a.read_text() == "theirs" and kept_b.read_text() == "B"
    assert (host.root / "etc/a").read_text() == "a" and (host.root / "etc/b").read_text() == "b"
    assert oct((host.root / "etc/b").stat().st_mode & 0o777) == "0o644"
    assert outcome.undone == 4 and info(run)["state"] == "rolled_back" and not (host.root / "etc/same").exists()


def test_a_forced_rollback_that_cannot_undo_a_step_says_so_and_is_incomplete(journal, host):
    run = new_run(journal)
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "stop", "web"),
                       undo=(("docker", "start", "web"),)))
    run.set_state(states.APPLIED)
    host.failing[("docker", "start", "web")] = HostError("no such container")
    with pytest.raises(HostError):
        rollback(host, journal, run, force=False)
    assert info(run)["state"] == "rolling_back"
    outcome = rollback(host, journal, run, force=True)
    assert (outcome.undone, outcome.unrestored) == (0, ["container web: no such container"])
    assert info(run)["state"] == "rollback_incomplete" and info(run)["unrestored"] == ["container web: no such container"]


def kept_aside(run, name, renamed_back=False, done=True, undone=False):
    begun = run.begin(("privileged",), "run_command", f"container {name}",
                      command=("docker", "rename", f"{name}-old", name) if renamed_back else ("docker", "rename", name, f"{name}-old"),
                      undo=(("docker", "rm", name),), keeps=f"container {name}-old" if not renamed_back else f"{name}-old")
    if done:
        run.done(begun)
    if undone:
        run.undone(begun)
    return begun


def test_a_container_whose_original_is_gone_is_kept_in_its_place(journal, host):
    run = new_run(journal)
    kept_aside(run, "web")
    kept_aside(run, "db", renamed_back=True)
    kept_aside(run, "mq", done=False)
    kept_aside(run, "old", undone=True)
    joined = {"web": {"HostConfig": {"NetworkMode": "container:web"}}, "vol": {"HostConfig": {"VolumesFrom": ["app:ro"]}},
              "app": {"HostConfig": {"Links": ["/web:alias"]}}, "free": {"HostConfig": {"NetworkMode": "bridge", "PidMode": "host"}}}
    for name, request in joined.items():
        run.done(run.begin(("privileged",), CreateContainer.kind, f"container {name}-joined" if name == "web" else f"container {name}",
                           command=("docker", "create"), undo=(("docker", "rm", name),), request=request))
    run.set_state(states.APPLIED)
    host.containers.update({"container db-old", "db-old"})
    gone = _originals_gone(host, run.steps())
    assert gone == {
        "container web": "container web: the original it replaced (container web-old) is gone; rollback keeps the container in its place",
        "container web-joined": "container web-joined: it joins web, whose original is gone; rollback keeps it as it is",
        "container app": "container app: it joins web, whose original is gone; rollback keeps it as it is",
        "container vol": "container vol: it joins app, whose original is gone; rollback keeps it as it is",
    }
    assert engine.rollback_preview(host, run) == [*gone.values(), "container free: run docker rm free",
                                                  "container mq: run docker rm mq", "container db: run docker rm db"]
    assert [said(line, "zh") for line in engine.rollback_preview(host, run)][:2] == [
        "container web：被它替换的原容器（container web-old）已不存在；回滚保留现有容器",
        "container web-joined：它加入了 web，而其原容器已不存在；回滚保持其现状"]
    with pytest.raises(RollbackRefused) as raised:
        rollback(host, journal, run, force=False)
    assert str(raised.value) == (f"what run {run.id} kept aside is gone; rollback would remove the containers in its place and "
                                 "leave none (--force rolls back the rest and keeps them)")
    assert raised.value.details == list(gone.values()) and host.ran == []
    outcome = rollback(host, journal, run, force=True)
    assert outcome.unrestored == list(gone.values())
    assert host.ran == [("docker", "rm", "free"), ("docker", "rm", "mq"), ("docker", "rm", "db")]


def test_a_container_kept_aside_by_a_rename_is_asked_for_by_its_id(journal, host):
    """Its rename back may have been made by a rollback killed before recording it: by its id, it is there."""
    run = new_run(journal)
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "0123abc", "web-hardener-x"),
                       undo=(("docker", "rename", "0123abc", "web"),), keeps="web-hardener-x"))
    host.containers = {"0123abc"}
    assert _originals_gone(host, run.steps()) == {}
    host.containers = {"web-hardener-x"}
    assert list(_originals_gone(host, run.steps())) == ["container web"]
    other = new_run(journal)  # kept aside otherwise: asked for by what it keeps
    other.done(other.begin(("privileged",), "run_command", "container db", command=("docker", "update", "0123abc", "db"),
                           undo=(), keeps="db-kept"))
    host.containers = {"0123abc"}
    assert list(_originals_gone(host, other.steps())) == ["container db"]
    host.containers = {"db-kept"}
    assert _originals_gone(host, other.steps()) == {}



def test_a_rollback_resumed_after_a_kill_does_not_undo_again_what_it_undid(journal, host):
    """A recreation rolled back up to the original's rename back, then killed: the new container's removal (by its
    name, which the original has again) must not be run again, nor the rename."""
    run = new_run(journal)
    renamed = run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "0123abc", "web-hardener-x"),
                        undo=(("docker", "rename", "0123abc", "web"),), keeps="web-hardener-x",
                        discard=(("docker", "rm", "--force", "0123abc"),))
    run.done(renamed)
    created = CreateContainer("container web", "web", {"Image": "nginx"}, "1.41")
    new = run.begin(("privileged",), created.kind, created.target, command=created.command, undo=created.undo, request={})
    run.done(new)
    run.set_state(states.ROLLING_BACK)
    run.undone(new)
    run.undone(renamed)
    host.containers.add("0123abc")
    assert _undo(host, run, run.steps()) == [] and host.ran == []
    assert engine.rollback_preview(host, run) == []
    outcome = rollback(host, journal, run, force=False)
    assert host.ran == [] and outcome.undone == 0 and info(run)["state"] == "rolled_back"


def test_a_rollback_resumed_after_a_kill_goes_on_where_it_stopped(journal, host):
    write(host, "/etc/a", "a")
    run = applied(journal, host, WriteFile("/etc/a", "A"))
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "stop", "web"),
                       undo=(("docker", "start", "web"),)))
    run.set_state(states.ROLLING_BACK)
    run.undone(run.steps()[1])
    assert engine.rollback_preview(host, run) == ["--- /etc/a", "+++ /etc/a", "@@ -1 +1 @@", "-A", "\\ No newline at end of file", "+a", "\\ No newline at end of file"]
    assert rollback(host, journal, run, force=False).undone == 1
    assert host.ran == [] and (host.root / "etc/a").read_text() == "a" and info(run)["state"] == "rolled_back"


def test_a_rename_back_made_by_a_rollback_killed_before_recording_it_is_not_made_again(journal, host):
    run = new_run(journal)
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "0123abc", "web-hardener-x"),
                       undo=(("docker", "rename", "0123abc", "web"),), keeps="web-hardener-x"))
    run.done(run.begin(("privileged",), "run_command", "container web", command=("docker", "update", "--restart", "no", "0123abc"),
                       undo=(("docker", "update", "--restart", "always", "0123abc"),)))
    run.set_state(states.ROLLING_BACK)
    run.undone(run.steps()[1])
    host.names["0123abc"] = "web"
    host.containers.add("0123abc")
    assert _undo(host, run, run.steps()) == [] and host.ran == [] and all(s.undone for s in run.steps())
    host.names["0123abc"] = "web-hardener-x"
    _run_undo(host, run, run.steps()[0])
    assert host.ran == [("docker", "rename", "0123abc", "web")]
    host.names["0123abc"] = "web"
    for other in (("docker", "rename", "0123abc", "web", "extra"), ("docker", "update", "0123abc", "web")):
        _run_undo(host, run, replace(run.steps()[0], undo=(other,)))
        assert host.ran[-1] == other


# -- apply's own undo of a run that failed ------------------------------------------------------------------------------


def served(*changes):
    """The changes of a plan, as apply takes them: each serving the item icc."""
    item = type("Item", (), {"id": "icc"})
    return [ItemResult(item, Status.FAIL, "icc_enabled", (), tuple(replace(change, items=("icc",)) for change in changes))]


UPDATE = RunCommand("container web", ("docker", "update", "--memory", "1g", "web"), (("docker", "update", "--memory", "0", "web"),))
RESTART = RunCommand("service docker", ("systemctl", "restart", "docker"), (("systemctl", "restart", "docker"),))


def apply_plan(host, journal, changes):
    with journal.lock():
        return engine.apply(host, journal, served(*changes))


def test_an_apply_carried_out_says_its_run_and_how_many_changes_it_made(journal, host):
    write(host, "/etc/docker/daemon.json", "{}\n")
    outcome = apply_plan(host, journal, (WriteFile("/etc/docker/daemon.json", '{"icc": false}\n'), UPDATE))
    (run,) = journal.runs()
    assert outcome == engine.ApplyOutcome(run_id=run.id, changes=2)
    assert info(run)["state"] == states.APPLIED and host.ran == [UPDATE.command]


def test_an_apply_with_nothing_to_change_starts_no_run(journal, host):
    assert apply_plan(host, journal, ()) == engine.ApplyOutcome(run_id=None, changes=0)
    assert journal.runs() == []


def test_an_apply_that_fails_undoes_what_it_made_and_says_the_error(journal, host, monkeypatch):
    daemon = write(host, "/etc/docker/daemon.json", "{}\n")
    host.failing[RESTART.command] = HostError("systemctl restart docker failed: Job for docker.service failed")
    marked = []  # the run's state as the undo begins: a kill from there on leaves what a rollback leaves
    undo = engine._undo
    monkeypatch.setattr(engine, "_undo", lambda host, run, steps, force=False: marked.append(run.recorded_state) or undo(host, run, steps, force))
    with pytest.raises(engine.ApplyFailed) as failed:
        apply_plan(host, journal, (WriteFile("/etc/docker/daemon.json", '{"icc": false}\n'), RESTART))
    assert failed.value.undone is True
    assert failed.value.said("en") == failed.value.said("zh") == "systemctl restart docker failed: Job for docker.service failed"
    (run,) = journal.runs()
    assert failed.value.run_id == run.id
    assert marked == [states.ROLLING_BACK]
    assert daemon.read_text() == "{}\n", "the file it wrote is given back"
    assert info(run)["state"] == states.FAILED_ROLLED_BACK
    assert info(run)["error"] == "systemctl restart docker failed: Job for docker.service failed"
    assert host.ran == [RESTART.command, *RESTART.undo], "the restart that failed is made again by the undo"


def test_an_apply_whose_journal_fills_the_disk_undoes_what_it_made_and_says_so(journal, host, monkeypatch):
    begin = Run.begin

    def full_at_the_second(run, *args, **values):
        if run._begun:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return begin(run, *args, **values)

    monkeypatch.setattr(Run, "begin", full_at_the_second)
    with pytest.raises(engine.ApplyFailed) as failed:
        apply_plan(host, journal, (UPDATE, RESTART))
    assert failed.value.undone is True and failed.value.said("en") == "No space left on device"
    assert info(journal.runs()[0])["error"] == "No space left on device"
    assert host.ran == [UPDATE.command, *UPDATE.undo], "the restart was not begun; the update is undone"


def test_an_apply_whose_undo_fails_too_says_both_and_leaves_the_run_to_roll_back(journal, host):
    host.failing[RESTART.command] = HostError("systemctl restart docker failed: Job for docker.service failed")
    host.failing[UPDATE.undo[0]] = HostError("docker update --memory 0 web failed: No such container: web")
    with pytest.raises(engine.ApplyFailed) as failed:
        apply_plan(host, journal, (UPDATE, RESTART))
    (run,) = journal.runs()
    assert (failed.value.undone, failed.value.run_id) == (False, run.id)
    assert failed.value.said("en") == ("systemctl restart docker failed: Job for docker.service failed; undoing it failed too: "
                                       "docker update --memory 0 web failed: No such container: web")
    assert failed.value.said("zh") == ("systemctl restart docker failed: Job for docker.service failed；撤销也失败了："
                                       "docker update --memory 0 web failed: No such container: web")
    assert {key: info(run)[key] for key in ("state", "error", "undo_error")} == {
        "state": states.FAILED, "error": "systemctl restart docker failed: Job for docker.service failed",
        "undo_error": "docker update --memory 0 web failed: No such container: web"}


def test_an_apply_undone_that_the_journal_cannot_record_says_so(journal, host, monkeypatch):
    host.failing[RESTART.command] = HostError("systemctl restart docker failed")
    set_state = Run.set_state

    def disk_full_at_the_end(run, state, **extra):
        if state == states.FAILED_ROLLED_BACK:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        set_state(run, state, **extra)

    monkeypatch.setattr(Run, "set_state", disk_full_at_the_end)
    with pytest.raises(engine.ApplyFailed) as failed:
        apply_plan(host, journal, (UPDATE, RESTART))
    run_id = journal.runs()[0].id
    assert (failed.value.undone, failed.value.run_id) == (False, run_id)
    assert failed.value.said("en") == (f"systemctl restart docker failed; its changes were undone, but the journal could not "
                                       f"record that (harden rollback {run_id} confirms it)")
    assert failed.value.said("zh") == f"systemctl restart docker failed；其更改已撤销，但日志未能记录这一点（harden rollback {run_id} 可确认）"
    assert host.ran == [UPDATE.command, RESTART.command, *RESTART.undo, *UPDATE.undo]


def test_an_apply_whose_journal_cannot_start_changes_nothing_and_says_where(journal, host, monkeypatch):
    def refused(items):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(journal, "start_run", refused)
    with pytest.raises(HostError) as failed:
        apply_plan(host, journal, (UPDATE,))
    assert str(failed.value) == (f"cannot start the journal of this run in /var/lib/hardener (in {host.root}): Permission denied; "
                                 "nothing was changed")
    assert host.ran == []


def test_a_rollback_s_preview_says_what_it_would_do_to_each_thing_newest_first_and_restarts_last(journal, host):
    write(host, "/etc/docker/daemon.json", b"{}\n\xff\n")  # not UTF-8: shown as the replacement character
    write(host, "/etc/default/docker", "A\n")
    write(host, "/etc/docker/key.json", "key\n", mode=0o644)
    write(host, "/etc/audit/rules.d/docker.rules", "old\n")
    run = new_run(journal)
    carried_out(host, run, RunCommand("service docker", ("systemctl", "restart", "docker"), (("systemctl", "restart", "docker"),)))
    carried_out(host, run, WriteFile("/etc/docker/daemon.json", '{"icc": false}\n'))
    carried_out(host, run, WriteFile("/etc/default/docker", "B\n"))
    carried_out(host, run, WriteFile("/etc/audit/rules.d/docker.rules", "new\n"))
    carried_out(host, run, RunCommand("container web", ("docker", "update", "--memory", "1g", "web"),
                                      (("docker", "update", "--memory", "0", "web"), ("docker", "start", "web"))))
    carried_out(host, run, SetOwnerMode("/etc/docker/key.json", 0, 0, 0o600))
    carried_out(host, run, WriteFile("/etc/docker/new.json", "{}\n"))
    run.done(run.begin(("icc",), RemoveContainer.kind, "container old", command=("docker", "rm", "old"), request={"name": "old"}))
    carried_out(host, run, WriteFile("/etc/docker/undone.json", "{}\n"))
    run.undone(run.steps()[-1])  # undone by a rollback killed since: not undone again
    run.set_state(states.ROLLING_BACK)
    write(host, "/etc/docker/daemon.json", b'{"icc": false}\n\xfe\n')  # changed since, not UTF-8 either
    (host.root / "etc/default/docker").unlink()  # removed since
    write(host, "/etc/audit/rules.d/docker.rules", "")  # emptied since
    os.chown(host.root / "etc/docker/key.json", 0, 0)
    (host.root / "etc/docker/key.json").write_text("edited\n")  # its content changed: its owner and mode alone are given back
    contents = ["--- /etc/audit/rules.d/docker.rules", "+++ /etc/audit/rules.d/docker.rules", "@@ -0,0 +1 @@", "+old",
                "--- /etc/default/docker", "+++ /etc/default/docker", "@@ -0,0 +1 @@", "+A",
                "--- /etc/docker/daemon.json", "+++ /etc/docker/daemon.json", "@@ -1,2 +1,2 @@", '-{"icc": false}', "+{}", " \ufffd"]
    preview = engine.rollback_preview(host, run)
    assert preview == [
        "container old: create it again from its recorded configuration (a new container, without its writable layer)",
        "remove /etc/docker/new.json",
        "/etc/docker/key.json: owner/mode root:root 0600 -> root:root 0644",
        "container web: run docker update --memory 0 web",
        "container web: run docker start web",
        *contents,
        "service docker: run systemctl restart docker",
    ]
    assert [said(line, "zh") for line in preview] == [  # the files' diffs are theirs, in every language
        "container old：按记录的配置重新创建（新容器，不含原可写层）",
        "删除 /etc/docker/new.json",
        "/etc/docker/key.json：属主/权限 root:root 0600 -> root:root 0644",
        "container web：运行 docker update --memory 0 web",
        "container web：运行 docker start web",
        *contents,
        "service docker：运行 systemctl restart docker",
    ]


def test_a_change_only_in_bytes_a_diff_cannot_show_is_said_not_hidden(journal, host):
    write(host, "/etc/a", b"old\n\xff\n")
    run = applied(journal, host, WriteFile("/etc/a", "A\n"))
    write(host, "/etc/a", b"A\n\xfe\n")
    assert changed_since(host, run, run.steps(), host.state("/etc/a"))[2:] == ["@@ -1 +1,2 @@", " A", "+\ufffd"]
    write(host, "/etc/a", b"old\n\xfe\n")  # the bytes harden found back, but one: both read as the replacement character
    assert engine.rollback_preview(host, run) == ["/etc/a: give back its content, which differs in bytes a diff cannot show (not UTF-8)"]
    (run.directory / "backup" / "0001.after").write_bytes(b"old\n\xfd\n")
    assert changed_since(host, run, run.steps(), host.state("/etc/a")) == [
        "/etc/a: its content changed since, in bytes its diff cannot show (not UTF-8)"]
    assert [said(line, "zh") for line in changed_since(host, run, run.steps(), host.state("/etc/a"))] == [
        "/etc/a：此后内容已被更改，差异在于其 diff 无法显示的字节（非 UTF-8）"]


def test_an_empty_file_removed_since_is_made_again_empty(journal, host):
    write(host, "/etc/a", "")
    run = applied(journal, host, WriteFile("/etc/a", "A\n"))
    os.unlink(host.root / "etc/a")
    assert engine.rollback_preview(host, run) == ["/etc/a: create it again, empty, as harden found it"]
    rollback(host, journal, run, force=True)  # removed since: drift, which only a forced rollback overrides
    assert (host.root / "etc/a").read_bytes() == b""


def test_a_rollback_s_preview_of_a_damaged_journal_is_refused_and_says_what_is_damaged(journal, host):
    write(host, "/etc/a", "a")
    write(host, "/etc/b", "b")
    run = applied(journal, host, WriteFile("/etc/a", "A"), WriteFile("/etc/b", "B"))
    for backup in sorted((run.directory / "backup").iterdir()):
        backup.write_bytes(b"tampered")
    with pytest.raises(RollbackRefused) as refused:
        engine.rollback_preview(host, run)
    problems = [run.backup_problem(step) for step in run.steps()]
    assert len(problems) == 2 and all(problems)
    assert str(refused.value) == (f"the journal of run {run.id} is damaged: {problems[0]}; {problems[1]}; nothing can be restored "
                                  f"from it as it is (harden rollback --force {run.id} restores what can be verified)")
    (run.directory / "steps.jsonl").write_text("not json\n" * 3)
    with pytest.raises(RollbackRefused) as refused:
        engine.rollback_preview(host, run)
    with pytest.raises(JournalDamaged) as damaged:
        run.steps()
    assert str(refused.value) == (f"{damaged.value}; nothing can be restored from it as it is (harden rollback --force {run.id} "
                                  "restores what can be verified)")


def test_the_commands_after_a_rename_back_made_already_are_still_run(journal, host):
    run = new_run(journal)
    step_ = run.begin(("privileged",), "run_command", "container web", command=("docker", "rename", "0123abc", "web-old"),
                      undo=(("docker", "rename", "0123abc", "web"), ("docker", "start", "web")))
    run.done(step_)
    host.names["0123abc"] = "web"  # renamed back by a rollback killed before it recorded it
    _run_undo(host, run, run.steps()[0])
    assert host.ran == [("docker", "start", "web")]


def test_a_users_file_made_a_directory_or_a_link_since_is_said_and_never_read_through(journal, host):
    """A file a run wrote for a user (alice), which she then made a directory, or a link to root's secret: drift and
    the rollback's preview say so (not a regular file now; a link, not hers), nothing is read through the link, and
    its undo is refused the same way."""
    home = host.root / "home/alice/.config/docker"
    home.mkdir(parents=True)
    for path in (host.root / "home/alice", host.root / "home/alice/.config", home):
        os.chown(path, 1000, 1000)
    users = "/home/alice/.config/docker/daemon.json"
    write(host, users, '{"icc": true}\n')
    os.chown(host.root / users.lstrip("/"), 1000, 1000)
    write(host, "/etc/secret", "root-only-SECRET\n", mode=0o600)
    run = new_run(journal)
    carried_out(host, run, WriteFile(users, '{"icc": false}\n', owner=(1000, 1000)))
    (written,) = run.steps()
    assert written.user == 1000
    real = host.root / users.lstrip("/")
    real.unlink()
    real.mkdir()
    os.chown(real, 1000, 1000)
    assert file_drift(host, run, [written], False)[0] == f"{users}: not a regular file now"
    assert f"{users}: not a regular file now" in engine.rollback_preview(host, run)
    real.rmdir()
    real.symlink_to("../../../../etc/secret")
    os.chown(real, 1000, 1000, follow_symlinks=False)
    said_of_link = file_drift(host, run, [written], False)
    assert len(said_of_link) == 1 and "is a link now, not alice's file; it was not read" in said_of_link[0], said_of_link
    preview = engine.rollback_preview(host, run)
    assert not any("SECRET" in line for line in preview) and any("is a link now, not alice's file" in line for line in preview), preview
    with pytest.raises(HostError, match="is a link now, not alice's file"):
        _restore(host, run, written)
    assert (host.root / "etc/secret").read_text() == "root-only-SECRET\n"


def alices_config(host):
    home = host.root / "home/alice/.config"
    home.mkdir(parents=True)
    for path in (host.root / "home/alice", home):
        os.chown(path, 1000, 1000)
    return "/home/alice/.config"


def test_what_a_run_made_for_a_user_is_removed_only_while_its_directories_are_hers_alone(journal, host, monkeypatch):
    """A drop-in and its directories a run made for alice: while a directory holding one is writable by others, its
    undo is refused (root does not remove a name there for her), also where she opens it between the undo's look
    and its removal; once it is hers alone again, each is removed."""
    config = alices_config(host)
    drop_in = f"{config}/systemd/user/docker.service.d/zz-hardener.conf"
    rewritten, loosened = f"{config}/systemd/user/docker.service.d/10-hers.conf", f"{config}/systemd/user/docker.service.d/20-hers.conf"
    run = new_run(journal)
    carried_out(host, run, WriteFile(drop_in, "[Service]\n", owner=(1000, 1000)))
    for path in (rewritten, loosened):
        write(host, path, "[Service]\nEnvironment=HERS=1\n", mode=0o664)
        os.chown(host.root / path.lstrip("/"), 1000, 1000)
    carried_out(host, run, WriteFile(rewritten, "[Service]\n", owner=(1000, 1000)))
    carried_out(host, run, SetOwnerMode(loosened, 1000, 1000, 0o644, user=1000))
    made = {step.path: step for step in run.steps()}
    assert [made[path].kind for path in sorted(made)] == [MAKE_DIR, MAKE_DIR, MAKE_DIR, "write_file", "set_owner_mode",
                                                          "write_file"], made
    assert {step.user for step in made.values()} == {1000}
    directory = host.root / drop_in.lstrip("/").rpartition("/")[0]
    examining = host.state

    def opened_after_the_look(where):
        def state(path, user=None):
            found = examining(path, user)
            where.chmod(0o777)
            return found
        return state

    def refused_while_open(undone, holding, said, untouched):
        """The undo refused, and nothing undone, with `holding` writable by others: opened before its look, and between
        its look and its change."""
        for opened in ("before", "between"):
            if opened == "before":
                holding.chmod(0o777)
            else:
                monkeypatch.setattr(host, "state", opened_after_the_look(holding))
            with pytest.raises(HostError, match=said):
                _restore(host, run, undone)
            monkeypatch.setattr(host, "state", examining)
            holding.chmod(0o755)
            assert untouched(), f"{undone.path} left as it was in a directory others can write ({opened})"

    def as_before(path):
        found = host.root / path.lstrip("/")
        return (found.read_text(), oct(found.stat().st_mode & 0o777)) == ("[Service]\nEnvironment=HERS=1\n", "0o664")

    undos = [(made[rewritten], as_before), (made[loosened], as_before), (made[drop_in], lambda path: not os.path.lexists(host.root / path.lstrip("/")))]
    for undone, undone_right in undos:
        refused_while_open(undone, directory, r"docker\.service\.d is alice:alice 0777, which others than alice and root can change",
                           lambda: not undone_right(undone.path))
        _restore(host, run, undone)
        assert undone_right(undone.path), undone.path
    made_dir = made[str(PurePosixPath(drop_in).parent)]
    (host.root / rewritten.lstrip("/")).unlink()
    (host.root / loosened.lstrip("/")).unlink()
    refused_while_open(made_dir, directory.parent, r"/user is alice:alice 0777, which others than alice and root can change",
                       directory.is_dir)
    _restore(host, run, made_dir)
    assert not directory.exists()


def test_the_preview_goes_on_past_a_users_file_it_cannot_read(journal, host, monkeypatch):
    """A rollback's preview, newest change first: alice's file, made a link since (or swapped for one between its
    look and its read), is said in a line, and the older changes are still previewed after it."""
    config = alices_config(host)
    users = f"{config}/daemon.json"
    write(host, users, '{"icc": true}\n')
    os.chown(host.root / users.lstrip("/"), 1000, 1000)
    write(host, "/etc/docker/daemon.json", '{"icc": true}\n')
    write(host, "/etc/secret", "root-only-SECRET\n", mode=0o600)
    run = new_run(journal)
    carried_out(host, run, WriteFile("/etc/docker/daemon.json", '{"icc": false}\n'))
    carried_out(host, run, WriteFile(users, '{"icc": false}\n', owner=(1000, 1000)))
    real = host.root / users.lstrip("/")

    def made_a_link():
        real.unlink()
        real.symlink_to("../../../etc/secret")
        os.chown(real, 1000, 1000, follow_symlinks=False)

    real.write_text('{"icc": false, "debug": true}\n')  # changed since: its preview reads it
    reading = host.read_bytes

    def swapped_before_the_read(path, user=None):
        if path == users:
            made_a_link()
        return reading(path, user)

    monkeypatch.setattr(host, "read_bytes", swapped_before_the_read)
    preview = engine.rollback_preview(host, run)
    root_diff = "--- /etc/docker/daemon.json"
    assert preview[0].startswith(users) and "link" in preview[0], preview
    assert root_diff in preview and not any("SECRET" in line for line in preview), preview
    monkeypatch.setattr(host, "read_bytes", reading)
    preview = engine.rollback_preview(host, run)  # a link already when it is looked at
    assert "is a link now, not alice's file" in preview[0] and root_diff in preview, preview
