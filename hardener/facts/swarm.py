"""The swarm this node is in, from the engine's info (no docker process), and what a manager knows of it."""
from __future__ import annotations

from typing import List, Mapping, Optional
from urllib.parse import quote

from ..host import Host
from .engine import NoEngine, api, engine_info, unreachable
from .engine_api import EngineError

INACTIVE = ("inactive", "")


def node(host: Host) -> Optional[Mapping]:
    """`docker info`'s Swarm part where this node is in a swarm (active, pending, locked, error), else None."""
    if not host.live:
        return None
    try:
        swarm = engine_info(host).get("Swarm") or {}
    except NoEngine:
        return None
    return swarm if swarm.get("LocalNodeState", "") not in INACTIVE else None


def _get(host: Host, path: str):
    try:
        return api(host).get(path)
    except EngineError as error:
        raise unreachable(host, error) from None


def spec(host: Host) -> Mapping:
    """The swarm's inspect (a manager's): its spec, autolock and certificate settings."""
    return host.fact("swarm_inspect", lambda: _get(host, "/swarm"))


def overlay_networks(host: Host) -> List[Mapping]:
    return host.fact("overlay_networks", lambda: list(_get(host, "/networks?filters=" + quote('{"driver":["overlay"]}'))))


def listening_everywhere(host: Host, port: int) -> bool:
    """Whether something listens on this TCP port on every address (0.0.0.0 or ::)."""
    for table, every in (("/proc/net/tcp", "00000000"), ("/proc/net/tcp6", "0" * 32)):
        for line in (host.read_text(table) or "").splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port and address == every:  # 0A: LISTEN
                return True
    return False


def swarm_active(host: Host) -> bool:
    """Whether this node is in a swarm."""
    return node(host) is not None
