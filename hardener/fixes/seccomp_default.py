"""seccomp-default (CIS 5.22): no container runs with seccomp unconfined."""
from __future__ import annotations

from ..facts.containers import security_option
from ..model import Text
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem

UNCONFINED = "seccomp=unconfined"


class SeccompDefault(ContainerFix):
    id = "seccomp-default"
    cis = "5.22"
    title = Text("The default seccomp profile is not disabled", "不禁用默认的 seccomp 配置")
    advice = Text("Recreate the container without --security-opt seccomp=unconfined.",
                  "不使用 --security-opt seccomp=unconfined 重新创建容器。")
    impact = Text("System calls the default profile blocks (mount, ptrace, kernel modules, ...) fail in the recreated container.",
                  "默认配置阻止的系统调用（mount、ptrace、内核模块等）在重建后的容器中将失败。")
    reasons = dict(ContainerFix.reasons, seccomp_unconfined=Text("{container} ({image}) runs without seccomp (seccomp=unconfined)",
                                                                 "{container}（{image}）未启用 seccomp（seccomp=unconfined）"))
    adjust = Adjust(drop_security_opts=frozenset({UNCONFINED}))

    def problem(self, host, container):
        if UNCONFINED in map(security_option, container.host_config.get("SecurityOpt") or []):
            return Problem("seccomp_unconfined", "high", {"security_opt": UNCONFINED})
        return None
