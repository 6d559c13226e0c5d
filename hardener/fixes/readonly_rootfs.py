"""readonly-rootfs (CIS 5.13): containers' root file systems are read-only."""
from __future__ import annotations

from ..planners.recreate import Adjust
from ..model import Text
from ._container import ContainerFix, Problem


class ReadonlyRootfs(ContainerFix):
    id = "readonly-rootfs"
    cis = "5.13"
    title = Text("Containers' root file systems are read-only", "将容器的根文件系统挂载为只读")
    advice = Text("Recreate the container with --read-only and volumes or tmpfs for the places it writes to.",
                  "使用 --read-only 重新创建容器，并为需要写入的位置挂载卷或 tmpfs。")
    impact = Text("Applications that write to their root file system break on a read-only one; "
                  "the recreate command adds tmpfs on /tmp and /run only.",
                  "向根文件系统写入的应用在只读根文件系统上会出错；重建命令只为 /tmp 和 /run 添加 tmpfs。")
    reasons = dict(ContainerFix.reasons, writable_rootfs=Text("{container} ({image}) has a writable root file system",
                                                        "{container}（{image}）的根文件系统可写"))
    adjust = Adjust(read_only=True)

    def problem(self, host, container):
        if not container.host_config.get("ReadonlyRootfs"):
            return Problem("writable_rootfs", "medium", {"read_only_rootfs": False})
        return None
