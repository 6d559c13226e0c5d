"""What the running dockerd was started with."""
from __future__ import annotations

from typing import List

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
