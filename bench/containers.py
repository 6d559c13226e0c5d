#!/usr/bin/env python3
"""harden's check of the six container items against the floor the Engine API allows.

On the local dockerd (started here when none answers), at N = 0, 100 and 200
running containers of mixed settings (one in six created privileged, which
this kind of machine cannot run), it runs, alternating:
  - the floor: a bare Python process that lists and inspects the same
    containers over the Engine's socket (one keep-alive connection) and does
    nothing else;
  - harden check of no-privileged, no-sensitive-mounts, memory-limit,
    readonly-rootfs, no-host-pid and no-docker-sock on them;
and prints the medians, harden's ratio to the floor, and the Engine requests
and docker processes harden made. With --docker-bench DIR (a copy of
docker-bench-security; nothing is downloaded) it times that tool's same six
checks too. Last, `harden --help` against `python -c 'import click'` with the
same interpreter. Everything it makes it removes again, by id.

With --cis it times the cis profile's items of sections 4 to 6 instead (47 items
on the same pass, plus one image inspect and history per image).

    sudo .venv/bin/python bench/containers.py [--runs 5] [--cis] [--docker-bench DIR] [N ...]
"""
import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from docker_lab import CountingProxy, Engine, Lab  # noqa: E402

ITEMS = "no-privileged,no-sensitive-mounts,memory-limit,readonly-rootfs,no-host-pid,no-docker-sock"
MIX = (("--pid=host",), ("--read-only",), ("--memory", "64m"), ("-v", "/etc/ssl:/x:ro"), ("-v", "/var/run/docker.sock:/s"), ())
# A floor's client: one keep-alive connection to the Engine's socket, and get(path) -> JSON.
ENGINE_CLIENT = """
import http.client, json, socket, sys
class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect("/var/run/docker.sock")
connection = Unix("docker")
def get(path):
    connection.request("GET", path); return json.loads(connection.getresponse().read())
"""
FLOOR = ENGINE_CLIENT + """
key, _, value = sys.argv[1].partition("=")
for entry in get("/containers/json?all=1"):
    if (entry.get("Labels") or {}).get(key) == value:
        get("/containers/" + entry["Id"] + "/json")
"""
GOALS = ("goals: at N=100 harden within 2 x the floor; harden at N=200 within 1.5 x harden at N=100; "
         "harden --help within 1.3 x python -c 'import click'")


def timed(argv, env=None, codes=(0,), cwd=None) -> float:
    started = time.monotonic()
    completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    elapsed = time.monotonic() - started
    if completed.returncode not in codes:
        sys.exit(f"{' '.join(argv[:4])} exited {completed.returncode}: {completed.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def harden_argv(label, selection=("--only", ITEMS), profile="aliyun"):
    return [sys.executable, "-m", "hardener", "check", "--profile", profile, *selection, "--container", f"label={label}",
            "--format", "json"]


def cis_selection() -> tuple:
    """The cis profile's items that read the engine's containers and images (sections 4 to 6), the others
    skipped rather than these named: named, the items harden applies only when named would plan their changes,
    which `harden check --profile cis` does not."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from hardener.profiles import profile_fixes

    return ("--skip", ",".join(fix.id for fix in profile_fixes("cis") if fix.cis.split(".")[0] not in ("4", "5", "6")))


def harden_reads(argv, work: Path):
    """One run through a counting proxy and a counting `docker`: its Engine requests and docker processes."""
    proxy = CountingProxy(work / "engine.sock")
    shim = work / "bin"
    shim.mkdir()
    real = subprocess.run(["sh", "-c", "command -v docker"], capture_output=True, text=True).stdout.strip()
    (shim / "docker").write_text(f'#!/bin/sh\necho "$1" >> {work}/calls\nexec {real} "$@"\n')
    (shim / "docker").chmod(0o755)
    env = dict(os.environ, DOCKER_HOST=f"unix://{proxy.path}", PATH=f"{shim}:{os.environ['PATH']}")
    try:
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        proxy.close()
    calls = work / "calls"
    return len(proxy.requests), len(calls.read_text().splitlines()) if calls.exists() else 0


def docker_bench(directory: Path, name_pattern: str) -> float:
    """Its same six checks, on the containers whose names match (it has no label filter: the earlier sizes' count too)."""
    checks = "check_5_5,check_5_6,check_5_11,check_5_13,check_5_16,check_5_32"
    # it sources ./functions/ and ./tests/ from where it runs, and is a bash script
    return timed(["bash", "docker-bench-security.sh", "-c", checks, "-i", name_pattern], cwd=directory)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[0, 100, 200])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--docker-bench", type=Path)
    parser.add_argument("--cis", action="store_true", help="the cis profile's items of sections 4-6, not the baseline's six")
    args = parser.parse_args()
    # pip compiles harden's modules when it installs it; an editable install under
    # PYTHONDONTWRITEBYTECODE never does, and every run would compile them again.
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "hardener", quiet=1)
    results = {}
    print(f"{'containers':>10}  {'floor s':>8}  {'harden s':>8}  {'ratio':>6}  {'requests':>8}  {'docker':>6}"
          + ("  docker-bench s" if args.docker_bench else ""))
    with Engine():
        lab = Lab()
        try:
            lab.build_image()
            for size in args.sizes:
                label = f"hardener.bench={lab.token}-{size}"
                argv = harden_argv(label, cis_selection(), "cis") if args.cis else harden_argv(label)
                for number in range(size):
                    settings = MIX[number % len(MIX)]
                    if number % 6 == 5:
                        lab.container("--label", label, "--privileged", create=True)
                    else:
                        lab.container("--label", label, *settings)
                floor, ours = [], []
                for _ in range(args.runs):  # alternating, so that load on the machine falls on both
                    floor.append(timed([sys.executable, "-c", FLOOR, label]))
                    ours.append(timed(argv, codes=(0, 2)))  # 2: items failing, as they are here
                with tempfile.TemporaryDirectory() as work:
                    requests, processes = harden_reads(argv, Path(work))
                results[size] = statistics.median(ours)
                line = (f"{size:>10}  {statistics.median(floor):>8.3f}  {results[size]:>8.3f}  "
                        f"{results[size] / statistics.median(floor):>6.2f}  {requests:>8}  {processes:>6}")
                if args.docker_bench:
                    theirs = statistics.median([docker_bench(args.docker_bench, f"ht-{lab.token}") for _ in range(args.runs)])
                    line += f"  {theirs:>14.2f}"
                print(line, flush=True)
        finally:
            lab.cleanup()
    if 100 in results and 200 in results:
        print(f"harden at N=200 / at N=100: {results[200] / results[100]:.2f}")
    click = [timed([sys.executable, "-c", "import click"]) for _ in range(9)]
    script = Path(sys.executable).parent / "harden"  # the console script an administrator runs
    help_ = [timed([str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "hardener"]), "--help"])
             for _ in range(9)]
    print(f"harden --help {statistics.median(help_):.3f} s, python -c 'import click' {statistics.median(click):.3f} s: "
          f"{statistics.median(help_) / statistics.median(click):.2f} x")
    print(GOALS)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: it starts containers on the local dockerd")
    main()
