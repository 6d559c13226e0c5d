"""How a container is made again: the Engine API's create request that harden's
recreation sends (create_request: the original's own configuration, changed
only by the items' adjustments), and the `docker run` command (`docker create`
for a stopped one) rebuilt from inspect, which a finding shows a person.

The command keeps what the container was created with: image, name, command
and entrypoint, the environment and labels it adds to its image's, ports,
mounts and volumes (anonymous volumes by their ids, so no data is left behind),
restart policy, network, and resource limits. A fix then takes away, or adds,
the one setting that fails the baseline.
"""
from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from ..host import Host, sha256_of
from ..facts.containers import CLEARABLE, Container, EVERY_ADDRESS, SHARED, added_capabilities, security_option


# The host namespaces and privileges a recreation can take away: HostConfig key, and the value that shares or grants
@dataclass(frozen=True)
class Adjust:
    """What the new container does differently. Adjusts add up: a container failing
    five items is recreated once with all five."""

    clear: FrozenSet[str] = frozenset()  # CLEARABLE keys whose sharing or grant goes
    drop_mounts: Tuple[str, ...] = ()  # the kinds of mount to drop (facts.mounts.MOUNT_KINDS): "docker-socket"
    drop_security_opts: FrozenSet[str] = frozenset()  # "seccomp=unconfined", "apparmor=unconfined", "label=disable"
    add_security_opts: Tuple[str, ...] = ()  # "no-new-privileges"
    private_propagation: bool = False  # shared mount propagation becomes the default (rprivate)
    read_only: bool = False  # adds --read-only and tmpfs on /tmp and /run
    cap_drop_all: bool = False  # --cap-drop ALL (the added capabilities stay unless dropped)
    bind_address: Optional[str] = None  # published ports bound to every address are bound to this one
    drop_added_capabilities: bool = False  # CapAdd keeps only Docker's default capabilities (added back after --cap-drop ALL)

    def drops(self, host: Host, mount: Mapping) -> bool:
        """Whether the new container goes without this mount: it is of a kind one of the items drops."""
        from ..facts.mounts import MOUNT_KINDS

        return any(MOUNT_KINDS[kind](host, mount) for kind in self.drop_mounts)

    def __add__(self, other: "Adjust") -> "Adjust":
        return Adjust(self.clear | other.clear, self.drop_mounts + other.drop_mounts,
                      self.drop_security_opts | other.drop_security_opts,
                      self.add_security_opts + tuple(o for o in other.add_security_opts if o not in self.add_security_opts),
                      self.private_propagation or other.private_propagation, self.read_only or other.read_only,
                      self.cap_drop_all or other.cap_drop_all, self.bind_address or other.bind_address,
                      self.drop_added_capabilities or other.drop_added_capabilities)

    def keeps(self, settings: Mapping, key: str) -> bool:
        """Whether the new container keeps this HostConfig setting as it is."""
        return key not in self.clear or settings.get(key) != CLEARABLE[key]

    def capabilities_added(self, settings: Mapping) -> list:
        """The new container's CapAdd."""
        added = set(added_capabilities(settings.get("CapAdd"))) if self.drop_added_capabilities else set()
        return [cap for cap in settings.get("CapAdd") or [] if cap not in added]


def seccomp_profiles(container: Container) -> Dict[str, str]:
    """A custom seccomp profile, by the file the shown `docker run` names for it. Docker keeps only the
    profile's content (the client reads the file and sends it), while `--security-opt seccomp=` takes a file:
    a person saves the content there first. harden's own recreation passes the content, as the engine keeps it."""
    from ..journal import HOME

    profiles = {}
    for option in container.host_config.get("SecurityOpt") or []:
        name, _, value = security_option(option).partition("=")
        if name == "seccomp" and value.startswith("{"):
            profiles[f"{HOME}/seccomp/{container.name}-{sha256_of(value.encode())[:12]}.json"] = value
    return profiles


def _port_flags(settings: Mapping, bind_address: Optional[str]) -> List[str]:
    flags: List[str] = []
    for container_port, bindings in sorted((settings.get("PortBindings") or {}).items()):
        for binding in bindings or [{}]:
            if bind_address and binding and (binding.get("HostIp") or "") in EVERY_ADDRESS:
                binding = dict(binding, HostIp=bind_address)
            flag = _port_flag(container_port, binding)
            if flag not in flags[1::2]:  # 0.0.0.0 and :: both bound to one address are one binding
                flags += ["--publish", flag]
    return flags


