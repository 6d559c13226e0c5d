"""no-host-pid (CIS 5.16): no container shares the host's process namespace."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, SharedFromHost


class NoHostPid(SharedFromHost):
    id = "no-host-pid"
    cis = "5.16"
    title = Text("Containers do not share the host's process namespace", "不共享主机的进程名称空间")
    advice = Text("Recreate the container without --pid=host.", "不使用 --pid=host 重新创建容器。")
    reasons = dict(ContainerFix.reasons, host_pid=Text("{container} ({image}) shares the host's processes (--pid=host)",
                                                 "{container}（{image}）共享主机进程名称空间（--pid=host）"))
    setting, evidence_key, reason = "PidMode", "pid_mode", "host_pid"
