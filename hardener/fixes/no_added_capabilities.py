"""no-added-capabilities (CIS 5.4): containers get no capabilities beyond Docker's default set. One of that set
added back after --cap-drop ALL (CIS's own remediation) adds nothing, and its recreation keeps it."""
from __future__ import annotations

from ..facts.containers import added_capabilities, capability
from ..model import Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem

# Capabilities that give a container the host, or most of it
DANGEROUS = {"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "NET_ADMIN", "DAC_READ_SEARCH", "SYS_BOOT", "BPF"}


class NoAddedCapabilities(ContainerFix):
    id = "no-added-capabilities"
    cis = "5.4"
    title = Text("Containers add no Linux capabilities", "容器不添加额外的 Linux 能力")
    advice = Text("Recreate the container without --cap-add, or with only the capabilities it cannot work without.",
                  "不使用 --cap-add 重新创建容器，或只添加其必需的能力。")
    impact = Text("What the container did with an added capability (change the network, trace processes, ...) fails once recreated.",
                  "容器依赖额外能力所做的操作（修改网络、跟踪进程等）在重建后将失败。")
    reasons = dict(ContainerFix.reasons, added_capabilities=Text("{container} ({image}) adds capabilities: {cap_add}",
                                                                 "{container}（{image}）添加了能力：{cap_add}"))
    adjust = Adjust(drop_added_capabilities=True)

    def problem(self, host, container):
        added = [capability(cap) for cap in added_capabilities(container.host_config.get("CapAdd"))]
        if not added:
            return None
        return Problem("added_capabilities", "high" if DANGEROUS & set(added) else "medium", {"cap_add": ", ".join(added)})
