"""The HTML pages render in a real headless Chromium without errors. (The screenshots the README shows are
scripts/doc-samples'.)"""
import re
from pathlib import Path

import pytest

import hosts
from chromium import CHROMIUM, chromium

DEMO = Path(__file__).parent.parent / "examples" / "demo-host"


def screenshot(page: Path, png: Path, tmp_path: Path):
    result = chromium(page, tmp_path / "chromium-profile", "--enable-logging=stderr", "--v=0", f"--screenshot={png}")
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
    for name, page in pages.items():
        screenshot(page, tmp_path / f"{name}.png", tmp_path)


def printed_pages(page: Path, tmp_path: Path) -> int:
    """How many pages Chromium prints the page on: what its CSS hides is not printed."""
    pdf = tmp_path / f"{page.stem}.pdf"
    result = chromium(page, tmp_path / "chromium-profile", f"--print-to-pdf={pdf}")
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


def test_a_fleet_grid_of_many_hosts_is_paged_and_their_findings_folded(tmp_path, harden):
    """120 hosts: the grid shows 50 at a time (radio buttons and the page's CSS, no script), every host in one page;
    each host's findings are folded until opened. Chromium draws one page of the grid, not all of them."""
    checked = harden("check", "--root", hosts.build(tmp_path / "root", hosts.out_of_line(hosts.LAYOUTS["debian"]())), "--format", "json")
    reports = tmp_path / "reports"
    reports.mkdir()
    for number in range(120):
        (reports / f"host-{number:03d}.json").write_text(checked.out.replace('"host": "', f'"host": "h{number:03d}-', 1))
    page = harden("report", *sorted(reports.glob("*.json")), "--format", "html").out
    assert re.findall(r'<input type="radio" name="grid-1" id="grid-1-(\d)"( checked)?><label for="grid-1-\d">([^<]+)</label>', page) == [
        ("1", " checked", "hosts 1–50"), ("2", "", "hosts 51–100"), ("3", "", "hosts 101–120")]
    assert "#grid-1 tbody { display: none; } body:has(#grid-1-1:checked) #grid-1 tbody.page-1 { display: table-row-group; }" in page
    pages = re.findall(r'<tbody class="page-(\d)">(.*?)</tbody>', page, re.S)
    assert [(number, rows.count("<tr>")) for number, rows in pages] == [("1", 50), ("2", 50), ("3", 20)]
    in_grid = re.findall(r'<td class="host"><a href="#host-\d+">([\w-]+)</a>', "".join(rows for _, rows in pages))
    assert sorted(in_grid) == sorted(f"host-{number:03d}" for number in range(120))
    assert page.count("<details><summary>") == 120 and re.search(r"<summary>\d+ failing, \d+ manual: the findings</summary>", page)
    shown = {"first": page, "third": page.replace('id="grid-1-1" checked>', 'id="grid-1-1">').replace('id="grid-1-3">', 'id="grid-1-3" checked>'),
             "all": page.replace("#grid-1 tbody { display: none; }", "")}
    for name, text in shown.items():
        (tmp_path / f"{name}.html").write_text(text)
    printed = {name: printed_pages(tmp_path / f"{name}.html", tmp_path) for name in shown}
    assert printed["all"] > printed["first"] > printed["third"] >= 1, printed
