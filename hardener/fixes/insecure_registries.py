"""insecure-registries (CIS 2.5): dockerd trusts no registry over plain HTTP or unverified TLS."""
from __future__ import annotations

from ..model import NONE, Finding, Remedy, Status, Text
from ..planners.dockerd import DockerdOption, FlagDrop
from ._daemon import DaemonFix, conflict, listed


class InsecureRegistries(DaemonFix):
    id = "insecure-registries"
    cis = "2.5"
    remedy = Remedy.WHEN_NAMED
    title = Text("Insecure registries are not used", "不使用不安全的镜像仓库")
    advice = Text('Remove --insecure-registry and "insecure-registries", give those registries TLS certificates '
                  "(/etc/docker/certs.d/HOST:PORT/ca.crt), and restart docker.",
                  '删除 --insecure-registry 与 "insecure-registries"，为这些仓库配置 TLS 证书'
                  "（/etc/docker/certs.d/主机:端口/ca.crt），并重启 docker。")
    impact = Text("Pulls from and pushes to these registries fail until they serve verified TLS.",
                  "在这些仓库提供可验证的 TLS 之前，从中拉取和推送镜像都会失败。")
    reasons = dict(DaemonFix.reasons, insecure=Text("dockerd trusts {registries} without verified TLS ({where})",
                                                    "dockerd 在未验证 TLS 的情况下信任 {registries}（{where}）"))
    want = DockerdOption(drop=(FlagDrop("insecure-registry"),), json_remove=("insecure-registries",))

    def judge(self, host, config):
        found = conflict(config, "insecure-registry")
        if found:
            return found, self.want
        registries, places = listed(config, "insecure-registry")
        evidence = {"option": "insecure-registries", "registries": ", ".join(registries) or NONE, "where": places, "value": NONE}
        if not registries:
            return Finding("insecure-registries", Status.PASS, "compliant", evidence=evidence), None
        return Finding("insecure-registries", Status.FAIL, "insecure", "high", evidence), self.want
