"""iptables (CIS 2.4): Docker may change iptables (no --iptables=false)."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ..planners.dockerd import DockerdOption, FlagDrop
from ._daemon import DaemonFix, conflict, effective
from .icc import is_false


class Iptables(DaemonFix):
    id = "iptables"
    cis = "2.4"
    title = Text("Docker is allowed to make changes to iptables", "允许Docker对iptables进行更改")
    advice = Text('Remove --iptables=false (or "iptables": false) and restart docker.',
                  '删除 --iptables=false（或 "iptables": false）并重启 docker。')
    reasons = dict(DaemonFix.reasons, iptables_disabled=Text("iptables is false ({where})", "iptables 为 false（{where}）"))

    def judge(self, host, config):
        want = DockerdOption(drop=(FlagDrop("iptables"),), json_remove=("iptables",))
        found = conflict(config, "iptables")
        if found:
            return found, want
        value, where = effective(config, "iptables", True)
        evidence = {"option": "iptables", "value": str(value).lower(), "where": where}
        if not is_false(value):
            return Finding("iptables", Status.PASS, "compliant", evidence=evidence), None
        return Finding("iptables", Status.FAIL, "iptables_disabled", "medium", evidence), want
