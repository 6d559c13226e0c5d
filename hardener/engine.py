"""detect -> plan -> apply, and rollback: the generic part of every run.

Fixes describe; the engine carries out, recording each change in the journal
before making it, and undoes a run newest change first.
"""
from __future__ import annotations

import datetime
import posixpath
import time
from dataclasses import dataclass, field, replace
from typing import Collection, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Type

from . import journal as states
from .config import Config, Waiver
from . import planners, services
from .fixes import Fix
from .options import Options
from .host import FileState, Host, HostError, sha256_of
from .journal import Journal, JournalDamaged, JournalError, Run, Step
from .model import (FILE_CHANGES, Said, Change, CreateContainer, Detection, Line, RemoveContainer, Finding, ItemResult, Remedy, RestartService, RunCommand,
                    SetOwnerMode, Status, Text, WriteFile)
from .i18n import APPLY_FAILURES, ERRORS, REASONS, REFUSALS, STATE_LINES


class SelectionError(Said):
    pass


class RollbackRefused(Said):
    """Rollback would overwrite someone else's work, or cannot trust its record: a text of i18n.REFUSALS and its
    values; `details` shows what it found, as lines."""

    def __init__(self, key: str, details: Sequence[str] = (), **values):
        super().__init__(REFUSALS[key], **values)
        self.details = details


class ApplyFailed(Said):
    """An apply that stopped on an error: a text of i18n.APPLY_FAILURES (the error, and what became of the changes
    made before it) and its values; `undone` where they were undone and the journal says so."""

    def __init__(self, key: str, run_id: str, undone: bool, **values):
        super().__init__(APPLY_FAILURES[key], run_id=run_id, **values)
        self.run_id = run_id
        self.undone = undone


# -- selection ---------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    fixes: Tuple[Type[Fix], ...]
    named: frozenset  # ids the administrator named: --only, or the config's items


def select(available: Sequence[Type[Fix]], only: Optional[Collection[str]], skip: Collection[str], config: Config,
           profile: str) -> Selection:
    known = {fix.id for fix in available}
    for item in list(only or ()) + list(skip) + list(config.items or ()):
        if item not in known:
            raise SelectionError(ERRORS["unknown_item"], item=item, profile=profile, items=", ".join(sorted(known)))
    named = set(only) if only else set(config.items or ())
    wanted = named if (only or config.items is not None) else known
    chosen = tuple(fix for fix in available if fix.id in wanted and fix.id not in skip)
    if not chosen:  # a report of nothing would read as compliant
        raise SelectionError(ERRORS["nothing_selected"])
    return Selection(fixes=chosen, named=frozenset(named))


# -- detect and plan ---------------------------------------------------------


def evaluate(host: Host, selection: Selection, options: Options, today: Optional[datetime.date] = None) -> List[ItemResult]:
    """Each selected item's finding, and the plan of all of them: the intents of
    the failing items, turned into changes by one planner per kind of resource."""
    today = today or datetime.date.today()
    host.kept_aside = lambda: Journal(host).kept_aside()
    assessed = [_assess(host, fix_class(options), selection, options.config, today) for fix_class in selection.fixes]
    wanted = [(result.fix.id, intent) for result in assessed for intent in result.intents]
    planned, errors = planners.plan(host, wanted, options)
    results = []
    for result in assessed:
        served = tuple(change for change in planned.changes if result.fix.id in change.items)
        error = errors.get(result.fix.id) or _unwritable(host, served)
        if error is not None:
            results.append(_error(result.fix, error))
            continue
        findings = tuple(_as_planned(result.fix.id, finding, planned) for finding in result.findings)
        left_to_person = not served or not any(finding.status is Status.FAIL for finding in findings)
        status = Status.MANUAL if result.status is Status.FAIL and left_to_person else result.status
        notes = result.notes + tuple(planned.notes.get(result.fix.id, ()))
        results.append(replace(result, status=status, findings=findings, changes=served, notes=notes))
    return results


def _as_planned(item: str, finding: Finding, planned: planners.Planned) -> Finding:
    """A finding with what the plan adds to its evidence; manual where the plan leaves it to a person."""
    key = (item, finding.target)
    if key in planned.evidence:
        finding = replace(finding, evidence=dict(finding.evidence, **planned.evidence[key]))
    if key in planned.manual and finding.status is Status.FAIL:
        finding = replace(finding, status=Status.MANUAL)
    return finding


