"""A container: every setting wanted of it by every selected item, in one
change. Settings that cannot change on a live container come in one
recreation (with `--recreate`) that also carries the live settings wanted
(memory limit, CPU shares, PIDs limit, restart policy); live settings alone
are set with one `docker update`.

A recreation keeps the original aside: stopped, renamed to NAME-hardener-RUN,
kept from restarting by its restart policy; the fixed container is created
through the Engine API from the original's own configuration (recreate.py),
runs under the original name with the same volumes, and must keep running (one
made from a stopped container is created, and stays stopped as it was).
Rollback removes it and gives the original back its name, restart policy and state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import Dict, List, Mapping, Optional, Tuple

from ..facts import containers
from ..host import Host
from ..model import Change, CreateContainer, Intent, RunCommand, Text
from . import Planned, grouped, planner, serving
from .recreate import Adjust, CreateRequest, changed_fields, create_request, network_connections, run_command, shell_line


@dataclass(frozen=True)
class ContainerSettings(Intent):
    container: str  # its full id
    adjust: Optional[Adjust] = None  # what a recreation changes
    live: Tuple[Tuple[str, object], ...] = ()  # HostConfig settings docker update can set: (("Memory", 536870912),)
    apply: bool = False  # harden may do it: --recreate for a recreation, a configured value for a live setting


MEMORY_CAVEAT = Text(
    "Docker cannot remove a memory limit: rollback sets the host's total memory ({total}) with unlimited swap instead",
    "Docker 无法取消内存限制：回滚时改为设置主机总内存（{total}），交换空间不限",
)
CPU_SHARES_CAVEAT = Text("Docker cannot unset CPU shares: rollback sets 1024, the default weight",
                         "Docker 无法取消 CPU 份额：回滚时改为设置默认权重 1024")


def host_memory(host: Host) -> int:
    found = re.search(r"^MemTotal:\s+(\d+) kB", host.read_text("/proc/meminfo") or "", re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def human(size: int) -> str:
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}{unit}"
    return f"{size}B"


def restart_flag(policy: Mapping) -> str:
    name, retries = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


@planner(ContainerSettings)
def plan_containers(host: Host, wanted, options) -> Planned:
    planned = Planned()
    for container_id, intents in grouped(wanted, lambda intent: intent.container).items():
        container = containers.inspected(host, container_id)
        recreations = [(item, intent) for item, intent in intents if intent.adjust is not None]
        updates = [(item, intent) for item, intent in intents if intent.live and intent.apply]
        live = {key: value for _, intent in updates for key, value in intent.live}
        if recreations:
            adjust = reduce(lambda total, pair: total + pair[1].adjust, recreations, Adjust())
            image = containers.image(host, container.image_id)
            command = run_command(host, container, image, adjust, _overrides(live))
            for item, _ in recreations:
                planned.evidence[(item, container.name)] = {"recreate_command": " && ".join(
                    shell_line(step) for step in [command, *network_connections(container)])}
            if any(intent.apply for _, intent in recreations):
                version = containers.api_version(host)
                as_it_was = create_request(host, container, image, api_version=version)
                request = create_request(host, container, image, adjust, _overrides(live), version)
                planned.changes += recreation(container, request, changed_fields(as_it_was.body, request.body), version,
                                              serving(recreations + updates))
                continue
        if live:
            planned.changes += live_update(host, container, live, serving(updates))
    return planned


def _overrides(live: Mapping[str, object]) -> Dict[str, object]:
    """The live settings as a recreation's HostConfig has them (swap limited with memory)."""
    overrides = dict(live)
    if "Memory" in live:
        overrides["MemorySwap"] = live["Memory"]
    return overrides


def live_update(host: Host, container: containers.Container, live: Mapping[str, object], items: Tuple[str, ...]) -> List[RunCommand]:
    """One `docker update` with every live setting, and the one (two with memory) that gives the old values back."""
    settings = container.host_config
    command: List[str] = ["docker", "update"]
    undo: List[str] = ["docker", "update"]
    caveats: List[Text] = []
    if "Memory" in live:
        total = host_memory(host)
        command += ["--memory", str(live["Memory"]), "--memory-swap", str(live["Memory"])]
        # cgroup v1 refuses a memory limit above the swap limit: swap goes up first, then unlimited
        undo += ["--memory", str(total), "--memory-swap", str(2 * total)]
        caveats.append(MEMORY_CAVEAT.format(total=human(total)))
    if "CpuShares" in live:
        command += ["--cpu-shares", str(live["CpuShares"])]
        undo += ["--cpu-shares", str(settings.get("CpuShares") or 1024)]
        if not settings.get("CpuShares"):
            caveats.append(CPU_SHARES_CAVEAT)
    if "PidsLimit" in live:
        command += ["--pids-limit", str(live["PidsLimit"])]
        old = settings.get("PidsLimit") or 0
        undo += ["--pids-limit", str(old) if old > 0 else "-1"]  # -1: unlimited, as it was
    if "RestartPolicy" in live:
        command += ["--restart", restart_flag(live["RestartPolicy"])]
        undo += ["--restart", restart_flag(settings.get("RestartPolicy") or {})]
    undos = [tuple(undo + [container.id])]
    if "Memory" in live:
        undos.append(("docker", "update", "--memory", str(total), "--memory-swap", "-1", container.id))
    caveat = Text("; ".join(c.en for c in caveats), "；".join(c.zh for c in caveats)) if caveats else None
    return [RunCommand(target=f"container {container.name}", command=tuple(command + [container.id]), undo=tuple(undos),
                       caveat=caveat, items=items)]


def recreation(container: containers.Container, request: CreateRequest, changed: Tuple[str, ...], api_version: str,
               items: Tuple[str, ...]) -> List[Change]:
    target, old = f"container {container.name}", container.id[:12]
    kept = f"{container.name}-hardener-{{run_id}}"
    policy_flag = restart_flag(container.host_config.get("RestartPolicy") or {})
    steps = []
    if container.running:
        steps.append(RunCommand(target, ("docker", "stop", old), (("docker", "start", old),), items=items))
    steps.append(RunCommand(target, ("docker", "rename", old, kept), (("docker", "rename", old, container.name),),
                            keeps=kept, discard=(("docker", "rm", "--force", old),), items=items))
    if policy_flag != "no":
        steps.append(RunCommand(target, ("docker", "update", "--restart", "no", old),
                                (("docker", "update", "--restart", policy_flag, old),), items=items))
    steps.append(CreateContainer(target, container.name, request.body, api_version, request.connect, container.running, changed, items))
    return steps
