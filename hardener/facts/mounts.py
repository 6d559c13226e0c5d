"""What a container's bind mount is, judged on this host: a mount of a system directory, or of a Docker socket.
A recreation drops the mounts of the kinds its items name (planners/recreate.Adjust.drop_mounts)."""
from __future__ import annotations

from typing import Callable, Mapping

from ..host import Host
from .containers import bind_source, within
from .dockerd_process import docker_socket_paths

SENSITIVE = ("/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr")


def is_sensitive(host: Host, mount: Mapping, mounted: str = "") -> bool:
    """A bind of a system directory as written, as its links lead now (on a merged-/usr host /sbin is /usr/sbin; a
    link to / is /), and, for a running container, as the kernel mounted it (`mounted`: the link may have changed)."""
    if mount.get("Type") != "bind":
        return False
    return any(source == "/" or any(within(source, directory) for directory in SENSITIVE)
               for source in (mount["Source"], bind_source(host, mount), mounted) if source)


def mounts_docker_socket(host: Host, mount: Mapping, mounted: str = "") -> bool:
    """A bind of the socket, of a path that leads to it, or of its directory, as its links lead now and, for a running
    container, as the kernel mounted it (`mounted`: a link to the socket may lead elsewhere since)."""
    if mount.get("Type") != "bind":
        return False
    sockets = docker_socket_paths(host)
    return any(source in sockets for source in (bind_source(host, mount), mounted) if source)


def said_bind(host: Host, mount: Mapping, mounted: str = "") -> str:
    """"/sbin (/usr/sbin) -> /x (ro)": the source as written, then where it leads now and what the kernel mounted."""
    source = mount["Source"]
    real = ", ".join(path for path in dict.fromkeys((bind_source(host, mount), mounted)) if path and path != source)
    shown = f"{source} ({real})" if real else source
    return f"{shown} -> {mount['Destination']} ({'rw' if mount.get('RW') else 'ro'})"


# The kinds of mount a recreation can drop, by the name an Adjust gives them
MOUNT_KINDS: Mapping[str, Callable[[Host, Mapping], bool]] = {"system-directory": is_sensitive, "docker-socket": mounts_docker_socket}
