"""Where a systemd unit's file is on a host."""
from __future__ import annotations

from typing import Dict, Optional

from ..host import Host, HostError

# systemd's unit search path for system units, most important first.
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")


def unit_properties(host: Host, unit: str) -> Dict[str, str]:
    """What the running systemd says of a unit (its LoadState and FragmentPath), asked once a run; {} where
    systemd cannot be asked (under --root, or no systemd runs)."""
    def load() -> Dict[str, str]:
        if not host.live:
            return {}
        try:
            answer = host.run("systemctl", "show", "--property=LoadState,FragmentPath", unit)
        except HostError:
            return {}
        return {key: value for key, _, value in (line.partition("=") for line in answer.splitlines()) if key}

    return host.fact(f"systemctl show {unit}", load)


def masked(host: Host, unit: str) -> bool:
    """Whether the unit is masked: its first file on the search path is a link to
    /dev/null (whatever the root holds at /dev/null), or systemd says so."""
    if unit_properties(host, unit).get("LoadState") == "masked":
        return True
    for directory in UNIT_DIRS:
        path = f"{directory}/{unit}"
        if host.lstat(path) is not None:
            return host.is_symlink(path) and host.resolve(path) == "/dev/null"
    return False


def unit_file(host: Host, unit: str) -> Optional[str]:
    """The file systemd loads `unit` from (its FragmentPath), None when there is
    none or the unit is masked.

    On a live host systemd is asked; where systemd is not running (a container,
    an image under --root) the unit search path is walked as systemd would."""
    properties = unit_properties(host, unit)
    if "FragmentPath" in properties:
        return properties["FragmentPath"] or None
    for directory in UNIT_DIRS:
        path = f"{directory}/{unit}"
        if host.lstat(path) is not None:
            return None if host.is_symlink(path) and host.resolve(path) == "/dev/null" else path
    return None
