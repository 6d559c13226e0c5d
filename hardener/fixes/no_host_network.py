"""no-host-network (CIS 5.10): no container shares the host's network namespace.

Recreated only when named: a service on the host's network is reached at the
host's addresses, and on its own network it is not, until its ports are published."""
from __future__ import annotations

from ..model import Remedy, Text
from ._container import ContainerFix, SharedFromHost


class NoHostNetwork(SharedFromHost):
    id = "no-host-network"
    cis = "5.10"
    remedy = Remedy.WHEN_NAMED
    title = Text("Containers do not share the host's network namespace", "不共享主机的网络名称空间")
    advice = Text("Recreate the container on a network of its own (without --network=host) and publish the ports it serves.",
                  "在独立网络上重新创建容器（不使用 --network=host），并发布其提供服务的端口。")
    impact = Text("The recreated container is on the default bridge with no published port: what it serves on the host's "
                  "addresses is no longer reachable there until its ports are published (-p).",
                  "重建后的容器位于默认网桥且未发布端口：它原本在主机地址上提供的服务将无法访问，需发布端口（-p）后才能恢复。")
    reasons = dict(ContainerFix.reasons, host_network=Text("{container} ({image}) shares the host's network namespace (--network=host)",
                                                           "{container}（{image}）共享主机网络名称空间（--network=host）"))
    setting, evidence_key, reason = "NetworkMode", "network_mode", "host_network"
