"""live-restore (CIS 2.16): containers keep running while dockerd restarts.

live-restore is one of the options dockerd reloads: it is turned on in
daemon.json and taken with a reload before any restart. It does not work with
swarm mode: on a swarm node the item is manual."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ..facts.swarm import swarm_active
from ._daemon import BooleanOption


class LiveRestore(BooleanOption):
    id = "live-restore"
    cis = "2.16"
    option, wanted, default = "live-restore", True, False
    title = Text("Live restore is enabled", "启用 live restore")
    advice = Text('Set "live-restore": true in /etc/docker/daemon.json and reload docker (systemctl reload docker).',
                  '在 /etc/docker/daemon.json 中设置 "live-restore": true 并重新加载 docker（systemctl reload docker）。')
    reasons = dict(BooleanOption.reasons, swarm=Text("this node is in swarm mode, which live-restore does not work with",
                                                     "本节点处于 swarm 模式，live-restore 无法与其同时使用"))

    def judge(self, host, config):
        finding, want = super().judge(host, config)
        if finding.status is Status.FAIL and host.live and swarm_active(host):
            return Finding(self.option, Status.MANUAL, "swarm", "low", finding.evidence), None
        return finding, want
