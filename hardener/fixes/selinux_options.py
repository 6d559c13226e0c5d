"""selinux-options (CIS 5.3): where the engine enforces SELinux, every container runs under its label."""
from __future__ import annotations

from ..facts.containers import security_option
from ..facts.engine import security_options
from ..model import Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem

DISABLED = "label=disable"


class SelinuxOptions(ContainerFix):
    id = "selinux-options"
    cis = "5.3"
    title = Text("Containers run under SELinux labels", "容器设置 SELinux 安全选项")
    advice = Text("Recreate the container without --security-opt label=disable (or with the label it needs: "
                  "--security-opt label=type:TYPE).",
                  "不使用 --security-opt label=disable 重新创建容器（或指定所需标签：--security-opt label=type:TYPE）。")
    reasons = dict(ContainerFix.reasons,
                   selinux_off=Text("the engine does not enforce SELinux on this host (dockerd --selinux-enabled)",
                                    "本主机的 Docker 引擎未启用 SELinux（dockerd --selinux-enabled）"),
                   label_disabled=Text("{container} ({image}) runs with SELinux labelling disabled (label=disable)",
                                       "{container}（{image}）禁用了 SELinux 标签（label=disable）"),
                   unlabelled=Text("{container} ({image}) runs without an SELinux process label",
                                   "{container}（{image}）的进程没有 SELinux 标签"))
    adjust = Adjust(drop_security_opts=frozenset({DISABLED}))

    def not_applicable(self, host):
        return None if "selinux" in security_options(host) else "selinux_off"

    def problem(self, host, container):
        if DISABLED in map(security_option, container.host_config.get("SecurityOpt") or []):
            return Problem("label_disabled", "high", {"security_opt": DISABLED})
        if not container.raw.get("ProcessLabel") and not container.host_config.get("Privileged"):
            return Problem("unlabelled", "medium", {"process_label": ""})
        return None
