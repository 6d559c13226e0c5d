"""The containers of the running engine, read in one pass.

Through the Engine API (engine_api.py), no docker process: one listing, one
inspect per container, and at most one inspect per image, whatever the number
of items. The result is kept on the Host for the rest of the run, so every
container item shares it.
The originals that harden keeps aside for rollback (its journal knows them)
are not the host's containers, and are left out.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Dict, List, Mapping, Optional, Sequence

from ..host import Host
from . import cgroups
from .audit import find_program
from .engine_errors import EngineError
from .units import unit_file


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


def _engine(host: Host):
    from .engine_api import EngineAPI  # http.client: loaded by the commands that read the engine

    return host.fact("engine_api", EngineAPI)


def _unreachable(host: Host, error: EngineError) -> NoEngine:
    if error.missing and unit_file(host, "docker.service") is None and find_program(host, "dockerd") is None:
        return NoEngine("not_installed", "Docker is not installed")
    return NoEngine("engine_unreachable", str(error))


def all_containers(host: Host) -> List[Container]:
    """Every container, running or stopped: one listing and one inspect each, through the Engine API."""
    if not host.live:
        raise NoEngine("not_live", "no engine is queried under --root")

    def load() -> List[Container]:
        from ..journal import Journal

        try:
            api = _engine(host)
            listed = api.containers()
            found = []
            for entry in listed:
                try:
                    found.append(Container(api.container(entry["Id"])))
                except EngineError as error:
                    if error.status != 404:  # removed since the listing: gone, not a finding
                        raise
        except EngineError as error:
            raise _unreachable(host, error) from None
        kept = Journal(host).kept_aside() if found else set()  # originals harden keeps for rollback: its own, not the host's
        return [container for container in found if container.name not in kept]

    return host.fact("containers", load)


def images(host: Host) -> Dict[str, Mapping]:
    """Inspect of the images of all containers, by id: at most one request per image."""

    def load() -> Dict[str, Mapping]:
        found = {}
        for image_id in sorted({container.image_id for container in all_containers(host)}):
            try:
                found[image_id] = _engine(host).image(image_id)
            except EngineError as error:
                if error.status != 404:
                    raise _unreachable(host, error) from None
        return found

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



def memory_usage(host: Host, container: Container) -> Optional[int]:
    """What a running container uses, as docker stats counts it: from its cgroup,
    else (no cgroup file found) from the engine's one-shot stats; None when stopped."""
    if not container.running:
        return None
    found = cgroups.memory_usage(host, container.raw["State"].get("Pid") or 0)
    if found is not None:
        return found
    try:
        stats = _engine(host).get(f"/containers/{container.id}/stats?stream=false&one-shot=true")
    except EngineError:
        return None
    memory = stats.get("memory_stats") or {} if isinstance(stats, dict) else {}
    return cgroups.without_inactive_cache(memory["usage"], memory.get("stats") or {}) if "usage" in memory else None
