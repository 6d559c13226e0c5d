"""default-bridge (CIS 5.30): containers are on networks of their own, not Docker's default bridge (reported)."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem


class DefaultBridge(ContainerFix):
    id = "default-bridge"
    cis = "5.30"
    title = Text("Docker's default bridge docker0 is not used", "不使用 Docker 的默认网桥 docker0")
    advice = Text("Put containers on user-defined networks (docker network create), where only those that talk share one.",
                  "将容器放在自定义网络上（docker network create），只让需要通信的容器共享网络。")
    reasons = dict(ContainerFix.reasons, default_bridge=Text("{container} ({image}) is on the default bridge",
                                                             "{container}（{image}）位于默认网桥上"))

    def problem(self, host, container):
        networks = (container.raw.get("NetworkSettings") or {}).get("Networks") or {}
        if "bridge" in networks or container.host_config.get("NetworkMode") in ("default", "bridge"):
            return Problem("default_bridge", "low", {"network": "bridge"})
        return None
