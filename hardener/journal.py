"""The journal: what each run changed and what undoes it, kept durably on the host.

    <root>/var/lib/hardener/lock                  flock held by apply and rollback
    <root>/var/lib/hardener/runs/<run-id>/        0700, one directory a run
        run.json      id, times, items, state
        steps.jsonl   one record a line, appended and fsynced:
                      {"event": "begin", "step": 1, "item", "kind", "path", "backup",
                       "before", "after" (file changes) or "command", "undo" (commands)}
                      {"event": "done", "step": 1}
        backup/       the content a step replaced (0001) and what it wrote (0001.after)
        drift/        files changed by someone else, saved by `rollback --force`

A step is recorded, and synced, before its change is made; so after a crash
every change that may have happened has its undo on disk.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import secrets
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .host import FileState, Host, sync_dir, write_all
from .model import Text

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

UNFINISHED = (APPLYING, ROLLING_BACK)
UNDONE = (ROLLED_BACK, FAILED_ROLLED_BACK)

# Tests stop the process (SIGSTOP) after this many durable records, so that
# another process can kill it there with SIGKILL: the crash test of every step.
_STOP_AFTER_RECORD = os.environ.get("HARDENER_TEST_STOP_AFTER_RECORD")


class JournalError(Exception):
    pass


@dataclass(frozen=True)
class Step:
    number: int
    item: str
    kind: str
    path: str  # a file, or what a command changes ("container web")
    done: bool
    before: Optional[FileState] = None  # file changes
    after: Optional[FileState] = None
    has_backup: bool = False
    command: Tuple[str, ...] = ()  # command changes
    undo: Tuple[Tuple[str, ...], ...] = ()
    caveat: Optional[Text] = None  # what the undo cannot give back exactly
    containers: Tuple[str, ...] = ()  # a docker restart: the containers running before it


def _step(number: int, record: dict, done: bool) -> Step:
    files = "before" in record
    return Step(
        number=number, item=record["item"], kind=record["kind"], path=record["path"], done=done,
        before=FileState.from_json(record["before"]) if files else None,
        after=FileState.from_json(record["after"]) if files else None,
        has_backup=record["backup"],
        command=tuple(record.get("command", ())), undo=tuple(tuple(step) for step in record.get("undo", ())),
        caveat=Text(**record["caveat"]) if "caveat" in record else None,
        containers=tuple(record.get("containers", ())),
    )


def new_run_id(now: datetime.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class Run:
    def __init__(self, journal: "Journal", directory: Path):
        self.journal = journal
        self.directory = directory
        self.id = directory.name

    # -- reading ---------------------------------------------------------------

    @property
    def info(self) -> dict:
        try:
            return json.loads((self.directory / "run.json").read_text())
        except (OSError, ValueError) as error:
            raise JournalError(f"journal of run {self.id} is unreadable: {error}") from None

    @property
    def sequence(self) -> int:
        """Runs are ordered by this: their ids can share a second."""
        return self.info["sequence"]

    @property
    def state(self) -> str:
        state = self.info["state"]
        if state in UNFINISHED:
            return INTERRUPTED if self.journal.lock_is_free_or_mine() else IN_PROGRESS
        return state

    def steps(self) -> List[Step]:
        begun = {}
        done = set()
        path = self.directory / "steps.jsonl"
        if not path.exists():
            return []
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                break  # the last line of a run killed while writing it
            if record["event"] == "begin":
                begun[record["step"]] = record
            elif record["event"] == "done":
                done.add(record["step"])
        return [_step(number, record, number in done) for number, record in sorted(begun.items())]

    def paths(self) -> set:
        return {step.path for step in self.steps()}

    def backup(self, step: Step) -> bytes:
        return (self.directory / "backup" / f"{step.number:04d}").read_bytes()

    def written(self, step: Step) -> Optional[bytes]:
        path = self.directory / "backup" / f"{step.number:04d}.after"
        return path.read_bytes() if path.exists() else None

    # -- writing ---------------------------------------------------------------

    def begin(self, item: str, kind: str, path: str, *, before: Optional[FileState] = None, after: Optional[FileState] = None,
              backup: Optional[bytes] = None, written: Optional[bytes] = None,
              command: Tuple[str, ...] = (), undo: Tuple[Tuple[str, ...], ...] = (), caveat: Optional[Text] = None,
              containers: Tuple[str, ...] = ()) -> Step:
        number = len(self.steps()) + 1
        if backup is not None:
            self._store(f"{number:04d}", backup)
        if written is not None:
            self._store(f"{number:04d}.after", written)
        record = {"event": "begin", "step": number, "item": item, "kind": kind, "path": path, "backup": backup is not None}
        if before is not None:
            record.update(before=before.to_json(), after=after.to_json())
        if command:
            record.update(command=list(command), undo=[list(step) for step in undo])
        if caveat is not None:
            record.update(caveat={"en": caveat.en, "zh": caveat.zh})
        if containers:
            record.update(containers=list(containers))
        self._append(record)
        return _step(number, record, False)

    def done(self, step: Step) -> None:
        self._append({"event": "done", "step": step.number})

    def set_state(self, state: str, **extra) -> None:
        info = self.info
        info.update(extra, state=state)
        if state not in UNFINISHED:
            info["finished"] = _now().isoformat(timespec="seconds")
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
        _write_synced(directory / name, data)
        sync_dir(directory)

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
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise JournalError(
                f"another harden apply or rollback (pid {holder}) is running on {self.host.root}; try again when it has finished"
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
        runs = [Run(self, path) for path in self.runs_dir.iterdir() if (path / "run.json").exists()]
        return sorted(runs, key=lambda run: run.sequence)

    def run(self, run_id: str) -> Run:
        for run in self.runs():
            if run.id == run_id:
                return run
        raise JournalError(f"no run {run_id} in {self.host.display(HOME)} (see: harden history)")

    def start_run(self, items: List[str]) -> Run:
        assert self._lock_fd is not None, "a run starts under the lock"
        now = _now()
        sequence = max((run.sequence for run in self.runs()), default=0) + 1
        self.runs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory = self.runs_dir / new_run_id(now)
        directory.mkdir(mode=0o700)
        self.write_json(directory / "run.json", {
            "id": directory.name, "started": now.isoformat(timespec="seconds"), "finished": None,
            "items": items, "state": APPLYING, "root": str(self.host.root), "sequence": sequence,
        })
        sync_dir(self.runs_dir)
        return Run(self, directory)

    def remove(self, run: Run) -> None:
        shutil.rmtree(run.directory)

    def write_json(self, path: Path, data: dict) -> None:
        temp = path.with_name(path.name + ".tmp")
        _write_synced(temp, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
        os.rename(temp, path)
        sync_dir(path.parent)
        self.recorded()

