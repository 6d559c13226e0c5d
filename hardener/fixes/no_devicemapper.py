"""no-devicemapper (CIS 2.7): the devicemapper storage driver, deprecated, is not used.

Changing the driver hides every image and container of the old one: manual."""
from __future__ import annotations

from ..model import Text
from ._daemon import SEVERAL_DRIVERS, DaemonFix, ReviewedOption, several_drivers


class NoDevicemapper(ReviewedOption):
    id = "no-devicemapper"
    cis = "2.7"
    title = Text("The devicemapper storage driver is not used", "不使用 devicemapper 存储驱动")
    advice = Text("Move to overlay2: docker save or push the images you need, note the containers, set storage-driver to "
                  "overlay2, restart docker, then load the images and recreate the containers (the new driver sees none of the old).",
                  "迁移到 overlay2：先 docker save 或推送所需镜像、记录容器配置，将 storage-driver 设为 overlay2 并重启 docker，"
                  "再导入镜像、重建容器（新驱动看不到旧驱动的任何数据）。")
    option, shown_default, reason, flagged_value = "storage-driver", "(chosen by dockerd)", "devicemapper", "devicemapper"
    reasons = dict(DaemonFix.reasons, several_drivers=SEVERAL_DRIVERS, devicemapper=Text("storage driver devicemapper ({where}): migrate by hand",
                                                        "使用 devicemapper 存储驱动（{where}）：请手动迁移"))

    def value(self, host, config):
        """What dockerd uses where nothing is configured too: it takes a prior driver's data (facts.storage)."""
        from ..facts.storage import storage_driver

        return storage_driver(host, config)[:2]

    def judge(self, host, config):
        from ..facts.storage import storage_driver

        refused = several_drivers(storage_driver(host, config), "devicemapper")
        return (refused, None) if refused else super().judge(host, config)
