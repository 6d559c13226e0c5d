"""swarm-listen-address (CIS 7.2): the swarm's management port (2377) listens on one address, not every one."""
from __future__ import annotations

from ..facts.swarm import listening_everywhere
from ..model import Finding, Status, Text
from ._swarm import SwarmFix

MANAGEMENT_PORT = 2377


class SwarmListenAddress(SwarmFix):
    id = "swarm-listen-address"
    cis = "7.2"
    title = Text("Swarm services are bound to a specific host interface", "swarm 服务绑定到指定的主机网络接口")
    advice = Text("Listen on the management network's address only: docker swarm init --listen-addr ADDRESS:2377 "
                  "(on an existing swarm: rejoin the manager with --listen-addr).",
                  "只在管理网络地址上监听：docker swarm init --listen-addr 地址:2377（已有 swarm：以 --listen-addr 重新加入管理节点）。")
    reasons = dict(SwarmFix.reasons,
                   every_address=Text("the swarm management port {port} listens on every address", "swarm 管理端口 {port} 在所有地址上监听"),
                   bound=Text("the swarm management port {port} listens on {address} only", "swarm 管理端口 {port} 只在 {address} 上监听"))

    def judge(self, host, node):
        if listening_everywhere(host, MANAGEMENT_PORT):
            return (Finding("swarm", Status.MANUAL, "every_address", "medium", {"port": MANAGEMENT_PORT}),)
        return (Finding("swarm", Status.PASS, "bound", evidence={"port": MANAGEMENT_PORT, "address": node.get("NodeAddr", "")}),)
