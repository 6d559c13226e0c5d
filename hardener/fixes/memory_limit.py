"""memory-limit (CIS 5.11): every container has a memory limit.

Fixed live with `docker update` where the config sets a limit. Docker cannot
take a limit away again, so rollback sets the nearest thing to none: the
host's total memory, with unlimited swap."""
from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from ..facts import containers
from ..host import Host
from ..model import Detection, Remedy, Text
from ..planners.containers import ContainerSettings, human
from ._container import ContainerFix, Problem

_UNITS = {"b": 1, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4,
          "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4}


def parse_size(text: str) -> Optional[int]:
    """docker stats' sizes: 356KiB, 1.5MiB, 0B."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]+)\s*", text)
    if not found or found.group(2).lower() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def memory_usage(host: Host, containers) -> Dict[str, int]:
    """Memory in use by these running containers, by id, in one docker call."""
    running = [container.id for container in containers if container.running]
    if not running:
        return {}
    usage = {}
    for line in host.run("docker", "stats", "--no-stream", "--no-trunc", "--format", "{{.ID}} {{.MemUsage}}", *running).splitlines():
        container_id, _, rest = line.partition(" ")
        size = parse_size(rest.split("/")[0])
        if size is not None:
            usage[container_id] = size
    return usage


class MemoryLimit(ContainerFix):
    id = "memory-limit"
    cis = "5.11"
    remedy = Remedy.AUTO
    adjust = None  # fixed live, never recreated
    title = Text("Containers have a memory limit", "限制容器的内存使用量")
    advice = Text('Set a limit in the config ([memory_limit] default = "512m", overrides by container or label) '
                  "and run harden apply, or recreate the container with --memory.",
                  '在配置中设置限制（[memory_limit] default = "512m"，可按容器名或标签覆盖）后执行 harden apply，'
                  "或使用 --memory 重新创建容器。")
    reasons = dict(
        ContainerFix.reasons,
        no_memory_limit=Text("{container} ({image}) has no memory limit; it uses {usage}",
                             "{container}（{image}）没有内存限制；当前使用 {usage}"),
        will_limit=Text("{container} ({image}) has no memory limit; it uses {usage}, harden sets {limit}",
                        "{container}（{image}）没有内存限制；当前使用 {usage}，harden 将设置为 {limit}"),
        limit_below_usage=Text("{container} ({image}) uses {usage}, more than the configured limit {limit}: raise the limit",
                               "{container}（{image}）当前使用 {usage}，超过配置的限制 {limit}：请提高限制"),
    )

    def detect(self, host: Host) -> Detection:
        try:
            chosen = containers.selected(containers.all_containers(host), self.options.containers)
        except containers.NoEngine:
            chosen = []  # the shared detect says why
        self._usage = memory_usage(host, [c for c in chosen if not c.host_config.get("Memory")])
        return super().detect(host)

    def problem(self, host: Host, container: containers.Container) -> Optional[Problem]:
        if container.host_config.get("Memory"):
            return None
        used = self._usage.get(container.id)
        return Problem("no_memory_limit", "medium", {"memory": "unlimited", "usage": human(used) if used is not None else "nothing (stopped)",
                                                      "usage_bytes": used or 0})

    def remedy_for(self, host: Host, container: containers.Container, problem: Problem) -> Tuple[Problem, ContainerSettings]:
        limit = self.options.config.memory_limit_for(container.name, container.labels)
        if limit is None:
            return problem, ContainerSettings(container.id)
        evidence = dict(problem.evidence, limit=limit.text, limit_bytes=limit.bytes)
        if problem.evidence["usage_bytes"] >= limit.bytes:
            return Problem("limit_below_usage", problem.severity, evidence), ContainerSettings(container.id)
        return Problem("will_limit", problem.severity, evidence), ContainerSettings(container.id, memory=limit.bytes, apply=True)
