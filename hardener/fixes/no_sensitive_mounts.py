"""no-sensitive-mounts (CIS 5.6): no bind mounts of the host's system directories."""
from __future__ import annotations

from ..facts.container_processes import mounted_sources
from ..facts.mounts import is_sensitive, said_bind
from ..planners.recreate import Adjust
from ..model import Text
from ._container import ContainerFix, Problem


class NoSensitiveMounts(ContainerFix):
    id = "no-sensitive-mounts"
    cis = "5.6"
    title = Text("Containers do not mount the host's system directories", "不要在容器上挂载敏感的主机系统目录")
    advice = Text("Recreate the container without bind mounts of / /boot /dev /etc /lib /proc /sys /usr, "
                  "above all read-write ones.",
                  "不挂载 / /boot /dev /etc /lib /proc /sys /usr 重新创建容器，尤其不要以读写模式挂载。")
    reasons = dict(ContainerFix.reasons, sensitive_mount=Text("{container} ({image}) mounts {mounts}", "{container}（{image}）挂载了 {mounts}"))
    adjust = Adjust(drop_mounts=("system-directory",))

    def problem(self, host, container):
        if not container.binds:
            return None
        mounted = mounted_sources(host, container)
        mounts = [mount for mount in container.binds if is_sensitive(host, mount, mounted.get(mount["Destination"], ""))]
        if not mounts:
            return None
        read_write = any(mount.get("RW") for mount in mounts)
        described = ", ".join(said_bind(host, mount, mounted.get(mount["Destination"], "")) for mount in mounts)
        return Problem("sensitive_mount", "high" if read_write else "medium", {"mounts": described, "read_write": read_write})
