"""The host harden works on: every read of the host's files, every change of them
(content, owner, mode) and every command harden runs go through here. Read
elsewhere: harden's own journal (journal.py), the files named on its command
line (its config, the reports `harden report` draws; settings.py, commands.py)
and the Engine API's socket (facts/engine_api.py).

Paths given to a Host are the host's own absolute paths (`/etc/docker`). Under
`--root DIR` they are looked up inside DIR, and symbolic links are resolved
as they would be on that host: an absolute link target starts again at DIR,
never at the root of the machine running harden.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Collection, Dict, Iterator, List, Mapping, NamedTuple, Optional, Tuple, TypeVar, Union

T = TypeVar("T")

MAX_SYMLINKS = 40
PAST = {"write": "written", "read": "read", "remove": "removed", "examine": "examined"}
COMMAND_TIMEOUT = 600.0  # seconds: longer than any restart of docker, auditd or a container takes
SYSLOG_SOCKET = os.environ.get("HARDENER_SYSLOG_SOCKET", "/dev/log")


class HostError(Exception):
    """Something on the host stops harden; the message is one line for the user.

    Where it is a finding of its own (a file dockerd or systemd would refuse),
    `reason` names it in the reason table and `evidence` holds its values."""

    def __init__(self, message: str, reason: str = "host_error", target: str = "", evidence: Optional[Dict[str, object]] = None):
        super().__init__(message)
        self.reason = reason
        self.target = target
        self.evidence = evidence or {}


class CommandMissing(HostError):
    pass


@dataclass(frozen=True)
class FileState:
    """What harden records of a path to put it back exactly as it was."""

    exists: bool
    uid: int = 0
    gid: int = 0
    mode: int = 0
    sha256: Optional[str] = None  # None for a directory
    xattrs: Dict[str, bytes] = field(default_factory=dict)

    def same_as(self, other: "FileState") -> bool:
        """Equal in what an administrator would notice: content, owner, mode."""
        if not self.exists or not other.exists:
            return self.exists == other.exists
        return (self.sha256, self.uid, self.gid, self.mode) == (other.sha256, other.uid, other.gid, other.mode)

    def to_json(self) -> dict:
        if not self.exists:
            return {"exists": False}
        return {
            "exists": True,
            "uid": self.uid,
            "gid": self.gid,
            "mode": self.mode,
            "sha256": self.sha256,
            "xattrs": {k: v.hex() for k, v in self.xattrs.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "FileState":
        if not data["exists"]:
            return cls(exists=False)
        return cls(
            exists=True,
            uid=data["uid"],
            gid=data["gid"],
            mode=data["mode"],
            sha256=data["sha256"],
            xattrs={k: bytes.fromhex(v) for k, v in data["xattrs"].items()},
        )


def sha256_of(data: bytes) -> str:
    import hashlib  # loaded when a checksum is first needed (OpenSSL: 4 ms), not with harden's modules

    return hashlib.sha256(data).hexdigest()


def sync_dir(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def roots_alone(info: os.stat_result, sticky_protects: bool = False) -> bool:
    """Whether only root can change what `info` is of: root's, and written by no one else (a link's own mode means
    nothing); where `sticky_protects`, a sticky directory others can write counts, as they cannot replace root's
    files in it."""
    if info.st_uid != 0:
        return False
    if not info.st_mode & 0o022 or stat.S_ISLNK(info.st_mode):
        return True
    return sticky_protects and stat.S_ISDIR(info.st_mode) and bool(info.st_mode & stat.S_ISVTX)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _users_directory(info: os.stat_result, uid: int) -> bool:
    """A directory only `uid` and root can change: theirs or root's, writable by no group and no other."""
    return stat.S_ISDIR(info.st_mode) and info.st_uid in (0, uid) and not info.st_mode & 0o022


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


class _Unreadable(NamedTuple):
    error: Exception


