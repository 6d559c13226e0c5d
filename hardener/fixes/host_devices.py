"""host-devices (CIS 5.18): host devices are not exposed to containers unless needed (reported)."""
from __future__ import annotations

from ..model import Text
from ._container import ContainerFix, Problem


class HostDevices(ContainerFix):
    id = "host-devices"
    cis = "5.18"
    title = Text("Host devices are not directly exposed to containers", "不直接向容器暴露主机设备")
    advice = Text("Check each device is needed, and give it with the least permissions (--device PATH:PATH:r).",
                  "确认每个设备都是需要的，并以最小权限提供（--device 路径:路径:r）。")
    reasons = dict(ContainerFix.reasons, devices=Text("{container} ({image}) has host devices: {devices}",
                                                      "{container}（{image}）使用了主机设备：{devices}"))

    def problem(self, host, container):
        devices = [f"{d['PathOnHost']}:{d['PathInContainer']}:{d.get('CgroupPermissions') or 'rwm'}"
                   for d in container.host_config.get("Devices") or []]
        if not devices:
            return None
        writable = any("w" in device.rsplit(":", 1)[1] for device in devices)
        return Problem("devices", "medium" if writable else "low", {"devices": ", ".join(devices)})
