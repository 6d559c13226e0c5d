"""Units whose files changed but which are not restarted: systemd reloads its
units (after the apply's files, and again after rollback has put them back),
so their next start takes the files as they are."""
from __future__ import annotations

from typing import List

from ..host import Host
from ..model import RestartService
from . import Command, Handler, register

RELOAD: Command = ("systemctl", "daemon-reload")


class SystemdHandler(Handler):
    def commands(self, change: RestartService) -> List[Command]:
        return [RELOAD]

    def undo(self, change: RestartService) -> List[Command]:
        return [RELOAD]

    def before(self, host: Host, change: RestartService) -> dict:
        return {}

    def restart(self, host: Host, change: RestartService, context: dict) -> None:
        host.run(*RELOAD)

    def restart_after_undo(self, host: Host, unit: str, undo: List[Command], context: dict) -> None:
        host.run(*RELOAD)


register("systemd", SystemdHandler())
