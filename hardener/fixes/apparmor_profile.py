"""apparmor-profile (CIS 5.2): where the engine enforces AppArmor, every container is confined by a profile."""
from __future__ import annotations

from ..facts.engine import security_options
from ..model import NONE, Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem


class ApparmorProfile(ContainerFix):
    id = "apparmor-profile"
    cis = "5.2"
    title = Text("Containers run under an AppArmor profile", "容器启用 AppArmor 配置")
    advice = Text("Recreate the container without --security-opt apparmor=unconfined: Docker confines it with docker-default, "
                  "or give it a profile of its own (--security-opt apparmor=PROFILE).",
                  "不使用 --security-opt apparmor=unconfined 重新创建容器：Docker 会以 docker-default 限制它，"
                  "或为其指定专用配置（--security-opt apparmor=PROFILE）。")
    reasons = dict(ContainerFix.reasons,
                   apparmor_off=Text("the engine does not enforce AppArmor on this host", "本主机的 Docker 引擎未启用 AppArmor"),
                   unconfined=Text("{container} ({image}) runs without an AppArmor profile ({apparmor_profile})",
                                   "{container}（{image}）未使用 AppArmor 配置（{apparmor_profile}）"))
    adjust = Adjust(drop_security_opts=frozenset({"apparmor=unconfined"}))

    def not_applicable(self, host):
        return None if "apparmor" in security_options(host) else "apparmor_off"

    def problem(self, host, container):
        profile = container.raw.get("AppArmorProfile") or ""
        if profile in ("", "unconfined"):
            return Problem("unconfined", "high", {"apparmor_profile": profile or NONE})
        return None
