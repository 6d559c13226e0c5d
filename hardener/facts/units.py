"""Where a systemd unit's file is on a host."""
from __future__ import annotations

import re
from typing import Dict, Optional

from ..host import Host, HostError

# systemd's unit search path for system units, most important first (systemd.unit(5)): `systemctl set-property`
# writes to system.control, `systemd-run` to transient, generators to generator*; /lib is /usr/lib on merged-/usr hosts.
UNIT_DIRS = ("/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient", "/run/systemd/generator.early",
             "/etc/systemd/system", "/etc/systemd/system.attached", "/run/systemd/system", "/run/systemd/system.attached",
             "/run/systemd/generator", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
             "/run/systemd/generator.late")
# Where a unit file is made anew (by each daemon-reload, or for the unit's one run): a change made there does not last.
REMADE = re.compile(r"/systemd/(generator(\.early|\.late)?|transient)/")


# The units harden asks systemd of, asked together: one `systemctl show` a run, not one a unit.
DOCKER_UNITS = ("docker.service", "docker.socket")


def unit_properties(host: Host, unit: str) -> Dict[str, str]:
    """What the running systemd says of a unit (its LoadState and FragmentPath), asked once a run; {} where
    systemd cannot be asked (under --root, or no systemd runs: /run/systemd/system is missing, which is how systemctl
    itself, by sd_booted(), knows to refuse)."""
    asked = DOCKER_UNITS if unit in DOCKER_UNITS else (unit,)

    def load() -> Dict[str, Dict[str, str]]:
        if not host.live or not host.is_dir("/run/systemd/system"):
            return {}
        try:
            answer = host.run("systemctl", "show", "--property=LoadState,FragmentPath", "--", *asked)
        except HostError:
            return {}
        return properties_by_unit(answer, asked)

    return host.fact(f"systemctl show {' '.join(asked)}", load).get(unit, {})


def properties_by_unit(answer: str, asked) -> Dict[str, Dict[str, str]]:
    """`systemctl show`'s answer for several units: a block of KEY=VALUE lines for each, in the order asked (a unit
    not found too), blocks parted by an empty line."""
    blocks = [block for block in answer.split("\n\n") if block.strip()]
    return {unit: {key: value for key, _, value in (line.partition("=") for line in block.splitlines()) if key}
            for unit, block in zip(asked, blocks)}


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
