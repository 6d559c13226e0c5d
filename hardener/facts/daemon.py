"""What the running dockerd was started with."""
from __future__ import annotations

import posixpath
from typing import FrozenSet, List

from ..host import Host, HostError

PID_FILES = ("/run/docker.pid", "/var/run/docker.pid")


def running_arguments(host: Host) -> List[str]:
    """The running dockerd's command line, [] when it cannot be read."""
    for pid_file in PID_FILES:
        try:
            pid = (host.read_text(pid_file) or "").strip()
            if pid.isdigit():
                cmdline = host.read_bytes(f"/proc/{pid}/cmdline") or b""
                return [arg.decode(errors="replace") for arg in cmdline.split(b"\0") if arg]
        except HostError:
            continue
    return []


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
    """The Docker sockets of this host and their directories, links resolved."""

    def load() -> FrozenSet[str]:
        sockets = {host.resolve(path) for path in DEFAULT_SOCKETS + tuple(unix_sockets(host))}
        return frozenset(sockets | {posixpath.dirname(path) for path in sockets})

    return host.fact("docker_sockets", load)