class Host:
    def __init__(self, root: str = "/"):
        real_root = Path(root).resolve()
        if not real_root.is_dir():
            raise HostError(f"--root {root}: not a directory")
        self.root = real_root
        self.live = real_root == Path("/")
        self._prefix = "" if self.live else str(real_root)  # before a host path, where it is on this machine
        self._facts: Dict[str, object] = {}
        # the containers harden keeps aside for rollback (by name): not the host's own, left out of every fact; the
        # engine hands in its journal's answer, asked only where there are containers
        self.kept_aside: Callable[[], Collection[str]] = frozenset

    def __repr__(self) -> str:
        return f"Host({str(self.root)!r})"

    # -- paths -------------------------------------------------------------

    def resolve(self, path: str, follow_final: bool = True) -> str:
        """The host path that `path` leads to, following links inside the root.

        A link a user owns (a rootless dockerd's files are in its user's home)
        is followed only to what that user owns, or where nothing is yet, into
        a directory of theirs: harden runs as root and must not read or change,
        for a user, a file the user could not."""
        resolved, link_owners = self._walk(path, follow_final)
        if link_owners:
            self._check_users_link(path, resolved, link_owners)
        return resolved

    def kernel_path(self, path: str, inside: str = "") -> str:
        """Where the kernel's walk of `path` lands for root, following every link, a user's too (fs.protected_symlinks
        aside): what a container's bind mount of it, or a connection to it, reaches. `inside`: a directory of the host
        taken as / (a container's process's root, /proc/PID/root), where an absolute link starts again. As the walk
        saw it (a link swapped while it walks can lead it elsewhere): for judging only, never to read or write."""
        return self._walk(path, True, inside)[0]

    def _walk(self, path: str, follow_final: bool, inside: str = "") -> Tuple[str, set]:
        """The path `path` leads to inside the root (or `inside`), and the owners (other than root and harden) of the
        links on the way."""
        todo = path.split("/")[::-1]  # a stack: the next name last
        done: List[str] = []
        links = 0
        link_owners = set()
        root = self._prefix + inside
        while todo:
            name = todo.pop()
            if name in ("", "."):
                continue
            if name == "..":
                if done:
                    done.pop()
                continue
            real = "/".join((root, *done, name))
            if todo or follow_final:
                try:
                    info = os.lstat(real)
                except OSError:
                    info = None
                if info is not None and stat.S_ISLNK(info.st_mode):
                    links += 1
                    if links > MAX_SYMLINKS:
                        raise HostError(f"{path}: too many levels of symbolic links")
                    if info.st_uid not in (0, os.geteuid()):
                        link_owners.add(info.st_uid)
                    try:
                        target = os.readlink(real)
                    except OSError as error:  # no longer a link, or gone, since its lstat
                        raise HostError(f"{path}: {name} changed while harden followed it ({_reason(error)})") from None
                    if target.startswith("/"):
                        done = []
                    todo += target.split("/")[::-1]
                    continue
            done.append(name)
        return "/" + "/".join(done), link_owners

    def _check_users_link(self, path: str, resolved: str, link_owners: set) -> None:
        landing = self.root / resolved.lstrip("/")
        try:
            owner = os.lstat(landing).st_uid
        except FileNotFoundError:
            owner = os.lstat(landing.parent).st_uid if landing.parent.exists() else None
        except OSError:
            owner = None
        if link_owners != {owner}:
            who = " and ".join(f"uid {uid}" for uid in sorted(link_owners))
            raise HostError(f"{self.display(path)} leads through a link of {who} to {resolved}, which {who} does not own; "
                            "harden does not follow a user's link to another's file")

    def users_file_problem(self, path: str, uid: int) -> Optional[str]:
        """What stops root from reading or changing `path` for the user `uid`
        ("/etc/shadow is root:shadow 0640"), from its metadata alone; None where
        the file is theirs (or, where nothing is yet, its nearest directory is)
        and every directory on the way belongs to them or to root and is
        writable by no one else: a sticky world-writable /tmp does not count."""
        resolved = self.resolve(path)
        names = [name for name in resolved.split("/") if name]
        real = str(self.root)
        shown = "/"
        info = os.lstat(real)
        for index, name in enumerate(names + [None]):
            if not _users_directory(info, uid):
                return f"{shown} is {self.owner(info.st_uid, info.st_gid)} {stat.S_IMODE(info.st_mode):04o}"
            if name is None:
                return None
            real = os.path.join(real, name)
            shown = "/" + "/".join(names[:index + 1])
            try:
                info = os.lstat(real)
            except (FileNotFoundError, NotADirectoryError):
                return None if info.st_uid == uid else f"{PurePosixPath(shown).parent} is {self.owner(info.st_uid, info.st_gid)}"
            except OSError as error:
                return f"{shown}: {_reason(error)}"
            if index == len(names) - 1:  # the file itself
                if info.st_uid != uid:
                    return f"{shown} is {self.owner(info.st_uid, info.st_gid)} {stat.S_IMODE(info.st_mode):04o}"
                return None
        return None

    def check_users_file(self, path: str, uid: Optional[int]) -> None:
        """Raise the user's finding where `path`, named for the user `uid`, is not theirs alone (users_file_problem)."""
        if uid is None:
            return
        problem = self.users_file_problem(path, uid)
        if problem is not None:
            user, shown = self.user_name(uid), self.display(path)
            raise HostError(f"{user}'s rootless dockerd names {shown}, which is not {user}'s alone ({problem}); "
                            "harden neither reads nor changes it", reason="not_users", target=path,
                            evidence={"path": shown, "user": user, "blocker": problem})

    def real_path(self, path: str, follow_final: bool = True) -> Path:
        """Where `path` of the host is on this machine."""
        return self.root / self.resolve(path, follow_final).lstrip("/")

    def display(self, path: str) -> str:
        return path if self.live else f"{path} (in {self.root})"

    # -- reading -----------------------------------------------------------

    def fact(self, name: str, load: Callable[[], T]) -> T:
        """`load()`, once per run: facts several items read (the containers) are read once, and a fact that
        cannot be read (a dead engine) is asked once too: its error is kept and raised again."""
        if name not in self._facts:
            try:
                self._facts[name] = load()
            except Exception as error:  # HostError, or the facts' own (no engine): asked once, raised each time
                self._facts[name] = _Unreadable(error)
        found = self._facts[name]
        if isinstance(found, _Unreadable):
            raise found.error
        return found  # type: ignore[return-value]

    def forget_facts(self) -> None:
        """After changes, facts are read again."""
        self._facts.clear()

    def lstat(self, path: str) -> Optional[os.stat_result]:
        try:
            return os.lstat(self.real_path(path, follow_final=False))
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        except OSError as error:
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None

    def identity(self, path: str) -> Optional[Tuple[int, int]]:
        """The (device, inode) of what the kernel's walk of `path` reaches, every link followed (/proc/PID/exe: the
        program a process runs, even one removed since); None where nothing is there."""
        try:
            info = os.stat(self.root / path.lstrip("/"))
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def read_link(self, path: str) -> Optional[str]:
        """What a link says (/proc/PID/fd/N: "socket:[1234]"), None where it is no link or cannot be read."""
        try:
            return os.readlink(f"{self._prefix}{path}")
        except OSError:
            return None

    def read_process_file(self, pid: int, name: str) -> Optional[str]:
        """/proc/PID/NAME (comm, cgroup, status), None where the process has ended. On the live host without the
        walk read_text makes: procfs has no link between /proc and a process's own files (its numbered directory
        is the kernel's, and a run reads some thousand of them); under --root a tree's proc is any other file."""
        if not self.live:
            return self.read_text(f"/proc/{pid}/{name}")
        try:
            fd = os.open(f"/proc/{int(pid)}/{name}", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except (FileNotFoundError, ProcessLookupError):
            return None
        except OSError as error:
            raise HostError(f"cannot read /proc/{pid}/{name}: {_reason(error)}") from None
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return b"".join(chunks).decode("utf-8", errors="replace")
                chunks.append(chunk)
        except ProcessLookupError:
            return None
        except OSError as error:
            raise HostError(f"cannot read /proc/{pid}/{name}: {_reason(error)}") from None
        finally:
            os.close(fd)

    def exists(self, path: str) -> bool:
        return self.real_path(path).exists()

    def is_dir(self, path: str) -> bool:
        return self.real_path(path).is_dir()

    def is_symlink(self, path: str) -> bool:
        return self.real_path(path, follow_final=False).is_symlink()

    def list_dir(self, path: str) -> List[str]:
        """Names in a directory, sorted bytewise as the C locale's glob does; [] when missing."""
        real = self.real_path(path)
        try:
            names = os.listdir(real)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise HostError(f"cannot list {self.display(path)}: {_reason(error)}") from None
        return sorted(names, key=os.fsencode)

    def read_bytes(self, path: str, user: Optional[int] = None) -> Optional[bytes]:
        """The content of a regular file, None when it does not exist. A file named for a user (`user`, their uid) is
        read only while it is theirs and each directory on its way is theirs or root's alone, judged on the
        descriptors the read goes through: one swapped meanwhile for a link to another's file is not read."""
        if user is not None:
            return self._read_users_file(path, user)
        real = self.real_path(path)
        try:
            # what resolve() found, read without following a link at its name that it did not judge (one put there
            # since; a directory on the way swapped since is a user's file's risk, read_bytes(user=) walks those), and
            # without waiting on a pipe
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise HostError(f"{self.display(path)} became a link while harden read it; it was not read") from None
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise HostError(f"{self.display(path)} is a directory where a file was expected")
            if not stat.S_ISREG(info.st_mode):
                raise HostError(f"{self.display(path)} is not a regular file")
            return _read_all(fd)
        except OSError as error:
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None
        finally:
            os.close(fd)

    def _read_users_file(self, path: str, user: int) -> Optional[bytes]:
        if not self.exists(path):
            return None  # nothing there, or no directory on the way: as read_bytes says it
        try:
            with self._parent(path, user, "read") as (parent, name):
                try:
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=parent)
                except FileNotFoundError:
                    return None
                try:
                    info = os.fstat(fd)
                    if not stat.S_ISREG(info.st_mode):
                        raise HostError(f"{self.display(path)} is not a regular file")
                    if info.st_uid != user:
                        raise HostError(f"{self.display(path)} is {self.owner(info.st_uid, info.st_gid)} now, not "
                                        f"{self.user_name(user)}'s; it was not read")
                    return _read_all(fd)
                finally:
                    os.close(fd)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise HostError(f"{self.display(path)} is a link now, not {self.user_name(user)}'s file; it was not read") from None
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None

    def read_text(self, path: str, user: Optional[int] = None) -> Optional[str]:
        data = self.read_bytes(path, user)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise HostError(f"{self.display(path)} is not UTF-8 text (byte {error.start})") from None

    def state(self, path: str, user: Optional[int] = None) -> FileState:
        """Owner, mode, content checksum and extended attributes; links are not followed. A file named for a user
        (`user`, their uid) is examined as read_bytes reads it: only while it is theirs, through descriptors."""
        if user is not None:
            return self._users_state(path, user)
        real = self.real_path(path, follow_final=False)
        try:
            info = os.lstat(real)
        except (FileNotFoundError, NotADirectoryError):
            return FileState(exists=False)
        except OSError as error:
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None
        if stat.S_ISLNK(info.st_mode):
            raise HostError(f"{self.display(path)} is a symbolic link where a file was expected; harden does not write through links")
        digest = None
        if stat.S_ISREG(info.st_mode):
            try:
                digest = sha256_of(real.read_bytes())
            except OSError as error:
                raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None
        return FileState(
            exists=True,
            uid=info.st_uid,
            gid=info.st_gid,
            mode=stat.S_IMODE(info.st_mode),
            sha256=digest,
            xattrs=self._xattrs(real, follow_symlinks=False),
        )

    def _users_state(self, path: str, user: int) -> FileState:
        if not os.path.lexists(self.real_path(path, follow_final=False)):
            return FileState(exists=False)  # nothing there, or no directory on the way: as state() says it
        try:
            with self._parent(path, user, "examine") as (parent, name):
                try:
                    fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
                except FileNotFoundError:
                    return FileState(exists=False)
                try:
                    info = os.fstat(fd)
                    if stat.S_ISLNK(info.st_mode):
                        raise HostError(f"{self.display(path)} is a link now, not {self.user_name(user)}'s file; it was not read")
                    if info.st_uid != user:
                        raise HostError(f"{self.display(path)} is {self.owner(info.st_uid, info.st_gid)} now, not "
                                        f"{self.user_name(user)}'s; it was not read")
                    itself = f"/proc/self/fd/{fd}"  # the file examined, opened again without a walk of its path
                    digest = None
                    if stat.S_ISREG(info.st_mode):
                        with open(itself, "rb") as file:
                            digest = sha256_of(file.read())
                    return FileState(exists=True, uid=info.st_uid, gid=info.st_gid, mode=stat.S_IMODE(info.st_mode),
                                     sha256=digest, xattrs=self._xattrs(itself))
                finally:
                    os.close(fd)
        except OSError as error:
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None

    def _xattrs_at(self, parent: int, name: str, path: str) -> Dict[str, bytes]:
        """The extended attributes of the file `name` in the directory `parent`, reached following no link."""
        try:
            fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
            try:
                return self._xattrs(f"/proc/self/fd/{fd}")
            finally:
                os.close(fd)
        except OSError as error:
            raise HostError(f"cannot read {self.display(path)}: {_reason(error)}") from None

    @staticmethod
    def _xattrs(file: Union[int, str, Path], follow_symlinks: bool = True) -> Dict[str, bytes]:
        try:
            names = os.listxattr(file, follow_symlinks=follow_symlinks)
        except OSError as error:
            if error.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
                return {}
            raise
        return {name: os.getxattr(file, name, follow_symlinks=follow_symlinks) for name in sorted(names)}

    def free_space(self, path: str) -> "tuple[int, int]":
        """(the device, the bytes free to root) of the file system `path` is on,
        or would be on: its nearest existing directory."""
        real = self.real_path(path)
        while not real.exists() and real != self.root:
            real = real.parent
        try:
            info = os.statvfs(real)
            return os.stat(real).st_dev, info.f_bfree * info.f_frsize
        except OSError as error:
            raise HostError(f"cannot read the free space of {self.display(path)}: {_reason(error)}") from None

    def user_name(self, uid: int) -> str:
        return self._name_in(self.read_db("/etc/passwd"), uid)

    def group_name(self, gid: int) -> str:
        return self._name_in(self.read_db("/etc/group"), gid)

    def group(self, name: str) -> Optional[Tuple[int, List[str]]]:
        """A group's id and listed members, from the tree's /etc/group; None where it has no such group."""
        for line in self.read_db("/etc/group").splitlines():
            fields = line.split(":")
            if len(fields) > 3 and fields[0] == name and fields[2].isdigit():
                return int(fields[2]), [member for member in fields[3].split(",") if member]
        return None

    def owner(self, uid: int, gid: int) -> str:
        return f"{self.user_name(uid)}:{self.group_name(gid)}"

    def owner_mode(self, state: FileState) -> str:
        return f"{self.owner(state.uid, state.gid)} {state.mode:04o}"

    def read_db(self, path: str) -> str:
        try:
            return self.read_text(path) or ""
        except HostError:
            return ""

    @staticmethod
    def _name_in(db: str, number: int) -> str:
        for line in db.splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[2] == str(number):
                return fields[0]
        return "root" if number == 0 else str(number)

    # -- writing -----------------------------------------------------------

    @contextlib.contextmanager
    def _parent(self, path: str, user: Optional[int] = None, verb: str = "write") -> Iterator[Tuple[int, str]]:
        """A descriptor of the directory that holds `path`, and its name there (_open_parent), closed after."""
        fd, name = self._open_parent(path, user, verb)
        try:
            yield fd, name
        finally:
            os.close(fd)

    def _open_parent(self, path: str, user: Optional[int], verb: str) -> Tuple[int, str]:
        """An open descriptor of the directory that holds `path`, and its name there.

        resolve() decides which links lead where; the directories of what it
        resolved are then opened one inside the other, following no link, so
        that a directory a user swaps for a link after resolve() (to lead
        harden, which runs as root, elsewhere) stops the change instead.
        For a user's file (`user`, their uid) each directory opened must be
        one only they and root can change, judged on the descriptor itself."""
        # a read follows the file's own links as resolve() allows them (a user's, only to what the user owns); a change
        # is made to the name itself
        resolved = PurePosixPath(self.resolve(path, follow_final=verb == "read"))
        if not resolved.name:  # the root itself (resolve() leaves no . or ..)
            raise HostError(f"{self.display(path)}: not a file harden can {verb}")
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            self._users_directory_at(fd, "/", path, user, verb)
            for depth, name in enumerate(resolved.parent.parts[1:], start=2):
                try:
                    inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError as error:
                    if error.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise HostError(f"{self.display(path)}: {name} is not a directory harden can enter (a link or a file "
                                        f"there now) while harden was about to {verb}; nothing was {PAST[verb]} there") from None
                    raise HostError(f"cannot {verb} {self.display(path)}: {_reason(error)}") from None
                os.close(fd)
                fd = inner
                self._users_directory_at(fd, str(PurePosixPath(*resolved.parts[:depth])), path, user, verb)
        except BaseException:
            os.close(fd)
            raise
        return fd, resolved.name

    def _users_directory_at(self, fd: int, directory: str, path: str, user: Optional[int], verb: str) -> None:
        if user is None:
            return
        info = os.fstat(fd)
        if not _users_directory(info, user):
            raise HostError(f"{self.display(path)}: {directory} is {self.owner(info.st_uid, info.st_gid)} "
                            f"{stat.S_IMODE(info.st_mode):04o}, which others than {self.user_name(user)} and root can change; "
                            f"nothing was {PAST[verb]} there")

    def _users_file_at(self, info: Optional[os.stat_result], path: str, user: Optional[int], parent: Optional[int] = None) -> None:
        """A user's file is changed only while it is theirs: not one they swapped for, or linked to, another's;
        a new one only in a directory (`parent`) of theirs, never in root's /etc."""
        if user is None:
            return
        if info is None and parent is not None:
            info, path = os.fstat(parent), str(PurePosixPath(path).parent)
        if info is not None and info.st_uid != user:
            raise HostError(f"{self.display(path)} is {self.owner(info.st_uid, info.st_gid)} now, not {self.user_name(user)}'s; "
                            "nothing was changed there")

    @staticmethod
    def _not_a_link(parent: int, name: str, path: str, expected: str = "a file") -> Optional[os.stat_result]:
        try:
            info = os.lstat(name, dir_fd=parent)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(info.st_mode):
            raise HostError(f"{path} is a symbolic link where {expected} was expected; harden does not write through links")
        return info

    @staticmethod
    def temp_name(name: str) -> str:
        return f".{name}.hardener-tmp"

    def write_file(self, path: str, data: bytes, state: Optional[FileState] = None, new_mode: int = 0o644,
                   new_owner: Tuple[int, int] = (0, 0), user: Optional[int] = None) -> None:
        """Replace a file atomically. Its owner, mode and extended attributes are
        those of `state` when given, else those the file has; a new file is new_owner's, new_mode.
        A user's file (`user`) is written only while it and its directories are theirs (_parent)."""
        if state is None and user is None:  # a user's file is examined on the descriptor below, not by its path
            current = self.state(path)
            state = current if current.exists else None
        uid, gid, mode = (state.uid, state.gid, state.mode) if state else (*new_owner, new_mode)
        xattrs = state.xattrs if state else None  # a new file keeps the labels the system gives it
        with self._parent(path, user) as (parent, name):
            info = self._not_a_link(parent, name, self.display(path))
            self._users_file_at(info, path, user, parent)
            if info is not None and stat.S_ISDIR(info.st_mode):
                raise HostError(f"{self.display(path)} is a directory where a file was expected")
            if user is not None and info is not None:  # a user's file: as the look on the descriptor found it
                uid, gid, mode = info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)
                if state is None:
                    xattrs = self._xattrs_at(parent, name, path)
            temp = self.temp_name(name)
            try:
                # the temporary name is made anew, never opened where it is: in a user's directory it could be
                # their hard link to another's file, or a FIFO that would hold harden forever
                self._unlink_quietly(parent, temp)
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=parent)
                try:
                    write_all(fd, data)
                    os.fchown(fd, uid, gid)
                    os.fchmod(fd, mode)
                    if xattrs is not None:
                        self._set_xattrs(fd, xattrs)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.rename(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
                os.fsync(parent)
            except OSError as error:
                with contextlib.suppress(OSError):  # what is at the temporary name may not be harden's file (a user's directory)
                    self._unlink_quietly(parent, temp)
                raise HostError(f"cannot write {self.display(path)}: {_reason(error)}") from None

    def write_named(self, path: str, data: bytes) -> None:
        """A file of this machine's an administrator names for harden's output (--output). As root: made beside its
        name and renamed into place, never through a link at that name, always root's own file (a file of another
        user's, in a sticky /tmp say, is not written over: it would keep its owner, who would read root's report); a
        device or a pipe (/dev/null) is written to as it is, never replaced. Run by a user, as the shell's `>` would:
        with the user's own rights, only theirs are at stake."""
        try:
            if os.geteuid() != 0:
                with open(path, "wb") as stream:
                    stream.write(data)
                return
            try:
                info: Optional[os.stat_result] = os.lstat(path)
            except FileNotFoundError:
                info = None
            if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
                fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    write_all(fd, data)
                finally:
                    os.close(fd)
                return
        except OSError as error:
            raise HostError(f"{path}: {_reason(error)}") from None
        if info is not None and stat.S_ISREG(info.st_mode) and info.st_uid != 0:
            raise HostError(f"{path} is {self.user_name(info.st_uid)}'s; harden does not write root's report over another's file")
        umask = os.umask(0o022)
        os.umask(umask)
        mode = stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else 0o666 & ~umask
        self.write_file(path, data, state=FileState(exists=True, uid=0, gid=0, mode=mode))

    def read_named(self, path: str) -> Optional[bytes]:
        """A file an administrator names for harden to read (a report): read as every file is (no user's link followed
        to a file not theirs), or, piped in (/dev/stdin, the shell's <(...)), as it comes: what it carries is its
        writer's, no file of this host's."""
        try:
            if stat.S_ISFIFO(os.stat(path).st_mode):
                with open(path, "rb") as stream:
                    return stream.read()
        except OSError:
            pass
        return self.read_bytes(os.path.abspath(path))

    def discard_temp(self, path: str) -> None:
        """Remove a temporary file a write left behind when it was cut short. Something else there (a user's directory
        in theirs) is not harden's to remove, and stops no undo: the write that follows says what it stops."""
        if self.lstat(str(PurePosixPath(path).parent)) is None:
            return
        with self._parent(path) as (parent, name):
            try:
                self._unlink_quietly(parent, self.temp_name(name))
            except IsADirectoryError:
                pass
            except OSError as error:
                raise HostError(f"cannot remove {self.display(path)}'s temporary file: {_reason(error)}") from None

    @staticmethod
    def _unlink_quietly(parent: int, name: str) -> None:
        try:
            os.unlink(name, dir_fd=parent)
        except FileNotFoundError:
            pass

    def set_owner_mode(self, path: str, uid: int, gid: int, mode: int, xattrs: Optional[Dict[str, bytes]] = None,
                       user: Optional[int] = None) -> None:
        """A user's file (`user`) is changed only while it and its directories are theirs, judged on the descriptors changed."""
        with self._parent(path, user) as (parent, name):
            self._not_a_link(parent, name, self.display(path))
            try:
                self._set_owner_mode_at(parent, name, uid, gid, mode, xattrs, user, path)
            except OSError as error:
                raise HostError(f"cannot change owner or mode of {self.display(path)}: {_reason(error)}") from None

    def _set_owner_mode_at(self, parent: int, name: str, uid: int, gid: int, mode: int, xattrs: Optional[Dict[str, bytes]] = None,
                           user: Optional[int] = None, path: str = "") -> None:
        # Linux has no chmod that refuses a link: the file is opened without following one, then changed through /proc
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW, dir_fd=parent)
        try:
            info = os.fstat(fd)
            if stat.S_ISLNK(info.st_mode):
                raise OSError(errno.ELOOP, "it became a symbolic link")
            self._users_file_at(info, path, user)
            if not stat.S_ISDIR(info.st_mode) and ((uid == 0 and info.st_uid != 0) or (gid == 0 and info.st_gid != 0)):
                # what is made root's keeps no setuid or setgid bit, whatever was planned: the file may have been
                # swapped since it was judged (chown drops them; harden does not put them back)
                mode &= ~(stat.S_ISUID | stat.S_ISGID)
            itself = f"/proc/self/fd/{fd}"
            os.chown(itself, uid, gid)
            os.chmod(itself, mode)
            if xattrs is not None:
                self._set_xattrs(itself, xattrs)
        finally:
            os.close(fd)

    def make_dir(self, path: str, mode: int = 0o755, owner: Tuple[int, int] = (0, 0), user: Optional[int] = None) -> None:
        with self._parent(path, user) as (parent, name):
            self._users_file_at(None, path, user, parent)
            try:
                os.mkdir(name, 0o700, dir_fd=parent)
                made = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
                try:  # the directory just made, not what a user may have put under its name since
                    if os.fstat(made).st_uid != os.geteuid():
                        raise OSError(errno.EEXIST, "it was replaced as it was made")
                    os.fchown(made, *owner)
                    os.fchmod(made, mode)  # whatever the umask
                finally:
                    os.close(made)
                os.fsync(parent)
            except OSError as error:
                raise HostError(f"cannot create {self.display(path)}: {_reason(error)}") from None

    def remove_dir(self, path: str, user: Optional[int] = None) -> None:
        """Remove a directory harden made; it is left where it holds anything now. A user's (`user`) only while it is
        theirs, as a user's file is (a link of theirs, resolve() refuses already)."""
        with self._parent(path, user, "remove") as (parent, name):
            self._users_file_at(self._not_a_link(parent, name, self.display(path), "a directory"), path, user)
            try:
                os.rmdir(name, dir_fd=parent)
                os.fsync(parent)
            except OSError as error:
                if error.errno in (errno.ENOENT, errno.ENOTEMPTY):
                    return
                raise HostError(f"cannot remove {self.display(path)}: {_reason(error)}") from None

    def remove_file(self, path: str, user: Optional[int] = None) -> None:
        with self._parent(path, user, "remove") as (parent, name):
            self._users_file_at(self._not_a_link(parent, name, self.display(path)), path, user)
            try:
                os.unlink(name, dir_fd=parent)
                os.fsync(parent)
            except FileNotFoundError:
                pass
            except OSError as error:
                raise HostError(f"cannot remove {self.display(path)}: {_reason(error)}") from None

    def _set_xattrs(self, file: Union[int, str], wanted: Dict[str, bytes]) -> None:
        """`file`: a descriptor, or the /proc path of one: no link is followed to reach it."""
        present = self._xattrs(file)
        for name in present.keys() - wanted.keys():
            os.removexattr(file, name)
        for name, value in wanted.items():
            if present.get(name) != value:
                os.setxattr(file, name, value)

    # -- commands and the system log ----------------------------------------

    def run(self, program: str, *args: str, timeout: float = COMMAND_TIMEOUT) -> str:
        """Run a command on the live host and return what it printed; one that has not ended
        within `timeout` seconds is killed and is an error (a user's silent docker socket, say).

        Under --root nothing runs: the tree is an image, not a running system."""
        if not self.live:
            raise HostError(f"{program} is not run under --root {self.root}")
        import threading

        import sh

        try:
            # In the background and waited for without polling: sh's own _timeout, and its wait(timeout=), look every
            # 0.1 s, which made each command of a check cost 0.1 s however soon it ended. A timer kills it instead.
            running = sh.Command(program)(*args, _env=dict(os.environ, LC_ALL="C"), _bg=True, _bg_exc=False)
            expired = threading.Event()

            def stop() -> None:
                expired.set()
                with contextlib.suppress(OSError):
                    running.kill()

            timer = threading.Timer(timeout, stop)
            timer.daemon = True
            timer.start()
            try:
                running.wait()
            except sh.ErrorReturnCode:
                if expired.is_set():
                    raise HostError(f"{program} {' '.join(args)} did not finish within {timeout:g} s and was stopped") from None
                raise
            finally:
                timer.cancel()
            return str(running)
        except sh.CommandNotFound:
            raise CommandMissing(f"{program} is not installed") from None
        except sh.ErrorReturnCode as error:
            # what the command said, whole ("docker: Error response from daemon: ..." comes before "See 'docker run --help'")
            said = " / ".join(line.strip() for line in error.stderr.decode(errors="replace").strip().splitlines() if line.strip())
            raise HostError(f"{program} {' '.join(args)} failed: {said[:4000] if said else error.exit_code}") from None

    def create_container(self, change) -> str:
        """Carry out a CreateContainer (model.py) through the Engine API: create, connect, disconnect, start; its id.
        The engine's error is said whole."""
        if not self.live:
            raise HostError(f"{change.target} is not created under --root {self.root}")
        from urllib.parse import quote

        from .facts.engine_api import EngineAPI, EngineError

        version = f"/v{change.api_version}"
        try:
            with EngineAPI() as api:
                created = api.request("POST", f"{version}/containers/create?name={quote(change.name)}", change.request)
                container_id = created["Id"] if isinstance(created, dict) and isinstance(created.get("Id"), str) else change.name
                for network, endpoint in change.connect:
                    api.request("POST", f"{version}/networks/{quote(network)}/connect", {"Container": container_id, "EndpointConfig": endpoint})
                if change.disconnect:  # 20.10 joins NetworkMode's network at create whatever else is asked; 26 only where none is
                    made = api.request("GET", f"{version}/containers/{quote(container_id)}/json")
                    joined = ((made.get("NetworkSettings") or {}).get("Networks") or {}) if isinstance(made, dict) else {}
                    for network in change.disconnect:  # NetworkMode may give a network's id: endpoints are keyed by name
                        if network in joined or any((endpoint or {}).get("NetworkID", "").startswith(network) for endpoint in joined.values()):
                            api.request("POST", f"{version}/networks/{quote(network)}/disconnect", {"Container": container_id})
                if change.start:
                    api.request("POST", f"{version}/containers/{quote(container_id)}/start")
                return container_id
        except EngineError as error:  # DOCKER_HOST=ssh://... too: the client cannot be made
            raise HostError(f"{change.target}: {error}") from None

    def start_container(self, container: str, docker_host: Optional[str] = None) -> None:
        """Start a container (an id or a name) of the engine at `docker_host` (DOCKER_HOST's by default)."""
        if not self.live:
            raise HostError(f"{container} is not started under --root {self.root}")
        from urllib.parse import quote

        from .facts.engine_api import EngineAPI, EngineError

        try:
            with EngineAPI(docker_host) as api:
                api.request("POST", f"/containers/{quote(container)}/start")
        except EngineError as error:
            raise HostError(f"container {container} cannot be started: {error}") from None

    def container_state(self, container: str, docker_host: Optional[str] = None) -> Mapping:
        """A container's State as the engine (at `docker_host`, DOCKER_HOST's by default) says it now, with its
        RestartCount beside; a HostError where it cannot say."""
        from urllib.parse import quote

        from .facts.engine_api import EngineAPI, EngineError

        try:
            with EngineAPI(docker_host) as api:
                found = api.request("GET", f"/containers/{quote(container)}/json")
        except EngineError as error:
            raise HostError(f"container {container} cannot be inspected: {error}") from None
        state = found.get("State") if isinstance(found, dict) else None
        if not isinstance(state, dict):
            raise HostError(f"container {container}: the engine says no State of it")
        return dict(state, RestartCount=found.get("RestartCount") or 0)

    def unhealthy(self, within: Mapping[str, float], docker_host: Optional[str] = None) -> Optional[Tuple[str, Optional[str]]]:
        """Until each container is healthy, each for at most its seconds (what its own check can take to decide): the
        first that is not (unhealthy, or still not healthy when its time is up) and its health status; None if all are."""
        import time

        deadlines = {container: time.monotonic() + seconds for container, seconds in within.items()}
        while deadlines:
            for container in list(deadlines):
                status = (self.container_state(container, docker_host).get("Health") or {}).get("Status")
                if status == "healthy":
                    del deadlines[container]
                elif status == "unhealthy" or time.monotonic() > deadlines[container]:
                    return container, status
            if deadlines:
                time.sleep(1.0)
        return None

    def stop_container(self, container: str, docker_host: Optional[str] = None) -> None:
        """Stop a container of the engine at `docker_host` (DOCKER_HOST's by default), as `docker stop` does."""
        if not self.live:
            raise HostError(f"{container} is not stopped under --root {self.root}")
        from urllib.parse import quote

        from .facts.engine_api import EngineAPI, EngineError

        try:
            with EngineAPI(docker_host, timeout=COMMAND_TIMEOUT) as api:
                api.request("POST", f"/containers/{quote(container)}/stop")
        except EngineError as error:
            raise HostError(f"container {container} cannot be stopped: {error}") from None

    def container_name(self, container: str) -> Optional[str]:
        """The name a container (an id or a name) has now: None where the engine has no such container (or none is
        asked: under --root); a HostError where it cannot say (it is down)."""
        if not self.live:
            return None
        from urllib.parse import quote

        from .facts.engine_api import EngineAPI, EngineError

        try:
            with EngineAPI() as api:
                found = api.request("GET", f"/containers/{quote(container)}/json")
        except EngineError as error:
            if error.status == 404:
                return None
            raise HostError(f"whether container {container} is there cannot be asked: {error}") from None
        name = found.get("Name") if isinstance(found, dict) else None
        return name.lstrip("/") if isinstance(name, str) else ""  # there, its answer naming none

    def log(self, message: str) -> None:
        """One line to the system log: the host's own trail of what harden did."""
        import logging
        import logging.handlers
        import socket

        logger = logging.getLogger("hardener.syslog")
        if not logger.handlers:
            if not os.path.exists(SYSLOG_SOCKET):
                return
            try:
                handler = logging.handlers.SysLogHandler(
                    address=SYSLOG_SOCKET, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV, socktype=socket.SOCK_DGRAM
                )
            except OSError:
                return
            handler.setFormatter(logging.Formatter("harden[%(process)d]: %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
        where = "" if self.live else f" root={self.root}"
        logger.info(message + where)