def plan_of(results: Sequence[ItemResult]) -> List[Change]:
    """Every change of the plan once, in the order of the first item each serves;
    services restart once the files are in place."""
    seen, changes = set(), []
    for result in results:
        for change in result.changes:
            if id(change) not in seen:
                seen.add(id(change))
                changes.append(change)
    return sorted(changes, key=lambda change: isinstance(change, RestartService))


def _unwritable(host: Host, changes: Sequence[Change]) -> Optional[HostError]:
    """A target harden cannot write (a link, say) is an error now, not half way."""
    try:
        for change in changes:
            if isinstance(change, FILE_CHANGES):
                host.state(change.path, change.user)
    except HostError as error:
        return error
    return None


def _error(fix: Fix, error: HostError) -> ItemResult:
    finding = Finding(target=error.target, status=Status.ERROR, reason=error.reason, severity="high",
                      evidence=dict(error.evidence, message=str(error)))
    return ItemResult(fix, Status.ERROR, error.reason, (finding,))


def _assess(host: Host, fix: Fix, selection: Selection, config: Config, today: datetime.date) -> ItemResult:
    """The item's findings and status, and the intents of a failing one that harden may carry out."""
    try:
        refs = fix.options.refs.get(fix.id, ())
        detection = _waive_findings(fix.detect(host), config.container_waivers(fix.id, refs), today)
    except HostError as error:
        return _error(fix, error)

    status = detection.status
    failing = [f for f in detection.findings if not f.status.compliant]
    reason = failing[0].reason if failing else {Status.PASS: "compliant", Status.WAIVED: "waived"}.get(status, detection.findings[0].reason)
    notes = list(detection.notes)
    # a manual one's: what its advice shows; a compliant or not applicable one's: its standing intents
    intents = detection.intents if status in (Status.FAIL, Status.MANUAL) else tuple(i for i in detection.intents if i.standing)

    waiver = config.waiver_for(fix.id, refs)
    partly = config.partly_named(fix.id, refs)
    if partly:
        notes.append(REASONS["partly_waived"].format(named=", ".join(partly), item=fix.id, refs=", ".join(refs)))
    if waiver and not waiver.expired(today):
        reason = f"waived_until_{waiver.expires.isoformat()}" if waiver.expires else "waived"
        notes.append(REASONS["waived"].format(why=waiver.reason))
        # its findings are waived too: each reference they answer is waived, not failing, in the per-reference verdicts
        findings = tuple(_waived(finding, waiver) if finding.status in (Status.FAIL, Status.MANUAL) else finding
                         for finding in detection.findings)
        return ItemResult(fix, Status.WAIVED, reason, findings, (), tuple(notes))
    if waiver and not status.compliant:
        reason = f"waiver_expired_{waiver.expires.isoformat()}"
        notes.append(REASONS["waiver_expired"].format(expires=waiver.expires, why=waiver.reason))

    if intents and fix.remedy is Remedy.WHEN_NAMED and fix.id not in selection.named:
        intents = ()  # not carried out, nor folded into the change another item shows (a container's one recreation)
        if status is Status.FAIL:
            status, reason = Status.MANUAL, "apply_only_when_named"
        notes.append(REASONS["apply_only_when_named"].format(item=fix.id))
    if fix.impact and status in (Status.FAIL, Status.MANUAL):
        notes.append(fix.impact)
    return ItemResult(fix, status, reason, detection.findings, (), tuple(notes), intents)


def _waived(finding: Finding, waiver: Waiver) -> Finding:
    """A finding a waiver covers: waived, still saying what is wrong (its reason), with the waiver's reason and end."""
    until = {"waiver_expires": waiver.expires.isoformat()} if waiver.expires else {}
    return replace(finding, status=Status.WAIVED, evidence=dict(finding.evidence, waiver=waiver.reason, waived_status=finding.status.value,
                                                                **until))


def _waive_findings(detection: Detection, waivers: Sequence[Waiver], today: datetime.date) -> Detection:
    """Container waivers turn the findings of the containers they name into `waived`."""
    if not waivers:
        return detection
    findings, notes = [], list(detection.notes)
    for finding in detection.findings:
        waiver = next((w for w in waivers if w.match.matches(finding.target, finding.labels)), None)
        if waiver and finding.status in (Status.FAIL, Status.MANUAL):
            if waiver.expired(today):
                notes.append(REASONS["waiver_expired"].format(expires=waiver.expires, why=f"{finding.target}: {waiver.reason}"))
            else:
                finding = _waived(finding, waiver)
        findings.append(finding)
    waived = {f.evidence.get("id") for f in findings if f.status is Status.WAIVED}
    intents = tuple(intent for intent in detection.intents if getattr(intent, "container", "")[:12] not in waived)
    return Detection(tuple(findings), tuple(notes), intents)


