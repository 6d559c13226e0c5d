"""The real Docker engine of this machine, for the container items.

Everything a test makes is recorded by id and removed by id; harden runs on
the live root with its journal bound into a private mount namespace, so the
machine's /var/lib is never written."""
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

BUSYBOX = shutil.which("busybox") or "/bin/busybox"


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


class Lab:
    """Containers, volumes and host directories made by one test session, by id."""

    def __init__(self):
        self.token = uuid.uuid4().hex[:8]
        self.containers: List[str] = []
        self.volumes: List[str] = []
        self.networks: List[str] = []
        self.paths: List[Path] = []
        self.image = None

    @property
    def label(self) -> str:
        return f"hardener.test={self.token}"

    def build_image(self):
        rootfs = Path(tempfile.mkdtemp(prefix="hardener-rootfs-"))
        try:
            for directory in ("bin", "tmp", "etc", "run"):
                (rootfs / directory).mkdir()
            shutil.copy(BUSYBOX, rootfs / "bin/busybox")
            applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
            for applet in applets:
                if applet != "busybox":
                    (rootfs / "bin" / applet).symlink_to("busybox")
            tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
            imported = subprocess.run(["docker", "import", "-c", 'CMD ["/bin/sh"]', "-c", "ENV IMAGEVAR=1", "-",
                                       f"hardener-test/busybox:{self.token}"], stdin=tar.stdout, capture_output=True, text=True, check=True)
            tar.wait()
            self.image = imported.stdout.strip()
        finally:
            shutil.rmtree(rootfs)
        return f"hardener-test/busybox:{self.token}"

    def container(self, *args, create=False, command=("sleep", "3600")) -> str:
        name = f"ht-{self.token}-{len(self.containers)}"
        if "--name" in args:
            name = args[args.index("--name") + 1]
            args = args[: args.index("--name")] + args[args.index("--name") + 2:]
        verb = ["create"] if create else ["run", "--detach"]
        container_id = docker(*verb, "--name", name, "--label", self.label, *args, f"hardener-test/busybox:{self.token}", *command)
        self.containers.append(container_id)
        return name

    def volume(self) -> str:
        name = docker("volume", "create", "--label", self.label, f"ht-{self.token}-vol{len(self.volumes)}")
        self.volumes.append(name)
        return name

    def network(self, *args: str) -> str:
        name = f"ht-{self.token}-net{len(self.networks)}"
        self.networks.append(docker("network", "create", "--label", self.label, *args, name))
        return name

    def host_dir(self, path: str) -> str:
        Path(path).mkdir()
        self.paths.append(Path(path))
        return path

    def adopt(self, name: str) -> str:
        """Record a container harden made, to remove it at the end."""
        container_id = docker("inspect", "--format", "{{.Id}}", name)
        self.containers.append(container_id)
        return container_id

    def inspect(self, name: str) -> dict:
        return json.loads(docker("inspect", name))[0]

    def cleanup(self):
        for container_id in self.containers:
            found = json.loads(docker("inspect", container_id, check=False) or "[]")
            anonymous = [m["Name"] for m in (found[0].get("Mounts", []) if found else [])
                         if m.get("Type") == "volume" and m.get("Name") not in self.volumes]
            docker("rm", "--force", "--volumes", container_id, check=False)
            for volume in anonymous:
                docker("volume", "rm", volume, check=False)
        for volume in self.volumes:
            docker("volume", "rm", "--force", volume, check=False)
        for network in self.networks:
            docker("network", "rm", network, check=False)
        if self.image:
            docker("rmi", "--force", self.image, check=False)
        for path in self.paths:
            shutil.rmtree(path, ignore_errors=True)


def engine_lab():
    """A test module's lab on this machine's engine (started here if none answers): its image
    built, and everything it made removed by id at the end. Use as a module fixture."""
    with Engine() as engine:
        lab = Lab()
        lab.engine = engine
        try:
            lab.build_image()
            yield lab
        finally:
            lab.cleanup()


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
