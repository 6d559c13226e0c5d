#!/usr/bin/env python3
"""The whole `harden check --profile cis` (all sections) on this live host, beside two floors.

At N = 0 and 100 running containers (labelled; the machine's other containers count as they are), alternating:
  - the files floor: a bare Python process that lists and inspects every container over the Engine's socket (one
    keep-alive connection) and reads the files sections 1 to 3 read (the docker units and their drop-ins,
    daemon.json, /etc/default/docker, the audit rules, the certificates directory), and nothing else;
  - the I/O floor: a bare Python process that does the I/O harden's own check did, traced by strace just before:
    every path it opened (a file read whole), stat'ed or read the link of, as it did (no directory listed),
    Python's, OpenSSL's and augeas' own files left out, and every request it made of the engine, the same paths
    in the same order on one keep-alive connection; nothing else. It asks what the files floor does not (the engine's /info and
    /version, which sections 2 and 1 need) and is what harden cannot do without;
  - harden check --profile cis;
and prints the medians, harden's ratio to each floor, and the processes harden starts (strace's execve count,
harden's own start left out). Goals (issue 22): within 2.5 x the floor; at most 4 processes besides one
`systemctl --user` per rootless user. Everything it makes it removes again, by id.

    sudo .venv/bin/python bench/cis_check.py [--runs 5] [N ...]
"""
import argparse
import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from containers import ENGINE_CLIENT, timed  # noqa: E402
from docker_lab import Engine, Lab  # noqa: E402

FILES_FLOOR = ENGINE_CLIENT + """
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

# The I/O floor's engine client: HTTP/1.1 over the unix socket with the standard library's socket alone, as harden's
# own client is (http.client would add its imports, ssl and the email parser, to the floor).
IO_FLOOR = r"""
import json, os, socket, stat, sys
paths, requests = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for kind, path in paths:
    try:
        if kind == "stat":
            os.stat(path)
        elif kind == "link":
            os.readlink(path)
        else:
            with open(path, "rb") as file:
                if stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    file.read()
    except OSError:
        pass
engine = socket.socket(socket.AF_UNIX)
engine.connect("/var/run/docker.sock")
buffer = b""
def until(marker):
    global buffer
    while marker not in buffer:
        buffer += engine.recv(1 << 20)
    found, _, buffer = buffer.partition(marker)
    return found
def exactly(size):
    global buffer
    while len(buffer) < size:
        buffer += engine.recv(1 << 20)
    found, buffer = buffer[:size], buffer[size:]
    return found
for path in requests:
    engine.sendall(f"GET {path} HTTP/1.1\r\nHost: docker\r\n\r\n".encode())
    headers = until(b"\r\n\r\n").decode("latin-1").lower()
    if "transfer-encoding: chunked" in headers:
        body = b""
        while True:
            size = int(until(b"\r\n").split(b";")[0], 16)
            body += exactly(size + 2)[:size]
            if not size:
                break
    else:
        body = exactly(int(headers.split("content-length:")[1].split("\r\n")[0]))
    json.loads(body) if "/events?" not in path else body  # the events: a stream of JSON values
"""

PYTHONS = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parent.parent)})
OWN_FILES = re.compile(r"\.(py|pyc|so(\.[0-9.]+)?|aug|pth)$|/__pycache__|/locale|^/etc/ld\.so|^/usr/share/augeas|^/usr/lib/ssl/|/python3")
TRACED_PATH = re.compile(r'^(\d+) +(openat|newfstatat|statx|stat|lstat|readlinkat|readlink)\((?:(?:AT_FDCWD|\d+), )?"([^"]+)"')
KINDS = {"openat": "read", "readlink": "link", "readlinkat": "link"}  # the others: "stat"
REQUEST = re.compile(r'"GET (\S+) HTTP/1\.1\\r\\n')


def harden_io(argv):
    """The paths and engine requests of one run of harden (see the I/O floor above), as strace saw them."""
    with tempfile.NamedTemporaryFile(mode="r") as trace:
        subprocess.run(["strace", "-f", "-qq", "-s", "4096", "-e", "signal=none", "-o", trace.name,
                        "-e", "trace=openat,newfstatat,statx,stat,lstat,readlink,readlinkat,write,sendto",
                        *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = trace.read().splitlines()
    own = {line.split()[0] for line in lines[:1]}  # harden's main process
    paths, requests = [], []
    for line in lines:
        found = TRACED_PATH.match(line)
        if found:
            pid, call, path = found.groups()
            if not path.startswith("/") or path.startswith(PYTHONS) or OWN_FILES.search(path):
                continue
            if pid in own:
                path = re.sub(rf"^/proc/{pid}(?=/|$)", "/proc/self", path)
            if [KINDS.get(call, "stat"), path] not in paths:
                paths.append([KINDS.get(call, "stat"), path])
        requests += REQUEST.findall(line)
    return paths, requests


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
    print(f"{'containers':>10}  {'files s':>8}  {'ratio':>6}  {'I/O s':>8}  {'ratio':>6}  {'harden s':>8}  {'processes':>9}")
    with Engine():
        lab = Lab()
        try:
            lab.build_image()
            made = 0
            for size in args.sizes:
                while made < size:
                    lab.container("--label", f"hardener.bench={lab.token}")
                    made += 1
                paths, requests = harden_io(argv)
                io_floor = [sys.executable, "-c", IO_FLOOR, json.dumps(paths), json.dumps(requests)]
                files, io, ours = [], [], []
                for _ in range(args.runs):
                    files.append(timed([sys.executable, "-c", FILES_FLOOR]))
                    io.append(timed(io_floor))
                    ours.append(timed(argv, codes=(0, 1, 2)))
                harden = statistics.median(ours)
                print(f"{size:>10}  {statistics.median(files):>8.3f}  {harden / statistics.median(files):>6.2f}  "
                      f"{statistics.median(io):>8.3f}  {harden / statistics.median(io):>6.2f}  {harden:>8.3f}  "
                      f"{processes(argv):>9}  ({len(paths)} paths, {len(requests)} requests)", flush=True)
        finally:
            lab.cleanup()
    print("goals: within 2.5 x the floor; at most 4 processes (besides one systemctl --user per rootless user)")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it starts containers on the local dockerd")
    main()
