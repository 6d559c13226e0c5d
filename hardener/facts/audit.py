"""The audit rules of a host: stored (rules.d through augenrules, or
audit.rules) and, on a live host, loaded in the kernel (auditctl -l)."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Tuple

from ..host import Host, HostError
from .packages import package_release

RULES_D = "/etc/audit/rules.d"
AUDIT_RULES = "/etc/audit/audit.rules"
BIN_DIRS = ("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")


# A watch audits a Docker file only when it records writes (w) and attribute
# changes (a): what the baseline's rule (no -p: rwxa) is there to catch.
NEEDED_PERMISSIONS = "wa"


class Watch(NamedTuple):
    path: str
    permissions: str
    key: str
    source: str  # file:line, or "kernel"
    words: Tuple[str, ...] = ()  # the rule as written

    @property
    def sufficient(self) -> bool:
        return set(NEEDED_PERMISSIONS) <= set(self.permissions)

    @property
    def unload(self) -> Tuple[str, ...]:
        """The auditctl command that takes this rule out of the kernel: -W for a watch, -d for a syscall rule."""
        if self.words[:1] == ("-w",) or not self.words:
            return ("auditctl", "-W", self.path, "-p", self.permissions, *(("-k", self.key) if self.key else ()))
        return ("auditctl", *("-d" if word == "-a" else word for word in self.words))


def parse_watches(text: str, source: str, perm_adds_syscalls: bool = False) -> List[Watch]:
    """The watches of a rules file (or of `auditctl -l`): `-w PATH [-p PERMS] [-k KEY]`, and the syscall rules that
    watch a path as well (syscall_watch; `perm_adds_syscalls`: as the auditctl that loads them reads them)."""
    watches = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        where = source if source == "kernel" else f"{source}:{number}"
        options = {word: words[index + 1] for index, word in enumerate(words[:-1]) if word in ("-w", "-p", "-k")}
        if "-w" in options:
            watches.append(Watch(options["-w"], options.get("-p", "rwxa"), options.get("-k", ""), where, tuple(words)))
        elif "-a" in words:
            found = syscall_watch(words, where, perm_adds_syscalls)
            watches += [found] if found is not None else []
    return watches


# The syscalls that write a file or change its attributes (of those auditctl 4.0 lists for perm=wa): a -S list
# that holds them all records what a watch does.
WRITES_AND_ATTRIBUTES = frozenset({"openat", "truncate", "ftruncate", "rename", "renameat", "unlink", "unlinkat", "chmod", "fchmod",
                                   "fchmodat", "chown", "fchown", "fchownat", "lchown", "setxattr", "fsetxattr", "lsetxattr"})
PERM_ADDS_SYSCALLS = (4, 0)  # auditctl's release that adds a perm='s syscalls to a rule with an arch (audit-userspace e95779d)


def syscall_watch(words: List[str], where: str, perm_adds_syscalls: bool = False) -> Optional[Watch]:
    """A syscall rule that audits a path on every syscall (or every one its perm= names) of every process:
    `-a always,exit [-F arch=b64] -F path=PATH|dir=DIR [-F perm=PERMS] [-k KEY|-F key=KEY]`, the action in either
    order (CIS 1.8.0's own 1.1.4 rule is `-a exit,always -F path=/run/containerd -F perm=war`). A rule that names
    syscalls (-S, but -S all or a list of every syscall that writes or changes attributes) or any other field
    (auid>=1000, uid=0, success=1, ...) records only some changes: no watch. But auditctl 4.0 and later
    (`perm_adds_syscalls`) add to a rule every syscall its perm= stands for where an arch came before it: there
    `-F arch=b64 -S openat -F perm=wa` records every write and attribute change, as 4.0's `auditctl -l` then lists it;
    3.0 loads it as written, narrow.
    `-F path=` on a directory audits that inode alone, `-F dir=` the tree, as `-w DIR` does: both count as the
    directory's watch, as CIS's audit procedure counts its own rule."""
    path, permissions, key = "", "rwxa", ""
    arch = narrowed = widened = False
    index = 0
    while index < len(words):
        word = words[index]
        value = words[index + 1] if index + 1 < len(words) else ""
        if word == "-a":
            if set(value.split(",")) != {"always", "exit"}:
                return None
        elif word == "-k":
            key = value
        elif word == "-S":
            # how auditctl -l lists a rule with an arch: 3.0 "-S all", 4.0 the syscalls its perm= stands for
            narrowed = narrowed or not (value == "all" or WRITES_AND_ATTRIBUTES <= set(value.split(",")))
        elif word == "-F":
            field, _, given = value.partition("=")
            if field in ("path", "dir") and given and value[len(field)] == "=":
                path = given
            elif field == "perm" and given and value[len(field)] == "=":
                permissions = given
                widened = perm_adds_syscalls and arch
            elif field == "key":
                key = given
            elif field == "arch" and given == "b64":
                arch = True
            else:
                return None  # arch=b32 alone audits the 32-bit syscalls only
        else:
            return None  # -C, or anything else that narrows the rule
        index += 2
    if narrowed and not (widened and set(NEEDED_PERMISSIONS) <= set(permissions)):
        return None
    return Watch(path, permissions, key, where, tuple(words)) if path else None


def auditctl_release(host: Host) -> Optional[Tuple[int, int]]:
    """auditctl's (major, minor): what the package database says (auditd on Debian, audit on RHEL), else, live, what
    `auditctl -v` prints. Read once a run."""
    def load() -> Optional[Tuple[int, int]]:
        found = package_release(host, ("auditd", "audit"))
        if found is None and host.live:
            try:
                said = re.search(r"version (\d+)\.(\d+)", host.run("auditctl", "-v"))
            except HostError:
                said = None
            found = (int(said.group(1)), int(said.group(2))) if said else None
        return found

    return host.fact("auditctl_release", load)


def find_program(host: Host, name: str) -> Optional[str]:
    for directory in BIN_DIRS:
        if host.exists(f"{directory}/{name}"):
            return f"{directory}/{name}"
    return None


@dataclass(frozen=True)
class AuditState:
    installed: bool
    augenrules: bool  # rules.d compiled by augenrules into audit.rules
    stored: Tuple[Watch, ...]
    loaded: Optional[Tuple[Watch, ...]]  # None where the kernel is not asked (under --root)
    immutable: bool  # -e 2 in force: nothing loads until a reboot
    package: str  # what to install where auditd is missing

    def stored_paths(self) -> set:
        """The paths a stored watch audits enough (writes and attribute changes)."""
        return {watch.path for watch in self.stored if watch.sufficient}

    def loaded_paths(self) -> Optional[set]:
        return None if self.loaded is None else {watch.path for watch in self.loaded if watch.sufficient}

    def narrow_watches(self, path: str) -> List[Watch]:
        """Watches of `path` that miss writes or attribute changes."""
        return [watch for watch in self.stored + (self.loaded or ()) if watch.path == path and not watch.sufficient]


def rules_files(host: Host) -> List[str]:
    return [f"{RULES_D}/{name}" for name in host.list_dir(RULES_D) if name.endswith(".rules")]


def audit_state(host: Host) -> AuditState:
    """The host's audit rules, stored and loaded: read once a run (auditctl -l and -s), and again after a change."""
    return host.fact("audit_state", lambda: _read_audit_state(host))


def _read_audit_state(host: Host) -> AuditState:
    auditctl = find_program(host, "auditctl")
    package = "audit" if host.exists("/etc/redhat-release") or host.exists("/etc/alinux-release") else "auditd"
    if auditctl is None:
        return AuditState(False, False, (), None, False, package)
    augenrules = find_program(host, "augenrules") is not None and host.is_dir(RULES_D)
    stored: List[Watch] = []
    widens = (auditctl_release(host) or (0, 0)) >= PERM_ADDS_SYSCALLS  # how the stored rules will be loaded
    if augenrules:
        for path in rules_files(host):
            stored += parse_watches(host.read_text(path) or "", path, widens)
    else:
        stored += parse_watches(host.read_text(AUDIT_RULES) or "", AUDIT_RULES, widens)
    loaded, immutable = None, False
    if host.live:
        try:
            loaded = tuple(parse_watches(host.run("auditctl", "-l"), "kernel"))
            immutable = "enabled 2" in host.run("auditctl", "-s")
        except HostError as error:
            raise HostError(f"the kernel's audit rules cannot be read: {error}") from None
    else:
        immutable = any(line.split()[:2] == ["-e", "2"] for path in ([AUDIT_RULES] if not augenrules else rules_files(host))
                        for line in (host.read_text(path) or "").splitlines())
    return AuditState(True, augenrules, tuple(stored), loaded, immutable, package)
