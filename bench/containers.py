#!/usr/bin/env python3
"""How `harden check` scales with the number of containers.

Starts N containers (0, 50, 200 by default) with a mix of settings on the local
dockerd (started here when none answers), runs `harden check` of the container
items on them, and prints the wall time and the number of docker processes
harden ran. Everything it makes it removes again, by id.

    sudo .venv/bin/python bench/containers.py [N ...]
"""
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from docker_lab import Engine, Lab, live_harden  # noqa: E402

MIX = (("--pid=host",), ("--read-only",), ("--memory", "64m"), ("--privileged",), ("-v", "/etc/ssl:/x:ro"), ())


def counting_docker(directory: Path) -> Path:
    real = subprocess.run(["sh", "-c", "command -v docker"], capture_output=True, text=True).stdout.strip()
    shim = directory / "docker"
    shim.write_text(f'#!/bin/sh\necho "$1" >> {directory}/calls\nexec {real} "$@"\n')
    shim.chmod(stat.S_IRWXU)
    return directory


def main(sizes):
    print(f"{'containers':>10}  {'seconds':>8}  {'docker calls':>12}")
    with Engine():
        lab = Lab()
        try:
            lab.build_image()
            for size in sizes:
                label = f"hardener.bench={lab.token}-{size}"
                for number in range(size):
                    lab.container("--label", label, *MIX[number % len(MIX)], create=True)
                with tempfile.TemporaryDirectory() as work:
                    shim = counting_docker(Path(work))
                    started = time.monotonic()
                    result = live_harden(Path(work) / "journal", "check", "--skip", "file-permissions,content-trust",
                                         "--container", f"label={label}", "--format", "json", path_prefix=shim)
                    elapsed = time.monotonic() - started
                    calls = len((shim / "calls").read_text().splitlines()) if (shim / "calls").exists() else 0
                if result.code not in (0, 2):
                    sys.exit(f"harden check failed: {result.err}")
                print(f"{size:>10}  {elapsed:>8.2f}  {calls:>12}")
        finally:
            lab.cleanup()


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it starts containers and binds a private /var/lib for harden's journal")
    main([int(arg) for arg in sys.argv[1:]] or [0, 50, 200])
