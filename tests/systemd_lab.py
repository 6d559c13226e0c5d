"""A real systemd, PID 1 of its own namespaces, managing a real dockerd.

The root is a debootstrapped Debian (tests/lab/build-systemd-root, cached);
each lab runs on a throw-away overlay of it. harden is installed inside from
its bundle (scripts/bundle), as on an offline server. Everything is torn down by
the ids recorded here: the unshare process and the child cgroups it made."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lab_base import ManagedLab
from typing import List, Optional

HERE = Path(__file__).parent
CHECKOUT = HERE.parent
ROOT_CACHE = Path(os.environ.get("HARDENER_LAB_ROOTS", "/var/cache/hardener-lab"))
BUNDLE_DIR = Path(os.environ.get("HARDENER_LAB_BUNDLE", "/var/cache/hardener-lab/bundle"))


def build_root(release: str = "bookworm") -> Path:
    root = ROOT_CACHE / f"{release}-systemd"
    subprocess.run([HERE / "lab/build-systemd-root", root, release], check=True)
    return root


def build_bundle() -> Path:
    """scripts/bundle of this checkout, made fresh each session: the labs install harden as administrators do."""
    if BUNDLE_DIR.exists():
        shutil.rmtree(BUNDLE_DIR)
    subprocess.run([CHECKOUT / "scripts/bundle", BUNDLE_DIR], check=True, env=dict(os.environ, PYTHON=sys.executable),
                   stdout=subprocess.DEVNULL)
    (bundle,) = BUNDLE_DIR.glob("harden-*.run")
    return bundle


class SystemdLab(ManagedLab):
    def __init__(self, root: Path, shared: Optional[Path] = None):
        """`shared`: a directory of this machine seen at the same path in the lab."""
        self.root = root
        self.shared = shared
        self.token = uuid.uuid4().hex[:8]
        self.work = Path(tempfile.mkdtemp(prefix=f"hardener-lab-{self.token}-"))
        self.cgroups: List[Path] = []
        self.process: Optional[subprocess.Popen] = None
        self.pid1: Optional[int] = None

    # -- start and stop ----------------------------------------------------------

    def _make_cgroups(self) -> None:
        """One child cgroup per hierarchy, which the namespace will see as its root."""
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers == "":
                base = Path("/sys/fs/cgroup/unified")
            elif controllers.startswith("name="):
                base = Path("/sys/fs/cgroup") / controllers[len("name="):]
            else:
                base = Path("/sys/fs/cgroup") / controllers.split(",")[0]
            if not base.is_dir():
                continue
            parent = base / path.lstrip("/")
            child = parent / f"hardener-lab-{self.token}"
            child.mkdir()
            self.cgroups.append(child)
            for inherited in ("cpuset.cpus", "cpuset.mems"):  # an empty cpuset takes no process
                if (parent / inherited).exists():
                    (child / inherited).write_text((parent / inherited).read_text())

    def _enter_cgroups(self) -> None:
        for child in self.cgroups:
            (child / "cgroup.procs").write_text(str(os.getpid()))

    def start(self, timeout: float = 120) -> "SystemdLab":
        self._make_cgroups()
        self.process = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--kill-child", "--mount", "--uts", "--ipc", "--net", "--cgroup",
             str(HERE / "lab/init-systemd"), str(self.root), str(self.work), *([str(self.shared)] if self.shared else [])],
            preexec_fn=self._enter_cgroups, stdin=subprocess.DEVNULL,
            stdout=open(self.work / "console.log", "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while self.pid1 is None:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            if children.exists() and children.read_text().split():
                self.pid1 = int(children.read_text().split()[0])
            elif self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the lab did not start; see {self.work / 'console.log'}")
            else:
                time.sleep(0.1)
        while not self._own_root():  # until init-systemd has pivoted: before that the lab's root is this machine's
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the lab did not start; see {self.work / 'console.log'}")
            time.sleep(0.1)
        self.wait_for(["docker", "info"], timeout=deadline - time.monotonic())
        return self

    def _own_root(self) -> bool:
        """Whether PID 1 of the lab stands on the lab's root, not on this machine's."""
        try:
            lab, machine = os.stat(f"/proc/{self.pid1}/root/"), os.stat("/")
        except FileNotFoundError:
            return False
        return (lab.st_dev, lab.st_ino) != (machine.st_dev, machine.st_ino)

    def _check_root(self) -> None:
        if not self._own_root():  # never write into, or run in, the machine the tests run on
            raise RuntimeError(f"the lab's PID 1 ({self.pid1}) does not stand on the lab's root; see {self.work / 'console.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # --kill-child takes PID 1, and the namespace, with it
            self.process.wait(timeout=60)
        for child in reversed(self.cgroups):
            self._remove_cgroup(child)
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.work)], check=False)

    @staticmethod
    def _remove_cgroup(path: Path, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while path.exists():
            for sub in sorted((p for p in path.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
                try:
                    sub.rmdir()
                except OSError:
                    pass
            try:
                path.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # -- inside ------------------------------------------------------------------

    def run(self, *command: str, check: bool = True, input: Optional[str] = None, timeout: float = 300) -> subprocess.CompletedProcess:
        self._check_root()
        completed = subprocess.run(["nsenter", "-t", str(self.pid1), "-a", "env", "-i",
                                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                                    *command], capture_output=True, text=True, input=input, timeout=timeout)
        if check and completed.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
        return completed

    def wait_for(self, command: List[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + max(timeout, 1)
        while self.run(*command, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} did not succeed in the lab; see {self.work / 'console.log'}")
            time.sleep(0.5)

    def path(self, inside: str) -> Path:
        """Where a path of the lab is, seen from this machine (through PID 1's root)."""
        self._check_root()
        return Path(f"/proc/{self.pid1}/root") / inside.lstrip("/")

    def install_harden(self, bundle: Path) -> None:
        shutil.copy(bundle, self.path(f"/opt/{bundle.name}"))
        self.run("sh", f"/opt/{bundle.name}")

    def harden(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("/opt/hardener/bin/harden", *args, check=False)
