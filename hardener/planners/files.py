"""A file's owner and highest mode: one change per file, whoever wants it. The rule of the merge: the strictest
mode of those wanted; one owner, or planning stops naming both items."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

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
        mode = 0o7777
        for _, intent in intents:
            mode &= intent.mode  # the strictest
        planned.created_modes[path] = (mode, intents[0][0])
    return planned


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
        agree([(item, path, (intent.uid, intent.gid, intent.user)) for item, intent in intents],  # owners do not combine
              lambda path: f"{host.display(path)} owned", lambda owner: host.owner(owner[0], owner[1]))
        first, mode = intents[0][1], intents[0][1].mode
        for _, intent in intents:
            mode &= intent.mode  # the strictest of what each item allows
        planned.changes.append(SetOwnerMode(path, first.uid, first.gid, mode, first.user, items=serving(intents)))
    return planned
