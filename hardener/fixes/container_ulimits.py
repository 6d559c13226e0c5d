"""container-ulimits (CIS 5.19): a container overrides the daemon's default ulimits only where it needs to (reported)."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem


class ContainerUlimits(ContainerFix):
    id = "container-ulimits"
    cis = "5.19"
    title = Text("Default ulimits are overwritten at runtime only if needed", "仅在需要时于运行时覆盖默认 ulimit")
    advice = Text("Check the container needs each ulimit it sets; otherwise let it take the daemon's defaults (default-ulimits).",
                  "确认容器确实需要其设置的每个 ulimit；否则使用守护进程的默认值（default-ulimits）。")
    reasons = dict(ContainerFix.reasons, ulimits=Text("{container} ({image}) sets its own ulimits: {ulimits}",
                                                      "{container}（{image}）设置了自己的 ulimit：{ulimits}"))

    def problem(self, host, container):
        limits = [f"{u['Name']}={u['Soft']}:{u['Hard']}" for u in container.host_config.get("Ulimits") or []]
        return Problem("ulimits", "low", {"ulimits": ", ".join(limits)}) if limits else None
