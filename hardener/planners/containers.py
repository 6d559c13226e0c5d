"""A container: every setting wanted of it by every selected item, in one
change. Settings that cannot change on a live container come in one
recreation (with `--recreate`) that also carries a memory limit wanted; a
memory limit alone is set live with `docker update`.

A recreation keeps the original aside: stopped, renamed to NAME-hardener-RUN,
kept from restarting by its restart policy; the fixed container runs under
the original name with the same volumes, and must keep running. Rollback
removes it and gives the original back its name, restart policy and state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import List, Optional, Tuple

from ..facts import containers
from ..host import Host
from ..model import Intent, RunCommand, Text
from . import Planned, grouped, planner, serving
from .recreate import Adjust, network_connections, run_command, shell_line


@dataclass(frozen=True)
class ContainerSettings(Intent):
    container: str  # its full id
    adjust: Optional[Adjust] = None  # what a recreation changes
    memory: Optional[int] = None  # the memory limit wanted, in bytes
    apply: bool = False  # harden may do it: --recreate for a recreation, a configured limit for memory


MEMORY_CAVEAT = Text(
    "Docker cannot remove a memory limit: rollback sets the host's total memory ({total}) with unlimited swap instead",
    "Docker 无法取消内存限制：回滚时改为设置主机总内存（{total}），交换空间不限",
)


def host_memory(host: Host) -> int:
    found = re.search(r"^MemTotal:\s+(\d+) kB", host.read_text("/proc/meminfo") or "", re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def human(size: int) -> str:
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}{unit}"
    return f"{size}B"


@planner(ContainerSettings)
def plan_containers(host: Host, wanted, options) -> Planned:
    planned = Planned()
    for container_id, intents in grouped(wanted, lambda intent: intent.container).items():
        container = containers.inspected(host, container_id)
        recreations = [(item, intent) for item, intent in intents if intent.adjust is not None]
        limits = [(item, intent) for item, intent in intents if intent.memory is not None and intent.apply]
        memory = limits[0][1].memory if limits else None
        if recreations:
            adjust = reduce(lambda total, pair: total + pair[1].adjust, recreations, Adjust())
            image = containers.image(host, container.image_id)
            command = run_command(host, container, image, adjust, memory)
            for item, _ in recreations:
                planned.evidence[(item, container.name)] = {"recreate_command": " && ".join(
                    shell_line(step) for step in [command, *network_connections(container)])}
            if any(intent.apply for _, intent in recreations):
                planned.changes += recreation(container, command, serving(recreations + limits))
                continue
        if limits:
            planned.changes.append(memory_update(host, container, memory, serving(limits)))
    return planned


def memory_update(host: Host, container: containers.Container, limit: int, items: Tuple[str, ...]) -> RunCommand:
    total = host_memory(host)
    return RunCommand(
        target=f"container {container.name}",
        command=("docker", "update", "--memory", str(limit), "--memory-swap", str(limit), container.id),
        # cgroup v1 refuses a memory limit above the swap limit: swap goes up first, then unlimited
        undo=(("docker", "update", "--memory", str(total), "--memory-swap", str(2 * total), container.id),
              ("docker", "update", "--memory", str(total), "--memory-swap", "-1", container.id)),
        caveat=MEMORY_CAVEAT.format(total=human(total)),
        items=items,
    )


def recreation(container: containers.Container, command: List[str], items: Tuple[str, ...]) -> List[RunCommand]:
    target, old = f"container {container.name}", container.id[:12]
    kept = f"{container.name}-hardener-{{run_id}}"
    policy = (container.host_config.get("RestartPolicy") or {}).get("Name") or "no"
    retries = (container.host_config.get("RestartPolicy") or {}).get("MaximumRetryCount") or 0
    policy_flag = f"{policy}:{retries}" if policy == "on-failure" and retries else policy
    steps = []
    if container.running:
        steps.append(RunCommand(target, ("docker", "stop", old), (("docker", "start", old),), items=items))
    steps.append(RunCommand(target, ("docker", "rename", old, kept), (("docker", "rename", old, container.name),),
                            keeps=kept, discard=(("docker", "rm", "--force", old),), items=items))
    if policy != "no":
        steps.append(RunCommand(target, ("docker", "update", "--restart", "no", old),
                                (("docker", "update", "--restart", policy_flag, old),), items=items))
    steps.append(RunCommand(target, tuple(command), (("docker", "rm", "--force", container.name),),
                            verify=("docker", "container", "inspect", "--format", "{{.State.Running}}", container.name),
                            expect="true", items=items))
    steps += [RunCommand(target, tuple(connect), (("docker", "network", "disconnect", connect[-2], container.name),), items=items)
              for connect in network_connections(container)]
    return steps
