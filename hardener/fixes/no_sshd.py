"""no-sshd (CIS 5.7): no container runs an SSH server.

A container's processes are the host's: one pass over the host's /proc finds
every sshd and the container it runs in (by its cgroup), with no request per
container. The fix is in the image: remove sshd, use docker exec."""
from __future__ import annotations

from ..facts.container_processes import processes
from ..model import Text
from ._container import ContainerFix, Problem


class NoSshd(ContainerFix):
    id = "no-sshd"
    cis = "5.7"
    title = Text("sshd is not run within containers", "容器内不运行 sshd")
    advice = Text("Remove the SSH server from the image and reach the container with docker exec.",
                  "从镜像中移除 SSH 服务，使用 docker exec 进入容器。")
    reasons = dict(ContainerFix.reasons, sshd=Text("{container} ({image}) runs sshd (pid {pids})", "{container}（{image}）运行着 sshd（进程 {pids}）"))

    def problem(self, host, container):
        if not container.running:
            return None
        pids = [pid for pid, name in processes(host).get(container.id, []) if name == "sshd"]
        if not pids:
            return None
        return Problem("sshd", "medium", {"pids": ", ".join(map(str, pids))})
