"""cap-drop-all (CIS 5.4): containers drop every capability and add back only what they need.

Only when named: most images need some of Docker's default capabilities
(CHOWN, SETUID, NET_BIND_SERVICE, ...), and the recreated container keeps
only those it adds explicitly."""
from __future__ import annotations

from ..model import NONE, Remedy, Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem


class CapDropAll(ContainerFix):
    id = "cap-drop-all"
    cis = "5.4"
    remedy = Remedy.WHEN_NAMED
    title = Text("Containers drop all capabilities they do not need", "容器移除所有不需要的能力")
    advice = Text("Recreate the container with --cap-drop ALL and --cap-add for each capability it needs.",
                  "使用 --cap-drop ALL 重新创建容器，并用 --cap-add 添加其所需的每项能力。")
    impact = Text("The recreated container has no capability but those it adds: a process that changes file owners, "
                  "switches user or binds a port below 1024 fails unless that capability is added back.",
                  "重建后的容器只保留显式添加的能力：更改文件属主、切换用户或绑定 1024 以下端口的进程将失败，除非重新添加相应能力。")
    reasons = dict(ContainerFix.reasons, keeps_default_capabilities=Text(
        "{container} ({image}) keeps Docker's default capabilities (no --cap-drop ALL)",
        "{container}（{image}）保留了 Docker 的默认能力（未使用 --cap-drop ALL）"))
    adjust = Adjust(cap_drop_all=True)

    def problem(self, host, container):
        dropped = [cap.upper() for cap in container.host_config.get("CapDrop") or []]
        if "ALL" in dropped or "CAP_ALL" in dropped:
            return None
        return Problem("keeps_default_capabilities", "low", {"cap_drop": ", ".join(dropped) or NONE})
