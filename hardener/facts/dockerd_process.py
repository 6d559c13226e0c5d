"""What the running dockerd was started with."""
from __future__ import annotations

import os
import posixpath
import socket
import sys
import time
from typing import FrozenSet, List, Optional, Tuple

from ..host import Host, HostError
from .processes import process_names

PID_FILES = ("/run/docker.pid", "/var/run/docker.pid")


def running_dockerd(host: Host) -> Optional[Tuple[int, List[str]]]:
    """The running dockerd's pid and command line, None when none runs (or cannot be read)."""
    for pid_file in PID_FILES:
        try:
            pid = (host.read_text(pid_file) or "").strip()
            if pid.isdigit():
                cmdline = host.read_bytes(f"/proc/{pid}/cmdline") or b""
                if cmdline:
                    return int(pid), [arg.decode(errors="replace") for arg in cmdline.split(b"\0") if arg]
        except HostError:
            continue
    return None


def running_arguments(host: Host) -> List[str]:
    found = running_dockerd(host)
    return found[1] if found else []


def started_at(host: Host, pid: int) -> Optional[float]:
    """When a process started, in seconds since the epoch, to a clock tick: from the time since
    boot (/proc/uptime), not the boot time of /proc/stat, which is whole seconds and can put the
    start up to a second early (a daemon.json written just before a restart would seem newer)."""
    try:
        fields = (host.read_text(f"/proc/{pid}/stat") or "").rsplit(")", 1)[1].split()
        uptime = float((host.read_text("/proc/uptime") or "").split()[0])
    except (HostError, IndexError, ValueError):
        return None
    return time.time() - (uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))


def unix_sockets(host: Host) -> List[str]:
    """The unix sockets the running dockerd listens on, given with -H/--host."""
    args = running_arguments(host)
    sockets = []
    for index, arg in enumerate(args):
        value = None
        if arg in ("-H", "--host") and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(("-H=", "--host=")):
            value = arg.partition("=")[2]
        if value and value.startswith("unix://"):
            sockets.append(value[len("unix://"):])
    return sockets


DEFAULT_SOCKETS = ("/run/docker.sock", "/var/run/docker.sock")


def docker_socket_paths(host: Host) -> FrozenSet[str]:
    """The Docker sockets of this host and their directories, links resolved: the defaults, the running dockerd's
    -H sockets, the socket of the engine harden reads (DOCKER_HOST), and, live, every unix socket any running
    dockerd (a rootless one's too) listens on."""

    def load() -> FrozenSet[str]:
        from .engine import api

        named = list(DEFAULT_SOCKETS) + unix_sockets(host)
        if host.live:
            address = api(host).address
            named += [address[len("unix://"):]] if address.startswith("unix://") else []
            named += [path for pid in dockerd_pids(host) for path in listening_sockets(host, pid) if not _internal(path)]
        sockets = {host.kernel_path(path) for path in named}
        return frozenset(sockets | {posixpath.dirname(path) for path in sockets})

    return host.fact("docker_sockets", load)


def _internal(path: str) -> bool:
    """A socket of dockerd's own in its exec-root (a directory named docker: /run/docker/metrics.sock, libnetwork's,
    plugins'), which serves no Engine API. An API socket put in such a directory is still named where the system's
    dockerd is told of it with -H (unix_sockets)."""
    return "docker" in path.split("/")[:-1]


def dockerd_pids(host: Host) -> List[int]:
    """Every running dockerd's pid (the system's and each rootless user's), by its process name."""
    return [pid for pid, name in process_names(host).items() if name == "dockerd"]


def _socket_inodes(host: Host, pid: int) -> FrozenSet[str]:
    """The inodes of the sockets a process holds, from its descriptors (read once a run)."""
    return host.fact(f"socket_inodes:{pid}", lambda: frozenset(
        target[len("socket:["):-1] for fd in host.list_dir(f"/proc/{pid}/fd")
        if (target := host.read_link(f"/proc/{pid}/fd/{fd}") or "").startswith("socket:[")))


def listening_sockets(host: Host, pid: int) -> List[str]:
    """The paths of the unix sockets a process has bound: its descriptors' socket inodes, found in /proc/PID/net/unix
    (the sockets of its network namespace), which names each bound one's path."""
    try:
        inodes = _socket_inodes(host, pid)
        table = host.read_text(f"/proc/{pid}/net/unix") or ""
    except HostError:
        return []  # it ended meanwhile
    # Num RefCount Protocol Flags Type St Inode Path
    return [fields[7] for fields in (line.split() for line in table.splitlines()[1:])
            if len(fields) >= 8 and fields[6] in inodes and fields[7].startswith("/")]


