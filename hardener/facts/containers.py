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
import re
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..host import Host, HostError
from . import cgroups
from .audit import find_program
from .engine_api import EngineAPI, EngineError
from .units import unit_file


class NoEngine(Exception):
    """Containers cannot be read here; `reason` says why in a word."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


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


def api(host: Host) -> EngineAPI:
    return host.fact("engine_api", EngineAPI)


def api_version(host: Host) -> str:
    """The API version the engine answered the inspects at: a recreation is created at the same."""
    try:
        api(host).versioned("/")
    except EngineError as error:
        raise HostError(str(error)) from None
    return api(host).api_version  # type: ignore[return-value]


def unreachable(host: Host, error: EngineError) -> NoEngine:
    if error.missing and unit_file(host, "docker.service") is None and find_program(host, "dockerd") is None:
        return NoEngine("not_installed", "Docker is not installed")
    return NoEngine("engine_unreachable", str(error))


def listing(host: Host) -> List[Mapping]:
    """The engine's listing of every container (names, ids, labels), less the originals harden keeps aside."""
    if not host.live:
        raise NoEngine("not_live", "no engine is queried under --root")

    def load() -> List[Mapping]:
        from ..journal import Journal

        try:
            listed = api(host).containers()
        except EngineError as error:
            raise unreachable(host, error) from None
        kept = Journal(host).kept_aside() if listed else set()  # originals harden keeps for rollback: its own, not the host's
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


def network(host: Host, name: str) -> Optional[Mapping]:
    """A network's inspect; None where the engine does not answer or has no such network."""
    try:
        return api(host).document(f"/networks/{quote(name)}")
    except EngineError:
        return None


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


def image(host: Host, image_id: str) -> Optional[Mapping]:
    """The inspect of one image, asked at most once a run; None when it is gone."""
    cache: Dict[str, Optional[Mapping]] = host.fact("image_inspects", dict)
    if image_id not in cache:
        try:
            cache[image_id] = api(host).image(image_id)
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            cache[image_id] = None
    return cache[image_id]


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


def memory_usage(host: Host, container: Container) -> Optional[int]:
    """What a running container uses, as docker stats counts it: from its cgroup,
    else (no cgroup file found) from the engine's one-shot stats; None when stopped."""
    if not container.running:
        return None
    found = cgroups.memory_usage(host, container.raw["State"].get("Pid") or 0)
    if found is not None:
        return found
    try:
        stats = api(host).document(f"/containers/{container.id}/stats?stream=false&one-shot=true")
    except EngineError:
        return None
    memory = stats.get("memory_stats") or {} if isinstance(stats, dict) else {}
    return cgroups.without_inactive_cache(memory["usage"], memory.get("stats") or {}) if "usage" in memory else None


def engine_info(host: Host) -> Mapping:
    """The engine's `docker info`, asked once a run."""
    def load() -> Mapping:
        try:
            return api(host).document("/info")
        except EngineError as error:
            raise unreachable(host, error) from None

    return host.fact("engine_info", load)


def security_options(host: Host) -> List[str]:
    """What the engine enforces: "apparmor", "seccomp", "selinux", "userns", "rootless", ..."""
    return [option.split(",")[0].replace("name=", "") for option in engine_info(host).get("SecurityOptions") or []]


def image_listing(host: Host) -> List[Mapping]:
    """Every image the engine has (tagged or not; not the layers under them), listed once a run."""
    def load() -> List[Mapping]:
        try:
            return list(api(host).images())
        except EngineError as error:
            raise unreachable(host, error) from None

    return host.fact("image_listing", load)


def history(host: Host, image_id: str) -> List[Mapping]:
    """An image's history, newest layer first, asked at most once a run; [] when it is gone."""
    cache: Dict[str, List[Mapping]] = host.fact("image_histories", dict)
    if image_id not in cache:
        try:
            cache[image_id] = list(api(host).history(image_id))
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            cache[image_id] = []
    return cache[image_id]


def health_command(container: Container) -> List[str]:
    """The command line the engine runs as the container's health check ([] without one)."""
    test = list(((container.raw["Config"].get("Healthcheck") or {}).get("Test")) or [])
    if test[:1] == ["CMD-SHELL"]:
        return ["/bin/sh", "-c", *test[1:]]
    return test[1:] if test[:1] == ["CMD"] else []


def running_execs(host: Host, container: Container) -> List[Mapping]:
    """The inspects of the execs someone runs in the container now (the engine forgets an exec once it
    ends), less its own health checks, which it runs as execs too."""
    found = []
    for exec_id in container.raw.get("ExecIDs") or []:
        try:
            execution = api(host).document(f"/exec/{exec_id}/json")
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            continue
        process = execution.get("ProcessConfig") or {}
        if [process.get("entrypoint"), *(process.get("arguments") or [])] != health_command(container):
            found.append(execution)
    return found


