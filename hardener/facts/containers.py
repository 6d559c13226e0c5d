"""The containers of the running engine, read in one pass.

Through the Engine API (engine_api.py), no docker process: one listing, one
inspect per container, whatever the number of items. The result is kept on
the Host for the rest of the run, so every container item shares it. The
originals that harden keeps aside for rollback (the engine hands in what its
journal knows, Host.kept_aside) are not the host's containers, and are left out. Images, execs and the kernel's
view of the containers' processes are read beside this (images.py, execs.py,
container_processes.py).
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Dict, List, Mapping, Optional, Sequence

from ..host import Host, HostError
from .engine import NoEngine, api, unreachable
from .engine_api import EngineError


# A container's configuration as items read it, and as the recreation changes it.
CLEARABLE = {"Privileged": True, "PidMode": "host", "IpcMode": "host", "UTSMode": "host", "UsernsMode": "host",
             "NetworkMode": "host"}
# What Docker gives every container unless dropped: adding one back after --cap-drop ALL adds nothing
DEFAULT_CAPABILITIES = frozenset({"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
                                  "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"})


def capability(name: str) -> str:
    """A capability as Docker's default set names it: "cap_net_admin" is NET_ADMIN."""
    name = name.upper()
    return name[4:] if name.startswith("CAP_") else name


def added_capabilities(caps) -> list:
    """Those of CapAdd beyond Docker's default set (ALL among them)."""
    return [cap for cap in caps or [] if capability(cap) not in DEFAULT_CAPABILITIES]


def security_option(option: str) -> str:
    """An option as "name=value": docker took "name:value" too."""
    name, separator, value = option.partition("=") if "=" in option else option.partition(":")
    return f"{name}={value}" if separator else name


EVERY_ADDRESS = ("", "0.0.0.0", "::")


SHARED = ("shared", "rshared")


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

    @property
    def bound_ports(self) -> Dict[str, List[Mapping]]:
        """The host ports the engine binds for it, by container port: for a running container what it bound
        (NetworkSettings.Ports, the random ports of -P included); for a stopped one what it will bind: its
        PortBindings and, with -P (PublishAllPorts), every exposed port beside them, on dockerd's `ip`
        (an empty HostIp: 0.0.0.0 unless dockerd is told otherwise)."""
        state = self.raw.get("State") or {}
        if self.running and not state.get("Restarting"):  # a restarting one has released its ports until it starts
            ports = (self.raw.get("NetworkSettings") or {}).get("Ports") or {}
            return {port: list(bindings) for port, bindings in ports.items() if bindings}
        bound = {port: list(bindings) for port, bindings in (self.host_config.get("PortBindings") or {}).items() if bindings}
        if self.host_config.get("PublishAllPorts"):
            for port in ((self.raw.get("Config") or {}).get("ExposedPorts") or {}):
                bound.setdefault(port, [{"HostIp": "", "HostPort": ""}])
        return bound

    def evidence(self) -> Dict[str, object]:
        evidence: Dict[str, object] = {"container": self.name, "id": self.id[:12], "image": self.image, "running": self.running}
        evidence.update(self.orchestrator() or {})
        return evidence


def listing(host: Host) -> List[Mapping]:
    """The engine's listing of every container (names, ids, labels), less the originals harden keeps aside."""
    if not host.live:
        raise NoEngine("not_live", "no engine is queried under --root")

    def load() -> List[Mapping]:
        try:
            listed = api(host).containers()
        except EngineError as error:
            raise unreachable(host, error) from None
        kept = host.kept_aside() if listed else ()
        return [entry for entry in listed if entry_name(entry) not in kept]

    return host.fact("container_listing", load)


def entry_name(entry: Mapping) -> str:
    return ((entry.get("Names") or ["/"])[0]).lstrip("/")


def running_names(host: Host, network: Optional[str] = None) -> List[str]:
    """The names of the running containers (on this network), from the listing; none where the engine does not answer."""
    try:
        entries = listing(host)
    except NoEngine:
        return []
    return names_running(entries, network)


def names_running(entries: Sequence[Mapping], network: Optional[str] = None) -> List[str]:
    """The names of the running containers of an engine's listing (on this network)."""
    return sorted(entry_name(entry) for entry in entries if entry.get("State") == "running"
                  and (network is None or network in ((entry.get("NetworkSettings") or {}).get("Networks") or {})))


def inspected(host: Host, container_id: str) -> Optional[Container]:
    """One container's inspect, asked once a run; None when it is gone since the listing."""
    return _inspects(host, [container_id])[container_id]


def _inspects(host: Host, container_ids: Sequence[str]) -> Dict[str, Optional[Container]]:
    """The inspects of these containers, asking the engine only for those not asked before this run."""
    cache: Dict[str, Optional[Container]] = host.fact("container_inspects", dict)
    wanted = [container_id for container_id in container_ids if container_id not in cache]
    for container_id, found in api(host).inspect_containers(wanted).items():
        if isinstance(found, EngineError):
            if found.status != 404:
                raise unreachable(host, found) from None
            cache[container_id] = None
        else:
            cache[container_id] = Container(found)
    return cache


def chosen_containers(host: Host, selectors: Sequence[str] = ()) -> List[Container]:
    """The containers --container chooses (all without it), running or stopped: chosen on the
    listing, then one inspect each, so a narrowed run asks nothing of the others."""
    chosen = host.fact(f"chosen_containers {list(selectors)}", lambda: [
        entry["Id"] for entry in listing(host) if _matches(entry_name(entry), entry["Id"], entry.get("Labels") or {}, selectors)])
    inspects = _inspects(host, chosen)
    return [inspects[container_id] for container_id in chosen if inspects[container_id] is not None]


def all_containers(host: Host) -> List[Container]:
    return chosen_containers(host, ())


def _matches(name: str, container_id: str, labels: Mapping[str, str], selectors: Sequence[str]) -> bool:
    """--container NAME (a pattern) or label=KEY[=VALUE]; several widen the choice; none chooses all."""
    if not selectors:
        return True
    for selector in selectors:
        if selector.startswith("label="):
            key, has_value, value = selector[len("label="):].partition("=")
            if key in labels and (not has_value or labels[key] == value):
                return True
        elif fnmatch.fnmatchcase(name, selector) or container_id.startswith(selector):
            return True
    return False


def within(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or inside it, comparing path components
    (/etcd is not inside /etc)."""
    parts, base = PurePosixPath(path).parts, PurePosixPath(directory).parts
    return parts[: len(base)] == base


def bind_source(host: Host, mount: Mapping) -> str:
    """What a bind mount's source leads to on the host: the kernel followed the links in it (on a merged-/usr
    host /sbin is /usr/sbin). A loop of links is left as written: the kernel mounted nothing from it."""
    try:
        return host.kernel_path(mount["Source"])
    except HostError:
        return mount["Source"]
