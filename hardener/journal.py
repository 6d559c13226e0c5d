"""The journal: what each run changed and what undoes it, kept durably on the host.

    <root>/var/lib/hardener/lock                  flock held by apply and rollback
    <root>/var/lib/hardener/runs/<run-id>/        0700, one directory a run
        run.json      format, id, times, items, state, and steps_begun: how many
                      step records steps.jsonl must hold (format 2 on)
        steps.jsonl   one record a line, appended and fsynced:
                      {"event": "begin", "step": 1, "item", "items", "kind", "path", "backup",
                       "before", "after" (file changes) or "command", "undo" (commands),
                       "service", "context" (restarts), "keeps", "discard" (what is kept aside)}
                      {"event": "done", "step": 1}
                      {"event": "undone", "step": 1}   (rollback's progress)
        backup/       the content a step replaced (0001) and what it wrote (0001.after)
        drift/        files changed by someone else, saved by `rollback --force`

A step is recorded, and synced, before its change is made; so after a crash
every change that may have happened has its undo on disk. Its record is
appended first and counted in run.json after, so a record may be there
uncounted (a crash between the two) but a counted one is never missing: a
missing, truncated or garbled record is damage, and rollback refuses it.
Every backup is checked against the checksum recorded with it before
anything is restored.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .host import FileState, Host, sha256_of, sync_dir, write_all
from .model import RemoveContainer, Text

HOME = "/var/lib/hardener"

# States a run can be in. A run still "applying" or "rolling_back" while
# nobody holds the lock was interrupted (crash, kill -9, power loss).
APPLYING = "applying"
APPLIED = "applied"
FAILED_ROLLED_BACK = "failed_rolled_back"
FAILED = "failed"  # apply failed and undoing it failed too: needs `harden rollback`
ROLLING_BACK = "rolling_back"
ROLLED_BACK = "rolled_back"
INTERRUPTED = "interrupted"
IN_PROGRESS = "in_progress"

DAMAGED = "damaged"  # run.json unreadable or incomplete: `harden rollback --force RUN` restores what it can verify
ROLLBACK_INCOMPLETE = "rollback_incomplete"  # a forced rollback restored what it could verify, not everything

UNFINISHED = (APPLYING, ROLLING_BACK)
UNDONE = (ROLLED_BACK, FAILED_ROLLED_BACK, ROLLBACK_INCOMPLETE)
BLOCKING = (INTERRUPTED, FAILED, DAMAGED)  # no apply until such a run is rolled back

# 1: the first journals (no step count); 2: run.json counts the step records;
# 3: a step names every item it serves, its service handler and what it keeps aside.
FORMAT = 3
KNOWN_FORMATS = (1, 2, 3)

# Tests stop the process (SIGSTOP) after this many durable records, so that
# another process can kill it there with SIGKILL: the crash test of every step.
_STOP_AFTER_RECORD = os.environ.get("HARDENER_TEST_STOP_AFTER_RECORD")


class JournalError(Exception):
    pass


class JournalDamaged(JournalError):
    """The record of a run cannot be trusted; `problems` says what is wrong."""

    def __init__(self, run_id: str, problems: List[str]):
        super().__init__(f"the journal of run {run_id} is damaged: {'; '.join(problems)}")
        self.problems = problems


@dataclass(frozen=True)
class Step:
    number: int
    items: Tuple[str, ...]  # the items the change served
    kind: str
    path: str  # a file, or what a command changes ("container web")
    done: bool
    before: Optional[FileState] = None  # file changes
    after: Optional[FileState] = None
    has_backup: bool = False
    command: Tuple[str, ...] = ()  # command changes
    undo: Tuple[Tuple[str, ...], ...] = ()
    caveat: Optional[Text] = None  # what the undo cannot give back exactly
    service: str = ""  # a restart: the handler that restarts it
    context: Optional[dict] = None  # a restart: what its handler recorded before it (the containers running)
    keeps: str = ""  # what the change keeps aside for rollback (a container), until its run is pruned
    discard: Tuple[Tuple[str, ...], ...] = ()  # what removes it then
    user: Optional[int] = None  # a user's file: undone only while it and its directories are that user's
    request: Optional[dict] = None  # a container created or removed through the engine: its whole configuration
    undone: bool = False  # its undo is recorded (done is then true as well: the step needs no more doing)


def _step(number: int, record: dict) -> Step:
    files = "before" in record
    restart = record["kind"] == "restart_service"
    return Step(
        number=number, items=tuple(record.get("items") or (record["item"],)), kind=record["kind"], path=record["path"], done=False,
        before=FileState.from_json(record["before"]) if files else None,
        after=FileState.from_json(record["after"]) if files else None,
        has_backup=record["backup"],
        command=tuple(record.get("command", ())), undo=tuple(tuple(step) for step in record.get("undo", ())),
        caveat=Text(**record["caveat"]) if "caveat" in record else None,
        # formats 1 and 2 knew one service, docker, and recorded its running containers alone
        service=record.get("service") or (record["path"].removesuffix(".service") if restart else ""),
        context=record.get("context") or ({"running": list(record.get("containers", ()))} if restart else None),
        keeps=record.get("keeps", ""),
        discard=tuple(tuple(command) for command in record.get("discard", ())),
        user=record.get("user"),
        request=record.get("request"),
    )


def new_run_id(now: datetime.datetime) -> str:
    import secrets  # with hmac and hashlib: loaded by apply, which makes runs, not by check

    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class Run:
    def __init__(self, journal: "Journal", directory: Path, begun: int = 0):
        self.journal = journal
        self.directory = directory
        self.id = directory.name
        self._begun = begun  # steps begun by this process (a run being applied)

    # -- reading ---------------------------------------------------------------

    @property
    def info(self) -> dict:
        try:
            info = json.loads((self.directory / "run.json").read_text())
        except (OSError, ValueError) as error:
            raise JournalError(f"journal of run {self.id} is unreadable: {error}") from None
        if not isinstance(info, dict):
            raise JournalError(f"journal of run {self.id} is unreadable: run.json is not an object")
        return info

    def damage(self) -> List[str]:
        """What is wrong with run.json, [] when it can be trusted."""
        try:
            info = self.info
        except JournalError as error:
            return [str(error).split(": ", 1)[1]]
        problems = []
        if not isinstance(info.get("sequence"), int) or isinstance(info.get("sequence"), bool):
            problems.append("run.json has no sequence number")
        if not isinstance(info.get("state"), str):
            problems.append("run.json has no state")
        version = info.get("format", 1)  # the first journals say none
        if version not in KNOWN_FORMATS:
            problems.append(f"run.json is of format {info.get('format')!r}, which this harden does not know")
        elif version >= 2 and not isinstance(info.get("steps_begun"), int):
            problems.append("run.json does not say how many steps were begun")
        return problems

    @property
    def sequence(self) -> int:
        """Runs are ordered by this: their ids can share a second."""
        sequence = self.info.get("sequence")
        if not isinstance(sequence, int):
            raise JournalError(f"journal of run {self.id} is damaged: run.json has no sequence number")
        return sequence

    @property
    def recorded_state(self) -> Optional[str]:
        """The state run.json says, as written (an interrupted run still says what it was doing)."""
        try:
            return self.info.get("state")
        except JournalError:
            return None

    @property
    def state(self) -> str:
        recorded = self.recorded_state
        if recorded in UNDONE:
            return recorded  # rolled back (a damaged one as far as it could be): it blocks nothing now
        if self.damage():
            return DAMAGED
        state = recorded
        if state in UNFINISHED:
            return INTERRUPTED if self.journal.lock_is_free_or_mine() else IN_PROGRESS
        return state

    def summary(self) -> dict:
        """The run as `history` shows it, damaged or not."""
        try:
            info = self.info
        except JournalError:
            info = {}
        steps, _ = self.readable_steps()
        summary = {"id": self.id, "sequence": None, "started": None, "finished": None, "items": [], "root": ""}
        summary.update({key: value for key, value in info.items() if key in summary or key in ("error", "undo_error", "unrestored")})
        if self.damage():
            summary["sequence"] = None
        summary.update(state=self.state, changes=len(steps))
        if summary["state"] not in UNDONE:
            summary["keeps"] = [step.keeps for step in steps if step.keeps and step.done]
            summary["recorded"] = [(step.request or {}).get("name", "") for step in steps
                                   if step.kind == RemoveContainer.kind and step.done]
        return summary

    def steps(self) -> List[Step]:
        """Every step recorded; a damaged record is an error, never fewer steps."""
        steps, problems = self.readable_steps()
        problems = self.damage() + problems
        if problems:
            raise JournalDamaged(self.id, problems)
        return steps

    def readable_steps(self) -> Tuple[List[Step], List[str]]:
        """The steps that can be read, and what is missing or unreadable."""
        begun, done, undone, problems = {}, set(), set(), []
        path = self.directory / "steps.jsonl"
        try:
            lines = path.read_bytes().decode(errors="replace").split("\n") if path.exists() else []
        except OSError as error:
            return [], [f"steps.jsonl is unreadable: {error.strerror}"]
        for index, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
                number = record["step"]
                if not isinstance(number, int) or record["event"] not in ("begin", "done", "undone"):
                    raise ValueError
                if record["event"] == "begin":
                    begun[number] = _step(number, record)
                else:
                    done.add(number)
                    if record["event"] == "undone":
                        undone.add(number)
            except (ValueError, KeyError, TypeError, AttributeError):
                if index < len(lines):
                    problems.append(f"steps.jsonl line {index} is unreadable")
                # the last line may be one a crash cut short: a counted record missing is caught below
        try:
            info = self.info
        except JournalError:
            info = {"format": None}
        counted = info.get("steps_begun")
        if info.get("format", 1) != 1 and not isinstance(counted, int):
            problems.append("the number of steps begun is not known, so a missing step record cannot be told")
        elif isinstance(counted, int):
            missing = [number for number in range(1, counted + 1) if number not in begun]
            if missing:
                problems.append(f"{len(missing)} of the {counted} step records begun are missing from steps.jsonl "
                                f"(steps {', '.join(map(str, missing[:5]))}{'…' if len(missing) > 5 else ''})")
        steps = [replace(step, done=number in done, undone=number in undone) for number, step in sorted(begun.items())]
        return steps, problems

    def backup_problem(self, step: Step) -> Optional[str]:
        """Why the backup of a step cannot be restored: missing, or not what was recorded."""
        if not step.has_backup:
            return None
        path = self.directory / "backup" / f"{step.number:04d}"
        try:
            data = path.read_bytes()
        except OSError:
            return f"the backup of {step.path} (step {step.number}) is missing"
        if step.before is None or sha256_of(data) != step.before.sha256:
            return f"the backup of {step.path} (step {step.number}) does not match the checksum recorded before the change"
        return None

    def paths(self) -> set:
        return {step.path for step in self.readable_steps()[0]}

    def backup(self, step: Step) -> bytes:
        return (self.directory / "backup" / f"{step.number:04d}").read_bytes()

    def written(self, step: Step) -> Optional[bytes]:
        path = self.directory / "backup" / f"{step.number:04d}.after"
        return path.read_bytes() if path.exists() else None

    # -- writing ---------------------------------------------------------------

    def begin(self, items: Tuple[str, ...], kind: str, path: str, *, before: Optional[FileState] = None,
              after: Optional[FileState] = None, backup: Optional[bytes] = None, written: Optional[bytes] = None,
              command: Tuple[str, ...] = (), undo: Tuple[Tuple[str, ...], ...] = (), caveat: Optional[Text] = None,
              service: str = "", context: Optional[dict] = None, keeps: str = "",
              discard: Tuple[Tuple[str, ...], ...] = (), user: Optional[int] = None, request: Optional[dict] = None) -> Step:
        number = self._begun + 1
        if backup is not None:
            self._store(f"{number:04d}", backup)
        if written is not None:
            self._store(f"{number:04d}.after", written)
        record = {"event": "begin", "step": number, "item": items[0], "items": list(items), "kind": kind, "path": path,
                  "backup": backup is not None}
        if before is not None:
            record.update(before=before.to_json(), after=after.to_json())
        if command:
            record.update(command=list(command), undo=[list(step) for step in undo])
        if caveat is not None:
            record.update(caveat={"en": caveat.en, "zh": caveat.zh})
        if service:
            record.update(service=service, context=context or {})
        if keeps:
            record.update(keeps=keeps, discard=[list(command) for command in discard])
        if user is not None:
            record.update(user=user)
        if request is not None:  # a container created through the Engine API: its whole configuration
            record.update(request=request)
        self._append(record)
        self._begun = number
        self._update(steps_begun=number)  # counted once its record is durable
        return _step(number, record)

    def done(self, step: Step) -> None:
        self._append({"event": "done", "step": step.number})

    def undone(self, step: Step) -> None:
        """A step's undo is made: the progress of a rollback, kept like the rest."""
        self._append({"event": "undone", "step": step.number})

    def set_state(self, state: str, **extra) -> None:
        if state not in UNFINISHED:
            extra["finished"] = _now().isoformat(timespec="seconds")
        self._update(state=state, **extra)

    def _update(self, **values) -> None:
        try:
            info = self.info
        except JournalError:
            info = {"id": self.id}  # a damaged run.json is written anew with what is known
        info.update(values)
        self.journal.write_json(self.directory / "run.json", info)

    def save_drifted(self, step: Step, content: bytes) -> Path:
        directory = self.directory / "drift"
        directory.mkdir(mode=0o700, exist_ok=True)
        target = directory / f"{step.number:04d}-{Path(step.path).name}"
        target.write_bytes(content)
        return target

    def _store(self, name: str, data: bytes) -> None:
        directory = self.directory / "backup"
        directory.mkdir(mode=0o700, exist_ok=True)
        try:
            _write_synced(directory / name, data)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(directory / name)  # a copy cut short is no copy
            raise
        sync_dir(directory)

    def discard_written(self) -> None:
        """Drop the copies of what the run wrote (kept to show drift): an undo
        does not need them, and on a full disk it needs their room."""
        for path in (self.directory / "backup").glob("*.after"):
            with contextlib.suppress(OSError):
                path.unlink()

    def _append(self, record: dict) -> None:
        path = self.directory / "steps.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        self.journal.recorded()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Journal:
    def __init__(self, host: Host):
        self.host = host
        self.home = host.real_path(HOME)
        self.runs_dir = self.home / "runs"
        self._lock_fd: Optional[int] = None
        self._records = 0

    def recorded(self) -> None:
        """Called after each durable record."""
        self._records += 1
        if _STOP_AFTER_RECORD is not None and self._records == int(_STOP_AFTER_RECORD):
            os.kill(os.getpid(), signal.SIGSTOP)

    # -- the lock --------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        try:
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.home / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise JournalError(f"cannot open the lock {self.host.display(HOME + '/lock')}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f"pid {holder}" if holder.isdigit() else "its pid is not known yet"
            raise JournalError(
                f"another harden apply or rollback ({who}) is running on {self.host.root}; try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd
        try:
            yield
        finally:
            self._lock_fd = None
            os.close(fd)

    def lock_is_free_or_mine(self) -> bool:
        if self._lock_fd is not None:
            return True
        try:
            fd = os.open(self.home / "lock", os.O_RDONLY)
        except FileNotFoundError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    # -- runs ------------------------------------------------------------------

    def runs(self) -> List[Run]:
        """Every recorded run, oldest first."""
        if not self.runs_dir.is_dir():
            return []
        runs = sorted((Run(self, path) for path in self.runs_dir.iterdir() if (path / "run.json").exists()),
                      key=lambda run: run.id)
        order, last = {}, 0.0
        for run in runs:  # by sequence; a run without one sits where its id (its start time) puts it
            try:
                last = order[run.id] = float(run.sequence)
            except JournalError:
                order[run.id] = last + 0.5
        return sorted(runs, key=lambda run: (order[run.id], run.id))

    def run(self, run_id: str) -> Run:
        for run in self.runs():
            if run.id == run_id:
                return run
        raise JournalError(f"no run {run_id} in {self.host.display(HOME)} (see: harden history)")

    def start_run(self, items: List[str]) -> Run:
        assert self._lock_fd is not None, "a run starts under the lock"
        now = _now()
        sequence = max((run.info.get("sequence") for run in self.runs() if not run.damage()), default=0) + 1
        self.runs_dir.mkdir(mode=0o700, exist_ok=True)  # in the journal's directory, which the lock made
        directory = self.runs_dir / new_run_id(now)
        directory.mkdir(mode=0o700)
        self.write_json(directory / "run.json", {
            "id": directory.name, "started": now.isoformat(timespec="seconds"), "finished": None,
            "items": items, "state": APPLYING, "root": str(self.host.root), "sequence": sequence,
            "format": FORMAT, "steps_begun": 0,
        })
        sync_dir(self.runs_dir)
        return Run(self, directory)

    def kept_aside(self) -> set:
        """What runs that are not rolled back keep aside (containers, by name): not the host's own."""
        return {step.keeps for run in self.runs() if run.state not in UNDONE
                for step in run.readable_steps()[0] if step.keeps}

    def remove(self, run: Run) -> None:
        import shutil

        shutil.rmtree(run.directory)

    def write_json(self, path: Path, data: dict) -> None:
        temp = path.with_name(path.name + ".tmp")
        try:
            _write_synced(temp, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
            os.rename(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        sync_dir(path.parent)
        self.recorded()

