"""exec-privileged (CIS 5.23): docker exec is not run with --privileged."""
from __future__ import annotations

from ..model import Text
from ._container import ExecFix


class ExecPrivileged(ExecFix):
    id = "exec-privileged"
    cis = "5.23"
    title = Text("docker exec commands are not used with the privileged option", "docker exec 命令不使用 privileged 选项")
    advice = Text("Do not run docker exec --privileged; watch the docker client with the audit rules (audit-docker-files).",
                  "不要执行 docker exec --privileged；用审计规则监视 docker 客户端（audit-docker-files）。")
    reasons = dict(ExecFix.reasons, privileged_exec=Text("{container} ({image}) runs a privileged exec: {execs}",
                                                         "{container}（{image}）正在运行特权 exec：{execs}"))
    reason, what = "privileged_exec", Text("privileged", "特权 exec")

    def offends(self, container, process):
        return bool(process.get("privileged"))