# -- apply ---------------------------------------------------------------------


@dataclass
class ApplyOutcome:
    run_id: Optional[str]
    changes: int


def refuse_if_unfinished(journal: Journal) -> None:
    for run in journal.runs():
        if run.state == states.DAMAGED:
            raise JournalError(f"the journal of run {run.id} is damaged ({'; '.join(run.damage())}); "
                               f"roll back what can be verified first: harden rollback --force {run.id}")
        if run.state in states.BLOCKING:
            raise JournalError(f"run {run.id} did not finish ({run.state}); roll it back first: harden rollback {run.id}")


def apply(host: Host, journal: Journal, results: Sequence[ItemResult]) -> ApplyOutcome:
    """Carry out the plan under one run. Must hold the journal's lock."""
    planned = plan_of(results)
    if not planned:
        return ApplyOutcome(run_id=None, changes=0)
    check_room(host, planned)
    try:
        run = journal.start_run([result.fix.id for result in results if result.changes])
    except OSError as error:
        raise HostError(f"cannot start the journal of this run in {host.display(states.HOME)}: {error.strerror}; "
                        "nothing was changed") from None
    try:
        for change in planned:
            _carry_out(host, run, change)
            host.forget_facts()  # what comes after reads the host as it is now
    except (HostError, OSError) as error:
        failure = error if isinstance(error, HostError) else f"{error.strerror or error}"
        run.discard_written()  # what the run wrote is not needed to undo it: room for the undo on a full disk
        _record_state(run, states.ROLLING_BACK)  # a kill from here on leaves what a rollback leaves (_states_left)
        try:
            _undo(host, run, run.steps())
        except (HostError, OSError) as undo_error:
            _record_state(run, states.FAILED, error=str(failure), undo_error=str(undo_error))
            raise ApplyFailed("undo_failed", run.id, False, error=failure, undo_error=undo_error) from None
        if not _record_state(run, states.FAILED_ROLLED_BACK, error=str(failure)):
            raise ApplyFailed("unrecorded", run.id, False, error=failure) from None
        raise ApplyFailed("undone", run.id, True, error=failure) from None
    finally:
        host.forget_facts()
    run.set_state(states.APPLIED)
    return ApplyOutcome(run_id=run.id, changes=len(planned))


def _record_state(run: Run, state: str, **extra) -> bool:
    """Record a run's end; False where even that cannot be written (a full disk)."""
    try:
        run.set_state(state, **extra)
        return True
    except OSError:
        return False


BLOCK = 4096
ROOM_MARGIN = 16 * 1024  # journal records, run.json, its directories: what is not counted file by file


def _blocks(size: int) -> int:
    return (size + BLOCK - 1) // BLOCK * BLOCK


def check_room(host: Host, changes: Sequence[Change]) -> None:
    """Refuse before the first change where a file system lacks the room the run
    needs: the journal's copies of each file before and after, and each new
    file's temporary copy beside its target, with a margin."""
    needed: Dict[int, int] = {}
    where: Dict[int, str] = {}
    free: Dict[int, int] = {}

    def need(path: str, size: int) -> None:
        device, available = host.free_space(path)
        needed[device] = needed.get(device, 0) + size
        where.setdefault(device, path)
        free[device] = available

    journal_path = states.HOME
    need(journal_path, ROOM_MARGIN)
    for change in changes:
        if isinstance(change, WriteFile):
            old = host.read_bytes(change.path, change.user) if host.state(change.path, change.user).exists else None
            new = len(change.content.encode())
            need(journal_path, _blocks(len(old or b"")) + _blocks(new))
            need(change.path, _blocks(new) + (BLOCK * 2 if old is None else 0))
        elif isinstance(change, RunCommand):
            for path in change.rewrites:
                need(journal_path, _blocks(len(host.read_bytes(path) or b"")) if host.state(path).exists else 0)
    for device, size in needed.items():
        if size > free[device]:
            raise HostError(f"not enough free space for this run on the file system of {host.display(where[device])}: "
                            f"it needs about {size // 1024} KiB (with a margin for undoing it), {free[device] // 1024} KiB "
                            "are free; free some space and try again; nothing was changed")


MAKE_DIR = "make_dir"
REWRITTEN = "rewritten_by_command"  # a file a command rewrites: what it was, to put back


