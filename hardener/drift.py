"""Drift: what harden's recorded runs left on the host that no longer holds, read from the journal's end states.

The baseline of a file, or of a container harden recreated or updated, is the newest run that changed it and was
applied and not rolled back (a pruned run is forgotten, and ends it). A file has drifted where it is in none of the
states that run can have left it in (the same judgement rollback's refusal makes); a container where it is gone, or
where an item that run changed it for fails for it again (it was recreated or updated by hand). Nothing is changed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Sequence, Tuple

from . import journal as states
from .engine import REWRITTEN, changed_since
from .host import Host, HostError
from .journal import Journal, JournalError, Step
from .i18n import STATE_LINES
from .model import CreateContainer, Line, RemoveContainer, RunCommand, WriteFile

CONTAINER = "container "  # how a container change names its target: "container web"
UNIT = "unit "  # a unit a run enabled and started (the schedule's timer): "unit harden-check.timer"
ENABLE = ("systemctl", "enable", "--now")


@dataclass(frozen=True)
class Drifted:
    run_id: str
    items: Tuple[str, ...]
    target: str  # a file's path, or "container NAME"
    lines: Tuple[str, ...]  # what differs: a file's diff, or the findings that fail again (Lines where harden says it)

    def as_json(self, refs_of: Callable[[str], Sequence[str]]) -> dict:
        kind = "container" if self.target.startswith(CONTAINER) else "unit" if self.target.startswith(UNIT) else "file"
        return {"run": self.run_id, "items": list(self.items), "refs": list(dict.fromkeys(ref for item in self.items for ref in refs_of(item))),
                "target": self.target, "kind": kind, "lines": list(self.lines)}


@dataclass(frozen=True)
class Baseline:
    """What the journal says harden last left, and where it cannot say (a run that did not finish)."""

    files: Tuple[Tuple[states.Run, Tuple[Step, ...]], ...]  # (run, its steps on one file)
    containers: Tuple[Tuple[str, str, Tuple[str, ...]], ...]  # (run id, container name, the items it was changed for)
    units: Tuple[Tuple[str, str, Tuple[str, ...]], ...]  # (run id, a unit it enabled and started, the items it served)
    unsettled: Tuple[Tuple[str, str], ...]  # (run id, state): runs whose end is rollback's to judge


def baseline(journal: Journal) -> Baseline:
    newest: Dict[str, Tuple[states.Run, List[Step]]] = {}
    unsettled = []
    for run in journal.runs():
        state = run.state
        if state in states.UNDONE:
            continue
        if state != states.APPLIED:
            unsettled.append((run.id, state))
            for path in run.paths():
                newest.pop(path, None)  # left in a state only its rollback can judge
            continue
        try:
            steps = run.steps()
        except JournalError:
            unsettled.append((run.id, states.DAMAGED))
            continue
        touched: Dict[str, List[Step]] = {}
        for step in steps:
            touched.setdefault(step.path, []).append(step)
        for path, path_steps in touched.items():
            newest[path] = (run, path_steps)
    files, containers, units = [], [], []
    for path, (run, path_steps) in newest.items():
        for step in path_steps:
            if step.kind == RunCommand.kind and step.command[:3] == ENABLE and len(step.command) == 4:
                units.append((run.id, step.command[3], step.items))
        if path.startswith(CONTAINER) and any(step.kind in (CreateContainer.kind, RunCommand.kind) for step in path_steps):
            items = tuple(dict.fromkeys(item for step in path_steps for item in step.items))
            if not any(step.kind == RemoveContainer.kind for step in path_steps):  # one harden removed is not expected back
                containers.append((run.id, path[len(CONTAINER):], items))
        elif any(step.before is not None and step.kind != REWRITTEN for step in path_steps):
            files.append((run, tuple(step for step in path_steps if step.before is not None and step.kind != REWRITTEN)))
    return Baseline(tuple(files), tuple(containers), tuple(units), tuple(unsettled))


def drifted_files(host: Host, found: Baseline) -> List[Drifted]:
    """The files not as their applied run left them: that run finished every step, so the one state it left is its
    last step's (the state harden found, which rollback accepts, is drift here)."""
    drifted = []
    for run, path_steps in found.files:
        try:
            current = host.state(path_steps[-1].path, path_steps[-1].user)
        except HostError as error:
            lines = [str(error)]
        else:
            left = path_steps[-1].after
            if not any(step.kind == WriteFile.kind for step in path_steps):  # harden set its owner and mode: only those
                current = replace(current, sha256=left.sha256) if current.exists and left.exists else current
            lines = [] if current.same_as(left) else changed_since(host, run, path_steps, current)
        if lines:
            drifted.append(Drifted(run.id, tuple(dict.fromkeys(item for step in path_steps for item in step.items)),
                                   path_steps[-1].path, tuple(lines)))
    return drifted


def drifted_containers(found: Baseline, judged: Callable[[str, Tuple[str, ...]], Tuple[bool, List[str]]]) -> List[Drifted]:
    """judged(container, items) -> (whether it is there, the messages of its findings that fail)."""
    drifted = []
    for run_id, name, items in found.containers:
        there, failing = judged(name, items)
        lines = failing if there else [Line(STATE_LINES["removed"], path=f"{CONTAINER}{name}")]
        if lines:
            drifted.append(Drifted(run_id, items, f"{CONTAINER}{name}", tuple(lines)))
    return drifted


def drifted_units(host: Host, found: Baseline) -> List[Drifted]:
    """The units a run enabled and started that are no longer enabled or no longer active (on the live host: a tree
    under --root runs nothing)."""
    drifted = []
    for run_id, unit, items in found.units if host.live else ():
        try:
            shown = dict(line.partition("=")[::2] for line in host.run("systemctl", "show", "-p", "UnitFileState", "-p", "ActiveState",
                                                                       unit).splitlines())
        except HostError as error:
            drifted.append(Drifted(run_id, items, f"{UNIT}{unit}", (str(error).splitlines()[0],)))
            continue
        not_there = STATE_LINES["unit_not_there"]
        lines = [Line(STATE_LINES["unit_not_enabled"], unit=unit, state=shown.get("UnitFileState") or not_there)
                 ] if shown.get("UnitFileState") != "enabled" else []
        lines += [Line(STATE_LINES["unit_not_active"], unit=unit, state=shown.get("ActiveState") or not_there)
                  ] if shown.get("ActiveState") != "active" else []
        if lines:
            drifted.append(Drifted(run_id, items, f"{UNIT}{unit}", tuple(lines)))
    return drifted
