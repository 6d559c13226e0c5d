"""Headless Chromium as the tests, the documentation's screenshots (scripts/doc-samples) and the fleet page's
benchmark (bench/fleet_report.py) run it: one set of flags, a profile directory of the caller's."""
import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--window-size=1200,1400")


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Chromium on `page` with `args` (--screenshot=PNG, --print-to-pdf=PDF, ...); its profile and HOME in `profile`."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium; scripts/setup-dev installs it)")
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, HOME=str(profile)))
