"""The real Docker engines, for the container items: this machine's (Debian 12's
docker.io 20.10) and Debian 13's (docker.io 26.1) in a systemd lab.

Everything a test makes is recorded by id and removed by id; harden runs on
the engine's root with its journal bound into a private mount namespace, so
the machine's /var/lib is never written."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import List

from conftest import Result, with_private_var_lib
from lab_base import ManagedLab

def docker(*args, check=True) -> str:
    return subprocess.run(["docker", *map(str, args)], check=check, capture_output=True, text=True).stdout.strip()


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


class Engine:
    """The machine's dockerd, started here (and stopped again) only when none answers."""

    def __init__(self):
        self.process = None
        self.log = None

    def __enter__(self):
        if not engine_answers():
            self.log = tempfile.NamedTemporaryFile(prefix="hardener-dockerd-", suffix=".log", delete=False)
            self.process = subprocess.Popen(["dockerd"], stdout=self.log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while not engine_answers():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dockerd did not start; see {self.log.name}")
                time.sleep(0.5)
        return self

    @property
    def ours(self) -> bool:
        """Whether this session started dockerd, and so may restart it."""
        return self.process is not None

    def restart(self):
        assert self.ours, "only a dockerd the tests started is restarted"
        self.process.terminate()
        self.process.wait(timeout=60)
        self.process = None
        self.__enter__()

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


class MachineEngine:
    """This machine's dockerd (Debian 12's docker.io 20.10); harden runs on the live root."""

    socket = Path("/var/run/docker.sock")

    def __init__(self):
        self.engine = Engine()

    def start(self) -> "MachineEngine":
        self.engine.__enter__()
        return self

    def stop(self) -> None:
        self.engine.__exit__()

    @staticmethod
    def docker(*args, check=True) -> str:
        return docker(*args, check=check)

    @staticmethod
    def shell(script: str) -> str:
        return subprocess.run(["sh", "-c", script], check=True, capture_output=True, text=True).stdout.strip()

    @staticmethod
    def harden(journal: Path, *args, env=None, path_prefix=None) -> Result:
        return live_harden(journal, *args, env=env, path_prefix=path_prefix)

    @staticmethod
    def path(inside: str) -> Path:
        return Path(inside)

    @staticmethod
    def python(code: str, *args: str) -> str:
        return subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout

    @property
    def ours(self) -> bool:
        """Whether this session started the engine, and so may restart it."""
        return self.engine.ours

    def restart(self) -> None:
        self.engine.restart()


class LabEngine(ManagedLab):
    """Debian 13's dockerd (docker.io 26.1, Engine API 1.45) under systemd 257, in a systemd lab of the trixie root;
    harden runs there, installed from its bundle on that root's Python 3.13. The test session's temporary directory
    is seen at the same path in the lab, so the files a test hands harden (configs, journals) are where it made them."""

    def __init__(self, root: Path, bundle: Path, shared: Path):
        from systemd_lab import SystemdLab

        self.lab = SystemdLab(root, shared=shared)
        self.bundle = bundle

    def start(self) -> "LabEngine":
        self.lab.start()
        self.lab.install_harden(self.bundle)
        return self

    def stop(self) -> None:
        self.lab.stop()

    @property
    def socket(self) -> Path:
        return self.lab.path("/run/docker.sock")

    def docker(self, *args, check=True) -> str:
        completed = self.lab.run("docker", *map(str, args), check=False)
        if check and completed.returncode != 0:
            raise AssertionError(f"docker {' '.join(map(str, args))} exited {completed.returncode}: {completed.stderr.strip()}")
        return completed.stdout.strip()

    def shell(self, script: str) -> str:
        return self.lab.run("sh", "-c", script).stdout.strip()

    def harden(self, journal: Path, *args, env=None, path_prefix=None) -> Result:
        """harden in the lab, its /var/lib a private bind of `journal` as on this machine (live_harden)."""
        journal.mkdir(parents=True, exist_ok=True)
        settings = dict(LANG="C.UTF-8", HARDENER_SYSLOG_SOCKET="/nonexistent/harden-test-log", **(env or {}))
        if path_prefix:
            settings["PATH"] = f"{path_prefix}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        script = '/usr/bin/mount --bind "$1" /var/lib && shift && exec "$@"'  # by path: a test's PATH may lack /usr/bin
        return Result(self.lab.run("env", *(f"{key}={value}" for key, value in settings.items()),
                                   "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", str(journal),
                                   "/opt/hardener/bin/harden", *map(str, args), check=False, timeout=600))

    def path(self, inside: str) -> Path:
        return self.lab.path(inside)

    def python(self, code: str, *args: str) -> str:
        return self.lab.run("/opt/hardener/bin/python", "-c", code, *args).stdout

    ours = True  # the lab's own dockerd

    def restart(self) -> None:
        self.lab.run("systemctl", "restart", "docker")


class Lab:
    """Containers, volumes and host directories made by one test module on one engine (`site`: this machine's by
    default), by id."""

    def __init__(self, site=None):
        self.site = site or MachineEngine()
        self.token = uuid.uuid4().hex[:8]
        self.containers: List[str] = []
        self.volumes: List[str] = []
        self.networks: List[str] = []
        self.paths: List[Path] = []
        self.images: List[str] = []
        self.image = None

    @property
    def label(self) -> str:
        return f"hardener.test={self.token}"

    def docker(self, *args, check=True) -> str:
        return self.site.docker(*args, check=check)

    def harden(self, journal: Path, *args, env=None, path_prefix=None) -> Result:
        return self.site.harden(journal, *args, env=env, path_prefix=path_prefix)

    @property
    def socket(self) -> Path:
        """The engine's socket, as this machine reaches it."""
        return self.site.socket

    @property
    def api_version(self) -> tuple:
        return tuple(int(part) for part in self.docker("version", "--format", "{{.Server.APIVersion}}").split("."))

    def build_image(self):
        """A busybox image, made with `docker import` on the engine's own host from its busybox."""
        tag = f"hardener-test/busybox:{self.token}"
        self.image = self.site.shell(
            'set -e; rootfs=$(mktemp -d); mkdir "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/run"; '
            'cp "$(command -v busybox)" "$rootfs/bin/busybox"; '
            'for applet in $("$rootfs/bin/busybox" --list); do [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"; done; '
            f'tar -C "$rootfs" -c . | docker import -c \'CMD ["/bin/sh"]\' -c "ENV IMAGEVAR=1" - {tag}; rm -rf "$rootfs"')
        return tag

    def container(self, *args, create=False, command=("sleep", "3600"), image: str = "") -> str:
        name = f"ht-{self.token}-{len(self.containers)}"
        if "--name" in args:
            name = args[args.index("--name") + 1]
            args = args[: args.index("--name")] + args[args.index("--name") + 2:]
        verb = ["create"] if create else ["run", "--detach"]
        container_id = self.docker(*verb, "--name", name, "--label", self.label, *args, image or f"hardener-test/busybox:{self.token}", *command)
        self.containers.append(container_id)
        return name

    def commit(self, container: str, *changes: str) -> str:
        """An image made from a container with Dockerfile instructions (`USER 1000`), removed at the end."""
        image = self.docker("commit", *(arg for change in changes for arg in ("--change", change)), container,
                            f"hardener-test/commit-{len(self.images)}:{self.token}")
        self.images.append(image)
        return image

    def volume(self) -> str:
        name = self.docker("volume", "create", "--label", self.label, f"ht-{self.token}-vol{len(self.volumes)}")
        self.volumes.append(name)
        return name

    def network(self, *args: str) -> str:
        name = f"ht-{self.token}-net{len(self.networks)}"
        self.networks.append(self.docker("network", "create", "--label", self.label, *args, name))
        return name

    def path(self, inside: str) -> Path:
        """Where a path of the engine's host is, seen from this machine."""
        return self.site.path(inside)

    def host_dir(self, path: str) -> str:
        """A directory made at `path` on the engine's host."""
        self.site.path(path).mkdir()
        self.paths.append(self.site.path(path))
        return path

    def adopt(self, name: str) -> str:
        """Record a container harden made, to remove it at the end."""
        container_id = self.docker("inspect", "--format", "{{.Id}}", name)
        self.containers.append(container_id)
        return container_id

    def inspect(self, name: str) -> dict:
        return json.loads(self.docker("inspect", name))[0]

    def cleanup(self):
        for container_id in self.containers:
            found = json.loads(self.docker("inspect", container_id, check=False) or "[]")
            anonymous = [m["Name"] for m in (found[0].get("Mounts", []) if found else [])
                         if m.get("Type") == "volume" and m.get("Name") not in self.volumes]
            self.docker("rm", "--force", "--volumes", container_id, check=False)
            for volume in anonymous:
                self.docker("volume", "rm", volume, check=False)
        for volume in self.volumes:
            self.docker("volume", "rm", "--force", volume, check=False)
        for network in self.networks:
            self.docker("network", "rm", network, check=False)
        for image in self.images + ([self.image] if self.image else []):
            self.docker("rmi", "--force", image, check=False)
        for path in self.paths:
            shutil.rmtree(path, ignore_errors=True)


def engine_lab(request, lab_release):
    """A test module's lab on the engine of its release: this machine's (started here if none answers) for
    bookworm, a trixie systemd lab's for trixie; its image built, and everything it made removed by id at the
    end. Use as a module fixture."""
    if lab_release == "bookworm":
        site = MachineEngine()
    else:
        root, bundle = request.getfixturevalue("lab_parts")
        site = LabEngine(root, bundle, request.getfixturevalue("tmp_path_factory").getbasetemp())
    site.start()
    try:
        lab = Lab(site)
        try:
            lab.build_image()
            yield lab
        finally:
            lab.cleanup()
    finally:
        site.stop()


MEMORY_READING = """\
import json, subprocess, sys
from hardener.facts.cgroups import memory_counters, without_inactive_cache
from hardener.host import Host
pid = int(subprocess.run(["docker", "inspect", "--format", "{{.State.Pid}}", sys.argv[1]], capture_output=True, text=True).stdout)
usage, stat = memory_counters(Host("/"), pid)
stats = subprocess.run(["docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", sys.argv[1]], capture_output=True, text=True).stdout
print(json.dumps([without_inactive_cache(usage, stat), stats, without_inactive_cache(*memory_counters(Host("/"), pid)),
                  stat.get("total_cache", stat.get("file"))]))
"""


def memory_readings(python, container: str, at_least: int):
    """harden's reading of a container's memory from its cgroup, taken just before and just after `docker stats`
    reads it (the kernel moves file pages between its active and inactive lists as it pleases, so the usage drifts
    by a few hundred kB between reads a second apart), with the cgroup's page cache: (before, docker's, after,
    cache). Read again until the container holds `at_least` bytes and harden's two readings agree within 0.2 %.
    `python(code, *args)` runs harden's Python where the engine runs and returns its output."""
    import re

    units = {"B": 1, "KiB": 1024, "MiB": 2 ** 20, "GiB": 2 ** 30}
    for _ in range(30):
        before, stats, after, cache = json.loads(python(MEMORY_READING, container))
        number, unit = re.fullmatch(r"([\d.]+)\s*([KMG]?i?B)", stats.split("/")[0].strip()).groups()
        theirs = float(number) * units[unit]
        if theirs > at_least and abs(before - after) <= 0.002 * theirs:
            break
        time.sleep(1)
    assert theirs > at_least, f"the container holds {stats}"
    return before, theirs, after, cache


def counting_docker(directory: Path) -> Path:
    """A `docker` in front of the real one that counts its calls."""
    import stat

    directory.mkdir()
    real = shutil.which("docker")
    shim = directory / "docker"
    shim.write_text(f"#!/bin/sh\necho \"$*\" >> {directory}/calls\nexec {real} \"$@\"\n")
    shim.chmod(stat.S_IRWXU)
    return directory


class CountingProxy:
    """A unix socket in front of the engine's that records each request line: what harden asks the Engine API."""

    def __init__(self, path: Path, target="/var/run/docker.sock"):
        import socket
        import threading

        self.path, self.target, self.requests, self.versions = path, target, [], []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source, sink, requests):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if requests:  # each path without its API version, which goes to `versions` ("" where none)
                    for line in data.decode(errors="replace").split("\r\n"):
                        if line.startswith("GET "):
                            found = re.match(r"(/v1\.\d+)?(/.*)", line.split(" ")[1])
                            self.versions.append(found.group(1) or "")
                            self.requests.append(found.group(2))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(2)
                except OSError:
                    pass

    def close(self):
        # shutdown wakes the accept; a bare close would leave it blocked, and it could then
        # take a connection made to the next proxy that is given the same descriptor
        try:
            self.server.shutdown(2)
        except OSError:
            pass
        self.thread.join()
        self.server.close()


def live_harden(journal: Path, *args, env=None, path_prefix=None) -> Result:
    """harden on the live root (/), its /var/lib a private bind of `journal`."""
    journal.mkdir(parents=True, exist_ok=True)
    extra = dict(env or {})
    if path_prefix:
        extra["PATH"] = f"{path_prefix}:{os.environ['PATH']}"
    return Result(with_private_var_lib(journal, [sys.executable, "-m", "hardener", *args], extra))
