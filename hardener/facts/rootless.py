"""Rootless Docker: a user's own dockerd, run by the user's systemd manager from
~/.config/systemd/user/docker.service (what dockerd-rootless-setuptool.sh
installs), reading ~/.config/docker/daemon.json, listening on
$XDG_RUNTIME_DIR/docker.sock. docker-bench-security reads only the system
daemon; harden finds each user's and reads it as dockerd does."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from ..host import Host, HostError
from .dockerd_config import DockerdConfig, config_from, running_from
from .dockerd_process import dockerd_pids, listening_sockets
from .systemd import load_unit

UNIT = "docker.service"


@dataclass(frozen=True)
class RootlessDaemon:
    user: str
    uid: int
    gid: int
    home: str

    @property
    def unit_directories(self) -> List[str]:
        """The user manager's unit search path, most important first (systemd.unit(5), the XDG variables unset): a
        drop-in the user puts in any of them counts, wherever harden writes its own."""
        config, runtime = f"{self.home}/.config/systemd", f"{self.runtime_dir}/systemd"
        return [f"{config}/user.control", f"{runtime}/user.control", f"{runtime}/transient", f"{runtime}/generator.early",
                f"{config}/user", "/etc/xdg/systemd/user", "/etc/systemd/user", f"{runtime}/user", "/run/systemd/user",
                f"{runtime}/generator", f"{self.home}/.local/share/systemd/user", "/usr/local/share/systemd/user",
                "/usr/share/systemd/user", "/usr/local/lib/systemd/user", "/usr/lib/systemd/user", f"{runtime}/generator.late"]

    @property
    def own_unit_directories(self) -> List[str]:
        """Those of the user's home and runtime directory: what is in them is read only while it is the user's alone."""
        return [directory for directory in self.unit_directories if directory.startswith((f"{self.home}/", f"{self.runtime_dir}/"))]

    @property
    def config_dir(self) -> str:
        """What /etc/docker is to the system's dockerd."""
        return f"{self.home}/.config/docker"

    @property
    def daemon_json(self) -> str:
        return f"{self.config_dir}/daemon.json"

    @property
    def certs_dir(self) -> str:
        """Registry certificates: a rootless dockerd reads them here, not in /etc/docker/certs.d."""
        return f"{self.config_dir}/certs.d"

    @property
    def runtime_dir(self) -> str:
        return f"/run/user/{self.uid}"

    @property
    def socket(self) -> str:
        return f"{self.runtime_dir}/docker.sock"

    @property
    def pid_file(self) -> str:
        return f"{self.runtime_dir}/docker.pid"


def rootless_daemons(host: Host) -> List[RootlessDaemon]:
    """The users (of /etc/passwd, with a home) who have a rootless docker.service of their own (in a unit directory
    of theirs)."""
    def load() -> List[RootlessDaemon]:
        found = []
        for line in host.read_db("/etc/passwd").splitlines():
            fields = line.split(":")
            if len(fields) < 7 or not fields[2].isdigit() or not fields[3].isdigit() or fields[2] == "0":
                continue
            home = fields[5].rstrip("/")
            if not home.startswith("/") or home == "":
                continue
            daemon = RootlessDaemon(fields[0], int(fields[2]), int(fields[3]), home)
            if any(_may_hold_unit(host, directory) for directory in daemon.own_unit_directories):
                found.append(daemon)
        return found

    return host.fact("rootless_daemons", load)


def _may_hold_unit(host: Host, directory: str) -> bool:
    """Whether a directory of the user's holds a docker.service, or cannot be looked into (a link of theirs to root's
    files, say): such a user is judged, and the reading says why it cannot, rather than left out unsaid."""
    try:
        return host.lstat(f"{directory}/{UNIT}") is not None
    except HostError:
        return True


def rootless_daemon(host: Host, user: str) -> Optional[RootlessDaemon]:
    """This user's rootless dockerd, None where the user has none."""
    return next((daemon for daemon in rootless_daemons(host) if daemon.user == user), None)


def rootless_config(host: Host, daemon: RootlessDaemon) -> Optional[DockerdConfig]:
    """What the user's dockerd gets at its next start: its unit's ExecStart flags and its daemon.json."""
    unit = load_unit(host, UNIT, daemon.unit_directories, daemon.uid, daemon.own_unit_directories)
    return config_from(host, unit, daemon.daemon_json) if unit.fragment else None


def rootless_running(host: Host, daemon: RootlessDaemon) -> Optional[DockerdConfig]:
    """What the user's running dockerd got; None when it does not run (or under --root): the dockerd that serves the
    user's docker.sock. Its pid file is the user's to write, so the process it names counts only where it serves
    that socket; else each running dockerd is asked (another process of theirs, with arguments that look
    compliant, would pass for a dockerd that runs otherwise)."""
    if not host.live:
        return None
    try:
        named = (host.read_text(daemon.pid_file, daemon.uid) or "").strip()
    except HostError:
        named = ""
    pids = [int(named)] if named.isdigit() else []
    pids += [pid for pid in dockerd_pids(host) if pid not in pids]
    serving = next((pid for pid in pids if daemon.socket in listening_sockets(host, pid)), None)
    return running_from(host, serving, daemon.daemon_json, daemon.uid) if serving is not None else None


def rootless_running_names(host: Host, daemon: RootlessDaemon, autoremove: bool = False) -> List[str]:
    """The names of the containers the user's dockerd runs now (those started with --rm alone, where
    `autoremove`), from its engine; none where it does not answer."""
    from .containers import names_running
    from .engine_api import EngineAPI, EngineError

    if not host.live:
        return []
    api = EngineAPI(f"unix://{daemon.socket}", timeout=10)
    try:
        running = names_running(api.containers())
        if not autoremove:
            return running
        inspects = api.inspect_containers(running)
        return sorted(name for name, found in inspects.items()
                      if isinstance(found, dict) and (found.get("HostConfig") or {}).get("AutoRemove") is True)
    except EngineError:
        return []
    finally:
        api.close()
