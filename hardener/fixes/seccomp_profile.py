"""seccomp-profile (CIS 2.18): a seccomp profile applies daemon-wide (manual in CIS).

Docker's default profile applies unless dockerd is told otherwise; a custom one
is the administrator's to write."""
from __future__ import annotations

from ..model import Text
from ._daemon import DaemonFix, ReviewedOption


class SeccompProfile(ReviewedOption):
    id = "seccomp-profile"
    cis = "2.18"
    title = Text("A daemon-wide seccomp profile is applied", "应用守护进程级 seccomp 配置")
    advice = Text('Remove "seccomp-profile": "unconfined" (Docker\'s default profile then applies), or name a custom '
                  "profile for this host's containers, and restart docker.",
                  '删除 "seccomp-profile": "unconfined"（随后应用 Docker 的默认配置），或为本机容器指定自定义配置，并重启 docker。')
    option, shown_default, reason, severity = "seccomp-profile", "Docker's default", "unconfined", "high"
    reasons = dict(DaemonFix.reasons, unconfined=Text("seccomp is off for every container ({where})", "所有容器的 seccomp 均被关闭（{where}）"))

    def fine(self, value):
        return value != "unconfined"
