"""What runs in a container beside its own process: the execs someone runs in it now, and those the engine's event
log still holds."""
from __future__ import annotations

import time
from typing import List, Mapping
from urllib.parse import quote

from ..host import Host
from .containers import Container
from .engine import api, unreachable
from .engine_api import EngineError


def health_command(container: Container) -> List[str]:
    """The command line the engine runs as the container's health check ([] without one)."""
    test = list(((container.raw["Config"].get("Healthcheck") or {}).get("Test")) or [])
    if test[:1] == ["CMD-SHELL"]:
        return ["/bin/sh", "-c", *test[1:]]
    return test[1:] if test[:1] == ["CMD"] else []


def running_execs(host: Host, container: Container) -> List[Mapping]:
    """The inspects of the execs someone runs in the container now (the engine forgets an exec once it
    ends), less its own health checks, which it runs as execs too."""
    found = []
    for exec_id in container.raw.get("ExecIDs") or []:
        try:
            execution = api(host).document(f"/exec/{exec_id}/json")
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            continue
        process = execution.get("ProcessConfig") or {}
        if [process.get("entrypoint"), *(process.get("arguments") or [])] != health_command(container):
            found.append(execution)
    return found


def exec_events(host: Host) -> List[Mapping]:
    """The execs the engine's event log still holds: one request a run. The log is the
    engine's memory of recent events, not a record of every exec."""
    def load() -> List[Mapping]:
        query = quote('{"type":["container"],"event":["exec_create"]}')
        try:
            # until a time past, so that the engine answers what it holds at once (a time to come, it waits for)
            events = api(host).get(f"/events?since=0&until={int(time.time())}&filters={query}", stream=True)
        except EngineError as error:
            raise unreachable(host, error) from None
        return [event for event in events if isinstance(event, dict)]  # type: ignore[union-attr]

    return host.fact("exec_events", load)
