"""no-host-ipc (CIS 5.17): no container shares the host's IPC namespace."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, SharedFromHost


class NoHostIpc(SharedFromHost):
    id = "no-host-ipc"
    cis = "5.17"
    title = Text("Containers do not share the host's IPC namespace", "不共享主机的 IPC 名称空间")
    advice = Text("Recreate the container without --ipc=host.", "不使用 --ipc=host 重新创建容器。")
    reasons = dict(ContainerFix.reasons, host_ipc=Text("{container} ({image}) shares the host's IPC namespace (--ipc=host)",
                                                       "{container}（{image}）共享主机 IPC 名称空间（--ipc=host）"))
    setting, evidence_key, reason = "IpcMode", "ipc_mode", "host_ipc"
