"""restart-policy (CIS 5.15): a container is restarted on failure at most five times, not forever.

Set live with `docker update --restart on-failure:5`, only when named: it changes
what happens after a crash, a reboot or a dockerd restart."""
from __future__ import annotations

from ..model import Remedy, Text
from ..planners.containers import ContainerSettings, restart_flag
from ._container import ContainerFix, Problem

MAXIMUM = 5


class RestartPolicy(ContainerFix):
    id = "restart-policy"
    cis = "5.15"
    remedy = Remedy.WHEN_NAMED
    title = Text("The on-failure restart policy is set to at most 5", "容器的 on-failure 重启策略设置为最多 5 次")
    advice = Text("Run docker update --restart on-failure:5 on the container.", "对容器执行 docker update --restart on-failure:5。")
    impact = Text("A container that stops cleanly, or is stopped by a reboot, is no longer started again: on-failure restarts "
                  "only after a non-zero exit, five times at most.",
                  "正常退出或因重启主机而停止的容器将不再自动启动：on-failure 只在非零退出后重启，最多 5 次。")
    reasons = dict(ContainerFix.reasons, restarts_forever=Text("{container} ({image}) has restart policy {restart}",
                                                               "{container}（{image}）的重启策略为 {restart}"))

    def problem(self, host, container):
        policy = container.host_config.get("RestartPolicy") or {}
        name, retries = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
        if name in ("", "no") or (name == "on-failure" and 0 < retries <= MAXIMUM):
            return None
        return Problem("restarts_forever", "low", {"restart": restart_flag(policy)})

    def remedy_for(self, host, container, problem):
        wanted = {"Name": "on-failure", "MaximumRetryCount": MAXIMUM}
        return problem, ContainerSettings(container.id, live=(("RestartPolicy", wanted),), apply=True)