def _make_parents(host: Host, run: Run, items: Tuple[str, ...], path: str, owner: Tuple[int, int] = (0, 0),
                  user: Optional[int] = None) -> None:
    """The missing directories above a new file (the file's owner's), each journaled, so that rollback removes them."""
    missing = []
    parent = posixpath.dirname(path)
    while parent != "/" and not host.state(parent).exists:
        missing.insert(0, parent)
        parent = posixpath.dirname(parent)
    for directory in missing:
        step = run.begin(items, MAKE_DIR, directory, before=FileState(exists=False),
                         after=FileState(exists=True, uid=owner[0], gid=owner[1], mode=0o755), user=user)
        host.make_dir(directory, owner=owner, user=user)
        run.done(step)
        host.log(f"run {run.id} item {', '.join(items)}: created directory {directory}")


VERIFY_TIMES, VERIFY_INTERVAL = 3, 1.0


def _wait_healthy(host: Host, change: CreateContainer) -> None:
    """Until the engine judges the new container healthy, for at most as long as its own health check can take to
    decide (planners.containers.healthy_within)."""
    found = host.unhealthy({change.name: change.healthy_within})
    if found is not None:
        raise HostError(f"{change.target}: the original was healthy, the new one is {found[1] or 'not checked'}")


def _keeps_running(host: Host, change: CreateContainer) -> None:
    """A started container must run, and keep running without a restart for a few seconds: its restart policy
    would hide a crash."""
    for attempt in range(VERIFY_TIMES):
        if attempt:
            time.sleep(VERIFY_INTERVAL)
        state = host.container_state(change.name)
        if state.get("RestartCount") or state.get("Restarting"):
            raise HostError(f"{change.target}: the new container does not keep running: its restart policy restarted it "
                            f"{state.get('RestartCount') or 1} time(s) since its start")
        if not state.get("Running"):
            error = f": {state['Error']}" if state.get("Error") else ""
            raise HostError(f"{change.target}: the new container does not run (it exited with {state.get('ExitCode')}{error})")


def _carry_out(host: Host, run: Run, change: Change) -> None:
    items = change.items
    what = ", ".join(items)
    if isinstance(change, RestartService):
        handler = services.handler(change.service)
        context = handler.before(host, change)
        step = run.begin(items, change.kind, change.unit, command=tuple(handler.commands(change)[-1]),
                         undo=tuple(handler.undo(change)), service=change.service, context=context)
        handler.restart(host, change, context)
        run.done(step)
        host.log(f"run {run.id} item {what}: restarted {change.unit}")
        return
    if isinstance(change, RemoveContainer):
        step = run.begin(items, change.kind, change.target, command=change.command, undo=(), caveat=change.caveat,
                         request={"name": change.name, "api_version": change.api_version, "start": change.start,
                                  "body": dict(change.request), "connect": [list(pair) for pair in change.connect],
                                  "disconnect": list(change.disconnect)})
        host.run(*change.command)
        run.done(step)
        host.log(f"run {run.id} item {what}: removed {change.target}, its configuration kept in the journal")
        return
    if isinstance(change, CreateContainer):
        step = run.begin(items, change.kind, change.target, command=change.command, undo=change.undo, request=dict(change.request))
        host.create_container(change)
        if change.start:
            _keeps_running(host, change)
        if change.healthy_within:
            _wait_healthy(host, change)
        run.done(step)
        host.log(f"run {run.id} item {what}: created {change.target} through the Engine API")
        return
    if isinstance(change, RunCommand):
        for path in change.rewrites:  # restored after the undo commands, so they come back byte for byte
            state = host.state(path)
            content = host.read_bytes(path) if state.exists else None
            run.done(run.begin(items, REWRITTEN, path, before=state, after=state, backup=content))
        with_id = lambda args: tuple(arg.replace("{run_id}", run.id) for arg in args)  # noqa: E731
        command = with_id(change.command)
        step = run.begin(items, change.kind, change.target, command=command, undo=tuple(map(with_id, change.undo)),
                         caveat=change.caveat, keeps=change.keeps.replace("{run_id}", run.id),
                         discard=tuple(map(with_id, change.discard)))
        host.run(*command)
        run.done(step)
        host.log(f"run {run.id} item {what}: ran {' '.join(command)}")
        return
    before = host.state(change.path, change.user)
    if isinstance(change, WriteFile):
        owner = change.owner or (0, 0)
        if not before.exists:
            _make_parents(host, run, items, change.path, owner, change.user)
        data = change.content.encode()
        if before.exists:
            after = replace(before, sha256=sha256_of(data))
        else:
            after = FileState(exists=True, uid=owner[0], gid=owner[1], mode=change.mode, sha256=sha256_of(data))
        backup = host.read_bytes(change.path, change.user) if before.exists else None
        step = run.begin(items, change.kind, change.path, before=before, after=after, backup=backup, written=data, user=change.user)
        host.write_file(change.path, data, new_mode=change.mode, new_owner=owner, user=change.user)
        done = "wrote" if before.exists else "created"
    else:
        if not before.exists:
            raise HostError(f"{host.display(change.path)} no longer exists")
        after = replace(before, uid=change.uid, gid=change.gid, mode=change.mode)
        step = run.begin(items, change.kind, change.path, before=before, after=after, user=change.user)
        host.set_owner_mode(change.path, change.uid, change.gid, change.mode, user=change.user)
        done = f"set owner {change.uid}:{change.gid} mode {change.mode:04o} on"
    run.done(step)
    host.log(f"run {run.id} item {', '.join(items)}: {done} {change.path}")


