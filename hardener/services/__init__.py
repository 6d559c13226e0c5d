"""Service handlers: how a service is restarted once a run's files are in
place, and again once rollback has put them back. The module that owns a
service registers its handler here (services/<name>.py); the engine only
asks for a handler by the name a RestartService change gives."""
from __future__ import annotations

import abc
import importlib
from typing import Dict, List, Tuple

from ..host import Host, HostError
from ..model import RestartService

Command = Tuple[str, ...]


class Handler(abc.ABC):
    @abc.abstractmethod
    def commands(self, change: RestartService) -> List[Command]:
        """The commands of the restart, as the plan shows them."""

    @abc.abstractmethod
    def undo(self, change: RestartService) -> List[Command]:
        """What rollback runs once the files are back, as the journal records it."""

    @abc.abstractmethod
    def before(self, host: Host, change: RestartService) -> dict:
        """What to record before the restart, to bring back after it (and after the undo)."""

    @abc.abstractmethod
    def restart(self, host: Host, change: RestartService, context: dict) -> None:
        """Restart the service with the new files; HostError if it does not come back."""

    @abc.abstractmethod
    def restart_after_undo(self, host: Host, unit: str, undo: List[Command], context: dict) -> None:
        """Restart it with the files as they were, bringing back what ran."""


_HANDLERS: Dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    _HANDLERS[name] = handler


def handler(name: str) -> Handler:
    if name not in _HANDLERS:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ImportError:
            pass
    if name not in _HANDLERS:
        raise HostError(f"no handler knows how to restart the service {name!r}")
    return _HANDLERS[name]
