#!/usr/bin/env python3
"""The whole `harden check --profile cis` (all sections) on this live host, beside three floors.

At N = 0 and 100 running containers (labelled; the machine's other containers count as they are), alternating:
  - the files floor: a bare Python process that lists and inspects every container over the Engine's socket (one
    keep-alive connection, the standard library's socket alone, as harden's client) and reads the files sections 1 to 3 read (the docker units and their drop-ins,
    daemon.json, /etc/default/docker, the audit rules, the certificates directory), and nothing else;
  - the I/O floor: a bare Python process that does the I/O harden's own check did, traced by strace just before
    (harden's process and threads; the processes it starts do their own): each path it opened (a file read whole),
    stat'ed (following links or not, as it did) or read the link of, once, Python's, harden's own (code, templates,
    lenses) and the libraries' files (OpenSSL's, locales) left out, no directory listed; and every request it made
    of the engine, the same paths, the inspects over as many connections as harden's client uses and the rest in
    order on one. It asks what the files floor does not (the engine's /info and /version, which sections 2 and 1
    need): what of harden's time is its own shows against it;
  - the stack floor: the files floor with click imported first, as every program of this project's stack starts:
    what of harden's time is its own shows against it too;
  - harden check --profile cis;
and prints the medians, harden's ratio to each floor, and the processes harden starts (strace's execve count,
harden's own start left out). Goals (issue 22): within 2.5 x the files floor; at most 4 processes besides one
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
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from containers import timed  # noqa: E402
from docker_lab import Engine, Lab  # noqa: E402

# The floors' engine client: HTTP/1.1 over the unix socket with the standard library's socket alone, as harden's own
# client is (http.client would add its imports, ssl and the email parser, to a floor: 15 ms, a third of one).
CLIENT = r"""
import json, os, socket, stat, sys, threading
class Connection:
    def __init__(self):
        self.engine, self.buffer = socket.socket(socket.AF_UNIX), bytearray()
        self.engine.connect("/var/run/docker.sock")
    def fill(self):
        data = self.engine.recv(1 << 20)
        if not data:
            raise SystemExit("the engine closed the connection")
        self.buffer += data
    def until(self, marker):
        while (at := self.buffer.find(marker)) < 0:
            self.fill()
        found = bytes(self.buffer[:at]); del self.buffer[:at + len(marker)]
        return found
    def exactly(self, size):
        while len(self.buffer) < size:
            self.fill()
        found = bytes(self.buffer[:size]); del self.buffer[:size]
        return found
    def get(self, path):
        self.engine.sendall(f"GET {path} HTTP/1.1\r\nHost: docker\r\n\r\n".encode())
        headers = self.until(b"\r\n\r\n").decode("latin-1").lower()
        if "transfer-encoding: chunked" in headers:
            parts = []
            while size := int(self.until(b"\r\n").split(b";")[0], 16):
                parts.append(self.exactly(size + 2)[:size])
            self.exactly(2)
            body = b"".join(parts)
        elif "content-length:" in headers:
            body = self.exactly(int(headers.split("content-length:")[1].split("\r\n")[0]))
        else:
            raise SystemExit(f"GET {path}: an answer without a length")
        return json.loads(body) if "/events?" not in path else body  # the events: a stream of JSON values

"""

FILES_FLOOR = CLIENT + r"""
import glob
engine = Connection()
for entry in engine.get("/containers/json?all=1"):
    engine.get("/containers/" + entry["Id"] + "/json")
paths = ["/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket", "/etc/docker/daemon.json",
         "/etc/default/docker", "/etc/audit/audit.rules"] + glob.glob("/etc/systemd/system/docker.*.d/*")
paths += glob.glob("/etc/audit/rules.d/*.rules") + glob.glob("/etc/docker/certs.d/*/*")
for path in paths:
    try:
        os.stat(path); open(path, "rb").read()
    except OSError:
        pass
"""

STACK_FLOOR = "import click\n" + FILES_FLOOR

# The I/O floor: the inspects over as many connections at once as harden's client uses (engine_api.POOL), the other
# requests in order on one.
IO_FLOOR = CLIENT + r"""
with open(sys.argv[1]) as file:
    paths, requests, inspects, pool = json.load(file)
for kind, path in paths:
    try:
        if kind == "stat":
            os.stat(path)
        elif kind == "lstat":
            os.lstat(path)
        elif kind == "link":
            os.readlink(path)
        else:
            with open(path, "rb") as file:
                if stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    file.read()
    except OSError:
        pass

first = Connection()
for path in requests:
    first.get(path)