def _port_flag(container_port: str, binding: Mapping) -> str:
    target = container_port.removesuffix("/tcp")  # docker run's default protocol
    host_ip, host_port = binding.get("HostIp") or "", binding.get("HostPort") or ""
    if ":" in host_ip:
        host_ip = f"[{host_ip}]"
    return ":".join(part for part in (host_ip, host_port, target) if part) if host_port else (f"{host_ip}::{target}" if host_ip else target)


def _mount_flag(mount: Mapping, private_propagation: bool) -> List[str]:
    options = [] if mount.get("RW", True) else ["ro"]
    propagation = mount.get("Propagation") or ""
    if propagation and propagation != "rprivate" and not (private_propagation and propagation in SHARED):
        options.append(propagation)
    suffix = ":" + ",".join(options) if options else ""
    if mount.get("Type") == "bind":
        return ["--volume", f"{mount['Source']}:{mount['Destination']}{suffix}"]
    if mount.get("Type") == "volume":
        return ["--volume", f"{mount['Name']}:{mount['Destination']}{suffix}"]
    return []


def _mount_spec(spec: Mapping, mount: Mapping, private_propagation: bool) -> str:
    """A --mount value from HostConfig.Mounts: an anonymous volume by the name it was given, so no data is left behind."""
    fields = [f"type={spec.get('Type') or 'volume'}"]
    source = spec.get("Source") or (mount.get("Name") if spec.get("Type") == "volume" else "")
    fields += [f"source={source}"] if source else []
    fields.append(f"target={spec['Target']}")
    fields += ["readonly"] if spec.get("ReadOnly") else []
    propagation = (spec.get("BindOptions") or {}).get("Propagation") or ""
    if propagation and not (private_propagation and propagation in SHARED):
        fields.append(f"bind-propagation={propagation}")
    volume = spec.get("VolumeOptions") or {}
    fields += ["volume-nocopy"] if volume.get("NoCopy") else []
    driver = volume.get("DriverConfig") or {}
    fields += [f"volume-driver={driver['Name']}"] if driver.get("Name") else []
    fields += [f"volume-opt={key}={value}" for key, value in sorted((driver.get("Options") or {}).items())]
    fields += [f"volume-label={key}={value}" for key, value in sorted((volume.get("Labels") or {}).items())]
    tmpfs = spec.get("TmpfsOptions") or {}
    fields += [f"tmpfs-size={tmpfs['SizeBytes']}"] if tmpfs.get("SizeBytes") else []
    fields += [f"tmpfs-mode={tmpfs['Mode']:o}"] if tmpfs.get("Mode") else []
    return ",".join('"' + field.replace('"', '""') + '"' if "," in field or '"' in field else field for field in fields)  # docker reads CSV


