"""no-host-userns (CIS 5.31): no container opts out of the daemon's user namespace remapping."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, SharedFromHost


class NoHostUserns(SharedFromHost):
    id = "no-host-userns"
    cis = "5.31"
    title = Text("Containers do not share the host's user namespace", "不共享主机的用户名称空间")
    advice = Text("Recreate the container without --userns=host.", "不使用 --userns=host 重新创建容器。")
    reasons = dict(ContainerFix.reasons, host_userns=Text("{container} ({image}) shares the host's user namespace (--userns=host)",
                                                          "{container}（{image}）共享主机用户名称空间（--userns=host）"))
    setting, evidence_key, reason = "UsernsMode", "userns_mode", "host_userns"
