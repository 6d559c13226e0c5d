"""default-ulimits (CIS 2.9): the containers' default ulimits are chosen for this host (manual in CIS)."""
from __future__ import annotations

from ..model import Finding, Remedy, Status, Text
from ._daemon import DaemonFix, listed


class DefaultUlimits(DaemonFix):
    id = "default-ulimits"
    cis = "2.9"
    remedy = Remedy.MANUAL
    title = Text("The default ulimit is configured appropriately", "默认 ulimit 配置得当")
    advice = Text('Set "default-ulimits" in /etc/docker/daemon.json (nofile, nproc: {"nofile": {"Name": "nofile", '
                  '"Soft": 64000, "Hard": 64000}}) to what this host\'s containers need, and restart docker.',
                  '在 /etc/docker/daemon.json 中按本机容器所需设置 "default-ulimits"（如 nofile、nproc：{"nofile": {"Name": "nofile", '
                  '"Soft": 64000, "Hard": 64000}}），并重启 docker。')
    reasons = dict(DaemonFix.reasons, ulimits=Text("default ulimits: {value} ({where}): judge whether they suit this host",
                                                   "默认 ulimit：{value}（{where}）：请判断是否适合本机"))

    def judge(self, host, config):
        limits, places = listed(config, "default-ulimit")
        evidence = {"option": "default-ulimits", "value": ", ".join(limits) or "none set: containers inherit dockerd's own", "where": places}
        return Finding("default-ulimits", Status.MANUAL, "ulimits", "low", evidence), None
