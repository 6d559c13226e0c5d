"""What the image items (CIS section 4) share: one pass over the engine's images,
an inspect each (and a history each, for the items that read one), a finding
for each image that fails, naming the containers that use it. The fix is in
the Dockerfile: every such finding is manual."""
from __future__ import annotations

import abc
from typing import Dict, List, Mapping, Optional

from ..facts import containers, engine, images
from ..host import Host
from ..model import NONE, Detection, Finding, Remedy, Status, Text
from . import Fix
from ._container import Problem


def image_name(entry: Mapping) -> str:
    tags = [tag for tag in entry.get("RepoTags") or [] if tag != "<none>:<none>"]
    return tags[0] if tags else entry["Id"].split(":")[-1][:12]


def users(host: Host) -> Dict[str, List[str]]:
    """The names of the containers using each image, by image id (from the container listing)."""
    found: Dict[str, List[str]] = {}
    for entry in containers.listing(host):
        found.setdefault(entry.get("ImageID", ""), []).append(containers.entry_name(entry))
    return found


class ImageFix(Fix):
    remedy = Remedy.MANUAL
    reads_history = False
    reasons = {  # every image item's; each adds its own with dict(ImageFix.reasons, ...)
        "compliant": Text("{checked} image(s) checked", "已检查 {checked} 个镜像"),
    }

    @abc.abstractmethod
    def problem(self, image: Mapping, history: List[Mapping]) -> Optional[Problem]:
        """What fails in this image (its inspect, and its history where the item reads one), None when it is in line."""

    def detect(self, host: Host) -> Detection:
        try:
            listed = images.image_listing(host) if host.live else None
        except engine.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise engine.unanswered(missing) from None
            return Detection((Finding("images", Status.NOT_APPLICABLE, missing.reason),))
        if listed is None:
            return Detection((Finding("images", Status.NOT_APPLICABLE, "not_live"),))
        used_by, findings = users(host), []
        for entry in listed:
            image = images.image(host, entry["Id"])
            if image is None:
                continue  # removed since the listing
            problem = self.problem(image, images.history(host, entry["Id"]) if self.reads_history else [])
            if problem is not None:
                evidence = {"image": image_name(entry), "id": entry["Id"].split(":")[-1][:12],
                            "containers": ", ".join(sorted(used_by.get(entry["Id"], []))) or NONE}
                findings.append(Finding(image_name(entry), Status.MANUAL, problem.reason, problem.severity, dict(evidence, **problem.evidence)))
        return Detection(tuple(findings) or (Finding("images", Status.PASS, "compliant", evidence={"checked": len(listed)}),))
