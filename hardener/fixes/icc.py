"""icc (CIS 2.2): no traffic between containers on the default bridge (icc=false)."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ._daemon import COMMON_REASONS, DaemonFix, Want, conflict, effective


def is_false(value) -> bool:
    return str(value).lower() == "false"


class Icc(DaemonFix):
    id = "icc"
    cis = "2.2"
    title = Text("Traffic between containers is restricted (icc=false)", "限制容器之间的网络流量")
    advice = Text('Set "icc": false in /etc/docker/daemon.json and restart docker; link the containers that must talk.',
                  '在 /etc/docker/daemon.json 中设置 "icc": false 并重启 docker；需要互通的容器请显式连接。')
    impact = Text("Containers on the default bridge (legacy --link included) can no longer talk to each other.",
                  "默认网桥上的容器（包括旧式 --link）之间将无法通信。")
    reasons = dict(COMMON_REASONS, icc_enabled=Text("icc is {value} ({where})", "icc 为 {value}（{where}）"))
    iptables_note = Text("iptables is turned back on too: dockerd refuses icc=false with iptables=false",
                         "同时重新启用 iptables：icc=false 与 iptables=false 同时设置时 dockerd 无法启动")

    def judge(self, host, config):
        want = self._want(config)
        found = conflict(config, "icc")
        if found:
            return found, want
        value, where = effective(config, "icc", True)
        evidence = {"option": "icc", "value": str(value).lower(), "where": where}
        if is_false(value):
            return Finding("icc", Status.PASS, "compliant", evidence=evidence), None
        return Finding("icc", Status.FAIL, "icc_enabled", "medium", evidence), want

    def _want(self, config) -> Want:
        iptables, _ = effective(config, "iptables", True)
        if is_false(iptables):
            return Want(drop=lambda flag: flag.name in ("icc", "iptables"), json_set={"icc": False},
                        json_remove=("iptables",), note=self.iptables_note)
        return Want(drop=lambda flag: flag.name == "icc", json_set={"icc": False})
