"""The Docker engine installed: the release dockerd will be at its next start. Live, what the binary says
(`dockerd --version`: a binary put in place by hand is what runs, whatever the packages say); under --root, the
package database (dpkg's status file, a file that can be read there too)."""
from __future__ import annotations

import re
from typing import Optional, Tuple

from ..host import Host, HostError

PACKAGES = ("docker-ce", "docker.io", "moby-engine", "docker-engine")
RELEASE = re.compile(r"(?:\d+:)?(\d+)\.(\d+)")  # 5:26.1.4-1~debian.12~bookworm, 20.10.24+dfsg1-1+b3


def installed_from_dpkg(status: str) -> Optional[Tuple[int, int]]:
    """The (major, minor) release of the engine package dpkg has installed, from its status file's text."""
    for stanza in status.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Package") in PACKAGES and fields.get("Status", "").endswith(" installed"):
            found = RELEASE.match(fields.get("Version", ""))
            if found:
                return int(found.group(1)), int(found.group(2))
    return None


def from_dockerd_version(text: str) -> Optional[Tuple[int, int]]:
    """From `dockerd --version`: "Docker version 26.1.5+dfsg1, build 411e817"."""
    found = re.search(r"version (\d+)\.(\d+)", text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def dockerd_version(host: Host, program: str) -> str:
    """What `PROGRAM --version` prints (live only), asked once a run; a HostError where it cannot be asked."""
    return host.fact(f"dockerd_version {program}", lambda: host.run(program, "--version").strip())


def engine_release(host: Host, program: Optional[str] = None) -> Optional[Tuple[int, int]]:
    """(major, minor) of the Docker engine: live, what the dockerd that starts (`program`, the unit's ExecStart; else
    the one on the usual paths) says it is; under --root, what dpkg installed. None where neither says (an RPM host
    under --root). Read once a run."""
    from .audit import find_program

    def load() -> Optional[Tuple[int, int]]:
        found = None
        binary = (program or find_program(host, "dockerd")) if host.live else None
        if binary is not None:
            try:
                found = from_dockerd_version(dockerd_version(host, binary))
            except HostError:
                found = None
        if found is None:
            try:
                found = installed_from_dpkg(host.read_text("/var/lib/dpkg/status") or "")
            except HostError:
                found = None
        return found

    return host.fact(f"engine_release {program}", load)
