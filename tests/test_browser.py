"""The HTML pages render in a real headless Chromium without errors.

With HARDENER_SCREENSHOTS=docs the test also keeps its screenshots there (the README shows them)."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import hosts

DEMO = Path(__file__).parent.parent / "examples" / "demo-host"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, png: Path, tmp_path: Path):
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1200,1400", f"--screenshot={png}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "CONSOLE" not in result.stderr and "Uncaught" not in result.stderr, result.stderr
    assert png.stat().st_size > 20000, "a page with content, not a blank one"


@pytest.fixture
def pages(tmp_path, harden):
    zh = tmp_path / "report-zh.html"
    assert harden("--dry-run", "--root", DEMO, "--lang", "zh", "--format", "html", "--output", zh).code == 2
    reports = tmp_path / "reports"
    reports.mkdir()
    for name, kind in (("web-01", "debian"), ("db-01", "centos")):
        root = hosts.build(tmp_path / name, hosts.out_of_line(hosts.LAYOUTS[kind]()))
        harden("check", "--root", root, "--format", "json", "--output", reports / f"{name}.json")
    compliant = hosts.build(tmp_path / "cache-01", hosts.LAYOUTS["debian"]())
    harden("check", "--root", compliant, "--format", "json", "--output", reports / "cache-01.json")
    fleet = tmp_path / "fleet.html"
    assert harden("report", *sorted(reports.glob("*.json")), "--format", "html", "--output", fleet).code == 0
    return {"report": zh, "fleet": fleet}


def test_pages_render_in_chromium(pages, tmp_path):
    assert CHROMIUM, "scripts/setup-dev installs chromium"
    keep = os.environ.get("HARDENER_SCREENSHOTS")
    for name, page in pages.items():
        png = tmp_path / f"{name}.png"
        screenshot(page, png, tmp_path)
        if keep:
            shutil.copy(png, Path(keep) / f"{name}.png")


def printed_pages(page: Path, tmp_path: Path) -> int:
    """How many pages Chromium prints the page on: what its CSS hides is not printed."""
    pdf = tmp_path / f"{page.stem}.pdf"
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                             f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and pdf.exists(), result.stderr
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_the_page_s_filters_hide_what_they_name_in_chromium(tmp_path, harden):
    """Unticking a status or a severity hides those items in a real browser (the page's CSS, no script)."""
    page = harden("check", "--root", hosts.build(tmp_path / "root", hosts.LAYOUTS["debian"]()), "--profile", "cis", "--format", "html").out
    ticked = {name: tmp_path / f"{name}.html" for name in ("all", "no-pass", "no-pass-no-low")}
    ticked["all"].write_text(page)
    without_pass = page.replace('id="show-pass" checked>', 'id="show-pass">')
    ticked["no-pass"].write_text(without_pass)
    ticked["no-pass-no-low"].write_text(without_pass.replace('id="show-severity-low" checked>', 'id="show-severity-low">'))
    pages = {name: printed_pages(path, tmp_path) for name, path in ticked.items()}
    assert pages["all"] > pages["no-pass"] > pages["no-pass-no-low"] >= 1, pages