# -- rollback ------------------------------------------------------------------


def _undo(host: Host, run: Run, steps: Sequence[Step], force: bool = False) -> List[str]:
    """Newest change first; services restart once everything else is back. A step recorded undone (by a rollback
    killed since) is not undone again: its undo may no longer fit the host (a new container's removal, by its name,
    would remove the original renamed back since). With `force`, a step that cannot be undone (a container gone
    since) is passed by and said, and not recorded undone, so that a run can always be got out of the way and its
    journal still says what was not given back."""
    failed: List[str] = []

    def undo(step: Step, action) -> None:
        try:
            action()
        except HostError as error:
            if not force:
                raise
            failed.append(f"{step.path}: {error}")
            host.log(f"run {run.id} item {', '.join(step.items)}: could not undo {step.path}: {error}")
            return
        run.undone(step)

    steps = [step for step in steps if not step.undone]
    for step in reversed(steps):
        if step.kind == RestartService.kind:
            continue
        if step.kind == RemoveContainer.kind:
            undo(step, lambda: _create_again(host, run, step))
        elif step.command:
            undo(step, lambda: _run_undo(host, run, step))
        else:
            undo(step, lambda: (_restore(host, run, step), host.log(f"run {run.id} item {', '.join(step.items)}: restored {step.path}")))
    for step in steps:
        if step.kind == RestartService.kind:
            undo(step, lambda: (services.handler(step.service).restart_after_undo(host, step.path, list(step.undo), step.context or {}),
                                host.log(f"run {run.id} item {', '.join(step.items)}: restarted {step.path} with the files as they were")))
    return failed


def _create_again(host: Host, run: Run, step: Step) -> None:
    """A removed container, created again from the configuration recorded before its removal."""
    record = step.request or {}
    if not record or (not step.done and host.container_name(step.command[-1]) is not None):
        return  # killed before the removal: it is there still
    host.create_container(CreateContainer(step.path, record["name"], record["body"], record["api_version"],
                                          tuple((network, endpoint) for network, endpoint in record.get("connect", ())),
                                          record["start"], items=step.items, disconnect=tuple(record.get("disconnect", ()))))
    host.log(f"run {run.id} item {', '.join(step.items)}: created {record['name']} again from its recorded configuration")


def _run_undo(host: Host, run: Run, step: Step) -> None:
    for command in step.undo:
        if _renamed_already(host, command):
            continue
        try:
            host.run(*command)
        except HostError:
            if step.done:
                raise
            return  # killed before or while the command ran: there may be nothing to undo
        host.log(f"run {run.id} item {', '.join(step.items)}: undid {step.path} with {' '.join(command)}")


def _renamed_already(host: Host, command: Tuple[str, ...]) -> bool:
    """`docker rename CONTAINER NAME` where the container has that name already: the undo of a rename, made by a
    rollback killed before it recorded it. dockerd refuses to rename a container to the name it has ("Renaming a
    container with the same name as its current name", 20.10 and 26), which would stop every rollback after."""
    return len(command) == 4 and command[:2] == ("docker", "rename") and host.container_name(command[2]) == command[3]


