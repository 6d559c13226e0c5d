"""image-healthcheck (CIS 4.6): images have a HEALTHCHECK."""
from __future__ import annotations

from ..model import Text
from ._container import Problem
from ._image import ImageFix


class ImageHealthcheck(ImageFix):
    id = "image-healthcheck"
    cis = "4.6"
    title = Text("HEALTHCHECK instructions have been added to container images", "为容器镜像添加 HEALTHCHECK 指令")
    advice = Text("Add a HEALTHCHECK to the Dockerfile: HEALTHCHECK CMD curl -fs http://localhost/ || exit 1.",
                  "在 Dockerfile 中添加 HEALTHCHECK：HEALTHCHECK CMD curl -fs http://localhost/ || exit 1。")
    reasons = dict(ImageFix.reasons, no_healthcheck=Text("image {image} has no HEALTHCHECK; used by: {containers}",
                                                         "镜像 {image} 没有 HEALTHCHECK；使用它的容器：{containers}"))

    def problem(self, image, history):
        test = ((image.get("Config") or {}).get("Healthcheck") or {}).get("Test") or []
        return Problem("no_healthcheck", "low", {"healthcheck": "none"}) if not test or test[0] == "NONE" else None
