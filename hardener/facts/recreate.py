"""The `docker run` command that creates a container again, rebuilt from inspect.

It keeps what the container was created with: image, name, command and
entrypoint, the environment and labels it adds to its image's, ports, mounts
and volumes (anonymous volumes by their ids, so no data is left behind),
restart policy, network, and resource limits. A fix then takes away, or adds,
the one setting that fails the baseline.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Callable, List, Mapping, Optional, Sequence

from .containers import Container


@dataclass(frozen=True)
class Adjust:
    """What the new container does differently."""

    drop_privileged: bool = False
    drop_host_pid: bool = False
    drop_mount: Optional[Callable[[Mapping], bool]] = None  # drop the mounts this says yes to
    read_only: bool = False  # adds --read-only and tmpfs on /tmp and /run


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


def run_command(container: Container, image: Optional[Mapping], adjust: Adjust = Adjust(), name: Optional[str] = None) -> List[str]:
    config, host = container.raw["Config"], container.host_config
    image_config = (image or {}).get("Config") or {}
    args: List[str] = ["docker", "run", "--detach", "--name", name or container.name]

    restart = host.get("RestartPolicy") or {}
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
    for container_port, bindings in sorted((host.get("PortBindings") or {}).items()):
        for binding in bindings or [{}]:
            args += ["--publish", _port_flag(container_port, binding)]
    for mount in container.mounts:
        if not (adjust.drop_mount and adjust.drop_mount(mount)):
            args += _mount_flag(mount)
    tmpfs = dict(host.get("Tmpfs") or {})
    if adjust.read_only:
        tmpfs.setdefault("/tmp", "")
        tmpfs.setdefault("/run", "")
    for path, options in sorted(tmpfs.items()):
        args += ["--tmpfs", f"{path}:{options}" if options else path]
    network = host.get("NetworkMode") or "default"
    if network not in ("default", "bridge"):
        args += ["--network", network]
    if host.get("PidMode") and not (adjust.drop_host_pid and host["PidMode"] == "host"):
        args += ["--pid", host["PidMode"]]
    if host.get("Privileged") and not adjust.drop_privileged:
        args.append("--privileged")
    if host.get("ReadonlyRootfs") or adjust.read_only:
        args.append("--read-only")
    args += [arg for cap in host.get("CapAdd") or [] for arg in ("--cap-add", cap)]
    args += [arg for cap in host.get("CapDrop") or [] for arg in ("--cap-drop", cap)]
    for key, flag in (("Memory", "--memory"), ("MemorySwap", "--memory-swap"), ("CpuShares", "--cpu-shares"), ("PidsLimit", "--pids-limit")):
        if host.get(key):
            args += [flag, str(host[key])]
    if host.get("NanoCpus"):
        args += ["--cpus", f"{host['NanoCpus'] / 1e9:g}"]

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


def _image_reference(container: Container, image: Optional[Mapping]) -> str:
    """The image by name while that name still means the same image; else by id."""
    if image is None or container.image in (image.get("RepoTags") or []) or container.image_id.endswith(container.image):
        return container.image
    return container.image_id


def shell_line(args: Sequence[str]) -> str:
    return " ".join(shlex.quote(arg) for arg in args)