def run_command(host: Host, container: Container, image: Optional[Mapping], adjust: Adjust = Adjust(),
                overrides: Mapping[str, object] = {}) -> List[str]:
    """The `docker run` of the container as it was, with `adjust` made and the HostConfig
    settings in `overrides` (a memory limit, CPU shares, a PIDs limit, a restart policy) set."""
    config, settings = container.raw["Config"], dict(container.host_config, **overrides)
    image_config = (image or {}).get("Config") or {}
    verb = ["run", "--detach"] if container.running else ["create"]  # a stopped container stays stopped
    args: List[str] = ["docker", *verb, "--name", container.name]

    restart = settings.get("RestartPolicy") or {}
    if restart.get("Name") not in (None, "", "no"):
        retries = restart.get("MaximumRetryCount") or 0
        args += ["--restart", restart["Name"] + (f":{retries}" if restart["Name"] == "on-failure" and retries else "")]
    shares_host_name = "host" in (settings.get("UTSMode"), settings.get("NetworkMode"))  # its name is the host's
    if config.get("Hostname") and not container.id.startswith(config["Hostname"]) and not shares_host_name:
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
    explicit = adjust.bind_address and settings.get("PublishAllPorts")  # -P's ports explicitly, on the address (create_request)
    published = container.bound_ports if explicit else settings.get("PortBindings") or {}
    args += _port_flags({"PortBindings": published}, adjust.bind_address)
    args += ["--publish-all"] if settings.get("PublishAllPorts") and not explicit else []
    image_exposed = image_config.get("ExposedPorts") or {}
    args += [arg for port in sorted(config.get("ExposedPorts") or {}) if port not in published and port not in image_exposed
             for arg in ("--expose", port)]
    specified = settings.get("Mounts") or []  # made with --mount: given again the same way
    for mount in container.mounts:
        if mount["Destination"] not in {spec.get("Target") for spec in specified} and not adjust.drops(host, mount):
            args += _mount_flag(mount, adjust.private_propagation)
    for spec in specified:
        mount = next((m for m in container.mounts if m["Destination"] == spec.get("Target")), {})
        if not (mount and adjust.drops(host, mount)):
            args += ["--mount", _mount_spec(spec, mount, adjust.private_propagation)]
    tmpfs = dict(settings.get("Tmpfs") or {})
    if adjust.read_only:  # a read-only root file system gets a writable /tmp and /run, where it has none of its own
        tmpfs = {"/tmp": "", "/run": "", **tmpfs}
    for path, options in sorted(tmpfs.items()):
        args += ["--tmpfs", f"{path}:{options}" if options else path]
    network = settings.get("NetworkMode") or "default"
    if network not in ("default", "bridge") and adjust.keeps(settings, "NetworkMode"):
        args += ["--network", network] + _endpoint_flags(container, network)
    if config.get("MacAddress"):
        args += ["--mac-address", config["MacAddress"]]
    if settings.get("PidMode") and adjust.keeps(settings, "PidMode"):
        args += ["--pid", settings["PidMode"]]
    args += _kept_settings(config, settings, image_config, adjust, seccomp_profiles(container))
    if settings.get("Privileged") and adjust.keeps(settings, "Privileged"):
        args.append("--privileged")
    if settings.get("ReadonlyRootfs") or adjust.read_only:
        args.append("--read-only")
    args += [arg for cap in adjust.capabilities_added(settings) for arg in ("--cap-add", cap)]
    cap_drop = ["ALL"] if adjust.cap_drop_all else settings.get("CapDrop") or []
    args += [arg for cap in cap_drop for arg in ("--cap-drop", cap)]
    for key, flag in (("Memory", "--memory"), ("MemorySwap", "--memory-swap"), ("CpuShares", "--cpu-shares"), ("PidsLimit", "--pids-limit")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    if settings.get("NanoCpus"):
        args += ["--cpus", _seconds(settings["NanoCpus"])]

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
LISTS = (("Dns", "--dns"), ("DnsSearch", "--dns-search"), ("DnsOptions", "--dns-option"),
         ("ExtraHosts", "--add-host"), ("GroupAdd", "--group-add"), ("VolumesFrom", "--volumes-from"))


def _kept_settings(config: Mapping, settings: Mapping, image_config: Mapping, adjust: Adjust, profiles: Mapping[str, str]) -> List[str]:
    """The flags of what the container was made with beyond its image, ports, mounts and limits, so that
    a recreation changes nothing but what it is for."""
    args: List[str] = []
    for key, flag, defaults in SETTINGS:
        if settings.get(key) not in defaults + (None,) and adjust.keeps(settings, key):
            args += [flag, str(settings[key])]
    profile_files = {content: path for path, content in profiles.items()}  # a custom seccomp profile, by the file it is saved to
    for option in _security_options(settings, adjust):
        name, _, value = security_option(option).partition("=")
        args += ["--security-opt", f"seccomp={profile_files[value]}" if name == "seccomp" and value in profile_files else option]
    for key, flag in LISTS:
        args += [arg for value in settings.get(key) or [] for arg in (flag, value)]
    args += [arg for link in _links(settings) for arg in ("--link", link)]
    for device in settings.get("Devices") or []:
        args += ["--device", f"{device['PathOnHost']}:{device['PathInContainer']}:{device.get('CgroupPermissions') or 'rwm'}"]
    for limit in settings.get("Ulimits") or []:
        args += ["--ulimit", f"{limit['Name']}={limit['Soft']}:{limit['Hard']}"]
    for key, value in sorted((settings.get("Sysctls") or {}).items()):
        args += ["--sysctl", f"{key}={value}"]
    log = settings.get("LogConfig") or {}
    # options, or a driver other than json-file (dockerd's built-in default): the container's own choice or dockerd's
    # configured default, which inspect does not tell apart; either way what it logs with
    if log.get("Config") or log.get("Type") not in (None, "", "json-file"):
        args += ["--log-driver", log.get("Type") or "json-file"]
        args += [arg for key, value in sorted((log.get("Config") or {}).items()) for arg in ("--log-opt", f"{key}={value}")]
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


def _seconds(nanoseconds: int) -> str:
    """A count of billionths as a decimal number, exactly (a duration in seconds, CPUs): 1500000000 is 1.5."""
    from decimal import Decimal

    return format(Decimal(int(nanoseconds)) / 1_000_000_000, "f")


def _health_flags(health: Mapping) -> List[str]:
    test = list(health.get("Test") or [])
    if test[:1] == ["NONE"]:
        return ["--no-healthcheck"]
    args = ["--health-cmd", test[1] if test[:1] == ["CMD-SHELL"] else shlex.join(test[1:])] if len(test) > 1 else []
    for key, flag in (("Interval", "--health-interval"), ("Timeout", "--health-timeout"), ("StartPeriod", "--health-start-period")):
        if health.get(key):
            args += [flag, _seconds(health[key]) + "s"]
    if health.get("Retries"):
        args += ["--health-retries", str(health["Retries"])]
    return args


def _image_reference(container: Container, image: Optional[Mapping]) -> str:
    """The image by name while that name still means the same image; else by id (an image gone since is asked
    for by its id, which fails, rather than by a name that may mean another image now)."""
    if image is not None and (container.image in (image.get("RepoTags") or []) or container.image_id.endswith(container.image)):
        return container.image
    return container.image_id


def shell_line(args: Sequence[str]) -> str:
    return " ".join(shlex.quote(arg) for arg in args)



# -- the create request: what the engine makes the new container from -----------------------------------------------

# What an endpoint's inspect holds that the engine gives it, not what it was asked for.
ENDPOINT_RUNTIME = ("NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                    "GlobalIPv6PrefixLen", "DNSNames")
# What docker refuses beside --network container:X, and inspect shows of the joined container's namespace.
JOINED_NETWORK_CONFIG = ("Hostname", "Domainname", "ExposedPorts", "MacAddress")
ENDPOINTS_AT_CREATE = (1, 44)  # the API version from which a create takes every network, not one


@dataclass(frozen=True)
class CreateRequest:
    """The Engine API's create of the new container, and what follows it."""

    name: str
    body: Mapping  # Config's fields, HostConfig and NetworkingConfig
    connect: Tuple[Tuple[str, Mapping], ...]  # (network, EndpointConfig) connected after the create, where one is taken at it
    disconnect: Tuple[str, ...] = ()  # the NetworkMode's network, which the create joins, where the original had left it


def create_request(host: Host, container: Container, image: Optional[Mapping], adjust: Adjust = Adjust(),
                   overrides: Mapping[str, object] = {}, api_version: str = "1.41") -> CreateRequest:
    """The container as the engine knows it (its own inspected Config, HostConfig and networks), changed only by
    `adjust` and `overrides`: what the engine knows is kept even where harden has no name for it. What the image
    gives is left to the image, so that the new container still follows it; what the engine made for the old
    one (its hostname, addresses, endpoint) it makes anew."""
    import copy

    # a shallow copy: its members are replaced, never changed in place (_leave_to_image makes Volumes anew before
    # _keep_volumes takes from it); a test holds the inspect to it
    config = dict(container.raw["Config"])
    settings = copy.deepcopy(dict(container.host_config, **overrides))
    image_config = (image or {}).get("Config") or {}
    _leave_to_image(config, image_config)
    config["Image"] = _image_reference(container, image)
    network_mode = str(settings.get("NetworkMode"))  # None: the default bridge
    hostname = config.get("Hostname")
    # the engine names a container by its id's first characters where it was given no hostname: made anew
    if (hostname is not None and container.id.startswith(hostname)) or network_mode == "host" or settings.get("UTSMode") == "host":
        config.pop("Hostname", None)
    if network_mode.startswith("container:"):
        for key in JOINED_NETWORK_CONFIG:
            config.pop(key, None)
    _keep_volumes(container, config, settings)
    _adjusted(host, container, settings, adjust)
    primary = settings.get("NetworkMode") or "default"  # as adjusted
    primary = "bridge" if primary == "default" else primary
    endpoints = _endpoints(container, primary, api_version)
    at_create = {name: endpoint for name, endpoint in endpoints.items()
                 if name == primary or tuple(map(int, api_version.split("."))) >= ENDPOINTS_AT_CREATE}
    body = dict(config, HostConfig=settings, NetworkingConfig={"EndpointsConfig": at_create})
    connect = tuple((name, endpoint) for name, endpoint in sorted(endpoints.items()) if name not in at_create)
    return CreateRequest(container.name, body, connect, _left(container, primary))


def _left(container: Container, primary: str) -> Tuple[str, ...]:
    """The NetworkMode's network where the container was disconnected from it since (docker network disconnect): a
    create joins it again, so the new one leaves it too. Only where no endpoint can be it (the engine keys them by
    name; an id in NetworkMode is matched against their network ids)."""
    networks = (container.raw.get("NetworkSettings") or {}).get("Networks")
    if primary in ("host", "none") or primary.startswith("container:") or not isinstance(networks, dict):
        return ()
    if primary in networks or any((endpoint.get("NetworkID") or "-").startswith(primary) for endpoint in networks.values()):
        return ()
    return (primary,)


def changed_fields(before: Mapping, after: Mapping, prefix: str = "") -> Tuple[str, ...]:
    """What a create request changes of another, field by field: "HostConfig.Privileged: true -> false"."""
    import json

    lines: List[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping) and key in ("HostConfig", "NetworkingConfig"):
            lines += changed_fields(old, new, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key}: {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}")
    return tuple(lines)


def _leave_to_image(config: dict, image_config: Mapping) -> None:
    """Take out of the container's Config what its image gives (inspect shows the two merged)."""
    image_env = set(image_config.get("Env") or [])
    config["Env"] = [variable for variable in config.get("Env") or [] if variable not in image_env] or None
    image_labels = image_config.get("Labels") or {}
    config["Labels"] = {key: value for key, value in (config.get("Labels") or {}).items() if image_labels.get(key) != value}
    for key in ("Volumes", "ExposedPorts"):
        own = {name: value for name, value in (config.get(key) or {}).items() if name not in (image_config.get(key) or {})}
        config[key] = own or None
    if (config.get("Entrypoint") or None) == (image_config.get("Entrypoint") or None):
        config["Entrypoint"] = None
        if (config.get("Cmd") or None) == (image_config.get("Cmd") or None):
            config["Cmd"] = None
    for key in ("WorkingDir", "User", "Healthcheck", "StopSignal", "OnBuild", "Shell", "ArgsEscaped"):
        if key in config and config.get(key) == image_config.get(key):
            config.pop(key)


def _keep_volumes(container: Container, config: dict, settings: dict) -> None:
    """A volume the engine made for the old container (anonymous, or its image's VOLUME) is mounted in the new one by
    its name: Config.Volumes alone would make new, empty ones."""
    specified = settings.get("Mounts") or []
    bound = {bind.split(":")[1] for bind in settings.get("Binds") or [] if bind.count(":") >= 1}
    by_target = {spec.get("Target"): spec for spec in specified}
    for mount in container.mounts:
        if mount.get("Type") != "volume" or not mount.get("Name"):
            continue
        spec = by_target.get(mount["Destination"])
        if spec is not None:
            spec["Source"] = mount["Name"]  # an anonymous one's spec has none; a named one's is this name
        elif mount["Destination"] not in bound:
            settings["Binds"] = list(settings.get("Binds") or []) + [f"{mount['Name']}:{mount['Destination']}" + ("" if mount.get("RW", True) else ":ro")]
        (config.get("Volumes") or {}).pop(mount["Destination"], None)
    if config.get("Volumes") == {}:
        config["Volumes"] = None


CLEARED = {"Privileged": False, "PidMode": "", "IpcMode": "", "UTSMode": "", "UsernsMode": "", "NetworkMode": "default"}


def _adjusted(host: Host, container: Container, settings: dict, adjust: Adjust) -> None:
    """The items' changes, made on the HostConfig the engine gave."""
    original = dict(settings)
    for key in adjust.clear:
        if not adjust.keeps(original, key):
            settings[key] = CLEARED[key]
    dropped = {mount["Destination"] for mount in container.mounts
               if adjust.drops(host, mount)}
    binds = []
    for bind in settings.get("Binds") or []:
        parts = bind.split(":")
        if len(parts) > 1 and parts[1] in dropped:
            continue
        if adjust.private_propagation and len(parts) > 2:
            options = [option for option in parts[2].split(",") if option not in SHARED]
            bind = ":".join(parts[:2] + ([",".join(options)] if options else []))
        binds.append(bind)
    settings["Binds"] = binds or None
    mounts = []
    for spec in settings.get("Mounts") or []:
        if spec.get("Target") in dropped:
            continue
        propagation = (spec.get("BindOptions") or {}).get("Propagation")
        if adjust.private_propagation and propagation in SHARED:
            spec["BindOptions"] = {key: value for key, value in spec["BindOptions"].items() if key != "Propagation"} or None
        mounts.append(spec)
    settings["Mounts"] = mounts or None
    settings["SecurityOpt"] = _security_options(original, adjust) or None
    if adjust.read_only:
        settings["ReadonlyRootfs"] = True
        settings["Tmpfs"] = dict({"/tmp": "", "/run": ""}, **(settings.get("Tmpfs") or {}))
    if adjust.cap_drop_all:
        settings["CapDrop"] = ["ALL"]
    if adjust.drop_added_capabilities:
        settings["CapAdd"] = adjust.capabilities_added(original) or None
    if adjust.bind_address:
        # the ports it has go explicitly, bound to the address, keeping the host ports they have now (clients use
        # them): -P's, and a random one (-p 80) too, which a new container would be given anew
        settings["PortBindings"] = {port: _bound_to(bindings, adjust.bind_address) for port, bindings in container.bound_ports.items()}
        settings["PublishAllPorts"] = False
    if "Memory" in settings and settings.get("MemorySwap") is None:
        settings["MemorySwap"] = 0
    settings["Links"] = _links(settings) or None


def _links(settings: Mapping) -> List[str]:
    """The legacy links as a create and `docker run --link` take them: inspect says "/db:/web/database" (the
    container db, known here as database), a create "db:database"."""
    return [f"{source.lstrip('/')}:{alias.split('/')[-1]}"
            for source, _, alias in (link.partition(":") for link in settings.get("Links") or [])]


def _security_options(settings: Mapping, adjust: Adjust) -> List[str]:
    dropped = set(adjust.drop_security_opts)
    if settings.get("IpcMode") == "host" or settings.get("PidMode") == "host" or settings.get("Privileged"):
        dropped.add("label=disable")  # docker's own addition for these, which it makes again where they stay
    kept = [option for option in settings.get("SecurityOpt") or [] if security_option(option) not in dropped]
    present = {security_option(option) for option in kept}
    return kept + [option for option in adjust.add_security_opts if option not in present and f"{option}=true" not in present]


def _bound_to(bindings: Sequence[Mapping], address: str) -> List[Mapping]:
    bound: List[Mapping] = []
    for binding in bindings:
        if (binding.get("HostIp") or "") in EVERY_ADDRESS:
            binding = dict(binding, HostIp=address)
        if binding not in bound:  # 0.0.0.0 and :: both bound to one address are one binding
            bound.append(binding)
    return bound


def _endpoints(container: Container, primary: str, api_version: str) -> Dict[str, Mapping]:
    """Each network's endpoint as it was asked for: aliases (not the engine's short-id one), fixed addresses,
    links, driver options; where the engine takes a MAC address per network (API 1.44), each endpoint's, unless the
    bridge driver derived it from the address (engine_made_mac) and it is not the container's own --mac-address."""
    if primary.startswith("container:"):  # another's network stack: no endpoint of its own
        return {}
    per_network_mac = tuple(map(int, api_version.split("."))) >= ENDPOINTS_AT_CREATE
    endpoints = {}
    for name, endpoint in ((container.raw.get("NetworkSettings") or {}).get("Networks") or {}).items():
        if name in ("host", "none"):  # no endpoint to ask for (the host's network cleared: the default bridge)
            continue
        asked = {key: value for key, value in endpoint.items() if key not in ENDPOINT_RUNTIME and key != "MacAddress"}
        asked["Aliases"] = [alias for alias in endpoint.get("Aliases") or [] if alias not in (container.id[:12], container.name)] or None
        mac = endpoint.get("MacAddress") or ""
        if per_network_mac and mac and (mac == container.raw["Config"].get("MacAddress") or not engine_made_mac(endpoint)):
            asked["MacAddress"] = mac
        endpoints[name] = asked
    return endpoints


def engine_made_mac(endpoint: Mapping) -> bool:
    """Whether an endpoint's MAC address is the one Docker's bridge driver (to 28) derives from its IPv4 address
    where none was asked for: 02:42 and the address's four octets. The Engine API does not say which MACs were
    asked for (moby#48168); a derived one kept would follow the container to another address, and there collide
    with the container that is given the old one. Docker 29's random MACs are kept: unique, and the same as before."""
    try:
        octets = ipaddress.IPv4Address(endpoint.get("IPAddress")).packed
    except ValueError:  # none (a stopped container), or not an address
        return False
    return str(endpoint.get("MacAddress")).lower() == "02:42:" + ":".join(f"{octet:02x}" for octet in octets)
