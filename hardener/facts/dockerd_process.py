"""What the running dockerd was started with."""
from __future__ import annotations

import os
import posixpath
import time
from typing import FrozenSet, List, Optional, Tuple

from ..host import Host, HostError

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
    """The Docker sockets of this host and their directories, links resolved."""

    def load() -> FrozenSet[str]:
        sockets = {host.resolve(path) for path in DEFAULT_SOCKETS + tuple(unix_sockets(host))}
        return frozenset(sockets | {posixpath.dirname(path) for path in sockets})

    return host.fact("docker_sockets", load)
