"""What the package database says is installed: dpkg's status file, a file that can be read under --root too."""
from __future__ import annotations

import re
from typing import Collection, Optional, Tuple

from ..host import Host, HostError

DPKG_STATUS = "/var/lib/dpkg/status"
RELEASE = re.compile(r"(?:\d+:)?(\d+)\.(\d+)")  # 5:26.1.4-1~debian.12~bookworm, 1:4.0.2-2+b2, 20.10.24+dfsg1-1+b3


def installed_release(status: str, packages: Collection[str]) -> Optional[Tuple[int, int]]:
    """The (major, minor) release of the first of `packages` dpkg has installed, from its status file's text."""
    for stanza in status.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Package") in packages and fields.get("Status", "").endswith(" installed"):
            found = RELEASE.match(fields.get("Version", ""))
            if found:
                return int(found.group(1)), int(found.group(2))
    return None


def package_release(host: Host, packages: Collection[str]) -> Optional[Tuple[int, int]]:
    """installed_release of the host's dpkg status (read once a run); None where dpkg is not there or says nothing."""
    try:
        status = host.fact("dpkg_status", lambda: host.read_text(DPKG_STATUS) or "")
    except HostError:
        return None
    return installed_release(status, packages)
