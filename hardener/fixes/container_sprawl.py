"""container-sprawl (CIS 6.2): stopped containers are not left lying about: those stopped for
longer than the config's sprawl_days (30 by default) are listed, for a person to remove."""
from __future__ import annotations

import datetime
from typing import Optional

from ..model import Text
from ..parameters import Parameter, days
from ._container import ContainerFix, Problem


def stopped_on(finished_at: str) -> Optional[datetime.datetime]:
    """When a stopped container stopped (the engine's RFC 3339 time, nanoseconds and all), None for never started."""
    if not finished_at or finished_at.startswith("0001-"):
        return None
    day_and_time, _, fraction = finished_at.rstrip("Z").partition(".")
    return datetime.datetime.fromisoformat(day_and_time).replace(tzinfo=datetime.timezone.utc)


class ContainerSprawl(ContainerFix):
    id = "container-sprawl"
    cis = "6.2"
    title = Text("Container sprawl is avoided", "避免容器泛滥")
    advice = Text("Remove the containers that stay stopped: docker container prune --filter until=720h, or docker rm NAME.",
                  "删除长期停止的容器：docker container prune --filter until=720h，或 docker rm 容器名。")
    parameters = (Parameter("days", days, 30, "the days a container may stay stopped before it is listed"),)
    reasons = dict(ContainerFix.reasons, stopped=Text("{container} ({image}) has been stopped for {days} days (since {since})",
                                                      "{container}（{image}）已停止 {days} 天（自 {since}）"),
                   never_started=Text("{container} ({image}) was created {days} days ago and never started",
                                      "{container}（{image}）创建于 {days} 天前，从未启动"))

    def problem(self, host, container):
        if container.running:
            return None
        now = datetime.datetime.now(datetime.timezone.utc)
        since = stopped_on(container.raw["State"].get("FinishedAt") or "")
        reason = "stopped"
        if since is None:
            since, reason = stopped_on(container.raw.get("Created") or ""), "never_started"
        if since is None or (now - since).days < self.parameter("days"):
            return None
        return Problem(reason, "low", {"days": (now - since).days, "since": since.date().isoformat()})
