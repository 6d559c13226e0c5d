"""A variable every login shell gets: one script of harden's in /etc/profile.d
per purpose, rendered from its template with every variable wanted there."""
from __future__ import annotations

from dataclasses import dataclass
from ..model import Intent, WriteFile
from ..templates import render
from . import Planned, grouped, planner, serving


@dataclass(frozen=True)
class ProfileVariable(Intent):
    script: str  # harden's script in /etc/profile.d
    template: str  # what it is rendered from
    name: str
    value: str


@planner(ProfileVariable)
def plan_profile_scripts(host, wanted, options) -> Planned:
    planned = Planned()
    for script, intents in grouped(wanted, lambda intent: intent.script).items():
        variables = {intent.name: intent.value for _, intent in intents}
        content = render(intents[0][1].template, variables=variables)
        planned.changes.append(WriteFile(script, content, items=serving(intents)))
    return planned
