"""userland-proxy (CIS 2.17): published ports go through iptables, not docker-proxy processes."""
from __future__ import annotations

from ..model import Remedy, Text
from ._daemon import BooleanOption


class UserlandProxy(BooleanOption):
    id = "userland-proxy"
    cis = "2.17"
    remedy = Remedy.WHEN_NAMED
    option, wanted, default = "userland-proxy", False, True
    title = Text("The userland proxy is disabled", "禁用用户态代理（userland proxy）")
    advice = Text('Set "userland-proxy": false in /etc/docker/daemon.json and restart docker.',
                  '在 /etc/docker/daemon.json 中设置 "userland-proxy": false 并重启 docker。')
    impact = Text("Without docker-proxy, a container reaching its own published port through the host's address needs "
                  "hairpin NAT, and connections to published ports from the host itself over localhost stop working on "
                  "kernels without route_localnet.",
                  "没有 docker-proxy 时，容器经主机地址访问自身发布的端口需要 hairpin NAT；在未开启 route_localnet 的内核上，"
                  "主机本身经 localhost 访问已发布端口将失效。")
