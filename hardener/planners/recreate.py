"""The `docker run` command that creates a container again, rebuilt from inspect:
what the container planner runs, and what a manual finding shows.

It keeps what the container was created with: image, name, command and
entrypoint, the environment and labels it adds to its image's, ports, mounts
and volumes (anonymous volumes by their ids, so no data is left behind),
restart policy, network, and resource limits. A fix then takes away, or adds,
the one setting that fails the baseline.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from ..host import Host
from ..facts.containers import Container


@dataclass(frozen=True)
class Adjust:
    """What the new container does differently."""

    drop_privileged: bool = False
    drop_host_pid: bool = False
    drop_mounts: Tuple[Callable[[Host, Mapping], bool], ...] = ()  # drop the mounts any of these says yes to
    read_only: bool = False  # adds --read-only and tmpfs on /tmp and /run

    def __add__(self, other: "Adjust") -> "Adjust":
        return Adjust(self.drop_privileged or other.drop_privileged, self.drop_host_pid or other.drop_host_pid,
                      self.drop_mounts + other.drop_mounts, self.read_only or other.read_only)


def _port_flag(container_port: str, binding: Mapping) -> str:
    port, _, protocol = container_port.partition("/")
    target = port if protocol in ("", "tcp") else container_port
    host_ip, host_port = binding.get("HostIp") or "", binding.get("HostPort") or ""
    return ":".join(part for part in (host_ip, host_port, target) if part) if host_port else (f"{host_ip}::{target}" if host_ip else target)


def _mount_flag(mount: Mapping) -> List[str]:
    read_only = "" if mount.get("RW", True) else ":ro"
    if mount.get("Type") == "bind":
        return ["--volume", f"{mount['Source']}:{mount['Destination']}{read_only}"]
    if mount.get("Type") == "volume":
        return ["--volume", f"{mount['Name']}:{mount['Destination']}{read_only}"]
    return []


def run_command(host: Host, container: Container, image: Optional[Mapping], adjust: Adjust = Adjust(),
                memory: Optional[int] = None) -> List[str]:
    """The `docker run` of the container as it was, with `adjust` made and, where
    given, a memory limit (swap limited to the same)."""
    config, settings = container.raw["Config"], container.host_config
    image_config = (image or {}).get("Config") or {}
    args: List[str] = ["docker", "run", "--detach", "--name", container.name]

    restart = settings.get("RestartPolicy") or {}
    if restart.get("Name") not in (None, "", "no"):
        retries = restart.get("MaximumRetryCount") or 0
        args += ["--restart", restart["Name"] + (f":{retries}" if restart["Name"] == "on-failure" and retries else "")]
    if config.get("Hostname") and not container.id.startswith(config["Hostname"]):
        args += ["--hostname", config["Hostname"]]
    for key, flag in (("User", "--user"), ("WorkingDir", "--workdir")):
        if config.get(key) and config.get(key) != image_config.get(key):
            args += [flag, config[key]]
    image_env = set(image_config.get("Env") or [])
    for variable in config.get("Env") or []:
        if variable not in image_env:
            args += ["--env", variable]
    image_labels = image_config.get("Labels") or {}
    for key, value in sorted(container.labels.items()):
        if image_labels.get(key) != value:
            args += ["--label", f"{key}={value}"]
    for container_port, bindings in sorted((settings.get("PortBindings") or {}).items()):
        for binding in bindings or [{}]:
            args += ["--publish", _port_flag(container_port, binding)]
    for mount in container.mounts:
        if not any(drop(host, mount) for drop in adjust.drop_mounts):
            args += _mount_flag(mount)
    tmpfs = dict(settings.get("Tmpfs") or {})
    if adjust.read_only:
        tmpfs.setdefault("/tmp", "")
        tmpfs.setdefault("/run", "")
    for path, options in sorted(tmpfs.items()):
        args += ["--tmpfs", f"{path}:{options}" if options else path]
    network = settings.get("NetworkMode") or "default"
    if network not in ("default", "bridge"):
        args += ["--network", network] + _endpoint_flags(container, network)
    if config.get("MacAddress"):
        args += ["--mac-address", config["MacAddress"]]
    if settings.get("PidMode") and not (adjust.drop_host_pid and settings["PidMode"] == "host"):
        args += ["--pid", settings["PidMode"]]
    args += _kept_settings(config, settings, image_config)
    if settings.get("Privileged") and not adjust.drop_privileged:
        args.append("--privileged")
    if settings.get("ReadonlyRootfs") or adjust.read_only:
        args.append("--read-only")
    args += [arg for cap in settings.get("CapAdd") or [] for arg in ("--cap-add", cap)]
    args += [arg for cap in settings.get("CapDrop") or [] for arg in ("--cap-drop", cap)]
    limits = dict(settings, **({"Memory": memory, "MemorySwap": memory} if memory else {}))
    for key, flag in (("Memory", "--memory"), ("MemorySwap", "--memory-swap"), ("CpuShares", "--cpu-shares"), ("PidsLimit", "--pids-limit")):
        if limits.get(key):
            args += [flag, str(limits[key])]
    if settings.get("NanoCpus"):
        args += ["--cpus", f"{settings['NanoCpus'] / 1e9:g}"]

    entrypoint: Sequence[str] = config.get("Entrypoint") or []
    command: Sequence[str] = config.get("Cmd") or []
    entrypoint_changed = list(entrypoint) != list(image_config.get("Entrypoint") or [])
    if entrypoint_changed:
        args += ["--entrypoint", entrypoint[0] if entrypoint else ""]
    args.append(_image_reference(container, image))
    if entrypoint_changed:
        args += list(entrypoint[1:])
    if entrypoint_changed or list(command) != list(image_config.get("Cmd") or []):
        args += list(command)
    return args


# HostConfig settings a recreation keeps as they were: (key, flag, the value docker gives where none was asked for)
SETTINGS = (("IpcMode", "--ipc", ("", "private", "shareable")), ("UTSMode", "--uts", ("",)), ("UsernsMode", "--userns", ("",)),
            ("CgroupParent", "--cgroup-parent", ("",)), ("ShmSize", "--shm-size", (0, 67108864)),
            ("CpusetCpus", "--cpuset-cpus", ("",)), ("CpusetMems", "--cpuset-mems", ("",)), ("CpuQuota", "--cpu-quota", (0,)),
            ("CpuPeriod", "--cpu-period", (0,)), ("MemoryReservation", "--memory-reservation", (0,)),
            ("OomScoreAdj", "--oom-score-adj", (0,)), ("BlkioWeight", "--blkio-weight", (0,)), ("Runtime", "--runtime", ("", "runc")))
LISTS = (("SecurityOpt", "--security-opt"), ("Dns", "--dns"), ("DnsSearch", "--dns-search"), ("DnsOptions", "--dns-option"),
         ("ExtraHosts", "--add-host"), ("GroupAdd", "--group-add"), ("VolumesFrom", "--volumes-from"))


def _kept_settings(config: Mapping, settings: Mapping, image_config: Mapping) -> List[str]:
    """The flags of what the container was made with beyond its image, ports, mounts and limits, so that
    a recreation changes nothing but what it is for."""
    args: List[str] = []
    for key, flag, defaults in SETTINGS:
        if settings.get(key) not in defaults + (None,):
            args += [flag, str(settings[key])]
    for key, flag in LISTS:
        args += [arg for value in settings.get(key) or [] for arg in (flag, value)]
    for link in settings.get("Links") or []:  # "/db:/web/database": the container db, known here as database
        source, _, alias = link.partition(":")
        args += ["--link", f"{source.lstrip('/')}:{alias.rsplit('/', 1)[-1]}"]
    for device in settings.get("Devices") or []:
        args += ["--device", f"{device['PathOnHost']}:{device['PathInContainer']}:{device.get('CgroupPermissions') or 'rwm'}"]
    for limit in settings.get("Ulimits") or []:
        args += ["--ulimit", f"{limit['Name']}={limit['Soft']}:{limit['Hard']}"]
    for key, value in sorted((settings.get("Sysctls") or {}).items()):
        args += ["--sysctl", f"{key}={value}"]
    log = settings.get("LogConfig") or {}
    if log.get("Config"):  # options given: the driver was chosen for this container
        args += ["--log-driver", log.get("Type") or "json-file"]
        args += [arg for key, value in sorted(log["Config"].items()) for arg in ("--log-opt", f"{key}={value}")]
    if settings.get("Init"):
        args.append("--init")
    if config.get("Tty"):
        args.append("--tty")
    if config.get("OpenStdin"):
        args.append("--interactive")
    if config.get("StopSignal") and config.get("StopSignal") != image_config.get("StopSignal"):
        args += ["--stop-signal", config["StopSignal"]]
    if config.get("StopTimeout") is not None:
        args += ["--stop-timeout", str(config["StopTimeout"])]
    if config.get("Domainname"):
        args += ["--domainname", config["Domainname"]]
    health = config.get("Healthcheck") or {}
    if health and health != image_config.get("Healthcheck"):
        args += _health_flags(health)
    return args


def _endpoint_flags(container: Container, network: str, alias_flag: str = "--network-alias") -> List[str]:
    """The aliases and fixed addresses the container has on a network (docker's own alias, its short id, aside)."""
    endpoint = ((container.raw.get("NetworkSettings") or {}).get("Networks") or {}).get(network) or {}
    aliases = [alias for alias in endpoint.get("Aliases") or [] if alias not in (container.id[:12], container.name)]
    addresses = endpoint.get("IPAMConfig") or {}
    return ([arg for alias in aliases for arg in (alias_flag, alias)]
            + (["--ip", addresses["IPv4Address"]] if addresses.get("IPv4Address") else [])
            + (["--ip6", addresses["IPv6Address"]] if addresses.get("IPv6Address") else []))


def network_connections(container: Container) -> List[List[str]]:
    """`docker network connect` of each network the container joined beyond the one it was run on."""
    primary = container.host_config.get("NetworkMode") or "default"
    primary = "bridge" if primary == "default" else primary
    networks = (container.raw.get("NetworkSettings") or {}).get("Networks") or {}
    return [["docker", "network", "connect", *_endpoint_flags(container, name, alias_flag="--alias"), name, container.name]
            for name in sorted(networks) if name != primary]


def _health_flags(health: Mapping) -> List[str]:
    test = list(health.get("Test") or [])
    if test[:1] == ["NONE"]:
        return ["--no-healthcheck"]
    args = ["--health-cmd", test[1] if test[:1] == ["CMD-SHELL"] else shlex.join(test[1:])] if len(test) > 1 else []
    for key, flag in (("Interval", "--health-interval"), ("Timeout", "--health-timeout"), ("StartPeriod", "--health-start-period")):
        if health.get(key):
            args += [flag, f"{health[key] / 1e9:g}s"]
    if health.get("Retries"):
        args += ["--health-retries", str(health["Retries"])]
    return args


def _image_reference(container: Container, image: Optional[Mapping]) -> str:
    """The image by name while that name still means the same image; else by id."""
    if image is None or container.image in (image.get("RepoTags") or []) or container.image_id.endswith(container.image):
        return container.image
    return container.image_id


def shell_line(args: Sequence[str]) -> str:
    return " ".join(shlex.quote(arg) for arg in args)

