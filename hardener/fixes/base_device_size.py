"""base-device-size (CIS 2.12): the devicemapper base device size is left alone until needed."""
from __future__ import annotations

from ..model import Finding, Remedy, Status, Text
from ._daemon import DaemonFix, listed


class BaseDeviceSize(DaemonFix):
    id = "base-device-size"
    cis = "2.12"
    remedy = Remedy.MANUAL
    title = Text("The base device size is not changed until needed", "在需要之前不更改基础设备大小")
    advice = Text("Remove dm.basesize from the storage options unless containers need larger root file systems, and restart docker.",
                  "除非容器确实需要更大的根文件系统，否则从存储选项中删除 dm.basesize，并重启 docker。")
    reasons = dict(DaemonFix.reasons, basesize=Text("the base device size is set: {value} ({where})", "设置了基础设备大小：{value}（{where}）"))

    def judge(self, host, config):
        options, places = listed(config, "storage-opt")
        found = [option for option in options if option.startswith("dm.basesize=")]
        evidence = {"option": "storage-opts", "value": ", ".join(found) or "default", "where": places if found else "default"}
        if not found:
            return Finding("storage-opts", Status.PASS, "compliant", evidence=evidence), None
        return Finding("storage-opts", Status.MANUAL, "basesize", "low", evidence), None
