"""exec-root (CIS 5.24): docker exec is not run as root (--user root, or no --user where the container runs as root)."""
from __future__ import annotations

from ..model import Text
from ._container import ExecFix

ROOT = ("", "root", "0")


def is_root(user: str) -> bool:
    return user.split(":")[0] in ROOT


class ExecRoot(ExecFix):
    id = "exec-root"
    cis = "5.24"
    title = Text("docker exec commands are not used with the user=root option", "docker exec 命令不使用 user=root 选项")
    advice = Text("Run docker exec with --user of an unprivileged user; watch the docker client with the audit rules (audit-docker-files).",
                  "使用 --user 指定非特权用户执行 docker exec；用审计规则监视 docker 客户端（audit-docker-files）。")
    reasons = dict(ExecFix.reasons, root_exec=Text("{container} ({image}) runs an exec as root: {execs}",
                                                   "{container}（{image}）正在以 root 运行 exec：{execs}"))
    reason, what = "root_exec", Text("run as root", "以 root 运行的 exec")

    def offends(self, container, process):
        return is_root(process.get("user") or container.raw["Config"].get("User") or "")
