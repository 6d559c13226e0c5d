"""swarm-node-certificates (CIS 7.7): node certificates are rotated as the site's policy says: their lifetime, shown."""
from __future__ import annotations

from ..facts.swarm import spec
from ..model import Finding, Status, Text
from ._swarm import SwarmFix

NANOSECONDS_A_DAY = 86400 * 10 ** 9


class SwarmNodeCertificates(SwarmFix):
    id = "swarm-node-certificates"
    cis = "7.7"
    title = Text("Node certificates are rotated as appropriate", "适时轮换节点证书")
    advice = Text("Set the node certificate lifetime to your policy: docker swarm update --cert-expiry 720h (the default is 90 days).",
                  "按策略设置节点证书有效期：docker swarm update --cert-expiry 720h（默认 90 天）。")
    reasons = dict(SwarmFix.reasons, cert_expiry=Text("node certificates are renewed every {days} days: check it is your policy",
                                                      "节点证书每 {days} 天更新一次：请确认符合策略"))

    def judge(self, host, node):
        expiry = ((spec(host).get("Spec") or {}).get("CAConfig") or {}).get("NodeCertExpiry") or 90 * NANOSECONDS_A_DAY
        return (Finding("swarm", Status.MANUAL, "cert_expiry", "low", {"days": round(expiry / NANOSECONDS_A_DAY, 1)}),)
