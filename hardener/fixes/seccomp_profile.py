"""seccomp-profile (CIS 2.18): a seccomp profile applies daemon-wide (manual in CIS).

Docker's default profile applies unless dockerd is told otherwise; a custom one
is the administrator's to write."""
from __future__ import annotations

from ..model import Finding, Remedy, Status, Text
from ._daemon import DaemonFix, effective


class SeccompProfile(DaemonFix):
    id = "seccomp-profile"
    cis = "2.18"
    profiles = ("cis",)
    remedy = Remedy.MANUAL
    title = Text("A daemon-wide seccomp profile is applied", "应用守护进程级 seccomp 配置")
    advice = Text('Remove "seccomp-profile": "unconfined" (Docker\'s default profile then applies), or name a custom '
                  "profile for this host's containers, and restart docker.",
                  '删除 "seccomp-profile": "unconfined"（随后应用 Docker 的默认配置），或为本机容器指定自定义配置，并重启 docker。')
    reasons = dict(DaemonFix.reasons, unconfined=Text("seccomp is off for every container ({where})", "所有容器的 seccomp 均被关闭（{where}）"))

    def judge(self, host, config):
        value, where = effective(config, "seccomp-profile", "")
        evidence = {"option": "seccomp-profile", "value": value or "Docker's default", "where": where}
        if value == "unconfined":
            return Finding("seccomp-profile", Status.MANUAL, "unconfined", "high", evidence), None
        return Finding("seccomp-profile", Status.PASS, "compliant", evidence=evidence), None
