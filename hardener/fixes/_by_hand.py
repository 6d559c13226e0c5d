"""What the items only a person can judge share, where harden reads nothing that would decide them: each is
one manual finding with its advice. Those of section 7 apply on a swarm node only."""
from __future__ import annotations

from ..facts import swarm
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix


class ByHand(Fix):
    remedy = Remedy.MANUAL
    swarm_only = False
    reasons = {"by_hand": Text("CIS {recommendation}: a person judges this; see the advice", "CIS {recommendation}：需人工判断；见建议")}

    def detect(self, host) -> Detection:
        if self.swarm_only and not host.live:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "not_live"),))
        if self.swarm_only and swarm.node(host) is None:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "no_swarm"),))
        return Detection((Finding(f"CIS {self.cis}", Status.MANUAL, "by_hand", "low", {"recommendation": self.cis}),))
