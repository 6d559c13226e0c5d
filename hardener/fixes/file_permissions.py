"""file-permissions (CIS 3.1–3.6): docker.service, docker.socket and /etc/docker
owned by root:root and no more open than 644 / 644 / 755; for each user's
rootless dockerd, its user units and ~/.config/docker, owned by the user."""
from __future__ import annotations

import stat
from dataclasses import replace
from typing import Optional, Tuple

from ..facts.rootless import RootlessDaemon, rootless_daemons
from ..facts.systemd import load_unit
from ..facts.units import masked, unit_file
from ..host import Host, HostError
from ..model import Detection, Finding, Status, Text
from ..planners.files import OwnerMode
from . import Fix, rootless_unreadable

# (how to find it, the most it may allow, whether it is a directory, the CIS recommendations on its owner and its mode)
TARGETS = (("docker.service", 0o644, False, ("3.1", "3.2")), ("docker.socket", 0o644, False, ("3.3", "3.4")),
           ("/etc/docker", 0o755, True, ("3.5", "3.6")))


class FilePermissions(Fix):
    id = "file-permissions"
    cis = "3.1–3.6"
    title = Text(
        "Docker's unit files and /etc/docker have safe owners and permissions",
        "确认Docker相关的文件具有合适的权限",
    )
    advice = Text(
        "chown root:root and chmod 644 docker.service and docker.socket (systemctl show -p FragmentPath), "
        "chown root:root and chmod 755 /etc/docker; stricter permissions are fine.",
        "执行 chown root:root 并 chmod 644 docker.service 与 docker.socket（路径见 systemctl show -p FragmentPath），"
        "chown root:root 并 chmod 755 /etc/docker；更严格的权限同样合规。",
    )
    reasons = {
        "too_permissive": Text("{path} is {owner} {mode}; wants {wanted} or stricter", "{path} 为 {owner} {mode}，应为 {wanted} 或更严格"),
        "wrong_owner": Text("{path} is {owner} {mode}; wants {wanted}", "{path} 为 {owner} {mode}，应为 {wanted}"),
        "compliant": Text("{path} is {owner} {mode}", "{path} 为 {owner} {mode}"),
    }

    def detect(self, host: Host) -> Detection:
        checked = [self._check(host, *target) for target in TARGETS]
        for daemon in rootless_daemons(host):
            try:
                for name, allowed, directory, cis in TARGETS:
                    path = daemon.config_dir if directory else load_unit(host, name, daemon.unit_directories).fragment
                    found = rootless_file(host, daemon, path, allowed, directory, cis) if path else None
                    if found and found[0].status is not Status.NOT_APPLICABLE:
                        checked.append(found)
            except HostError as error:
                checked.append((rootless_unreadable(f"files (rootless, {daemon.user})", daemon.user, error), None))
        return Detection(tuple(finding for finding, _ in checked), intents=tuple(intent for _, intent in checked if intent))

    def _check(self, host: Host, name: str, allowed: int, directory: bool, cis) -> Tuple[Finding, Optional[OwnerMode]]:
        if not name.startswith("/") and masked(host, name):
            return Finding(target=name, status=Status.NOT_APPLICABLE, reason="masked", cis=cis), None
        return owner_and_mode(host, name if name.startswith("/") else unit_file(host, name), name, allowed, directory, cis)


def owner_and_mode(host: Host, found: Optional[str], name: str, allowed: int, directory: bool, cis,
                   owner: Tuple[int, int] = (0, 0), root_too: bool = False) -> Tuple[Finding, Optional[OwnerMode]]:
    """A file's finding on its owner (`owner`, root:root by default; root:root as well where `root_too`) and
    mode (no bit beyond `allowed`), and the fix of a failing one: only the excess bits go, as an administrator's
    stricter choice (0600) stays; its evidence says the mode the fix leaves."""
    # A link's own mode means nothing: what counts is the file it leads to, inside the root.
    path = host.resolve(found) if found and host.is_symlink(found) else found
    info = host.lstat(path) if path else None
    if info is None:
        return Finding(target=found or name, status=Status.NOT_APPLICABLE, reason="not_installed", cis=cis), None
    if directory != stat.S_ISDIR(info.st_mode):
        raise HostError(f"{host.display(path)} is {'not ' if directory else ''}a directory; expected a {'directory' if directory else 'file'}")
    mode = stat.S_IMODE(info.st_mode)
    excess = mode & ~allowed
    current = (info.st_uid, info.st_gid)
    owned = current == owner or (root_too and current == (0, 0))
    wanted = host.owner(*owner) + (" (or root:root)" if root_too and owner != (0, 0) else "")
    evidence = {
        "path": path,
        **({"link": found} if found != path else {}),
        "owner": host.owner(*current),
        "mode": f"{mode:04o}",
        "wanted": f"{wanted} {allowed:04o}",
        "mode_after_fix": f"{mode & ~excess:04o}",
    }
    if not excess and owned:
        return Finding(path, Status.PASS, "compliant", evidence=evidence, cis=cis), None
    fix = OwnerMode(path, *(current if owned else owner), mode & ~excess)
    return Finding(path, Status.FAIL, "wrong_owner" if not owned else "too_permissive", severity="high", evidence=evidence, cis=cis), fix


def rootless_file(host: Host, daemon: RootlessDaemon, path: str, allowed: int, directory: bool, cis) -> Tuple[Finding, Optional[OwnerMode]]:
    """A file a user's rootless dockerd reads: its user's, or root's, which is as safe; its finding named by the user."""
    finding, fix = owner_and_mode(host, path, path, allowed, directory, cis, (daemon.uid, daemon.gid), root_too=True)
    return replace(finding, evidence=dict(finding.evidence, rootless_user=daemon.user)), fix
