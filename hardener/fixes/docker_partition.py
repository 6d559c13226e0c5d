"""docker-partition (CIS 1.1.1): Docker's data root is a file system of its own, so
that containers filling it cannot fill the host's root. Repartitioning is the
administrator's: manual."""
from __future__ import annotations

from ..facts.units import unit_file
from ..host import Host
from ..model import Detection, Finding, Remedy, Status, Text
from ..facts.dockerd_config import config_of
from . import Fix
from ._daemon import effective


def mount_table(host: Host) -> str:
    """Where the file systems are read: the live mount table, or the tree's fstab under --root."""
    return "/proc/self/mounts" if host.live else "/etc/fstab"


def mount_points(host: Host) -> dict:
    """Mount point -> device."""
    found = {}
    for line in (host.read_text(mount_table(host)) or "").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#"):
            found[fields[1].replace("\\040", " ")] = fields[0]
    return found


class DockerPartition(Fix):
    id = "docker-partition"
    cis = "1.1.1"
    remedy = Remedy.MANUAL
    title = Text("Docker's data root is a partition of its own", "为容器创建了独立分区")
    advice = Text("Create a file system for Docker's data root (a partition or a logical volume), stop docker, move the "
                  "data onto it, mount it there through /etc/fstab, and start docker.",
                  "为 Docker 的数据目录创建独立文件系统（分区或逻辑卷），停止 docker，将数据迁移过去，"
                  "通过 /etc/fstab 挂载到该目录，再启动 docker。")
    reasons = {"compliant": Text("{path} is mounted from {device} ({where})", "{path} 挂载自 {device}（{where}）"),
               "shared_partition": Text("{path} is on the same file system as its parent ({where} has no entry for it)",
                                        "{path} 与上级目录位于同一文件系统（{where} 中没有它的挂载项）"),
               "not_installed": Text("docker.service is not installed", "未安装 docker.service")}

    def detect(self, host: Host) -> Detection:
        config = config_of(host)
        if config is None and unit_file(host, "docker.service") is None:
            return Detection((Finding("docker", Status.NOT_APPLICABLE, "not_installed"),))
        data_root = str(effective(config, "data-root", "/var/lib/docker")[0]) if config else "/var/lib/docker"
        path = host.resolve(data_root)
        mounts, where = mount_points(host), mount_table(host)
        if path in mounts:
            return Detection((Finding(path, Status.PASS, "compliant", evidence={"path": path, "device": mounts[path], "where": where}),))
        return Detection((Finding(path, Status.MANUAL, "shared_partition", "medium", {"path": path, "where": where}),))