def _restore(host: Host, run: Run, step: Step) -> None:
    before = step.before
    if step.kind == WriteFile.kind:
        host.discard_temp(step.path)
    if host.state(step.path, step.user) == before:
        return  # the change never happened, or was undone already
    if step.kind == MAKE_DIR:
        host.remove_dir(step.path, user=step.user)
    elif not before.exists:
        host.remove_file(step.path, user=step.user)
    elif step.has_backup:
        host.write_file(step.path, run.backup(step), state=before, user=step.user)
    else:
        host.set_owner_mode(step.path, before.uid, before.gid, before.mode, before.xattrs, user=step.user)


def run_to_roll_back(journal: Journal, run_id: Optional[str]) -> Optional[Run]:
    runs = journal.runs()
    if run_id is None:
        pending = [run for run in runs if run.state not in states.UNDONE]
        return pending[-1] if pending else None
    run = journal.run(run_id)
    if run.state in states.UNDONE:
        raise JournalError(f"run {run_id} is {run.state.replace('_', ' ')} already")
    return run


def check_rollback(host: Host, journal: Journal, run: Run, steps: Sequence[Step]) -> Dict[int, List[str]]:
    """Refuse when a newer run touched the same files; return the drift found:
    for each step whose file someone else changed since, what changed."""
    if run.state == states.IN_PROGRESS:
        raise RollbackRefused("in_progress", run_id=run.id)
    runs = journal.runs()
    position = [other.id for other in runs].index(run.id)
    paths = {step.path for step in steps}
    for other in runs[position + 1:]:
        if other.state in states.UNDONE:
            continue
        shared = paths & other.paths()
        if shared:
            raise RollbackRefused("newer_run", other=other.id, paths=", ".join(sorted(shared)), run_id=run.id)
    by_path: Dict[str, List[Step]] = {}
    for step in steps:
        if step.before is not None and step.kind != REWRITTEN:
            by_path.setdefault(step.path, []).append(step)
    # a rollback (or apply's own undo) began: the first undo of each file may be made, unrecorded
    rolling_back = run.recorded_state == states.ROLLING_BACK or any(step.undone for step in steps)
    return {path_steps[-1].number: lines for path_steps in by_path.values() if (lines := file_drift(host, run, path_steps, rolling_back))}


def file_drift(host: Host, run: Run, path_steps: Sequence[Step], rolling_back: bool) -> Optional[List[str]]:
    """What someone else changed in a file since the run: the file is in none of
    the states harden's own steps there can have left it in (_states_left)."""
    try:
        current = host.state(path_steps[-1].path, path_steps[-1].user)
    except HostError as error:
        return [str(error)]
    if any(current.same_as(state) for state in _states_left(path_steps, rolling_back)):
        return None
    return changed_since(host, run, path_steps, current)


def changed_since(host: Host, run: Run, path_steps: Sequence[Step], current: FileState) -> List[str]:
    """How a file differs from what the run's last step there left: a diff of the content, the owner and mode."""
    path, left = path_steps[-1].path, path_steps[-1].after
    lines = []
    if current.exists and left.exists and current.sha256 != left.sha256:
        wrote = next((data for step in reversed(path_steps) if (data := run.written(step)) is not None), None)
        if current.sha256 is None:  # a directory, a pipe or a device in its place
            lines.append(Line(STATE_LINES["not_a_file"], path=path))
        elif wrote is None:  # harden set its owner and mode only: its content is not harden's to show (a key, say)
            lines.append(Line(STATE_LINES["content_changed"], path=path))
        else:
            try:
                now = (host.read_bytes(path, path_steps[-1].user) or b"").decode(errors="replace")
            except HostError as error:  # changed again since it was examined
                lines.append(str(error))
            else:
                lines.extend(unified_diff(wrote.decode(errors="replace"), now, Line(STATE_LINES["diff_left"], path=path),
                                          Line(STATE_LINES["diff_now"], path=path)) or [Line(STATE_LINES["content_unshown"], path=path)])
    if not current.exists:
        lines.append(Line(STATE_LINES["removed"], path=path))
    elif (current.uid, current.gid, current.mode) != (left.uid, left.gid, left.mode):
        lines.append(Line(STATE_LINES["owner_mode_changed"], path=path, left=host.owner_mode(left), now=host.owner_mode(current)))
    return lines


