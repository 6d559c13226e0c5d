"""no-host-ipc (CIS 5.17): no container shares the host's IPC namespace."""
from __future__ import annotations

from ..model import Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem


class NoHostIpc(ContainerFix):
    id = "no-host-ipc"
    cis = "5.17"
    profiles = ("cis",)
    title = Text("Containers do not share the host's IPC namespace", "不共享主机的 IPC 名称空间")
    advice = Text("Recreate the container without --ipc=host.", "不使用 --ipc=host 重新创建容器。")
    reasons = dict(ContainerFix.reasons, host_ipc=Text("{container} ({image}) shares the host's IPC namespace (--ipc=host)",
                                                       "{container}（{image}）共享主机 IPC 名称空间（--ipc=host）"))
    adjust = Adjust(clear=frozenset({"IpcMode"}))

    def problem(self, host, container):
        if container.host_config.get("IpcMode") == "host":
            return Problem("host_ipc", "high", {"ipc_mode": "host"})
        return None
