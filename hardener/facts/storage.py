"""The storage driver dockerd uses: the one configured, else the one it chose itself."""
from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

from ..host import Host

if TYPE_CHECKING:
    from .dockerd_config import DockerdConfig

# The drivers whose data dockerd looks for under its data root (graphdriver's scanPriorDrivers, which leaves vfs out):
# with none configured it takes the one whose data is there. 20.10 still has aufs and devicemapper to take; later
# releases took them out (aufs in 24, devicemapper in 25).
PRIOR_DRIVERS = ("aufs", "btrfs", "devicemapper", "fuse-overlayfs", "overlay", "overlay2", "zfs")


def storage_driver(host: Host, config: DockerdConfig) -> Tuple[str, str]:
    """(driver, where it comes from). Configured: the flag or daemon.json. Else, for the system's dockerd on a live
    host, the engine's own answer (/info Driver; with the containerd image store, its snapshotter: overlayfs); else the
    one prior driver whose data the data root holds; "" where dockerd picks by its own order (overlay2 today)."""
    flag = config.flag("storage-driver")
    if flag is not None:
        return flag.value, f"{flag.words[0].path}:{flag.words[0].line}"
    if config.json.get("storage-driver"):
        return str(config.json["storage-driver"]), config.json_path
    if host.live and config.user is None:
        from .containers import NoEngine, engine_info

        try:
            driver = engine_info(host).get("Driver")
        except NoEngine:
            driver = None
        if isinstance(driver, str) and driver:
            return driver, "the running engine (docker info)"
    data_root = config.flag("data-root")
    root = data_root.value if data_root is not None else str(config.json.get("data-root") or "")
    if not root and config.user is not None:
        return "", "default"  # a rootless dockerd's data root is in its user's home, named by its environment
    root = root or "/var/lib/docker"
    prior = [driver for driver in PRIOR_DRIVERS if host.list_dir(f"{root}/{driver}")]
    if len(prior) == 1:
        return prior[0], f"the data in {root}/{prior[0]}"
    return "", "default"
