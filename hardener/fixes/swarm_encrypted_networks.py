"""swarm-encrypted-networks (CIS 7.3): overlay networks encrypt their data traffic."""
from __future__ import annotations

from ..facts.swarm import overlay_networks
from ..model import Finding, Status, Text
from ._swarm import SwarmFix


class SwarmEncryptedNetworks(SwarmFix):
    id = "swarm-encrypted-networks"
    cis = "7.3"
    title = Text("All Docker swarm overlay networks are encrypted", "所有 swarm overlay 网络均已加密")
    advice = Text("An overlay network cannot be encrypted afterwards: create an encrypted one "
                  "(docker network create --driver overlay --opt encrypted NAME), move the services to it, remove the old one.",
                  "overlay 网络无法事后加密：创建加密网络（docker network create --driver overlay --opt encrypted NAME），"
                  "将服务迁移过去后删除旧网络。")
    reasons = dict(SwarmFix.reasons,
                   not_encrypted=Text("overlay network {network} is not encrypted", "overlay 网络 {network} 未加密"),
                   compliant=Text("{checked} overlay network(s), all encrypted", "{checked} 个 overlay 网络均已加密"))

    def judge(self, host, node):
        networks = overlay_networks(host)
        findings = tuple(Finding(network["Name"], Status.MANUAL, "not_encrypted", "medium", {"network": network["Name"], "id": network["Id"][:12]})
                         for network in networks if "encrypted" not in (network.get("Options") or {}))
        return findings or (Finding("overlay networks", Status.PASS, "compliant", evidence={"checked": len(networks)}),)
