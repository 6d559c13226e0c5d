"""image-update-alone (CIS 4.7): no layer refreshes the package index without installing in the same
instruction (a cached `RUN apt-get update` layer makes later installs use a stale index)."""
from __future__ import annotations

import re

from ..model import Text
from ._container import Problem
from ._image import ImageFix

UPDATE = re.compile(r"\b(apt-get|apt|yum|dnf|microdnf|apk|zypper)\s+(?:-\S+\s+)*(update|refresh|makecache)\b")
INSTALL = re.compile(r"\b(install|upgrade|dist-upgrade|add)\b")


def instruction(layer) -> str:
    return (layer.get("CreatedBy") or "").replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").strip()


class ImageUpdateAlone(ImageFix):
    id = "image-update-alone"
    cis = "4.7"
    reads_history = True
    title = Text("Update instructions are not used alone in the Dockerfile", "Dockerfile 中不单独使用 update 指令")
    advice = Text("Refresh the index and install in one instruction: RUN apt-get update && apt-get install -y PACKAGES.",
                  "在同一条指令中更新索引并安装：RUN apt-get update && apt-get install -y 软件包。")
    reasons = dict(ImageFix.reasons, update_alone=Text("image {image} has an update instruction alone: {instruction}",
                                                       "镜像 {image} 含有单独的 update 指令：{instruction}"))

    def problem(self, image, history):
        for layer in history:
            command = instruction(layer)
            found = UPDATE.search(command)
            if found and not INSTALL.search(command[found.end():]):
                return Problem("update_alone", "low", {"instruction": command[:200]})
        return None
