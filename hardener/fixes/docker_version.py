"""docker-version (CIS 1.2.2): Docker is up to date (manual in CIS): the version, said."""
from __future__ import annotations

from ..facts.audit import find_program
from ..facts.engine_version import dockerd_version
from ..host import Host, HostError
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix


class DockerVersion(Fix):
    id = "docker-version"
    cis = "1.2.2"
    remedy = Remedy.MANUAL
    title = Text("The version of Docker is up to date", "Docker 版本是最新的")
    advice = Text("Compare the version with the latest of your distribution's or Docker's packages, and upgrade "
                  "(with live-restore on, running containers keep running).",
                  "将该版本与发行版或 Docker 官方软件包的最新版本比较并升级（开启 live-restore 时正在运行的容器不受影响）。")
    reasons = {"version": Text("dockerd is {version}: compare it with the latest", "dockerd 版本为 {version}：请与最新版本比较"),
               "not_asked": Text("{path} is not run under --root: its version is not known here",
                                 "--root 下不运行 {path}：此处无法得知其版本"),
               "not_installed": Text("dockerd is not installed", "未安装 dockerd")}

    def detect(self, host: Host) -> Detection:
        program = find_program(host, "dockerd")
        if program is None:
            return Detection((Finding("dockerd", Status.NOT_APPLICABLE, "not_installed"),))
        if not host.live:
            return Detection((Finding("dockerd", Status.MANUAL, "not_asked", "low", {"path": program}),))
        try:
            version = dockerd_version(host, program)
        except HostError as error:
            version = f"? ({error})"
        return Detection((Finding("dockerd", Status.MANUAL, "version", "low", {"version": version, "path": program}),))
