"""no-docker-sock (CIS 5.32): the Docker socket is not mounted into containers."""
from __future__ import annotations

from ..facts.container_processes import mounted_sources
from ..facts.mounts import mounts_docker_socket, said_bind
from ..planners.recreate import Adjust
from ..model import Text
from ._container import ContainerFix, Problem


class NoDockerSock(ContainerFix):
    id = "no-docker-sock"
    cis = "5.32"
    title = Text("The Docker socket is not mounted into containers", "确保docker.sock不被挂载")
    advice = Text("Recreate the container without the Docker socket (or its directory) mounted.",
                  "不挂载 docker.sock（或其所在目录）重新创建容器。")
    reasons = dict(ContainerFix.reasons, docker_sock=Text("{container} ({image}) mounts the Docker socket: {mounts}",
                                                    "{container}（{image}）挂载了 Docker 套接字：{mounts}"))
    adjust = Adjust(drop_mounts=("docker-socket",))

    def problem(self, host, container):
        if not container.binds:
            return None
        mounted = mounted_sources(host, container)
        mounts = [mount for mount in container.binds if mounts_docker_socket(host, mount, mounted.get(mount["Destination"], ""))]
        if not mounts:
            return None
        described = ", ".join(said_bind(host, mount, mounted.get(mount["Destination"], "")) for mount in mounts)
        return Problem("docker_sock", "high", {"mounts": described})
