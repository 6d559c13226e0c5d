"""What the swarm items (CIS 5.1, section 7) share: they apply on a swarm node only, most of them on a manager."""
from __future__ import annotations

import abc
from typing import Mapping, Tuple

from ..facts import swarm
from ..host import Host
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix


class SwarmFix(Fix):
    remedy = Remedy.MANUAL
    manager_only = True  # what it reads only a manager knows
    reasons = {  # every swarm item's; each adds its own with dict(SwarmFix.reasons, ...)
        "not_manager": Text("this node is a swarm worker: check it on a manager", "本节点是 swarm 工作节点：请在管理节点上检查"),
    }

    @abc.abstractmethod
    def judge(self, host: Host, node: Mapping) -> Tuple[Finding, ...]:
        """The findings on this swarm node."""

    def detect(self, host: Host) -> Detection:
        if not host.live:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "not_live"),))
        node = swarm.node(host)
        if node is None:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "no_swarm"),))
        if self.manager_only and not node.get("ControlAvailable"):
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "not_manager"),))
        return Detection(self.judge(host, node))
