"""swarm-mode (CIS 5.1): swarm mode is not enabled where it is not needed; whether it is needed, a person says."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ._swarm import SwarmFix


class SwarmMode(SwarmFix):
    id = "swarm-mode"
    cis = "5.1"
    manager_only = False
    title = Text("Swarm mode is not enabled, if not needed", "不需要时不启用 swarm 模式")
    advice = Text("If this node does not need to be in a swarm, leave it: docker swarm leave.",
                  "如果本节点不需要加入 swarm，请退出：docker swarm leave。")
    reasons = dict(SwarmFix.reasons, no_swarm=Text("swarm mode is not enabled", "未启用 swarm 模式"),
                   swarm_active=Text("this node is in a swarm ({state}, {role}): check it is needed",
                                     "本节点已加入 swarm（{state}，{role}）：请确认确有需要"))

    def detect(self, host):
        detection = super().detect(host)
        if detection.findings[0].reason == "no_swarm":  # the recommendation met, not beside the point
            return type(detection)((Finding("swarm", Status.PASS, "no_swarm"),))
        return detection

    def judge(self, host, node):
        role = "manager" if node.get("ControlAvailable") else "worker"
        return (Finding("swarm", Status.MANUAL, "swarm_active", "medium",
                        {"state": node.get("LocalNodeState"), "role": role, "node_id": node.get("NodeID", "")}),)
