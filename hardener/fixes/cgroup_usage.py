"""cgroup-usage (CIS 5.25): containers run in Docker's own cgroup unless another is meant (reported)."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem


class CgroupUsage(ContainerFix):
    id = "cgroup-usage"
    cis = "5.25"
    title = Text("Cgroup usage is confirmed", "确认容器的 cgroup 使用")
    advice = Text("Check the container is meant to run in the cgroup it names (--cgroup-parent); otherwise recreate it without.",
                  "确认容器应运行在其指定的 cgroup 中（--cgroup-parent）；否则不指定重新创建容器。")
    reasons = dict(ContainerFix.reasons, cgroup_parent=Text("{container} ({image}) runs under cgroup {cgroup_parent}",
                                                            "{container}（{image}）运行在 cgroup {cgroup_parent} 下"))

    def problem(self, host, container):
        parent = container.host_config.get("CgroupParent") or ""
        return Problem("cgroup_parent", "low", {"cgroup_parent": parent}) if parent else None
