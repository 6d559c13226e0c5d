"""image-sprawl (CIS 6.1): the images kept are the images used: counted, for a person to prune."""
from __future__ import annotations

from ..facts import engine, images
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix
from ._image import image_name, users


class ImageSprawl(Fix):
    id = "image-sprawl"
    cis = "6.1"
    remedy = Remedy.MANUAL
    title = Text("Image sprawl is avoided", "避免镜像泛滥")
    advice = Text("Remove the images no container uses: docker image prune (dangling ones), docker image prune --all (every unused one).",
                  "删除没有容器使用的镜像：docker image prune（悬空镜像），docker image prune --all（所有未使用的镜像）。")
    reasons = {
        "sprawl": Text("{images} image(s): {dangling} dangling, {unused} used by no container ({unused_images})",
                       "共 {images} 个镜像：{dangling} 个悬空，{unused} 个无容器使用（{unused_images}）"),
        "compliant": Text("{images} image(s), each used by a container", "共 {images} 个镜像，均有容器使用"),
    }

    def detect(self, host) -> Detection:
        if not host.live:
            return Detection((Finding("images", Status.NOT_APPLICABLE, "not_live"),))
        try:
            listed = images.image_listing(host)
            used = users(host)
        except engine.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise engine.unanswered(missing) from None
            return Detection((Finding("images", Status.NOT_APPLICABLE, missing.reason),))
        unused = [entry for entry in listed if entry["Id"] not in used]
        dangling = [entry for entry in listed if not [tag for tag in entry.get("RepoTags") or [] if tag != "<none>:<none>"]]
        evidence = {"images": len(listed), "dangling": len(dangling), "unused": len(unused),
                    "unused_images": ", ".join(image_name(entry) for entry in unused[:20]) + (", ..." if len(unused) > 20 else "")}
        if not unused:
            return Detection((Finding("images", Status.PASS, "compliant", evidence=evidence),))
        return Detection((Finding("images", Status.MANUAL, "sprawl", "low", evidence),))
