"""icc (CIS 2.2): no traffic between containers on the default bridge (icc=false)."""
from __future__ import annotations

from ..facts import containers, engine
from ..model import Finding, Status, Text
from ..planners.dockerd import DockerdOption, FlagDrop
from ._daemon import DaemonFix, conflict, effective


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
    reasons = dict(DaemonFix.reasons, icc_enabled=Text("icc is {value} ({where})", "icc 为 {value}（{where}）"))
    bridge_note = Text("on the default bridge, these containers will no longer reach each other: {containers}",
                       "默认网桥上的这些容器之间将无法互相访问：{containers}")
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

    def judge_running(self, host, running):
        """The bridge itself says whether icc is live (dockerd keeps an existing bridge as it was)."""
        bridge = engine.network(host, "bridge") if host.live else None
        if bridge is None:
            return super().judge_running(host, running)
        live = (bridge.get("Options") or {}).get("com.docker.network.bridge.enable_icc", "")
        status = Status.PASS if live == "false" else Status.FAIL
        return Finding("icc", status, "compliant" if status is Status.PASS else "icc_enabled",
                       evidence={"option": "icc", "value": live, "where": "docker network inspect bridge"})

    def notes(self, host, config):
        notes = [self.iptables_note] if is_false(effective(config, "iptables", True)[0]) else []
        on_bridge = containers.running_names(host, network="bridge") if host.live else []
        if on_bridge:
            notes.append(self.bridge_note.format(containers=", ".join(on_bridge)))
        return notes

    def _want(self, config) -> DockerdOption:
        iptables, _ = effective(config, "iptables", True)
        if is_false(iptables):
            return DockerdOption(drop=(FlagDrop("icc"), FlagDrop("iptables")), json_set={"icc": False}, json_remove=("iptables",))
        return DockerdOption(drop=(FlagDrop("icc"),), json_set={"icc": False})