LISTEN = "0A"


def tcp_listening(table: str, inodes: FrozenSet[str]) -> List[str]:
    """The addresses (tcp://ADDRESS:PORT, tcp://[V6]:PORT) of the listening sockets among `inodes` in a
    /proc/PID/net/tcp or tcp6 table, whose addresses are hexadecimal, each 32-bit word in the host's byte order."""
    found = []
    # sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    for fields in (line.split() for line in table.splitlines()[1:]):
        if len(fields) < 10 or fields[3] != LISTEN or fields[9] not in inodes:
            continue
        address, _, port = fields[1].partition(":")
        try:
            packed = b"".join(bytes.fromhex(address[at:at + 8])[::-1] if sys.byteorder == "little" else bytes.fromhex(address[at:at + 8])
                              for at in range(0, len(address), 8))
            text = socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)
            found.append(f"tcp://{text if len(packed) == 4 else f'[{text}]'}:{int(port, 16)}")
        except ValueError:
            continue
    return found


def tcp_listeners(host: Host, pid: int) -> List[str]:
    """The TCP addresses a process listens on: its descriptors' socket inodes in LISTEN state in /proc/PID/net/tcp
    and tcp6 (the sockets of its network namespace)."""
    try:
        inodes = _socket_inodes(host, pid)
        return [address for table in ("tcp", "tcp6") for address in tcp_listening(host.read_text(f"/proc/{pid}/net/{table}") or "", inodes)]
    except HostError:
        return []  # it ended meanwhile


def plain_api_addresses(host: Host, pid: int) -> Tuple[str, ...]:
    """The TCP addresses where the dockerd of `pid` answers the Engine API without TLS, asked now over plain HTTP:
    what reaches it whatever its files say. An answer counts only where it is this engine's (its /info ID is the one
    the engine's socket gives), so a container's service (Docker 28 binds published ports in dockerd itself) cannot
    pass for it, and the containers' published ports are not asked at all. Only for a dockerd in harden's own
    network namespace (a rootless one's loopback is not this one's); a listener that speaks TLS, or serves something
    else (swarm's 2377, metrics-addr), does not answer. At most PROBE_BUDGET seconds in all."""
    from .engine import NoEngine, engine_info
    from .engine_api import EngineAPI, EngineError

    def load() -> Tuple[str, ...]:
        try:
            namespace, ours = host.read_link(f"/proc/{pid}/ns/net"), host.read_link("/proc/self/ns/net")
            reference = engine_info(host).get("ID") if host.live and namespace and namespace == ours else None
        except (HostError, NoEngine):
            return ()
        if not isinstance(reference, str) or not reference:
            return ()
        published = _published_ports(host)
        deadline = time.monotonic() + PROBE_BUDGET
        answering = []
        for address in tcp_listeners(host, pid):
            where, _, port = address[len("tcp://"):].rpartition(":")
            if port in published or where.lower().startswith("[fe80:"):  # a container's; a link-local one needs its scope
                continue
            for asked in {"0.0.0.0": ("127.0.0.1",), "[::]": ("[::1]", "127.0.0.1")}.get(where, (where,)):
                if time.monotonic() > deadline:
                    return tuple(answering)
                try:
                    with EngineAPI(f"tcp://{asked}:{port}", timeout=PROBE_TIMEOUT, environment=False) as api:
                        found = api.document("/info")
                except EngineError:
                    continue
                if found.get("ID") == reference:
                    answering.append(address)
                break
        return tuple(answering)

    return host.fact(f"plain_api:{pid}", load)


def _published_ports(host: Host) -> FrozenSet[str]:
    """The host ports the containers publish, from the engine's listing (none where it cannot be read)."""
    from .containers import listing
    from .engine import NoEngine

    try:
        entries = listing(host)
    except (NoEngine, HostError):
        return frozenset()
    return frozenset(str(port["PublicPort"]) for entry in entries for port in entry.get("Ports") or []
                     if isinstance(port, dict) and port.get("PublicPort"))


PROBE_TIMEOUT = 2.0  # seconds a listener may take to answer
PROBE_BUDGET = 6.0  # seconds all of them may take