connections = [first] + [Connection() for _ in range(pool - 1)]
threads = [threading.Thread(target=lambda c, share: [c.get(path) for path in share], args=(c, inspects[n::pool]))
           for n, c in enumerate(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""

CHECKOUT = Path(__file__).resolve().parent.parent
# Harden's own files, not the host's: the interpreter's and its packages', harden's code, templates and lenses,
# and what the libraries load (OpenSSL's configuration, the C library's locales)
OWN_DIRECTORIES = tuple({*(sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")),
                         str(CHECKOUT / "hardener"), str(CHECKOUT / "templates"), "/usr/share/augeas", "/usr/lib/ssl",
                         "/usr/lib/locale", "/usr/share/locale"})
OWN_FILES = re.compile(r"\.(py|pyc|so(\.[0-9.]+)?|pth)$|^/etc/ld\.so\.|/gconv/")
TRACED_PATH = re.compile(r'^(\d+) +(openat|newfstatat|statx|stat|lstat|readlinkat|readlink)\((?:(?:AT_FDCWD|\d+), )?"((?:[^"\\]|\\.)+)"(.*)')
STARTED = re.compile(r'^(\d+) +execve\(')
REQUEST = re.compile(r'"GET (\S+) HTTP/1\.1\\r\\n')
INSPECT = re.compile(r"(/v1\.\d+)?/containers/[^/?]+/json")


def _own(path: str) -> bool:
    return any(path == directory or path.startswith(directory + "/") for directory in OWN_DIRECTORIES) or bool(OWN_FILES.search(path))


def _kind(call: str, rest: str) -> str:
    if call == "openat":
        return "read"
    if call.startswith("readlink"):
        return "link"
    return "lstat" if call == "lstat" or "AT_SYMLINK_NOFOLLOW" in rest else "stat"


def harden_io(argv, work: Path) -> Path:
    """A file of the paths and engine requests of one run of harden (see the I/O floor above), as strace saw them:
    harden's own process and its threads, not the processes it starts."""
    trace = work / "trace"
    traced = subprocess.run(["strace", "-f", "-qq", "-s", "4096", "-e", "signal=none", "-o", str(trace), "-e",
                             "trace=openat,newfstatat,statx,stat,lstat,readlink,readlinkat,write,sendto,execve", *argv],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if traced.returncode not in (0, 1, 2):
        sys.exit(f"harden under strace exited {traced.returncode}: {traced.stderr.decode(errors='replace')[-500:]}")
    lines = trace.read_text(errors="replace").splitlines()
    main_pid = lines[0].split()[0]
    children = {found.group(1) for found in map(STARTED.match, lines[1:]) if found and found.group(1) != main_pid}
    paths, requests = [], []
    for line in lines:
        if line.split()[0] in children:
            continue
        found = TRACED_PATH.match(line)
        if found:
            _, call, path, rest = found.groups()
            path = re.sub(rf"^/proc/{main_pid}(?=/|$)", "/proc/self", path.encode().decode("unicode_escape"))
            if path.startswith("/") and not _own(path) and [_kind(call, rest), path] not in paths:
                paths.append([_kind(call, rest), path])
        requests += REQUEST.findall(line)
    sys.path.insert(0, str(CHECKOUT))
    from hardener.facts.engine_api import POOL

    inspects = [path for path in requests if INSPECT.fullmatch(path)]
    others = [path for path in requests if path not in inspects]
    listed = work / "io.json"
    listed.write_text(json.dumps([paths, others, inspects, min(POOL, len(inspects) // 8 + 1)]))
    return listed


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
    print(f"{'containers':>10}  {'files s':>8}  {'ratio':>6}  {'stack s':>8}  {'ratio':>6}  {'I/O s':>8}  {'ratio':>6}  "
          f"{'harden s':>8}  {'processes':>9}")
    with Engine(), tempfile.TemporaryDirectory() as work:
        lab = Lab()
        try:
            lab.build_image()
            made = 0
            for size in args.sizes:
                while made < size:
                    lab.container("--label", f"hardener.bench={lab.token}")
                    made += 1
                listed = harden_io(argv, Path(work))
                io_floor = [sys.executable, "-c", IO_FLOOR, str(listed)]
                paths, others, inspects, _ = json.loads(listed.read_text())
                requests = others + inspects
                files, stack, io, ours = [], [], [], []
                for _ in range(args.runs):
                    files.append(timed([sys.executable, "-c", FILES_FLOOR]))
                    stack.append(timed([sys.executable, "-c", STACK_FLOOR]))
                    io.append(timed(io_floor))
                    ours.append(timed(argv, codes=(0, 1, 2)))
                harden = statistics.median(ours)
                floors = "  ".join(f"{statistics.median(floor):>8.3f}  {harden / statistics.median(floor):>6.2f}"
                                   for floor in (files, stack, io))
                print(f"{size:>10}  {floors}  {harden:>8.3f}  "
                      f"{processes(argv):>9}  ({len(paths)} paths, {len(requests)} requests)", flush=True)
        finally:
            lab.cleanup()
    print("goals: within 2.5 x the files floor; at most 4 processes (besides one systemctl --user per rootless user)")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it starts containers on the local dockerd")
    main()
