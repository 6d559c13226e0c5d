"""swarm-managers (CIS 7.1): the swarm has the fewest managers its fault tolerance needs."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ._swarm import SwarmFix


class SwarmManagers(SwarmFix):
    id = "swarm-managers"
    cis = "7.1"
    title = Text("The minimum number of manager nodes have been created in a swarm", "swarm 中只创建最少数量的管理节点")
    advice = Text("Keep an odd number of managers, as few as the failures to survive need (3 survive one, 5 survive two); "
                  "demote the others: docker node demote NODE.",
                  "保持奇数个管理节点，数量以所需容错为限（3 个容忍 1 个故障，5 个容忍 2 个）；降级其余节点：docker node demote NODE。")
    reasons = dict(SwarmFix.reasons, managers=Text("the swarm has {managers} manager(s) of {nodes} node(s): check it is the fewest needed",
                                                   "swarm 共 {nodes} 个节点，其中 {managers} 个管理节点：请确认为所需的最少数量"))

    def judge(self, host, node):
        return (Finding("swarm", Status.MANUAL, "managers", "low", {"managers": node.get("Managers", 0), "nodes": node.get("Nodes", 0)}),)
