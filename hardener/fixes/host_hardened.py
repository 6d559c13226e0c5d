"""host-hardened (CIS 1.2.1): the container host itself is hardened (manual in CIS)."""
from __future__ import annotations

from ..host import Host
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix


class HostHardened(Fix):
    id = "host-hardened"
    cis = "1.2.1"
    remedy = Remedy.MANUAL
    title = Text("The container host has been hardened", "容器主机已加固")
    advice = Text("Harden the operating system to its own benchmark (the CIS benchmark of this distribution, or the "
                  "Alibaba Cloud baseline for it), and keep only what running containers needs.",
                  "按操作系统自身的基准加固主机（该发行版的 CIS 基准或阿里云对应基线），只保留运行容器所需的组件。")
    reasons = {"by_hand": Text("the host's own hardening is outside Docker's benchmark: check it by hand",
                               "主机自身的加固不在 Docker 基准范围内：请人工检查")}

    def detect(self, host: Host) -> Detection:
        return Detection((Finding("host", Status.MANUAL, "by_hand", "low"),))
