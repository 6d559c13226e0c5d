"""The docker service: restarted through systemd, waited for until the
engine answers, and the containers that ran before started again where their
restart policy does not bring them back. After a rollback the containers to
bring back are those running then (the originals, once recreations are
undone) and those recorded before the apply's restart that still exist.

A user's rootless docker is the same service of that user's systemd manager
(systemctl --user -M USER@), its engine on the user's socket."""
from __future__ import annotations

import time
from typing import List, Mapping, Optional, Tuple

from ..facts.engine_api import EngineAPI, EngineError
from ..host import Host, HostError
from ..model import RestartService
from . import Command, Handler, register

WAIT = 60.0
SETTLE = 2.0  # seconds the containers brought back must keep running
ASK = 30.0  # seconds a question to docker may take (a user's engine may not answer at all)


def systemctl_of(user: str) -> Tuple[str, ...]:
    return ("systemctl", "--user", "-M", f"{user}@") if user else ("systemctl",)


class Daemon:
    """The system's dockerd, or one user's rootless dockerd: how systemd and its engine reach it."""

    def __init__(self, host: Host, user: str = ""):
        self.host, self.user = host, user
        self.systemctl = systemctl_of(user)
        self.address: Optional[str] = None  # DOCKER_HOST, or the system's socket
        self.uid = 0
        if user:
            from ..facts.rootless import rootless_daemon

            daemon = rootless_daemon(host, user)
            if daemon is None:
                raise HostError(f"{user} has no rootless docker.service any more")
            self.address, self.uid = f"unix://{daemon.socket}", daemon.uid

    def _containers(self, every: bool) -> List[str]:
        """The ids of the containers the engine runs (that it has, where `every`), asked now; none where it does not
        answer: dockerd is down already, and nothing runs that a restart could stop."""
        if not self.host.live:
            return []
        try:
            with EngineAPI(self.address, timeout=ASK) as api:
                listed = api.listing("/containers/json?all=1" if every else "/containers/json")
        except EngineError:
            return []
        return [found["Id"] for found in listed if isinstance(found, dict) and isinstance(found.get("Id"), str)]

    def running(self) -> List[str]:
        return self._containers(every=False)

    def existing(self) -> set:
        return set(self._containers(every=True))

    def states(self) -> dict:
        """What a restart of docker must leave as it is, asked now: the running containers (with their restart counts,
        and the seconds each running healthy one's check can take to call it healthy again) and the stopped ones."""
        from ..facts.containers import Container
        from ..planners.containers import healthy_within

        running, existing = self.running(), self._containers(every=True)
        inspects = {}
        if running and self.host.live:
            try:
                with EngineAPI(self.address, timeout=ASK) as api:
                    inspects = {found: inspect for found, inspect in api.inspect_containers(running).items() if isinstance(inspect, dict)}
            except EngineError:
                inspects = {}
        return {"running": running, "stopped": [found for found in existing if found not in running],
                "restarts": {found: inspect.get("RestartCount") or 0 for found, inspect in inspects.items()},
                "healthy": {found: seconds for found, inspect in inspects.items() if (seconds := healthy_within(Container(inspect)))}}

    def _state(self, container: str) -> dict:
        try:
            return dict(self.host.container_state(container, self.address))
        except HostError:
            return {}

    def wait(self) -> None:
        """Until the engine answers, for at most WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while True:
            try:
                with EngineAPI(self.address, timeout=ASK) as api:
                    api.document("/version")
                return
            except EngineError as error:
                if time.monotonic() > deadline:
                    raise HostError(str(error)) from None
                time.sleep(0.5)

    def journal_tail(self, unit: str) -> str:
        where = ("--user-unit", unit, f"_UID={self.uid}") if self.user else ("--unit", unit)
        try:
            lines = self.host.run("journalctl", *where, "--lines", "5", "--no-pager", "--output", "cat").strip().splitlines()
        except HostError:
            return ""
        return " | journalctl: " + " / ".join(line.strip() for line in lines[-5:]) if lines else ""

    def restart(self, unit: str, before: Mapping) -> None:
        """Restart the unit and leave the containers as they were (`before`, from states()): those that ran run again
        (started where their restart policy does not bring them back), keep running without a restart, and become
        healthy again where they were; those that were stopped, which dockerd starts again at its start where their
        policy is `always`, are stopped again."""
        try:
            self.host.run(*self.systemctl, "reset-failed", unit)  # earlier failures' start limit must not refuse this restart
            self.host.run(*self.systemctl, "restart", unit)
            self.wait()
        except HostError as error:
            whose = f"{self.user}'s rootless {unit}" if self.user else unit
            raise HostError(f"{whose} did not come back after the restart: {error}{self.journal_tail(unit)}") from None
        bring_back, stopped = list(before.get("running", ())), list(before.get("stopped", ()))
        if not (bring_back or stopped):
            return
        now, existing = set(self.running()), self.existing()
        for container in stopped:
            if container in now:
                self.host.stop_container(container, self.address)
        # a container started with --rm is deleted by its stop: the plan said so, and there is nothing to start
        refused = []
        for container in bring_back:  # each is tried: one that will not start does not keep the others down
            if container not in now and container in existing:
                try:
                    self.host.start_container(container, self.address)
                except HostError as error:
                    refused.append(str(error))
        if refused:
            raise HostError("; ".join(refused))
        time.sleep(SETTLE)  # a container that dies at once is not running as it was
        states = {container: self._state(container) for container in bring_back if container in existing}
        down = [container[:12] for container, state in states.items() if not state.get("Running")]
        if down:
            raise HostError(f"containers that ran before the restart of docker do not run after it: {', '.join(down)}")
        restarted = [container[:12] for container, state in states.items()
                     if state.get("Restarting") or (state.get("RestartCount") or 0) > (before.get("restarts") or {}).get(container, 0)]
        if restarted:
            raise HostError(f"containers that ran before the restart of docker do not keep running after it (their restart "
                            f"policy restarts them): {', '.join(restarted)}")
        started = [container[:12] for container in stopped if container in existing and self._state(container).get("Running")]
        if started:
            raise HostError(f"containers that were stopped before the restart of docker run after it: {', '.join(started)}")
        found = self.host.unhealthy({container: seconds for container, seconds in (before.get("healthy") or {}).items()
                                     if container in existing}, self.address)
        if found is not None:
            raise HostError(f"container {found[0][:12]} was healthy before the restart of docker and is {found[1] or 'not checked'} after it")


class DockerHandler(Handler):
    def commands(self, change: RestartService) -> List[Command]:
        systemctl = systemctl_of(change.user)
        return ([(*systemctl, "daemon-reload")] if change.reload_units else []) + (
            [(*systemctl, "reload", change.unit)] if change.reload_first else []) + [(*systemctl, "restart", change.unit)]

    def undo(self, change: RestartService) -> List[Command]:
        systemctl = systemctl_of(change.user)
        return ([(*systemctl, "daemon-reload")] if change.reload_units else []) + [
            (*systemctl, "reset-failed", change.unit), (*systemctl, "restart", change.unit)]

    def before(self, host: Host, change: RestartService) -> dict:
        return dict(Daemon(host, change.user).states(), user=change.user)

    def restart(self, host: Host, change: RestartService, context: dict) -> None:
        daemon = Daemon(host, change.user)
        if change.reload_units:
            host.run(*daemon.systemctl, "daemon-reload")
        if change.reload_first:
            host.run(*daemon.systemctl, "reload", change.unit)
        daemon.restart(change.unit, context)

    def restart_after_undo(self, host: Host, unit: str, undo: List[Command], context: dict) -> None:
        daemon = Daemon(host, context.get("user", ""))
        for command in undo[:-1]:  # the daemon-reload; reset-failed and the restart follow in Daemon.restart
            if "reset-failed" not in command:
                host.run(*command)
        now = daemon.states()
        # what runs now (the originals, once recreations are undone) and what ran before the apply's restart and is down
        recorded = [container for container in context.get("running", ()) if container in now["stopped"]]
        daemon.restart(unit, dict(now, running=now["running"] + recorded,
                                  stopped=[container for container in now["stopped"] if container not in recorded]))


register("docker", DockerHandler())
