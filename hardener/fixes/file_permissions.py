"""file-permissions (CIS 3.1–3.6): docker.service, docker.socket and /etc/docker
owned by root:root and no more open than 644 / 644 / 755; for each user's
rootless dockerd, its user units and ~/.config/docker, owned by the user.

Whoever can write a unit's drop-in, its drop-in directory, an environment file
it reads or the program it starts runs commands as root at its next start:
each of those is held to root:root with no group or world write, like the unit."""
from __future__ import annotations

import posixpath
import stat
from dataclasses import replace
from typing import List, Optional, Tuple

from ..facts.rootless import RootlessDaemon, rootless_daemons
from ..facts.systemd import exec_start, load_unit
from ..facts.units import masked, unit_file
from ..host import Host, HostError, roots_alone
from ..model import Detection, Finding, Status, Text
from ..planners.files import OwnerMode
from . import Fix, rootless_unreadable

ROOTS_ONLY = 0o755  # what runs as root: no write for group or others, and no set-id bits
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
        "writable_above": Text("{directory} is {owner} {mode}: whoever can write it can replace {path}, which {unit} runs as "
                               "root; make it root's, writable by root alone",
                               "{directory} 为 {owner} {mode}：能写入它的人即可替换 {unit} 以 root 身份运行的 {path}；"
                               "请将其属主设为 root，且仅 root 可写"),
    }

    def detect(self, host: Host) -> Detection:
        checked = [self._check(host, *target) for target in TARGETS]
        for name, _, directory, cis in TARGETS:
            if not directory and not masked(host, name):
                paths = runs_as_root(host, name)
                checked += [owner_and_mode(host, path, path, ROOTS_ONLY, host.is_dir(path), cis) for path in paths]
                checked += [(finding, None) for finding in writable_above(host, name, paths, cis)]
        for daemon in rootless_daemons(host):
            try:
                for name, allowed, directory, cis in TARGETS:
                    path = daemon.config_dir if directory else load_unit(host, name, daemon.unit_directories, daemon.uid, daemon.own_unit_directories).fragment
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


def runs_as_root(host: Host, name: str) -> List[str]:
    """What the system's unit `name` takes as root beside its own file: its drop-ins and their directories,
    the environment files it reads, and the program its ExecStart runs."""
    unit = load_unit(host, name)
    if unit.fragment is None:
        return []
    paths = list(dict.fromkeys([posixpath.dirname(path) for path in unit.drop_ins] + list(unit.drop_ins)))
    for setting in unit.values("Service", "EnvironmentFile"):
        path = setting.value.lstrip("-")
        if path.startswith("/") and host.exists(path):
            paths.append(path)
    try:
        command = exec_start(host, unit) if unit.values("Service", "ExecStart") else None
    except HostError:
        command = None  # a unit systemd refuses to start: the daemon items say so
    if command is not None and command.words:
        paths.append(command.words[0].text)
    for key in ("ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"):
        for setting in unit.values("Service", key):
            words = setting.value.lstrip("-@:+!").split()
            paths += words[:1]
    return [path for path in dict.fromkeys(paths) if path.startswith("/") and not path.startswith("/dev/") and host.exists(path)]


def writable_above(host: Host, unit: str, paths: List[str], cis) -> List[Finding]:
    """A directory on the way to what a unit runs as root that someone other than root can write (and is not
    sticky, which keeps others from replacing root's files): its owner can put their own file there."""
    findings, seen = [], set()
    for path in paths:
        directory = posixpath.dirname(host.resolve(path))
        while directory not in seen:
            seen.add(directory)
            info = host.lstat(directory) if directory not in paths else None  # one of them is judged as they are
            if info is not None and not roots_alone(info, sticky_protects=True):
                findings.append(Finding(directory, Status.MANUAL, "writable_above", "high", {
                    "directory": directory, "owner": host.owner(info.st_uid, info.st_gid), "mode": f"{stat.S_IMODE(info.st_mode):04o}",
                    "path": path, "unit": unit}, cis=cis))
            if directory == "/":
                break
            directory = posixpath.dirname(directory)
    return findings


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
    current = (info.st_uid, info.st_gid)
    owned = current == owner or (root_too and current == (0, 0))
    excess = mode & ~allowed
    after = mode & ~excess
    if not owned and not directory:
        # A file given to another owner keeps no setuid or setgid bit, as chown makes the kernel drop them: a user's
        # setuid program made root's would run the user's code as root.
        after &= ~(stat.S_ISUID | stat.S_ISGID)
    wanted = host.owner(*owner) + (" (or root:root)" if root_too and owner != (0, 0) else "")
    evidence = {
        "path": path,
        **({"link": found} if found != path else {}),
        "owner": host.owner(*current),
        "mode": f"{mode:04o}",
        "wanted": f"{wanted} {allowed:04o}",
        "mode_after_fix": f"{after:04o}",
    }
    if not excess and owned:
        return Finding(path, Status.PASS, "compliant", evidence=evidence, cis=cis), None
    fix = OwnerMode(path, *(current if owned else owner), after)
    owner_recommendation, mode_recommendation = (cis[0], cis[-1]) if cis else ("", "")  # CIS numbers the owner first, then the mode
    met = tuple(number for number, right in ((owner_recommendation, owned), (mode_recommendation, not excess))
                if right and number and owner_recommendation != mode_recommendation)
    return Finding(path, Status.FAIL, "wrong_owner" if not owned else "too_permissive", severity="high", evidence=evidence, cis=cis,
                   cis_met=met), fix


def rootless_file(host: Host, daemon: RootlessDaemon, path: str, allowed: int, directory: bool, cis) -> Tuple[Finding, Optional[OwnerMode]]:
    """A file a user's rootless dockerd reads: its user's, or root's, which is as safe; its finding named by the user.

    Its owner and mode are judged from metadata alone; it is fixed only where it is the user's alone
    (Host.users_file_problem): a path the user names may be root's /etc/shadow, which root must not hand them."""
    finding, fix = owner_and_mode(host, path, path, allowed, directory, cis, (daemon.uid, daemon.gid), root_too=True)
    evidence = dict(finding.evidence, rootless_user=daemon.user)
    if fix is not None:
        problem = host.users_file_problem(path, daemon.uid)
        if problem is not None:
            evidence.update(path=host.display(finding.target), user=daemon.user, blocker=problem)
            return replace(finding, status=Status.MANUAL, reason="not_users", evidence=evidence), None
        fix = replace(fix, user=daemon.uid)
    return replace(finding, evidence=evidence), fix
