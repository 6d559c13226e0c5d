"""mount-propagation (CIS 5.20): no mount propagates shared with the host."""
from __future__ import annotations

from ..facts.containers import SHARED
from ..model import Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem


class MountPropagation(ContainerFix):
    id = "mount-propagation"
    cis = "5.20"
    title = Text("Mount propagation is not set to shared", "挂载传播模式不设置为 shared")
    advice = Text("Recreate the container with its mounts' propagation private (the default), not shared or rshared.",
                  "以 private（默认）而非 shared 或 rshared 的传播模式重新创建容器的挂载。")
    reasons = dict(ContainerFix.reasons, shared_propagation=Text("{container} ({image}) mounts with shared propagation: {mounts}",
                                                                 "{container}（{image}）以 shared 传播模式挂载：{mounts}"))
    adjust = Adjust(private_propagation=True)

    def problem(self, host, container):
        shared = [mount for mount in container.mounts if mount.get("Propagation") in SHARED]
        if not shared:
            return None
        described = ", ".join(f"{m.get('Source') or m.get('Name')} -> {m['Destination']} ({m['Propagation']})" for m in shared)
        return Problem("shared_propagation", "medium", {"mounts": described})
