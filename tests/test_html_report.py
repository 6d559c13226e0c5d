"""--format html and --output: one self-contained page for people."""
import json
import re

import hosts


def test_dry_run_page_is_self_contained_and_complete(make_root, harden, tmp_path):
    root = make_root("debian")
    start = hosts.snapshot(root)
    page_file = tmp_path / "report.html"
    result = harden("--dry-run", "--root", root, "--format", "html", "--output", page_file)
    assert result.code == 2 and result.out == "", result
    page = page_file.read_text()
    assert page.startswith("<!DOCTYPE html>") and "docker-host-01" in page
    for item in ("icc", "log-level", "file-permissions", "content-trust", "memory-limit"):
        assert f'id="item-{item}"' in page
    assert 'id="status-fail"' in page and 'id="status-not_applicable"' in page
    assert '<span class="diff-del">-    &#34;debug&#34;: true,</span>' in page, "the diff is there, escaped, its lines coloured"
    assert re.search(r'<span class="diff-add">\+[^<]*&#34;icc&#34;: false', page)
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page) and "<script" not in page and "<link" not in page
    assert "<tr><th>CIS</th><th>status</th><th>items</th><th>targets</th></tr>" in page, "the recommendations' table"
    assert " at 0x" not in page, "no Python object shown for a word"
    assert hosts.snapshot(root) == start and not (root / hosts.JOURNAL).exists()


def test_chinese_page_and_check(make_root, harden):
    page = harden("check", "--root", make_root("centos"), "--format", "html", "--lang", "zh").out
    assert '<html lang="zh-CN">' in page and "Docker 安全基线" in page and "不合规" in page and "确认Docker相关的文件具有合适的权限" in page
    assert "<tr><th>CIS</th><th>状态</th><th>检查项</th><th>对象</th></tr>" in page
    assert "where=默认" in page and "where=default" not in page, "harden's own words in the evidence, in the page's language"


def test_html_only_for_reports_and_output_for_every_format(make_root, harden, tmp_path):
    assert "--format html is for check, dry-run, apply and report" in harden("history", "--format", "html").err
    out = tmp_path / "list.json"
    assert harden("list", "--format", "json", "--output", out).code == 0
    assert '"id": "icc"' in out.read_text()
    assert "cannot write" in harden("list", "--output", tmp_path / "missing/dir/x").err


def test_the_page_filters_by_status_and_severity_and_folds_what_does_not_apply(make_root, harden):
    """A box per status the page has and per severity hides what it names (CSS alone, no script); the items that do
    not apply are folded; a failing item's passing findings are marked apart from its failing ones."""
    page = harden("check", "--root", make_root("debian"), "--profile", "cis", "--format", "html").out
    boxes = re.findall(r'<input type="checkbox" id="show-([\w-]+)" checked>', page)
    assert boxes == ["fail", "manual", "pass", "not_applicable", "severity-high", "severity-medium", "severity-low"], boxes
    for box in boxes:
        assert re.search(rf"body:has\(#show-{box}:not\(:checked\)\) (#status-{box}|\.item\.{box}) {{ display: none; }}", page), box
    assert re.search(r'<section id="status-not_applicable">\n<details><summary><h2>Not applicable \(\d+\)</h2></summary>', page)
    files = page.split('id="item-file-permissions"')[1].split('<div class="item')[0]
    assert '<li class="fail">' in files and '<li class="pass">' in files, "3.1 fails on docker.service, /usr/sbin/dockerd passes"
    assert re.search(r'<div class="item severity-high" id="item-file-permissions">', page)
    assert 'li.pass, li.waived { color: #5a6475; list-style: "✓  "; }' in page and "<script" not in page


def test_the_fleet_page_shows_what_matters_first(make_root, harden, tmp_path):
    """Hosts worst first (a run that failed first of all, as an error, not as 0 failing); the items by how many hosts
    fail them; reports of two profiles said to be so, each with its own grid; titles in the page's language though a
    host wrote its report in the other."""
    reports = tmp_path / "reports"
    reports.mkdir()
    harden("check", "--root", make_root("debian", compliant=True), "--format", "json", "--output", reports / "a-clean.json")
    harden("check", "--root", make_root("debian"), "--format", "json", "--lang", "zh", "--output", reports / "b-careless.json")
    harden("check", "--root", make_root("centos"), "--profile", "cis", "--format", "json", "--output", reports / "c-cis.json")
    (reports / "d-broken.json").write_text('{"host": "d-broken", "error": "harden did not run", "items": []}')
    older = json.loads((reports / "c-cis.json").read_text())  # schema 5: a title in the language it was written in
    for item in older["items"]:
        item["title"] = item.pop("titles")["zh"]
    (reports / "e-older-cis.json").write_text(json.dumps(dict(older, schema=5, host="e-older-cis")))
    first = json.loads((reports / "a-clean.json").read_text())  # before profiles: the default one's
    (reports / "f-first.json").write_text(json.dumps({key: value for key, value in first.items() if key not in ("profile", "profile_title")}))
    page = harden("report", *sorted(reports.glob("*.json")), "--format", "html").out
    worst_hosts = page.split("<h2>Hosts, worst first</h2>")[1].split("</table>")[0]
    order = re.findall(r'href="#host-\d+">([\w-]+)</a>', worst_hosts)
    assert order == ["d-broken", "c-cis", "e-older-cis", "b-careless", "a-clean", "f-first"], order
    assert '>d-broken</a></td><td class="name">–</td><td class="error" colspan="3">error</td><td>–</td></tr>' in worst_hosts, worst_hosts
    checked = json.loads((reports / "c-cis.json").read_text())["generated"].replace("T", " ").replace("+00:00", " UTC")
    assert re.search(rf'>c-cis</a>.*?<td>{checked}</td></tr>', worst_hosts), "each host's report time"
    assert "<h1>Docker security baselines: fleet</h1>" in page, "of several profiles: no one profile's title"
    assert re.search(r"<p>6 hosts · [^<]* · made \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by harden \d", page), "the page's own time and harden"
    cis_only = harden("report", reports / "c-cis.json", reports / "e-older-cis.json", "--format", "html", "--lang", "zh").out
    assert "<title>CIS Docker Benchmark 1.8.0：主机群</title>" in cis_only and "由 harden " in cis_only, cis_only[:600]
    assert "These reports are of 2 profiles (cis, aliyun): each has its own table below." in page
    assert page.count("<h2>Every host and item · ") == 2
    grids = page.split("<h2>Every host and item · ")[1:]
    assert ">f-first</a>" in next(grid for grid in grids if grid.startswith("Alibaba Cloud")), "a report before profiles: aliyun's"
    older_cis = page.split("<h2>e-older-cis</h2>")[1].split('<div class="host-report"')[0]
    assert "icc — Traffic between containers is restricted (icc=false)" in older_cis, "the built-in title, in the page's language"
    worst_items = page.split("<h2>Items by hosts failing them</h2>")[1].split("</table>")[0]
    counts = re.findall(r"<td class=\"name\"><b>([\w-]+)</b>.*?</td><td class=\"name\">(\w+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>", worst_items)
    assert counts and [int(failing) for _, _, failing, _ in counts] == sorted((int(f) for _, _, f, _ in counts), reverse=True)
    assert ("icc", "aliyun", "1", "0") in counts and ("icc", "cis", "2", "0") in counts, counts
    careless = page.split("<h2>b-careless</h2>")[1].split('<div class="host-report"')[0]
    assert "icc — Traffic between containers is restricted" in careless and "限制容器之间的网络流量" not in careless
