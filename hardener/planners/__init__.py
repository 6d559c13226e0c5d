"""Planners: one per kind of resource (dockerd's configuration, a file's owner
and mode, the audit rules, a container, a login-shell variable).

Each takes the intents of every selected item on its kind of resource and
makes the changes once: one edit per file, one recreation or `docker update`
per container, one restart per service. Every change names the items it
serves. Planners read the host and plan; they change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Sequence, Set, Tuple, Type

from ..host import Host, HostError
from ..model import Change, Intent, Text
from ..options import Options


@dataclass
class Planned:
    changes: List[Change] = field(default_factory=list)
    notes: Dict[str, List[Text]] = field(default_factory=dict)  # by item: what the plan means for it (a restart stops ...)
    evidence: Dict[Tuple[str, str], Dict[str, object]] = field(default_factory=dict)  # (item, finding target): added evidence
    # (item, finding target): a failing finding the plan leaves as it is, for a person (its notes say why): manual
    manual: Set[Tuple[str, str]] = field(default_factory=set)
    created_modes: Dict[str, Tuple[int, str]] = field(default_factory=dict)  # path -> (highest mode, item): see CreatedMode

    def note(self, items: Sequence[str], text: Text) -> None:
        for item in items:
            self.notes.setdefault(item, []).append(text)


class Conflict(HostError):
    """Two items want one thing two ways: an error of those two; the other items are planned without them."""

    def __init__(self, items: Tuple[str, str], message: str):
        super().__init__(message)
        self.items = items


def agree(wants, subject: Callable[[str], str], shown: Callable[[object], str] = str) -> None:
    """The rule of a merge where values do not combine: what items want of one thing (wants: (item, key, value))
    agrees, or the first two that disagree are a Conflict naming both items and both values."""
    said: Dict[str, Tuple[str, object]] = {}
    for item, key, value in wants:
        if key in said and said[key][1] != value:
            other, first = said[key]
            raise Conflict((other, item), f"{other} and {item} want {subject(key)} two ways ({shown(first)} and {shown(value)}); "
                           "leave one of them out (--skip) or change the profile")
        said.setdefault(key, (item, value))


Wanted = Sequence[Tuple[str, Intent]]  # (item id, its intent), in the items' order
PlannerFunction = Callable[[Host, Wanted, Options], Planned]
_PLANNERS: Dict[Type[Intent], PlannerFunction] = {}


def planner(kind: Type[Intent]) -> Callable[[PlannerFunction], PlannerFunction]:
    """Register the planner of one kind of intent."""

    def register(function: PlannerFunction) -> PlannerFunction:
        _PLANNERS[kind] = function
        return function

    return register


def plan(host: Host, wanted: Wanted, options: Options) -> Tuple[Planned, Dict[str, HostError]]:
    """The changes for all the intents, and the items whose planner could not plan (why). A
    planner is registered by its module, which the items that state its intents have loaded."""
    total, errors = Planned(), {}
    for kind, intents in grouped(wanted, type).items():
        planned = None
        while intents and planned is None:
            try:
                planned = _PLANNERS[kind](host, intents, options)
            except Conflict as conflict:
                errors.update({item: conflict for item in conflict.items})
                intents = [(item, intent) for item, intent in intents if item not in conflict.items]
            except HostError as error:
                errors.update({item: error for item, _ in intents})
                intents = []
        if planned is None:
            continue
        total.changes += planned.changes
        for item, notes in planned.notes.items():
            total.notes.setdefault(item, []).extend(notes)
        total.evidence.update(planned.evidence)
        total.manual |= planned.manual
        total.created_modes.update(planned.created_modes)  # one planner makes them: files' CreatedMode
    total.changes = [_created_no_more_open(host, change, total.created_modes) for change in total.changes]
    return total, errors


def _created_no_more_open(host: Host, change, created_modes: Dict[str, Tuple[int, str]]):
    """A file a change creates, no more open than the strictest mode an item wants for it (CreatedMode): the item
    it serves so is named by the change."""
    from ..model import WriteFile

    if not isinstance(change, WriteFile) or change.path not in created_modes or host.lstat(change.path) is not None:
        return change
    mode, item = created_modes[change.path]
    return replace(change, mode=change.mode & mode, items=change.items + ((item,) if item not in change.items else ()))


def grouped(wanted: Wanted, resource: Callable[[Intent], object]) -> Dict[object, List[Tuple[str, Intent]]]:
    """The intents by the resource each is on, in order: what one change is made of."""
    groups: Dict[object, List[Tuple[str, Intent]]] = {}
    for item, intent in wanted:
        groups.setdefault(resource(intent), []).append((item, intent))
    return groups


def serving(wanted: Wanted) -> Tuple[str, ...]:
    """The items of these intents, each once, in order."""
    return tuple(dict.fromkeys(item for item, _ in wanted))
