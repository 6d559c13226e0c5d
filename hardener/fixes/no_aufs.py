"""no-aufs (CIS 2.6): the aufs storage driver is not used.

A driver is never switched by force: images and containers of another driver
are not seen by the new one. Where aufs holds data, the item is manual."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ..planners.dockerd import DockerdOption, FlagDrop
from ._daemon import SEVERAL_DRIVERS, DaemonFix, conflict, effective, several_drivers


class NoAufs(DaemonFix):
    id = "no-aufs"
    cis = "2.6"
    title = Text("The aufs storage driver is not used", "不要使用aufs存储驱动程序")
    advice = Text("Move to overlay2: docker save or push the images you need, note the containers, switch "
                  'storage-driver to overlay2, restart docker, and load and recreate them.',
                  "迁移到 overlay2：先 docker save 或推送所需镜像、记录容器配置，再将 storage-driver 改为 overlay2，"
                  "重启 docker，然后重新导入镜像并重建容器。")
    reasons = dict(DaemonFix.reasons, several_drivers=SEVERAL_DRIVERS,
                   aufs_configured=Text("storage driver aufs is configured ({where}) but holds nothing", "配置了 aufs 存储驱动（{where}），但未存放数据"),
                   aufs_in_use=Text("aufs holds this host's images and containers ({data}; chosen by {where}): migrate them by "
                                    "hand (Docker 24 and later have no aufs driver)",
                                    "aufs 存放着本机的镜像和容器（{data}；来源：{where}）：请手动迁移（Docker 24 及以上版本已没有 aufs 驱动）"))
    want = DockerdOption(drop=(FlagDrop("storage-driver", "aufs"),), json_remove=("storage-driver",))

    def judge(self, host, config):
        from ..facts.storage import storage_driver

        found = conflict(config, "storage-driver")
        driver = storage_driver(host, config)
        value, where = driver.name, driver.where
        refused = several_drivers(driver, "aufs")
        if refused:
            return refused, None
        evidence = {"option": "storage-driver", "value": value or "(chosen by dockerd)", "where": where}
        if found and value != "aufs":
            return found, DockerdOption(drop=(FlagDrop("storage-driver"),))
        if value != "aufs":
            return Finding("storage-driver", Status.PASS, "compliant", evidence=evidence), None
        data_root, _ = effective(config, "data-root", "/var/lib/docker")
        aufs_dir = f"{data_root}/aufs"
        configured = config.flag("storage-driver") is not None or "storage-driver" in config.json
        if not configured or any(host.list_dir(f"{aufs_dir}/{part}") for part in ("diff", "layers", "mnt")):
            return Finding("storage-driver", Status.MANUAL, "aufs_in_use", "high", dict(evidence, data=aufs_dir)), None
        return Finding("storage-driver", Status.FAIL, "aufs_configured", "medium", evidence), self.want
