#!/usr/bin/env python3
"""How long `harden report` takes to make the fleet page, and how large the page is, for 10, 100 and 1,000 hosts.

Each host's report is the cis profile's check of a copy of examples/demo-host (about 100 KB of JSON), named
host-NNNN; the page is written with --format html. Prints one line per fleet size: hosts, seconds to write the
page, MB of page, and seconds headless Chromium takes to open it and draw it whole (a screenshot of its first
screen; its own start included), where chromium is installed. The goal (issue 25): at 1,000 hosts written in
under 2 s, and opened by a browser in under 3 s.

    .venv/bin/python bench/fleet_report.py [HOSTS ...]"""
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def main() -> None:
    sizes = [int(size) for size in sys.argv[1:]] or [10, 100, 1000]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        shutil.copytree(CHECKOUT / "examples/demo-host", work / "demo-host", symlinks=True)
        checked = subprocess.run([sys.executable, "-m", "hardener", "--root", str(work / "demo-host"), "--profile", "cis", "check",
                                  "--format", "json"], capture_output=True, text=True, cwd=CHECKOUT)
        document = json.loads(checked.stdout)
        print(f"{'hosts':>6}  {'seconds':>8}  {'page MB':>8}  {'opened s':>8}")
        for size in sizes:
            reports = work / f"reports-{size}"
            reports.mkdir()
            for number in range(size):
                (reports / f"host-{number:04d}.json").write_text(json.dumps(dict(document, host=f"host-{number:04d}")))
            page = work / f"fleet-{size}.html"
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "hardener", "report", *sorted(map(str, reports.glob("*.json"))), "--format", "html",
                            "--output", str(page)], check=True, cwd=CHECKOUT)
            written = time.monotonic() - started
            print(f"{size:>6}  {written:>8.2f}  {page.stat().st_size / 2 ** 20:>8.1f}  {opened(page, work):>8}")


def opened(page: Path, work: Path) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from chromium import CHROMIUM, chromium

    if not CHROMIUM:
        return "-"
    started = time.monotonic()
    done = chromium(page, work / "chromium", f"--screenshot={work / 'first-screen.png'}")
    if done.returncode != 0:
        sys.exit(f"chromium failed on {page}: {done.stderr[-500:]}")
    return f"{time.monotonic() - started:.2f}"


if __name__ == "__main__":
    main()
