"""Baseline items, found by the registry below: a row of table.py each where the item holds no logic of its own,
else a module each.

A Fix reads (detect): its findings and, for the failing ones, the intents that
bring them into line. It never plans or changes anything: the planners turn
the intents of all items into changes, the engine carries them out through
the Host and the journal.
"""
from __future__ import annotations

import abc
import functools
import importlib
import pkgutil
import re
from typing import List, Mapping, Optional, Tuple, Type

from ..host import Host, HostError
from ..model import Detection, Finding, Remedy, Status, Text
from ..options import Options
from ..parameters import Parameter


class Fix(abc.ABC):
    id: str = ""
    cis: str = ""  # the CIS Docker Benchmark 1.8.0 recommendations it answers: "2.3", "3.1–3.6"
    title: Text
    advice: Text
    remedy: Remedy = Remedy.AUTO
    impact: Optional[Text] = None  # what turning this on can break, shown with its plan
    reasons: Mapping[str, Text] = {}  # the reasons this item's findings give, in words
    parameters: Tuple[Parameter, ...] = ()  # what a profile entry (or the config) may set for it

    def __init__(self, options: Options = Options()):
        self.options = options

    def parameter(self, name: str):
        """The value of one of the item's parameters: as the profile or the config sets it, else its default."""
        declared = next(parameter for parameter in self.parameters if parameter.name == name)
        return self.options.parameters.get(self.id, {}).get(name, declared.default)

    @abc.abstractmethod
    def detect(self, host: Host) -> Detection:
        """Read the host; change nothing. The failing findings come with the
        intents that fix them; none where only a person can."""


def rootless_unreadable(target: str, user: str, error: HostError) -> Finding:
    """A user's rootless dockerd whose files cannot be judged (a daemon.json dockerd would refuse, say): theirs
    to mend, for a person; it does not stop the system's dockerd, or another user's, from being fixed."""
    return Finding(target, Status.MANUAL, error.reason, "high", dict(error.evidence, message=str(error), rootless_user=user))


def _cis_order(fix: Type[Fix]) -> List[int]:
    return [int(number) for number in re.findall(r"\d+", fix.cis)]


@functools.lru_cache(maxsize=None)
def all_fixes() -> Tuple[Type[Fix], ...]:
    """Every item of this package, in the order of the CIS benchmark (found once a process)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    found = [fix for fix in _subclasses(Fix) if fix.id and fix.__module__.startswith(f"{__name__}.")]
    return tuple(sorted(found, key=_cis_order))


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)