def exec_events(host: Host) -> List[Mapping]:
    """The execs the engine's event log still holds: one request a run. The log is the
    engine's memory of recent events, not a record of every exec."""
    def load() -> List[Mapping]:
        query = quote('{"type":["container"],"event":["exec_create"]}')
        try:
            # until a time past, so that the engine answers what it holds at once (a time to come, it waits for)
            events = api(host).get(f"/events?since=0&until={int(time.time())}&filters={query}", stream=True)
        except EngineError as error:
            raise unreachable(host, error) from None
        return [event for event in events if isinstance(event, dict)]  # type: ignore[union-attr]

    return host.fact("exec_events", load)


CONTAINER_ID = re.compile(r"[0-9a-f]{64}")


def processes(host: Host) -> Dict[str, List[Tuple[int, str]]]:
    """The host's processes by the container they run in, (pid, command name) each: one pass over /proc,
    matched by the container id in each process's cgroup path."""
    def load() -> Dict[str, List[Tuple[int, str]]]:
        found: Dict[str, List[Tuple[int, str]]] = {}
        for entry in host.list_dir("/proc"):
            if not entry.isdigit():
                continue
            try:
                ids = set(CONTAINER_ID.findall(host.read_text(f"/proc/{entry}/cgroup") or ""))
                if len(ids) == 1:  # the name of a process in a container only
                    found.setdefault(ids.pop(), []).append((int(entry), (host.read_text(f"/proc/{entry}/comm") or "").strip()))
            except HostError:
                continue  # gone since the listing
        return found

    return host.fact("container_processes", load)


def _process_file(host: Host, container: Container, name: str) -> Optional[str]:
    """/proc/PID/NAME of the container's first process; None where none runs or it cannot be read here."""
    pid = (container.raw.get("State") or {}).get("Pid") or 0
    if not host.live or not container.running or not pid or not api(host).address.startswith("unix://"):
        return None  # a pid of another host's engine (DOCKER_HOST=tcp://...) is not this host's /proc
    try:
        return host.read_text(f"/proc/{pid}/{name}")
    except HostError:
        return None


def no_new_privs(host: Host, container: Container) -> Optional[bool]:
    """The kernel's NoNewPrivs of the container's process; None where none runs or it cannot be read here."""
    found = re.search(r"^NoNewPrivs:\s*([01])$", _process_file(host, container, "status") or "", re.MULTILINE)
    return found.group(1) == "1" if found else None


def mounted_sources(host: Host, container: Container) -> Dict[str, str]:
    """For a running container, what the kernel mounted at each of its mount points, as a path of this host: its
    mountinfo's root within the device, under where this host mounts that device ({} where no process runs here)."""
    mine = _process_file(host, container, "mountinfo")
    if not mine:
        return {}
    try:
        ours = [_mount_entry(line) for line in (host.read_text("/proc/self/mountinfo") or "").splitlines()]
    except HostError:
        return {}
    found = {}
    for device, root, point in (_mount_entry(line) for line in mine.splitlines()):
        candidates = [(host_root, host_point) for host_device, host_root, host_point in ours
                      if host_device == device and within(root, host_root)]
        if candidates:
            host_root, host_point = max(candidates, key=lambda candidate: len(candidate[0]))
            found[point] = str(PurePosixPath(host_point) / PurePosixPath(root).relative_to(host_root))
    return found


def _mount_entry(line: str) -> Tuple[str, str, str]:
    """(major:minor, root within the device, mount point) of a /proc/PID/mountinfo line; octal escapes decoded."""
    fields = line.split()
    if len(fields) < 5:
        return "", "", ""
    decode = lambda text: re.sub(r"\\([0-7]{3})", lambda found: chr(int(found.group(1), 8)), text)  # noqa: E731
    return fields[2], decode(fields[3]), decode(fields[4])


def process_uid(host: Host, container: Container) -> Optional[int]:
    """The effective uid of the container's first process as the container sees it: the kernel's (/proc/PID/status),
    mapped back through the container's uid_map (under userns-remap or rootless, its root is another uid here).
    None where no process runs, or where it cannot be read or mapped here."""
    found = re.search(r"^Uid:\s*\d+\s+(\d+)", _process_file(host, container, "status") or "", re.MULTILINE)
    if not found:
        return None
    return map_uid(int(found.group(1)), _process_file(host, container, "uid_map") or "")


def map_uid(outside: int, uid_map: str) -> Optional[int]:
    """A host uid as a user namespace whose uid_map is `uid_map` ("inside outside count" lines) sees it."""
    for line in uid_map.splitlines():
        parts = line.split()
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            inside, start, count = map(int, parts)
            if start <= outside < start + count:
                return inside + outside - start
    return None
