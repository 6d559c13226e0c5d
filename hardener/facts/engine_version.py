"""The Docker engine installed: the release dockerd will be at its next start. Live, what the binary says
(`dockerd --version`: a binary put in place by hand is what runs, whatever the packages say); under --root, the
package database."""
from __future__ import annotations

import re
from typing import Optional, Tuple

from ..host import Host, HostError
from .packages import package_release

PACKAGES = ("docker-ce", "docker.io", "moby-engine", "docker-engine")


def from_dockerd_version(text: str) -> Optional[Tuple[int, int]]:
    """From `dockerd --version`: "Docker version 26.1.5+dfsg1, build 411e817"."""
    found = re.search(r"version (\d+)\.(\d+)", text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def dockerd_version(host: Host, program: str) -> str:
    """What `PROGRAM --version` prints (live only), found once a run; a HostError where it cannot be found. Where the
    engine harden reads is a dockerd running that very file (the same inode: not replaced since it started), the
    engine says it without a process: dockerd prints its build's Version and GitCommit, which /version answers."""
    def load() -> str:
        return _said_by_engine(host, program) or host.run(program, "--version").strip()

    return host.fact(f"dockerd_version {program}", load)


BUILD = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+~_-]{0,99}")


def _said_by_engine(host: Host, program: str) -> Optional[str]:
    from .dockerd_process import listening_sockets, running_dockerd
    from .engine import api
    from .engine_api import EngineError

    running, binary = running_dockerd(host), host.identity(program)
    if running is None or binary is None or host.identity(f"/proc/{running[0]}/exe") != binary:
        return None
    address = api(host).address
    if not address.startswith("unix://") or host.kernel_path(address[len("unix://"):]) not in {
            host.kernel_path(path) for path in listening_sockets(host, running[0])}:
        return None  # the engine harden reads is another dockerd (DOCKER_HOST)
    try:
        answer = api(host).document("/version")
    except EngineError:
        return None
    version, commit = (answer.get(key) if isinstance(answer, dict) else None for key in ("Version", "GitCommit"))
    if not (isinstance(version, str) and isinstance(commit, str) and BUILD.fullmatch(version) and BUILD.fullmatch(commit)):
        return None  # an answer that is not a build's: the binary is asked
    return f"Docker version {version}, build {commit}"


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
            found = package_release(host, PACKAGES)
        return found

    return host.fact(f"engine_release {program}", load)
