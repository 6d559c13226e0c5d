"""container-health (CIS 5.27): running containers have their health checked, and are healthy."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem


class ContainerHealth(ContainerFix):
    id = "container-health"
    cis = "5.27"
    title = Text("Container health is checked at runtime", "在运行时检查容器的健康状态")
    advice = Text("Give the image a HEALTHCHECK (or the container --health-cmd), and look into unhealthy containers.",
                  "为镜像添加 HEALTHCHECK（或为容器指定 --health-cmd），并排查不健康的容器。")
    reasons = dict(ContainerFix.reasons,
                   no_healthcheck=Text("{container} ({image}) runs without a health check", "{container}（{image}）运行时没有健康检查"),
                   unhealthy=Text("{container} ({image}) is unhealthy ({failing_streak} checks failed in a row)",
                                  "{container}（{image}）状态不健康（连续 {failing_streak} 次检查失败）"))

    def problem(self, host, container):
        if not container.running:
            return None
        health = container.raw["State"].get("Health")
        if not health or health.get("Status") in (None, "", "none"):
            return Problem("no_healthcheck", "low", {"health": "none"})
        if health["Status"] == "unhealthy":
            return Problem("unhealthy", "medium", {"health": "unhealthy", "failing_streak": health.get("FailingStreak", 0)})
        return None
