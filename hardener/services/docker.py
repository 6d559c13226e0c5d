"""The docker service: restarted through systemd, waited for until the
engine answers, and the containers that ran before started again where their
restart policy does not bring them back. After a rollback the containers to
bring back are those running then (the originals, once recreations are
undone) and those recorded before the apply's restart that still exist."""
from __future__ import annotations

import time
from typing import List, Sequence

from ..host import Host, HostError
from ..model import RestartService
from . import Command, Handler, register

WAIT = 60.0


def _running(host: Host) -> List[str]:
    try:
        return host.run("docker", "ps", "--quiet", "--no-trunc").split()
    except HostError:
        return []  # dockerd is down already: nothing runs that a restart could stop


def _existing(host: Host) -> set:
    try:
        return set(host.run("docker", "ps", "--all", "--quiet", "--no-trunc").split())
    except HostError:
        return set()


def _wait(host: Host) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        try:
            host.run("docker", "info", "--format", "{{.ServerVersion}}")
            return
        except HostError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _journal_tail(host: Host, unit: str) -> str:
    try:
        lines = host.run("journalctl", "--unit", unit, "--lines", "5", "--no-pager", "--output", "cat").strip().splitlines()
    except HostError:
        return ""
    return " | journalctl: " + " / ".join(line.strip() for line in lines[-5:]) if lines else ""


class DockerHandler(Handler):
    def commands(self, change: RestartService) -> List[Command]:
        return ([("systemctl", "daemon-reload")] if change.reload_units else []) + (
            [("systemctl", "reload", change.unit)] if change.reload_first else []) + [("systemctl", "restart", change.unit)]

    def undo(self, change: RestartService) -> List[Command]:
        return ([("systemctl", "daemon-reload")] if change.reload_units else []) + [
            ("systemctl", "reset-failed", change.unit), ("systemctl", "restart", change.unit)]

    def before(self, host: Host) -> dict:
        return {"running": _running(host)}

    def restart(self, host: Host, change: RestartService, context: dict) -> None:
        if change.reload_units:
            host.run("systemctl", "daemon-reload")
        if change.reload_first:
            host.run("systemctl", "reload", change.unit)
        self._restart(host, change.unit, context.get("running", ()))

    def restart_after_undo(self, host: Host, unit: str, undo: List[Command], context: dict) -> None:
        for command in undo[:-1]:  # the daemon-reload; reset-failed and the restart follow in _restart
            if command[:2] != ("systemctl", "reset-failed"):
                host.run(*command)
        existing = _existing(host)
        recorded = [container for container in context.get("running", ()) if container in existing]
        now = _running(host)
        self._restart(host, unit, list(dict.fromkeys(now + recorded)))

    @staticmethod
    def _restart(host: Host, unit: str, bring_back: Sequence[str]) -> None:
        try:
            host.run("systemctl", "reset-failed", unit)  # earlier failures' start limit must not refuse this restart
            host.run("systemctl", "restart", unit)
            _wait(host)
        except HostError as error:
            raise HostError(f"{unit} did not come back after the restart: {error}{_journal_tail(host, unit)}") from None
        if bring_back:
            now = set(_running(host))
            stopped = [container for container in bring_back if container not in now]
            if stopped:
                host.run("docker", "start", *stopped)


register("docker", DockerHandler())
