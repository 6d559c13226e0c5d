"""A small qemu VM with a real kernel, auditd and Docker: KVM where /dev/kvm works,
the software emulation (TCG) otherwise.

The kernel's audit subsystem answers only in the initial PID namespace, so the
audit item's real tests run here. The VM boots a throw-away qcow2 overlay of a
cached image (tests/lab/build-vm-image); commands run through
qemu-guest-agent; harden comes in as its bundle over a read-only 9p share.
Everything is torn down by the qemu process id recorded here."""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from lab_base import ManagedLab
from typing import List, Optional, Sequence

HERE = Path(__file__).parent
IMAGE_CACHE = Path(os.environ.get("HARDENER_VM_IMAGES", "/var/cache/hardener-lab"))


def build_image(release: str = "bookworm") -> Path:
    image = IMAGE_CACHE / f"{release}-vm"
    subprocess.run([HERE / "lab/build-vm-image", image, release], check=True)
    return image


KVM_BOOT = 90.0  # seconds a VM under kvm has to answer (it takes about 15 where kvm works); then it boots under tcg
KVM_FAILED: List[Path] = []  # the images a VM of this session could not boot under kvm


def accelerator() -> str:
    """kvm where a VM starts with it (a paused one, for 3 s), tcg otherwise: /dev/kvm may be there and still
    refuse (nested: "failed to set MSR 0x10a"), or start a VM whose kernel it cannot run (VM.start then boots under tcg)."""
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        try:
            subprocess.run(["qemu-system-x86_64", "-machine", "q35", "-accel", "kvm", "-cpu", "max", "-m", "64", "-display", "none",
                            "-nic", "none", "-nodefaults", "-S"], stdin=subprocess.DEVNULL, capture_output=True, timeout=3)
        except subprocess.TimeoutExpired:
            return "kvm"  # still running: it started
    return "tcg,thread=multi"


class Completed:
    def __init__(self, code: int, out: str, err: str):
        self.returncode, self.stdout, self.stderr = code, out, err

    def __repr__(self):
        return f"<exit {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}>"


class VM(ManagedLab):
    def __init__(self, image: Path, share: Optional[Path] = None):
        self.image = image
        self.share = share
        self.work = Path(tempfile.mkdtemp(prefix="hardener-vm-"))
        self.process: Optional[subprocess.Popen] = None
        self.agent: Optional[socket.socket] = None
        self.buffer = b""

    def start(self, timeout: float = 300) -> "VM":
        accel = accelerator()
        if accel == "kvm" and not KVM_FAILED:
            try:
                return self._boot(accel, KVM_BOOT)
            except RuntimeError:  # a kvm that starts a VM and cannot run its kernel (nested: "KVM internal error")
                self._stop_qemu()
                KVM_FAILED.append(self.image)  # the next VM of this session boots under tcg at once
        return self._boot("tcg,thread=multi", timeout)

    def _boot(self, accel: str, timeout: float) -> "VM":
        overlay = self.work / "run.qcow2"
        overlay.unlink(missing_ok=True)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(self.image / "base.img"), "-F", "raw", str(overlay)],
                       check=True)
        agent_socket = self.work / "agent.sock"
        command = [
            "qemu-system-x86_64", "-machine", "q35", "-accel", accel, "-cpu", "max", "-m", "4096", "-smp", "2",
            "-nic", "none", "-display", "none", "-serial", f"file:{self.work / 'console.log'}",
            "-kernel", str(self.image / "vmlinuz"), "-initrd", str(self.image / "initrd.img"),
            "-append", "root=/dev/vda rw console=ttyS0 quiet",
            "-drive", f"file={overlay},if=virtio,format=qcow2",
            "-device", "virtio-serial", "-chardev", f"socket,path={agent_socket},server=on,wait=off,id=agent",
            "-device", "virtserialport,chardev=agent,name=org.qemu.guest_agent.0",
        ]
        if self.share is not None:
            command += ["-virtfs", f"local,path={self.share},mount_tag=bundle,security_model=none,readonly=on"]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(self.work / "qemu.log", "wb"))
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"qemu exited; see {self.work / 'qemu.log'}")
            try:
                self._connect(agent_socket)
                self._sync(timeout=5)
                break
            except (OSError, TimeoutError, ValueError):
                self._disconnect()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the VM's guest agent did not answer ({accel}); see {self.work / 'console.log'}")
                time.sleep(2)
        return self

    def _stop_qemu(self) -> None:
        self._disconnect()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=60)

    def stop(self) -> None:
        self._stop_qemu()
        shutil.rmtree(self.work, ignore_errors=True)

    # -- the guest agent ---------------------------------------------------------

    def _connect(self, path: Path) -> None:
        self.agent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.agent.connect(str(path))
        self.buffer = b""

    def _disconnect(self) -> None:
        if self.agent is not None:
            self.agent.close()
            self.agent = None

    def _send(self, message: dict) -> None:
        self.agent.sendall(json.dumps(message).encode() + b"\n")

    def _receive(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from the guest agent")
            self.agent.settimeout(remaining)
            try:
                chunk = self.agent.recv(65536)
            except socket.timeout:
                raise TimeoutError("no answer from the guest agent") from None
            if not chunk:
                raise OSError("the guest agent closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line.lstrip(b"\xff"))

    def _sync(self, timeout: float) -> None:
        token = int(time.monotonic() * 1000) % 2 ** 31
        self.agent.sendall(b"\xff")  # resets the agent's parser
        self._send({"execute": "guest-sync-delimited", "arguments": {"id": token}})
        while self._receive(timeout).get("return") != token:
            pass

    def _call(self, command: str, timeout: float = 60, **arguments) -> dict:
        self._send({"execute": command, "arguments": arguments})
        answer = self._receive(timeout)
        if "error" in answer:
            raise RuntimeError(f"{command}: {answer['error']}")
        return answer["return"]

    def run(self, *command: str, check: bool = True, timeout: float = 600) -> Completed:
        started = self._call("guest-exec", path=command[0], arg=list(command[1:]), **{"capture-output": True},
                             env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"])
        deadline = time.monotonic() + timeout
        while True:
            status = self._call("guest-exec-status", pid=started["pid"])
            if status["exited"]:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{' '.join(command)} did not finish in the VM")
            time.sleep(0.3)
        decode = lambda key: base64.b64decode(status.get(key, "")).decode(errors="replace")  # noqa: E731
        completed = Completed(status.get("exitcode", -1), decode("out-data"), decode("err-data"))
        if check and completed.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed in the VM: {completed}")
        return completed

    def sh(self, script: str, check: bool = True) -> Completed:
        return self.run("/bin/sh", "-c", script, check=check)

    def install_harden(self, bundle: str) -> None:
        self.sh("mkdir -p /mnt/bundle && mount -t 9p -o trans=virtio,ro bundle /mnt/bundle")
        self.run("sh", f"/mnt/bundle/{bundle}")

    def harden(self, *args: Sequence[str]) -> Completed:
        return self.run("/opt/hardener/bin/harden", *args, check=False)
