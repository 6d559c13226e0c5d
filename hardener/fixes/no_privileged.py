"""no-privileged (CIS 5.5): no container runs with --privileged."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, SharedFromHost


class NoPrivileged(SharedFromHost):
    id = "no-privileged"
    cis = "5.5"
    title = Text("Containers do not run privileged", "不要使用特权容器")
    advice = Text("Recreate the container without --privileged; add only the capabilities it needs (--cap-add).",
                  "不使用 --privileged 重新创建容器；只用 --cap-add 添加所需的能力。")
    reasons = dict(ContainerFix.reasons, privileged=Text("{container} ({image}) runs privileged", "{container}（{image}）以特权模式运行"))
    setting, evidence_key, reason = "Privileged", "privileged", "privileged"
