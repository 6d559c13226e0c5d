"""image-user (CIS 4.1): images run as a user of their own, not root."""
from __future__ import annotations

from ..model import Text
from ._container import Problem
from ._image import ImageFix
from .exec_root import is_root


class ImageUser(ImageFix):
    id = "image-user"
    cis = "4.1"
    title = Text("A user for the container has been created", "为容器创建用户")
    advice = Text("Create a user in the Dockerfile and switch to it: RUN useradd -r app, then USER app.",
                  "在 Dockerfile 中创建用户并切换：RUN useradd -r app，然后 USER app。")
    reasons = dict(ImageFix.reasons, runs_as_root=Text("image {image} runs as root (USER {user}); used by: {containers}",
                                                       "镜像 {image} 以 root 运行（USER {user}）；使用它的容器：{containers}"))

    def problem(self, image, history):
        user = (image.get("Config") or {}).get("User") or ""
        return Problem("runs_as_root", "medium", {"user": user or "unset"}) if is_root(user) else None