def _states_left(path_steps: Sequence[Step], rolling_back: bool) -> Iterator[FileState]:
    """The states harden's steps on a file can have left it in, judged from the journal: after its
    last step recorded done; or, where a step was begun and not recorded done (a kill between the
    change and its record), before or after that step; where a rollback began, before the oldest step
    it undid, or, the undo of the newest step not recorded undone being made unrecorded, before that
    one. A step in between includes an owner-and-mode change stopped between its chown and its chmod
    (Host.set_owner_mode): the owner of one state with the mode of the other. And always the state
    harden found, which is what rollback gives back: nothing of anyone's is lost there."""
    yield path_steps[0].before
    undone = [index for index, step in enumerate(path_steps) if step.undone]
    if undone or rolling_back:  # a rollback undoes the newest first: the undone steps are the newest
        last = (undone[0] if undone else len(path_steps)) - 1  # the newest not undone: its undo may be made, unrecorded
        if last < 0:
            return
        in_between = path_steps[last]
    else:
        done = [index for index, step in enumerate(path_steps) if step.done]
        last = done[-1] if done else -1
        if last + 1 == len(path_steps):
            yield path_steps[-1].after
            return
        in_between = path_steps[last + 1]  # begun, not recorded done
    yield in_between.before
    yield in_between.after
    if in_between.kind == SetOwnerMode.kind and in_between.before.exists and in_between.after.exists:
        yield replace(in_between.after, mode=in_between.before.mode)
        yield replace(in_between.before, mode=in_between.after.mode)


@dataclass
class RollbackOutcome:
    run_id: str
    undone: int
    saved: List[Tuple[str, str]] = field(default_factory=list)  # (path, where its changed version is kept)
    caveats: List[Tuple[str, Text]] = field(default_factory=list)  # (target, what the undo could not give back)
    unrestored: List[str] = field(default_factory=list)  # what a forced rollback of a damaged run could not restore (Lines, some)


def rollback(host: Host, journal: Journal, run: Run, force: bool) -> RollbackOutcome:
    """Undo a run, newest change first. Must hold the journal's lock.

    Nothing is restored unless the whole record can be trusted (every counted
    step there, every backup matching its checksum); with `force`, what can be
    verified is restored and what cannot is listed."""
    steps, problems = run.readable_steps()
    unverified = {step.number: why for step in steps if (why := run.backup_problem(step))}
    damage = run.damage() + problems + list(unverified.values())
    if damage and not force:
        raise RollbackRefused("damaged", run_id=run.id, damage="; ".join(damage))
    drift = check_rollback(host, journal, run, steps)
    if drift and not force:
        raise RollbackRefused("files_changed", [line for lines in drift.values() for line in lines], run_id=run.id)
    originals_gone = _originals_gone(host, steps)
    if originals_gone and not force:
        raise RollbackRefused("originals_gone", list(originals_gone.values()), run_id=run.id)
    restorable = [step for step in steps if step.number not in unverified and step.path not in originals_gone]
    saved = []
    for step in restorable:
        if step.number not in drift:
            continue
        try:
            if host.state(step.path, step.user).sha256:
                saved.append((step.path, str(run.save_drifted(step, host.read_bytes(step.path, step.user)))))
        except HostError:
            pass  # not the run's file to read now (a user's made a link): its undo below is refused, and says why
    run.set_state(states.ROLLING_BACK)
    not_undone = _undo(host, run, restorable, force)
    unrestored = problems + list(unverified.values()) + list(originals_gone.values()) + not_undone
    if unrestored:
        run.set_state(states.ROLLBACK_INCOMPLETE, unrestored=unrestored)
    else:
        run.set_state(states.ROLLED_BACK)
    caveats = [(step.path, step.caveat) for step in restorable if step.caveat]
    made = [step for step in restorable if not step.undone]  # by this rollback: a resumed one's earlier undos are not again
    return RollbackOutcome(run_id=run.id, undone=len(made) - len(not_undone), saved=saved, caveats=caveats, unrestored=unrestored)


def _originals_gone(host: Host, steps: Sequence[Step]) -> Dict[str, Line]:
    """For each container a run replaced whose original, kept aside, the engine no longer has (asked by its id: a
    rename back, made and not recorded, leaves it there): what that leaves. Undoing its steps would remove the working
    container in its place and give back none; and a container recreated to join it (container:NAME, --volumes-from,
    --link) would come back joined to nothing, so it is kept as it is too."""
    gone = {step.path: Line(STATE_LINES["original_gone"], path=step.path, original=step.keeps)
            for step in steps if step.keeps and step.done and not step.undone
            and host.container_name(step.command[2] if step.command[:2] == ("docker", "rename") else step.keeps) is None}
    while True:
        names = {path[len("container "):] for path in gone}
        joining = {step.path: Line(STATE_LINES["joins_gone"], path=step.path, joined=joined)
                   for step in steps if step.kind == CreateContainer.kind and step.path not in gone
                   for joined in _joins(step.request or {}) if joined in names}
        if not joining:
            return gone
        gone.update(joining)


