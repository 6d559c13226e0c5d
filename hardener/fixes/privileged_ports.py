"""privileged-ports (CIS 5.8): no container publishes on a host port below 1024.
Which port a service should use is the administrator's choice: reported, not changed."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem
from .bind_address import published


def privileged(binding) -> bool:
    port = binding.get("HostPort") or ""
    return port.isdigit() and 0 < int(port) < 1024


class PrivilegedPorts(ContainerFix):
    id = "privileged-ports"
    cis = "5.8"
    title = Text("Privileged ports are not mapped within containers", "容器不映射特权端口")
    advice = Text("Recreate the container publishing on host ports of 1024 and above (-p 8080:80), with a proxy in front "
                  "where a low port is needed.",
                  "使用 1024 及以上的主机端口（-p 8080:80）重新创建容器；需要低端口时在前面使用代理。")
    reasons = dict(ContainerFix.reasons, privileged_ports=Text("{container} ({image}) publishes on privileged host ports: {ports}",
                                                               "{container}（{image}）在特权主机端口上发布：{ports}"))

    def problem(self, host, container):
        ports = published(container, privileged)
        return Problem("privileged_ports", "low", {"ports": ", ".join(ports)}) if ports else None
