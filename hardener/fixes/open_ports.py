"""open-ports (CIS 5.9): only the ports a container needs are published. Only a person
knows which are needed: each container's published ports are listed to be judged."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem
from .bind_address import published


class OpenPorts(ContainerFix):
    id = "open-ports"
    cis = "5.9"
    title = Text("Only needed ports are open on containers", "容器只开放需要的端口")
    advice = Text("Check that each published port is needed; recreate the container without the others.",
                  "确认每个发布的端口都是需要的；不发布其余端口重新创建容器。")
    reasons = dict(ContainerFix.reasons, published_ports=Text("{container} ({image}) publishes {ports}: check each is needed",
                                                              "{container}（{image}）发布了 {ports}：请确认每个端口都是需要的"))

    def problem(self, host, container):
        ports = published(container)
        return Problem("published_ports", "low", {"ports": ", ".join(ports)}) if ports else None
