"""memory-limit (CIS 5.11): every container has a memory limit.

Fixed live with `docker update` where the config sets a limit. Docker cannot
take a limit away again, so rollback sets the nearest thing to none: the
host's total memory, with unlimited swap."""
from __future__ import annotations

from typing import Optional, Tuple

from ..facts import container_processes, containers
from ..host import Host
from ..model import Remedy, Text
from ..parameters import Parameter, size
from ..planners.containers import ContainerSettings, human
from ._container import ContainerFix, Problem


class MemoryLimit(ContainerFix):
    id = "memory-limit"
    cis = "5.11"
    remedy = Remedy.AUTO
    title = Text("Containers have a memory limit", "限制容器的内存使用量")
    advice = Text('Set a limit in the config ([memory_limit] default = "512m", overrides by container or label) '
                  "and run harden apply, or recreate the container with --memory.",
                  '在配置中设置限制（[memory_limit] default = "512m"，可按容器名或标签覆盖）后执行 harden apply，'
                  "或使用 --memory 重新创建容器。")
    parameters = (Parameter("default", size, None, "the memory limit harden sets on a container no [memory_limit] override names"),)
    reasons = dict(
        ContainerFix.reasons,
        no_memory_limit=Text("{container} ({image}) has no memory limit; set one in the config's [memory_limit] for harden to apply",
                             "{container}（{image}）没有内存限制；在配置的 [memory_limit] 中设置后 harden 即可应用"),
        will_limit=Text("{container} ({image}) has no memory limit; it uses {usage}, harden sets {limit}",
                        "{container}（{image}）没有内存限制；当前使用 {usage}，harden 将设置为 {limit}"),
        limit_below_usage=Text("{container} ({image}) uses {usage}, more than the configured limit {limit}: raise the limit",
                               "{container}（{image}）当前使用 {usage}，超过配置的限制 {limit}：请提高限制"),
    )

    def problem(self, host: Host, container: containers.Container) -> Optional[Problem]:
        if container.host_config.get("Memory"):
            return None
        return Problem("no_memory_limit", "medium", {"memory": "unlimited"})

    def remedy_for(self, host: Host, container: containers.Container, problem: Problem) -> Tuple[Problem, Optional[ContainerSettings]]:
        """With a configured limit: the container's usage (only then read), and the limit when it is above it."""
        limit = self.options.config.override_for("memory_limit", container.name, container.labels) or self.parameter("default")
        if limit is None:
            return problem, None
        used = container_processes.memory_usage(host, container)
        evidence = dict(problem.evidence, limit=limit.text, limit_bytes=limit.value,
                        usage=human(used) if used is not None else "nothing (stopped)", usage_bytes=used or 0)
        if (used or 0) >= limit.value:
            return Problem("limit_below_usage", problem.severity, evidence), None
        return Problem("will_limit", problem.severity, evidence), ContainerSettings(container.id, live=(("Memory", limit.value),), apply=True)
