"""The files and directories of Docker on this host that the audit item
watches: the baseline's, with CIS Docker 1.6's, as this host has them."""
from __future__ import annotations

from typing import List, Tuple

from ..host import Host
from .audit import find_program
from .dockerd_process import unix_sockets
from .units import unit_file

# The baseline names these Docker 1.13-era paths; today's hosts have the programs below.
BASELINE_PATHS = ("/usr/bin/docker-containerd", "/usr/bin/docker-runc")
PROGRAMS = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v1", "containerd-shim-runc-v2", "runc")
FILES = ("/etc/docker", "/etc/default/docker", "/etc/sysconfig/docker", "/etc/containerd/config.toml",
         "/run/containerd", "/run/containerd/containerd.sock")


# The CIS Docker Benchmark 1.8.0 recommendation each watch answers, by what it is (why it is watched)
# or by its name. docker.socket's unit is 1.1.9's subject in 1.6.0; the socket itself is since 1.7.0.
RECOMMENDATIONS = {
    "daemon.json": "1.1.11", "dockerd, from ExecStart": "1.1.3", "Docker's data root": "1.1.5",
    "docker.service (FragmentPath)": "1.1.7", "docker.socket (FragmentPath)": "1.1.9", "docker.socket ListenStream": "1.1.9",
    "dockerd -H": "1.1.9", "/etc/docker": "1.1.6", "/etc/default/docker": "1.1.10", "/etc/sysconfig/docker": "1.1.13",
    "/etc/containerd/config.toml": "1.1.12", "/run/containerd": "1.1.4", "containerd.sock": "1.1.8", "dockerd": "1.1.3",
    "containerd": "1.1.14", "docker-containerd": "1.1.14", "containerd-shim": "1.1.15", "containerd-shim-runc-v1": "1.1.16",
    "containerd-shim-runc-v2": "1.1.17", "runc": "1.1.18", "docker-runc": "1.1.18",
}


def recommendation_of(path: str, why: str) -> str:
    return RECOMMENDATIONS.get(why) or RECOMMENDATIONS.get(path) or RECOMMENDATIONS[path.rsplit("/", 1)[-1]]


def watch_list(host: Host) -> List[Tuple[str, str]]:
    """(path, why) for every candidate, resolved to what this host uses; paths may not exist."""
    from .dockerd_config import dockerd_config  # the daemon's facts load with the first item that reads them
    from .systemd import load_unit

    candidates: List[Tuple[str, str]] = []
    config = dockerd_config(host)
    data_root = "/var/lib/docker"
    if config is not None:
        flag = config.flag("data-root")
        data_root = flag.value if flag else str(config.json.get("data-root", data_root))
        candidates.append((config.json_path, "daemon.json"))
        if config.command and config.command.words:
            candidates.append((config.command.words[0].text, "dockerd, from ExecStart"))
    candidates.append((data_root, "Docker's data root"))
    candidates += [(path, "CIS Docker 1.6") for path in FILES]
    for unit in ("docker.service", "docker.socket"):
        path = unit_file(host, unit)
        candidates.append((path or f"/lib/systemd/system/{unit}", f"{unit} (FragmentPath)"))
    socket_unit = load_unit(host, "docker.socket")
    candidates += [(s.value, "docker.socket ListenStream") for s in socket_unit.values("Socket", "ListenStream") if s.value.startswith("/")]
    candidates += [(path, "dockerd -H") for path in unix_sockets(host)]
    candidates += [(found, "program") for name in PROGRAMS if (found := find_program(host, name))]
    candidates += [(path, "the baseline") for path in BASELINE_PATHS]
    seen, unique = set(), []
    for path, why in candidates:
        real = host.resolve(path)  # /var/run is /run; /bin is /usr/bin on merged-/usr hosts
        if real not in seen:
            seen.add(real)
            unique.append((real, why))
    return unique
