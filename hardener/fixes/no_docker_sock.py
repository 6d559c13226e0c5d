"""no-docker-sock (CIS 5.32): the Docker socket is not mounted into containers."""
from __future__ import annotations

import posixpath

from ..facts.daemon import unix_sockets
from ..facts.recreate import Adjust
from ..model import Text
from ._container import COMMON_REASONS, ContainerFix, Problem

DEFAULT_SOCKETS = ("/run/docker.sock", "/var/run/docker.sock")


class NoDockerSock(ContainerFix):
    id = "no-docker-sock"
    cis = "5.32"
    title = Text("The Docker socket is not mounted into containers", "确保docker.sock不被挂载")
    advice = Text("Recreate the container without the Docker socket (or its directory) mounted.",
                  "不挂载 docker.sock（或其所在目录）重新创建容器。")
    reasons = dict(COMMON_REASONS, docker_sock=Text("{container} ({image}) mounts the Docker socket: {mounts}",
                                                    "{container}（{image}）挂载了 Docker 套接字：{mounts}"))

    def detect(self, host):
        # Where the sockets really are on this host (/var/run is a link to /run), and their directories.
        sockets = {host.resolve(path) for path in DEFAULT_SOCKETS + tuple(unix_sockets(host))}
        self._exposed = sockets | {posixpath.dirname(path) for path in sockets}
        self._host = host
        self.adjust = Adjust(drop_mount=self._mounts_socket)
        return super().detect(host)

    def _mounts_socket(self, mount) -> bool:
        return mount.get("Type") == "bind" and self._host.resolve(mount["Source"]) in self._exposed

    def problem(self, container):
        mounts = [mount for mount in container.binds if self._mounts_socket(mount)]
        if not mounts:
            return None
        described = ", ".join(f"{m['Source']} -> {m['Destination']}" for m in mounts)
        return Problem("docker_sock", "high", {"mounts": described})