def _joins(request: Mapping) -> List[str]:
    """The containers a create request joins: container:NAME namespaces, --volumes-from and --link."""
    settings = request.get("HostConfig") or {}
    joined = [value[len("container:"):] for key in ("NetworkMode", "IpcMode", "PidMode")
              if isinstance(value := settings.get(key), str) and value.startswith("container:")]
    joined += [str(source).split(":")[0] for source in settings.get("VolumesFrom") or []]
    joined += [str(link).split(":")[0].lstrip("/") for link in settings.get("Links") or []]
    return joined


def rollback_preview(host: Host, run: Run) -> List[str]:
    """What rollback would do to each file, newest change first, as lines."""
    lines = []
    try:
        steps = run.steps()
    except JournalDamaged as damaged:
        raise RollbackRefused("unreadable", damaged=damaged, run_id=run.id) from None
    unverified = [why for step in steps if (why := run.backup_problem(step))]
    if unverified:
        raise RollbackRefused("unverified", run_id=run.id, damage="; ".join(unverified))
    originals_gone = _originals_gone(host, steps)
    lines.extend(originals_gone.values())
    steps = [step for step in steps if not step.undone]  # a resumed rollback's undos made already are not made again
    restarts = [step for step in steps if step.kind == RestartService.kind]
    for step in [step for step in reversed(steps) if step.kind != RestartService.kind] + restarts:  # restarts come last
        if step.path in originals_gone:
            continue
        if step.kind == RemoveContainer.kind:
            lines.append(Line(STATE_LINES["create_again"], path=step.path))
            continue
        if step.command:
            lines.extend(Line(STATE_LINES["run"], path=step.path, command=" ".join(command)) for command in step.undo)
            continue
        try:
            current = host.state(step.path, step.user)
        except HostError as error:
            lines.append(str(error))
            continue
        if not step.before.exists:
            lines.append(Line(STATE_LINES["remove"], path=step.path))
        elif step.has_backup and current.exists and current.sha256 is None:
            lines.append(Line(STATE_LINES["not_a_file"], path=step.path))
        elif step.has_backup and current.sha256 != step.before.sha256:
            try:
                now = (host.read_bytes(step.path, step.user) or b"").decode(errors="replace")  # a file removed since reads as None
            except HostError as error:  # changed again since it was examined
                lines.append(str(error))
                continue
            lines.extend(unified_diff(now, run.backup(step).decode(errors="replace"), f"--- {step.path}", f"+++ {step.path}")
                         or [Line(STATE_LINES["restore_unshown" if current.exists else "restore_empty"], path=step.path)])
        if step.before.exists and current.exists and (current.uid, current.gid, current.mode) != (step.before.uid, step.before.gid, step.before.mode):
            lines.append(Line(STATE_LINES["owner_mode_back"], path=step.path, now=host.owner_mode(current), before=host.owner_mode(step.before)))
    return lines


def prune(host: Host, journal: Journal, run: Run) -> None:
    """Forget a run: what it keeps aside goes with it (on the live host), then its journal."""
    if host.live and run.state not in states.UNDONE:
        for step in run.readable_steps()[0]:
            for command in step.discard:
                try:
                    host.run(*command)
                except HostError:
                    pass  # removed already
                host.log(f"run {run.id}: pruned, removed {step.keeps} with {' '.join(command)}")
    journal.remove(run)


# The line ends Python's splitlines knows besides "\n": a diff shows them (a CRLF file made LF is a change), escaped,
# so that none reaches a terminal as itself.
OTHER_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SHOWN_LINE_ENDS = str.maketrans({end: end.encode("unicode_escape").decode() for end in OTHER_LINE_ENDS})
NO_NEWLINE = "\\ No newline at end of file"


def unified_diff(old: str, new: str, old_header: str, new_header: str) -> List[str]:
    """The unified diff of two texts, headed by the two header lines given whole ("--- PATH", "+++ PATH"; Lines where
    they are said in the reader's language); none where they do not differ. A line's end other than "\n" is shown
    escaped, and a last line without one is marked as diff marks it."""
    import difflib

    hunks = []
    for line in list(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True)))[2:]:
        hunks.append(line.removesuffix("\n").translate(SHOWN_LINE_ENDS))
        if not line.endswith(("\n", *OTHER_LINE_ENDS)):
            hunks.append(NO_NEWLINE)
    return [old_header, new_header, *hunks] if hunks else []
