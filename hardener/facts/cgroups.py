"""A container's memory usage, read from its cgroup as `docker stats` counts
it: usage without the inactive file cache (cgroup v1: memory.usage_in_bytes
less total_inactive_file; v2: memory.current less inactive_file), for the
cgroupfs and systemd drivers alike, since the path comes from the container's
own process (/proc/PID/cgroup). One read of a few files, not one API call
that samples for a second."""
from __future__ import annotations

from typing import Dict, Optional, Tuple

from ..host import Host, HostError

CGROUP_ROOT = "/sys/fs/cgroup"


def _stat(text: str) -> Dict[str, int]:
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            found[key] = int(value)
    return found


def without_inactive_cache(usage: int, stat: Dict[str, int]) -> int:
    """docker stats' own formula (calculateMemUsageUnixNoCache)."""
    inactive = stat.get("total_inactive_file")
    if inactive is not None and inactive < usage:  # cgroup v1
        return usage - inactive
    inactive = stat.get("inactive_file", 0)
    return usage - inactive if inactive < usage else usage


def memory_counters(host: Host, pid: int) -> Optional[Tuple[int, Dict[str, int]]]:
    """The usage and memory.stat of the memory cgroup of process `pid`, None where no cgroup file is found."""
    try:
        lines = (host.read_process_file(pid, "cgroup") or "").splitlines()
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):  # cgroup v1: the memory hierarchy
                directory = f"{CGROUP_ROOT}/memory{path}"
                usage = host.read_text(f"{directory}/memory.usage_in_bytes")
                break
        else:
            unified = next((line.split(":", 2)[2] for line in lines if line.startswith("0::")), None)
            if unified is None:
                return None
            base = CGROUP_ROOT if host.exists(f"{CGROUP_ROOT}/cgroup.controllers") else f"{CGROUP_ROOT}/unified"
            directory = f"{base}{unified}"
            usage = host.read_text(f"{directory}/memory.current")
        stat = host.read_text(f"{directory}/memory.stat")
    except (HostError, ValueError):
        return None
    if usage is None or stat is None or not usage.strip().isdigit():
        return None
    return int(usage), _stat(stat)


def memory_usage(host: Host, pid: int) -> Optional[int]:
    """The memory the cgroup of process `pid` uses, None where no cgroup file is found."""
    counters = memory_counters(host, pid)
    return None if counters is None else without_inactive_cache(*counters)
