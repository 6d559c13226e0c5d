"""file-permissions (CIS 3.1–3.6): docker.service, docker.socket and /etc/docker
owned by root:root and no more open than 644 / 644 / 755."""
from __future__ import annotations

import stat
from typing import Optional

from ..facts.units import masked, unit_file
from ..host import Host, HostError
from ..model import Detection, Finding, Status, Text
from ..planners.files import OwnerMode
from . import Fix

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
        findings = tuple(self._check(host, *target) for target in TARGETS)
        # Only the excess bits go: an administrator's stricter choice (0600) stays.
        intents = tuple(OwnerMode(f.target, 0, 0, int(f.evidence["mode_after_fix"], 8)) for f in findings if f.status is Status.FAIL)
        return Detection(findings, intents=intents)

    def _check(self, host: Host, name: str, allowed: int, directory: bool, cis) -> Finding:
        if not name.startswith("/") and masked(host, name):
            return Finding(target=name, status=Status.NOT_APPLICABLE, reason="masked", cis=cis)
        return owner_and_mode(host, name if name.startswith("/") else unit_file(host, name), name, allowed, directory, cis)


def owner_and_mode(host: Host, found: Optional[str], name: str, allowed: int, directory: bool, cis, gid: int = 0, uid: int = 0) -> Finding:
    """A file's finding on its owner (`uid`, root by default, and group `gid`) and mode (no bit beyond `allowed`);
    its evidence says the mode the fix leaves: the current one without its excess bits."""
    # A link's own mode means nothing: what counts is the file it leads to, inside the root.
    path = host.resolve(found) if found and host.is_symlink(found) else found
    info = host.lstat(path) if path else None
    if info is None:
        return Finding(target=found or name, status=Status.NOT_APPLICABLE, reason="not_installed", cis=cis)
    if directory != stat.S_ISDIR(info.st_mode):
        raise HostError(f"{host.display(path)} is {'not ' if directory else ''}a directory; expected a {'directory' if directory else 'file'}")
    mode = stat.S_IMODE(info.st_mode)
    excess = mode & ~allowed
    owned = (info.st_uid, info.st_gid) == (uid, gid)
    evidence = {
        "path": path,
        **({"link": found} if found != path else {}),
        "owner": host.owner(info.st_uid, info.st_gid),
        "mode": f"{mode:04o}",
        "wanted": f"{host.owner(uid, gid)} {allowed:04o}",
        "mode_after_fix": f"{mode & ~excess:04o}",
    }
    if not excess and owned:
        return Finding(path, Status.PASS, "compliant", evidence=evidence, cis=cis)
    return Finding(path, Status.FAIL, "wrong_owner" if not owned else "too_permissive", severity="high", evidence=evidence, cis=cis)
