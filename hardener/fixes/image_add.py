"""image-add (CIS 4.9): images are built with COPY, not ADD (which fetches URLs and unpacks archives).

The oldest layer's `ADD file:... in /` is the base image's root file system,
which needs ADD's unpacking: it is not counted."""
from __future__ import annotations

import re

from ..model import Text
from ._container import Problem
from ._image import ImageFix
from .image_update_alone import instruction

ADD = re.compile(r"^(?:RUN )?ADD\s")
BASE_ROOT = re.compile(r"^ADD file:[0-9a-f]+ in / ?$")


class ImageAdd(ImageFix):
    id = "image-add"
    cis = "4.9"
    reads_history = True
    title = Text("COPY is used instead of ADD in Dockerfiles", "Dockerfile 中使用 COPY 而不是 ADD")
    advice = Text("Use COPY for files from the build context; fetch URLs with a checked download in RUN.",
                  "从构建上下文复制文件时使用 COPY；下载 URL 时在 RUN 中下载并校验。")
    reasons = dict(ImageFix.reasons, add=Text("image {image} was built with ADD: {instruction}",
                                              "镜像 {image} 构建时使用了 ADD：{instruction}"))

    def problem(self, image, history):
        oldest = len(history) - 1
        for position, layer in enumerate(history):
            command = instruction(layer)
            if ADD.match(command) and not (position == oldest and BASE_ROOT.match(command)):
                return Problem("add", "low", {"instruction": command[:200]})
        return None
