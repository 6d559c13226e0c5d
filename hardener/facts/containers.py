"""The containers of the running engine, read in one pass.

Two docker calls whatever the number of containers: one listing, one inspect
of them all (and one image inspect when recreate commands are built). The
result is kept on the Host for the rest of the run, so six items share it.
The originals that harden keeps aside for rollback (its journal knows them)
are not the host's containers, and are left out.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Dict, List, Mapping, Optional, Sequence

from ..host import CommandMissing, Host, HostError
from ..journal import Journal


class NoEngine(Exception):
    """Containers cannot be read here; `reason` says why in a word."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


@dataclass(frozen=True)
class Container:
    raw: Mapping  # what docker inspect said

    @property
    def id(self) -> str:
        return self.raw["Id"]

    @property
    def name(self) -> str:
        return self.raw["Name"].lstrip("/")

    @property
    def image(self) -> str:
        return self.raw["Config"]["Image"]

    @property
    def image_id(self) -> str:
        return self.raw["Image"]

    @property
    def running(self) -> bool:
        return bool(self.raw["State"].get("Running"))

    @property
    def labels(self) -> Dict[str, str]:
        return dict(self.raw["Config"].get("Labels") or {})

    @property
    def host_config(self) -> Mapping:
        return self.raw["HostConfig"]

    @property
    def mounts(self) -> List[Mapping]:
        return list(self.raw.get("Mounts") or [])

    @property
    def binds(self) -> List[Mapping]:
        return [mount for mount in self.mounts if mount.get("Type") == "bind"]

    def orchestrator(self) -> Optional[Dict[str, str]]:
        """Who defines this container, where its labels say: it is fixed there, not here."""
        labels = self.labels
        if "com.docker.compose.project" in labels:
            return {
                "managed_by": "compose",
                "project": labels["com.docker.compose.project"],
                "service": labels.get("com.docker.compose.service", ""),
                "config_files": labels.get("com.docker.compose.project.config_files", ""),
            }
        if "com.docker.swarm.service.name" in labels:
            return {"managed_by": "swarm", "service": labels["com.docker.swarm.service.name"]}
        if any(key.startswith("io.kubernetes.") for key in labels):
            return {
                "managed_by": "kubernetes",
                "pod": labels.get("io.kubernetes.pod.name", ""),
                "namespace": labels.get("io.kubernetes.pod.namespace", ""),
            }
        return None

    def evidence(self) -> Dict[str, object]:
        evidence: Dict[str, object] = {"container": self.name, "id": self.id[:12], "image": self.image, "running": self.running}
        evidence.update(self.orchestrator() or {})
        return evidence


def _docker(host: Host, *args: str) -> str:
    try:
        return host.run("docker", *args)
    except CommandMissing:
        raise NoEngine("not_installed", "docker is not installed") from None
    except HostError as error:
        raise NoEngine("engine_unreachable", f"the Docker engine does not answer: {error}") from None


def all_containers(host: Host) -> List[Container]:
    if not host.live:
        raise NoEngine("not_live", "no engine is queried under --root")

    def load() -> List[Container]:
        ids = _docker(host, "ps", "--all", "--quiet", "--no-trunc").split()
        if not ids:
            return []
        kept = Journal(host).kept_aside()  # originals harden keeps for rollback: its own, not the host's
        return [container for raw in json.loads(_docker(host, "inspect", "--type", "container", *ids))
                if (container := Container(raw)).name not in kept]

    return host.fact("containers", load)


def images(host: Host) -> Dict[str, Mapping]:
    """Inspect of the images of all containers, by id, in one call."""

    def load() -> Dict[str, Mapping]:
        wanted = sorted({container.image_id for container in all_containers(host)})
        if not wanted:
            return {}
        return {image["Id"]: image for image in json.loads(_docker(host, "image", "inspect", *wanted))}

    return host.fact("images", load)


def selected(containers: Sequence[Container], selectors: Sequence[str]) -> List[Container]:
    """--container NAME (a pattern) or label=KEY[=VALUE]; several widen the choice."""
    if not selectors:
        return list(containers)

    def chosen(container: Container) -> bool:
        for selector in selectors:
            if selector.startswith("label="):
                key, has_value, value = selector[len("label="):].partition("=")
                if key in container.labels and (not has_value or container.labels[key] == value):
                    return True
            elif fnmatch.fnmatchcase(container.name, selector) or container.id.startswith(selector):
                return True
        return False

    return [container for container in containers if chosen(container)]


def within(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or inside it, comparing path components
    (/etcd is not inside /etc)."""
    parts, base = PurePosixPath(path).parts, PurePosixPath(directory).parts
    return parts[: len(base)] == base

