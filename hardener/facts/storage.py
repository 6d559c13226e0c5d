"""The storage driver dockerd uses: the one configured, else the one it chose itself."""
from __future__ import annotations

from typing import TYPE_CHECKING, List, NamedTuple, Optional, Tuple

from ..host import Host
from .engine_version import engine_release

if TYPE_CHECKING:
    from .dockerd_config import DockerdConfig

# The drivers whose data dockerd looks for under its data root when none is configured (graphdriver's scanPriorDrivers:
# the drivers it has, vfs left out), with the release that took each out. A driver dockerd no longer has leaves its
# data unseen: seen in the labs, Docker 26 starts on overlay2 beside aufs/ and devicemapper/ data, where 20.10 tries
# the one prior driver, and refuses to start where there are several.
PRIOR_DRIVERS = {"aufs": 24, "btrfs": None, "devicemapper": 25, "fuse-overlayfs": None, "overlay": 24, "overlay2": None, "zfs": None}


class StorageDriver(NamedTuple):
    name: str  # "" where dockerd picks by its own order (overlay2 today), or where it refuses to pick
    where: str
    several: Tuple[str, ...] = ()  # the prior drivers whose data is there, where there are several: dockerd does not start


def prior_drivers(host: Host, data_root: str, release: Optional[Tuple[int, int]]) -> List[str]:
    """The drivers dockerd of this release (the older rules where it is not known) finds prior data of."""
    return [driver for driver, removed in PRIOR_DRIVERS.items()
            if (removed is None or release is None or release[0] < removed) and host.list_dir(f"{data_root}/{driver}")]


def storage_driver(host: Host, config: DockerdConfig) -> StorageDriver:
    """The driver dockerd uses, and where that comes from. Configured: the flag or daemon.json. Else, for the system's
    dockerd on a live host, the engine's own answer (/info Driver; with the containerd image store, its snapshotter:
    overlayfs); else the prior driver whose data the data root holds, by the rules of the engine release installed."""
    flag = config.flag("storage-driver")
    if flag is not None:
        return StorageDriver(flag.value, f"{flag.words[0].path}:{flag.words[0].line}")
    if config.json.get("storage-driver"):
        return StorageDriver(str(config.json["storage-driver"]), config.json_path)
    if host.live and config.user is None:
        from .engine import NoEngine, engine_info

        try:
            driver = engine_info(host).get("Driver")
        except NoEngine:
            driver = None
        if isinstance(driver, str) and driver:
            return StorageDriver(driver, "the running engine (docker info)")
    data_root = config.flag("data-root")
    root = data_root.value if data_root is not None else str(config.json.get("data-root") or "")
    if not root and config.user is not None:
        return StorageDriver("", "default")  # a rootless dockerd's data root is in its user's home, named by its environment
    root = root or "/var/lib/docker"
    program = config.command.words[0].text if config.runs_dockerd else None
    prior = prior_drivers(host, root, engine_release(host, program))
    if len(prior) == 1:
        return StorageDriver(prior[0], f"the data in {root}/{prior[0]}")
    if len(prior) > 1:
        return StorageDriver("", f"the data in {root}: {', '.join(prior)}", tuple(prior))
    return StorageDriver("", "default")
