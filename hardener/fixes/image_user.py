"""image-user (CIS 4.1): containers run as a user of their own, not root; and the images they come from name one.

CIS's audit reads each container's Config.User: a container run with -u 0 from an image that names a user runs
as root all the same. Where its process runs here, the kernel's uid for it (mapped back into the container's user
namespace) is read too: root by either is root."""
from __future__ import annotations

from dataclasses import replace

from ..facts import container_processes, containers
from ..host import Host
from ..model import Detection, Finding, Status, Text
from ._container import Problem
from ._image import ImageFix
from .exec_root import is_root


class ImageUser(ImageFix):
    id = "image-user"
    cis = "4.1"
    title = Text("A user for the container has been created", "为容器创建用户")
    advice = Text("Create a user in the Dockerfile and switch to it: RUN useradd -r app, then USER app; run containers "
                  "without --user 0.",
                  "在 Dockerfile 中创建用户并切换：RUN useradd -r app，然后 USER app；运行容器时不要使用 --user 0。")
    reasons = dict(ImageFix.reasons,
                   runs_as_root=Text("image {image} runs as root (USER {user}); used by: {containers}",
                                     "镜像 {image} 以 root 运行（USER {user}）；使用它的容器：{containers}"),
                   container_runs_as_root=Text("{container} ({image}) runs as root: {how}",
                                               "{container}（{image}）以 root 运行：{how}"))

    def problem(self, image, history):
        user = (image.get("Config") or {}).get("User") or ""
        return Problem("runs_as_root", "medium", {"user": user or "unset"}) if is_root(user) else None

    def detect(self, host: Host) -> Detection:
        images = super().detect(host)
        if not host.live or images.findings[0].status is Status.NOT_APPLICABLE:
            return images
        chosen = containers.chosen_containers(host, self.options.containers)
        found = [finding for container in chosen if (finding := self._container(host, container)) is not None]
        if not found:
            return images
        return replace(images, findings=tuple(f for f in images.findings if f.status is not Status.PASS) + tuple(found))

    @staticmethod
    def _container(host: Host, container: containers.Container):
        """Root by its Config.User (what CIS's audit reads), or by the kernel's uid of its running process."""
        user = container.raw["Config"].get("User") or ""
        uid = container_processes.process_uid(host, container)
        why = ([f"Config.User {user or 'unset'}"] if is_root(user) else []) + (["its process runs as uid 0"] if uid == 0 else [])
        if not why:
            return None
        return Finding(container.name, Status.MANUAL, "container_runs_as_root", "medium",
                       {"container": container.name, "image": container.image, "id": container.id[:12], "user": user or "unset",
                        "how": ", ".join(why), "running": container.running}, labels=container.labels)
