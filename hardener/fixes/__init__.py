"""Baseline items: one module each, found by the registry below.

A Fix reads (detect) and proposes (plan); it never changes a host itself:
the engine carries its changes out through the Host and the journal.
"""
from __future__ import annotations

import abc
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from typing import List, Mapping, Optional, Tuple, Type

from ..config import Config
from ..host import Host
from ..model import Change, Detection, Remedy, Text


@dataclass(frozen=True)
class Options:
    """What the administrator asked for that fixes read: the config file and
    the command line's narrowing."""

    config: Config = field(default_factory=Config)
    containers: Tuple[str, ...] = ()  # --container NAME or label=KEY=VALUE
    recreate: bool = False  # --recreate: containers may be recreated to fix them
    selected: Tuple[str, ...] = ()  # the items of this run
    no_restart: bool = False  # --no-restart: stage the files, restart nothing
    live_restore: bool = False  # --live-restore: turn it on (a reload) before restarting dockerd
    via: Optional[str] = None  # --via: where wanted dockerd options go (else the config's daemon_options)


class Fix(abc.ABC):
    id: str = ""
    cis: str = ""
    title: Text
    advice: Text
    remedy: Remedy = Remedy.AUTO
    impact: Optional[Text] = None  # what turning this on can break, shown with its plan
    reasons: Mapping[str, Text] = {}  # the reasons this item's findings give, in words

    def __init__(self, options: Options = Options()):
        self.options = options

    @abc.abstractmethod
    def detect(self, host: Host) -> Detection:
        """Read the host; change nothing."""

    def plan(self, host: Host, detection: Detection) -> Tuple[Change, ...]:
        """The changes that bring the failing findings into line; () when
        nothing can be done automatically (the findings then say why)."""
        return ()


def _cis_order(fix: Type[Fix]) -> List[int]:
    return [int(number) for number in re.findall(r"\d+", fix.cis)]


def all_fixes() -> List[Type[Fix]]:
    """Every Fix in this package, in the order of the CIS benchmark."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    found = [fix for fix in _subclasses(Fix) if fix.id]
    return sorted(found, key=_cis_order)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)

