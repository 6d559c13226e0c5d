"""cgroup-parent (CIS 2.11): containers go to the default cgroup unless a reason is known."""
from __future__ import annotations

from ..model import Text
from ._daemon import DaemonFix, ReviewedOption


class CgroupParent(ReviewedOption):
    id = "cgroup-parent"
    cis = "2.11"
    title = Text("The default cgroup usage has been confirmed", "已确认默认的 cgroup 用法")
    advice = Text('Confirm that "cgroup-parent" is what this host wants, or remove it and restart docker.',
                  '确认 "cgroup-parent" 的设置是本机所需，否则删除并重启 docker。')
    option, reason, severity = "cgroup-parent", "cgroup_parent", "low"
    reasons = dict(DaemonFix.reasons, cgroup_parent=Text("containers go under cgroup {value} ({where}): confirm it",
                                                         "容器位于 cgroup {value} 下（{where}）：请确认"))

    def fine(self, value):
        return not value
