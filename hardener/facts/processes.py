"""The host's processes: one pass over /proc a run, shared by the facts that look for dockerd and for the
containers' processes."""
from __future__ import annotations

from typing import Dict

from ..host import Host, HostError


def process_names(host: Host) -> Dict[int, str]:
    """Every process by pid, with its command name (/proc/PID/comm); one that ended meanwhile is left out."""
    def load() -> Dict[int, str]:
        found = {}
        for entry in host.list_dir("/proc"):
            if entry.isdigit():
                try:
                    name = host.read_process_file(int(entry), "comm")
                except HostError:
                    continue
                if name is not None:
                    found[int(entry)] = name.strip()
        return found

    return host.fact("process_names", load)
