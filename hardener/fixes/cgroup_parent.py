"""cgroup-parent (CIS 2.11): containers go to the default cgroup unless a reason is known."""
from __future__ import annotations

from ..model import Finding, Remedy, Status, Text
from ._daemon import DaemonFix, effective


class CgroupParent(DaemonFix):
    id = "cgroup-parent"
    cis = "2.11"
    profiles = ("cis",)
    remedy = Remedy.MANUAL
    title = Text("The default cgroup usage has been confirmed", "已确认默认的 cgroup 用法")
    advice = Text('Confirm that "cgroup-parent" is what this host wants, or remove it and restart docker.',
                  '确认 "cgroup-parent" 的设置是本机所需，否则删除并重启 docker。')
    reasons = dict(DaemonFix.reasons, cgroup_parent=Text("containers go under cgroup {value} ({where}): confirm it",
                                                         "容器位于 cgroup {value} 下（{where}）：请确认"))

    def judge(self, host, config):
        value, where = effective(config, "cgroup-parent", "")
        evidence = {"option": "cgroup-parent", "value": value or "default", "where": where}
        if not value:
            return Finding("cgroup-parent", Status.PASS, "compliant", evidence=evidence), None
        return Finding("cgroup-parent", Status.MANUAL, "cgroup_parent", "low", evidence), None
