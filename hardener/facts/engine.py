"""The Docker engine itself, through the Engine API (engine_api.py): one client a run, its `docker info`, its
networks, and what a failed question means (not installed, or not answering)."""
from __future__ import annotations

from typing import List, Mapping, Optional
from urllib.parse import quote

from ..host import Host, HostError
from .audit import find_program
from .engine_api import EngineAPI, EngineError
from .units import unit_file


class NoEngine(Exception):
    """Containers cannot be read here; `reason` says why in a word, and `down` where the engine's socket has nothing
    listening at it."""

    def __init__(self, reason: str, message: str = "", down: str = ""):
        super().__init__(message or reason)
        self.reason = reason
        self.down = down


def unanswered(missing: NoEngine) -> HostError:
    """The error of an item that needs the engine where it does not answer; where nothing listens at its socket, one
    the report words in its language, with what to do."""
    if missing.down:
        return HostError(str(missing), reason="engine_down", evidence={"address": missing.down})
    return HostError(str(missing))


def api(host: Host) -> EngineAPI:
    return host.fact("engine_api", EngineAPI)


def api_version(host: Host) -> str:
    """The API version the engine answered the inspects at: a recreation is created at the same."""
    try:
        api(host).versioned("/")
    except EngineError as error:
        raise HostError(str(error)) from None
    return api(host).api_version  # type: ignore[return-value]


def unreachable(host: Host, error: EngineError) -> NoEngine:
    if error.missing and unit_file(host, "docker.service") is None and find_program(host, "dockerd") is None:
        return NoEngine("not_installed", "Docker is not installed")
    return NoEngine("engine_unreachable", str(error), down=error.address if error.missing else "")


def network(host: Host, name: str) -> Optional[Mapping]:
    """A network's inspect; None where the engine does not answer or has no such network."""
    try:
        return api(host).document(f"/networks/{quote(name)}")
    except EngineError:
        return None


def engine_info(host: Host) -> Mapping:
    """The engine's `docker info`, asked once a run."""
    def load() -> Mapping:
        try:
            return api(host).document("/info")
        except EngineError as error:
            raise unreachable(host, error) from None

    return host.fact("engine_info", load)


def security_options(host: Host) -> List[str]:
    """What the engine enforces: "apparmor", "seccomp", "selinux", "userns", "rootless", ..."""
    return [option.split(",")[0].replace("name=", "") for option in engine_info(host).get("SecurityOptions") or []]
