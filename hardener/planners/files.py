"""A file's owner and highest mode: one change per file, whoever wants it. The rule of the merge: the strictest
mode of those wanted; one owner, or planning stops naming both items."""
from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Tuple

from ..model import Intent, SetOwnerMode
from . import Planned, agree, grouped, planner, serving


@dataclass(frozen=True)
class CreatedMode(Intent):
    """A file that is not there yet: a change of the plan that creates it creates it root's, no more open than
    `mode` (the strictest such intent's). It changes nothing where nothing creates the file."""

    path: str
    mode: int
    standing = True


@planner(CreatedMode)
def plan_created_modes(host, wanted, options) -> Planned:
    planned = Planned()
    for path, intents in grouped(wanted, lambda intent: intent.path).items():
        planned.created_modes[path] = (strictest(intent.mode for _, intent in intents), intents[0][0])
    return planned


def strictest(modes: Iterable[int]) -> int:
    """The mode that allows only what every mode (of one or more) allows."""
    return functools.reduce(operator.and_, modes)


@dataclass(frozen=True)
class OwnerMode(Intent):
    path: str
    uid: int
    gid: int
    mode: int  # the mode wanted: the current one without its excess bits
    user: Optional[int] = None  # the uid of the user whose file it is (a rootless dockerd's): see SetOwnerMode


@planner(OwnerMode)
def plan_owner_modes(host, wanted, options) -> Planned:
    planned = Planned()
    for path, intents in grouped(wanted, lambda intent: intent.path).items():
        planned.changes.append(owner_mode_change(host, path, intents))
    return planned


def owner_mode_change(host, path: str, intents: Sequence[Tuple[str, OwnerMode]]) -> SetOwnerMode:
    """The one change of a file's owner and mode that every item wanting it asks for."""
    agree([(item, path, (intent.uid, intent.gid, intent.user)) for item, intent in intents],  # owners do not combine
          lambda path: f"{host.display(path)} owned", lambda owner: host.owner(owner[0], owner[1]))
    first = intents[0][1]
    mode = strictest(intent.mode for _, intent in intents)
    return SetOwnerMode(path, first.uid, first.gid, mode, first.user, items=serving(intents))
