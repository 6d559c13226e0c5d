"""no-host-uts (CIS 5.21): no container shares the host's UTS namespace (its host name)."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, SharedFromHost


class NoHostUts(SharedFromHost):
    id = "no-host-uts"
    cis = "5.21"
    title = Text("Containers do not share the host's UTS namespace", "不共享主机的 UTS 名称空间")
    advice = Text("Recreate the container without --uts=host.", "不使用 --uts=host 重新创建容器。")
    reasons = dict(ContainerFix.reasons, host_uts=Text("{container} ({image}) shares the host's UTS namespace (--uts=host)",
                                                       "{container}（{image}）共享主机 UTS 名称空间（--uts=host）"))
    setting, evidence_key, reason = "UTSMode", "uts_mode", "host_uts"
    severity = "medium"
