"""bind-address (CIS 5.14): published ports are bound to one host address, not to every one.

With `bind_address` in the config and --recreate, the container is recreated
with its ports bound to that address."""
from __future__ import annotations

from ..facts.containers import EVERY_ADDRESS
from ..model import Text
from ..parameters import Parameter, address
from ..planners.containers import ContainerSettings
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem


def published(container, where=lambda binding: True):
    """The ports the engine binds for the container (-P's included) as docker ps shows them, those `where` says yes to."""
    return [f"{binding.get('HostIp') or '*'}:{binding.get('HostPort') or '?'}->{port}"
            for port, bindings in sorted(container.bound_ports.items()) for binding in bindings if where(binding)]


class BindAddress(ContainerFix):
    id = "bind-address"
    cis = "5.14"
    title = Text("Incoming container traffic is bound to a specific host interface", "容器的入站流量绑定到指定的主机网络接口")
    advice = Text('Set bind_address = "ADDRESS" in the config and run harden apply --recreate, or recreate the container '
                  "publishing its ports as -p ADDRESS:PORT:PORT.",
                  '在配置中设置 bind_address = "地址" 后执行 harden apply --recreate，或以 -p 地址:端口:端口 发布端口重新创建容器。')
    impact = Text("The recreated container's ports are reached at the configured address only.",
                  "重建后的容器端口只能通过配置的地址访问。")
    parameters = (Parameter("address", address, None, "the host address a recreated container's ports are published on"),)
    reasons = dict(ContainerFix.reasons, every_address=Text("{container} ({image}) publishes on every host address: {ports}",
                                                            "{container}（{image}）在主机所有地址上发布端口：{ports}"))

    def problem(self, host, container):
        ports = published(container, lambda binding: (binding.get("HostIp") or "") in EVERY_ADDRESS)
        if not ports:
            return None
        return Problem("every_address", "medium", {"ports": ", ".join(ports)})

    def remedy_for(self, host, container, problem):
        address = self.parameter("address")
        if address is None:
            return problem, None
        return (Problem(problem.reason, problem.severity, dict(problem.evidence, bind_address=address)),
                ContainerSettings(container.id, adjust=Adjust(bind_address=address), apply=self.options.recreate))
