"""swarm-autolock (CIS 7.5): a restarted manager stays locked until it is given the unlock key."""
from __future__ import annotations

from ..facts.swarm import spec
from ..model import Finding, Status, Text
from ._swarm import SwarmFix


class SwarmAutolock(SwarmFix):
    id = "swarm-autolock"
    cis = "7.5"
    title = Text("The swarm manager is run in auto-lock mode", "swarm 管理节点以自动锁定模式运行")
    advice = Text("Turn it on with docker swarm update --autolock=true and keep the unlock key it prints where the "
                  "administrators who restart managers can reach it.",
                  "执行 docker swarm update --autolock=true 开启，并将其输出的解锁密钥保存在重启管理节点的管理员可获取之处。")
    reasons = dict(SwarmFix.reasons, autolock_off=Text("the swarm's managers are not auto-locked", "swarm 管理节点未启用自动锁定"),
                   autolock_on=Text("the swarm's managers are auto-locked", "swarm 管理节点已启用自动锁定"))

    def judge(self, host, node):
        if (spec(host).get("Spec") or {}).get("EncryptionConfig", {}).get("AutoLockManagers"):
            return (Finding("swarm", Status.PASS, "autolock_on"),)
        return (Finding("swarm", Status.MANUAL, "autolock_off", "medium", {"autolock": False}),)
