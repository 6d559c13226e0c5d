#!/usr/bin/env python3
"""The whole `harden check --profile cis` (all sections) on this live host, beside a floor.

At N = 0 and 100 running containers (labelled; the machine's other containers count as they are), alternating:
  - the floor: a bare Python process that lists and inspects every container over the Engine's socket (one
    keep-alive connection) and reads the files sections 1 to 3 read (the docker units and their drop-ins,
    daemon.json, /etc/default/docker, the audit rules, the certificates directory), and nothing else;
  - harden check --profile cis;
and prints the medians, their ratio, and the processes harden starts (strace's execve count, harden's own
start left out). Goals (issue 22): within 2.5 x the floor; at most 4 processes besides one `systemctl --user`
per rootless user. Everything it makes it removes again, by id.

    sudo .venv/bin/python bench/cis_check.py [--runs 5] [N ...]
"""
import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from containers import ENGINE_CLIENT, timed  # noqa: E402
from docker_lab import Engine, Lab  # noqa: E402

FLOOR = ENGINE_CLIENT + """
import glob, os
for entry in get("/containers/json?all=1"):
    get("/containers/" + entry["Id"] + "/json")
paths = ["/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket", "/etc/docker/daemon.json",
         "/etc/default/docker", "/etc/audit/audit.rules"] + glob.glob("/etc/systemd/system/docker.*.d/*")
paths += glob.glob("/etc/audit/rules.d/*.rules") + glob.glob("/etc/docker/certs.d/*/*")
for path in paths:
    try:
        os.stat(path); open(path, "rb").read()
    except OSError:
        pass
"""


def processes(argv) -> int:
    """The processes a run starts: execve calls strace sees, less the run's own."""
    with tempfile.NamedTemporaryFile(mode="r") as trace:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", trace.name, *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return max(0, sum(1 for line in trace if "execve(" in line and "= 0" in line) - 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[0, 100])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "hardener", quiet=1)
    argv = [sys.executable, "-m", "hardener", "check", "--profile", "cis", "--format", "json"]
    print(f"{'containers':>10}  {'floor s':>8}  {'harden s':>8}  {'ratio':>6}  {'processes':>9}")
    with Engine():
        lab = Lab()
        try:
            lab.build_image()
            made = 0
            for size in args.sizes:
                while made < size:
                    lab.container("--label", f"hardener.bench={lab.token}")
                    made += 1
                floor, ours = [], []
                for _ in range(args.runs):
                    floor.append(timed([sys.executable, "-c", FLOOR]))
                    ours.append(timed(argv, codes=(0, 1, 2)))
                ratio = statistics.median(ours) / statistics.median(floor)
                print(f"{size:>10}  {statistics.median(floor):>8.3f}  {statistics.median(ours):>8.3f}  {ratio:>6.2f}  "
                      f"{processes(argv):>9}", flush=True)
        finally:
            lab.cleanup()
    print("goals: within 2.5 x the floor; at most 4 processes (besides one systemctl --user per rootless user)")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it starts containers on the local dockerd")
    main()
