"""The kernel's view of the containers' processes (this host's /proc and cgroups): which processes run in which
container, the uid, NoNewPrivs and mounts the kernel gave the first of them, and the memory its cgroup uses. What the
engine was asked for is judged against this: the effective state."""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Dict, List, Optional, Tuple

from ..host import Host, HostError
from . import cgroups
from .containers import Container, within
from .engine import api
from .engine_api import EngineError
from .processes import process_names


CONTAINER_ID = re.compile(r"[0-9a-f]{64}")


def processes(host: Host) -> Dict[str, List[Tuple[int, str]]]:
    """The host's processes by the container they run in, (pid, command name) each: one pass over /proc,
    matched by the container id in each process's cgroup path."""
    def load() -> Dict[str, List[Tuple[int, str]]]:
        found: Dict[str, List[Tuple[int, str]]] = {}
        for pid, name in process_names(host).items():
            try:
                ids = set(CONTAINER_ID.findall(host.read_process_file(pid, "cgroup") or ""))
            except HostError:
                continue
            if len(ids) == 1:  # the name of a process in a container only
                found.setdefault(ids.pop(), []).append((pid, name))
        return found

    return host.fact("container_processes", load)


def _process_file(host: Host, container: Container, name: str) -> Optional[str]:
    """/proc/PID/NAME of the container's first process; None where none runs or it cannot be read here."""
    pid = (container.raw.get("State") or {}).get("Pid") or 0
    if not host.live or not container.running or not pid or not api(host).address.startswith("unix://"):
        return None  # a pid of another host's engine (DOCKER_HOST=tcp://...) is not this host's /proc
    try:
        return host.read_process_file(pid, name)
    except HostError:
        return None


def no_new_privs(host: Host, container: Container) -> Optional[bool]:
    """The kernel's NoNewPrivs of the container's process; None where none runs or it cannot be read here."""
    found = re.search(r"^NoNewPrivs:\s*([01])$", _process_file(host, container, "status") or "", re.MULTILINE)
    return found.group(1) == "1" if found else None


def mounted_sources(host: Host, container: Container) -> Dict[str, str]:
    """For a running container, what the kernel mounted at each of its mount points, as a path of this host: its
    mountinfo's root within the device, under where this host mounts that device ({} where no process runs here)."""
    mine = _process_file(host, container, "mountinfo")
    if not mine:
        return {}
    try:
        ours = _host_mounts(host)
    except HostError:
        return {}
    found = {}
    for device, root, point in (_mount_entry(line) for line in mine.splitlines()):
        candidates = [(host_root, host_point) for host_root, host_point in ours.get(device, ()) if within(root, host_root)]
        if candidates:
            host_root, host_point = max(candidates, key=lambda candidate: len(candidate[0]))
            found[point] = str(PurePosixPath(host_point) / PurePosixPath(root).relative_to(host_root))
    pid = (container.raw.get("State") or {}).get("Pid")
    for mount in container.binds:  # runc mounted at the destination as the image's links lead (/var/run is /run)
        destination = mount.get("Destination") or ""
        if destination.startswith("/") and destination not in found:
            try:
                resolved = host.kernel_path(destination, inside=f"/proc/{pid}/root")
            except HostError:  # a loop of links (runc mounted nothing there), or links changing as they are followed
                continue
            if resolved in found:
                found[destination] = found[resolved]
    return found


def _host_mounts(host: Host) -> Dict[str, List[Tuple[str, str]]]:
    """This host's mounts by device: (root within the device, mount point) each, read once a run."""
    def load() -> Dict[str, List[Tuple[str, str]]]:
        by_device: Dict[str, List[Tuple[str, str]]] = {}
        for line in (host.read_text("/proc/self/mountinfo") or "").splitlines():
            device, root, point = _mount_entry(line)
            by_device.setdefault(device, []).append((root, point))
        return by_device

    return host.fact("host_mounts", load)


OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _mount_entry(line: str) -> Tuple[str, str, str]:
    """(major:minor, root within the device, mount point) of a /proc/PID/mountinfo line; octal escapes decoded."""
    fields = line.split()
    if len(fields) < 5:
        return "", "", ""
    decode = lambda text: OCTAL_ESCAPE.sub(lambda found: chr(int(found.group(1), 8)), text) if "\\" in text else text  # noqa: E731
    return fields[2], decode(fields[3]), decode(fields[4])


def process_uid(host: Host, container: Container) -> Optional[int]:
    """The effective uid of the container's first process as the container sees it: the kernel's (/proc/PID/status),
    mapped back through the container's uid_map (under userns-remap or rootless, its root is another uid here).
    None where no process runs, or where it cannot be read or mapped here."""
    found = re.search(r"^Uid:\s*\d+\s+(\d+)", _process_file(host, container, "status") or "", re.MULTILINE)
    if not found:
        return None
    return map_uid(int(found.group(1)), _process_file(host, container, "uid_map") or "")


def map_uid(outside: int, uid_map: str) -> Optional[int]:
    """A host uid as a user namespace whose uid_map is `uid_map` ("inside outside count" lines) sees it."""
    for line in uid_map.splitlines():
        parts = line.split()
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            inside, start, count = map(int, parts)
            if start <= outside < start + count:
                return inside + outside - start
    return None


def memory_usage(host: Host, container: Container) -> Optional[int]:
    """What a running container uses, as docker stats counts it: from its cgroup,
    else (no cgroup file found) from the engine's one-shot stats; None when stopped."""
    if not container.running:
        return None
    found = cgroups.memory_usage(host, container.raw["State"].get("Pid") or 0)
    if found is not None:
        return found
    try:
        stats = api(host).document(f"/containers/{container.id}/stats?stream=false&one-shot=true")
    except EngineError:
        return None
    memory = stats.get("memory_stats") or {} if isinstance(stats, dict) else {}
    return cgroups.without_inactive_cache(memory["usage"], memory.get("stats") or {}) if "usage" in memory else None
