"""A verdict per recommendation (the JSON's "recommendations", the text's and the HTML's table): an item that
answers several recommendations gives each its own, from the findings that answer it. Every item that answers
more than one is here: file-permissions (3.1–3.6), config-file-permissions (3.7–3.24), audit-docker-files
(1.1.3–1.1.18)."""
import json
import os

import hosts
from conftest import run_harden
from test_audit_item import with_auditd


def verdicts(root, *args):
    result = run_harden("check", "--root", root, "--profile", "cis", "--format", "json", *args)
    assert result.code in (0, 2), result
    assert result.json["schema"] == 6
    return {entry["id"]: entry for entry in result.json["recommendations"]}, result.json


def test_an_owner_and_a_mode_are_two_recommendations(make_root):
    """The careless host: docker.service root:root 0664, docker.socket 1000:root 0644, /etc/docker root:root 0777,
    and daemon.json made root:root 0666 here."""
    root = make_root("debian")
    os.chmod(root / "etc/docker/daemon.json", 0o666)
    table, document = verdicts(root, "--only", "file-permissions,config-file-permissions")
    statuses = {number: table[number]["status"] for number in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.17", "3.18")}
    assert statuses == {"3.1": "pass", "3.2": "fail", "3.3": "fail", "3.4": "pass", "3.5": "pass", "3.6": "fail",
                        "3.17": "pass", "3.18": "fail"}, statuses
    assert [f["target"] for f in table["3.18"]["findings"]] == ["/etc/docker/daemon.json"]
    assert table["3.18"]["items"] == ["config-file-permissions"]
    finding = next(f for item in document["items"] for f in item["findings"] if f["target"] == "/etc/docker/daemon.json")
    assert (finding["cis"], finding["cis_met"], finding["status"]) == (["3.17", "3.18"], ["3.17"], "fail")
    ids = [entry["id"] for entry in document["recommendations"]]
    assert ids.index("3.2") < ids.index("3.10") < ids.index("3.18"), "in the benchmark's order"

    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions,config-file-permissions").out
    assert "  [fail] 3.18: /etc/docker/daemon.json (config-file-permissions)" in text
    assert "] 3.17:" not in text, "a met recommendation is counted, not listed"
    page = run_harden("check", "--root", root, "--profile", "cis", "--only", "config-file-permissions", "--format", "html").out
    assert '<tr class="fail"><td>3.18</td>' in page and '<tr class="pass"><td>3.17</td>' in page


def test_both_wrong_fails_both_and_a_right_file_passes_both(make_root):
    root = make_root("debian", compliant=True)
    os.chown(root / "etc/docker/daemon.json", 1000, 0)
    os.chmod(root / "etc/docker/daemon.json", 0o666)
    table, _ = verdicts(root, "--only", "file-permissions,config-file-permissions")
    assert (table["3.17"]["status"], table["3.18"]["status"]) == ("fail", "fail")
    assert {table[number]["status"] for number in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6")} == {"pass"}


def test_each_audited_path_answers_its_own_recommendation(make_root):
    """1.1.3–1.1.18: a watch on dockerd meets 1.1.3 alone; 1.1.9 (docker.socket) fails on its unit file though the
    socket itself is not there; a path this host lacks leaves its recommendation not applicable."""
    root = make_root(layout=with_auditd(hosts.debian_docker_io()), compliant=True)
    rules = root / "etc/audit/rules.d/audit.rules"
    rules.write_text(rules.read_text() + "-w /usr/sbin/dockerd -p rwxa -k docker\n")
    table, _ = verdicts(root, "--only", "audit-docker-files")
    assert {number: entry["status"] for number, entry in table.items()} == {
        "1.1.3": "pass", "1.1.4": "not_applicable", "1.1.5": "fail", "1.1.6": "fail", "1.1.7": "fail", "1.1.8": "not_applicable",
        "1.1.9": "fail", "1.1.10": "fail", "1.1.11": "fail", "1.1.12": "not_applicable", "1.1.13": "not_applicable",
        "1.1.14": "fail", "1.1.15": "not_applicable", "1.1.16": "not_applicable", "1.1.17": "not_applicable", "1.1.18": "fail"}
    assert [(f["target"], f["status"]) for f in table["1.1.9"]["findings"]] == [
        ("/usr/lib/systemd/system/docker.socket", "fail"), ("/run/docker.sock", "not_applicable")]


def test_an_older_report_is_read_and_a_newer_one_refused(make_root, tmp_path):
    root = make_root("debian")
    _, document = verdicts(root, "--only", "file-permissions")
    third = json.loads(json.dumps(dict(document, schema=3)))
    for item in third["items"]:
        item.pop("refs")
        for finding in item["findings"]:
            finding.pop("refs")
    from hardener.report import recommendations_table

    untitled = [{key: value for key, value in entry.items() if key != "title"} for entry in document["recommendations"]]
    assert recommendations_table(third["items"]) == untitled, "a schema 3 report's verdicts, by CIS number (it had no titles)"
    second = {key: value for key, value in third.items() if key != "profile_title"}
    second["schema"] = 2
    oldest = {key: value for key, value in second.items() if key not in ("schema", "recommendations")}
    for item in oldest["items"]:
        for finding in item["findings"]:
            finding.pop("cis_met", None)
    for name, older in (("third.json", third), ("second.json", second), ("oldest.json", oldest)):
        (tmp_path / name).write_text(json.dumps(older))
        page = run_harden("report", tmp_path / name, "--format", "html")
        assert page.code == 0 and "CIS Docker Benchmark 1.8.0 · " in page.out, page
    (tmp_path / "new.json").write_text(json.dumps(dict(document, schema=7)))
    refused = run_harden("report", tmp_path / "new.json", "--format", "html")
    assert refused.code != 0 and "newer harden (report schema 7" in refused.err and refused.err.count("\n") == 1, refused


def test_docker_socket_unit_mode_and_owner_are_two_recommendations(make_root):
    """3.15 (docker.sock's owner) and 3.16 (its mode), from what docker.socket gives it at each start."""
    root = make_root("debian", compliant=True)
    drop_in = root / "etc/systemd/system/docker.socket.d/mode.conf"
    drop_in.parent.mkdir(parents=True)
    drop_in.write_text("[Socket]\nSocketMode=0666\n")
    table, _ = verdicts(root, "--only", "config-file-permissions")
    assert (table["3.15"]["status"], table["3.16"]["status"]) == ("pass", "fail"), table["3.16"]
    drop_in.write_text("[Socket]\nSocketUser=nobody\n")
    table, _ = verdicts(root, "--only", "config-file-permissions")
    assert (table["3.15"]["status"], table["3.16"]["status"]) == ("fail", "pass"), table["3.15"]


def test_every_recommendation_an_item_answers_has_a_line():
    """A recommendation no finding names is on the table all the same: nothing of its kind where the item found
    others, else the item's own verdict (an engine that did not answer)."""
    from hardener.report import recommendations_table

    items = [{"id": "audit-docker-files", "cis": "1.1.3–1.1.5", "status": "pass", "reason": "compliant",
              "findings": [{"target": "/usr/bin/dockerd", "status": "pass", "reason": "compliant", "cis": ["1.1.3"]}]},
             {"id": "no-privileged", "cis": "5.5", "status": "error", "reason": "engine_unreachable", "findings": []},
             {"id": "file-permissions", "cis": "3.1–3.2", "status": "error", "reason": "unreadable",
              "findings": [{"target": "docker.service", "status": "error", "reason": "unreadable", "cis": ["3.1"]}]}]
    table = {entry["id"]: entry for entry in recommendations_table(items)}
    assert list(table) == ["1.1.3", "1.1.4", "1.1.5", "3.1", "3.2", "5.5"]
    assert [table[number]["status"] for number in table] == ["pass", "not_applicable", "not_applicable", "error", "error", "error"]
    assert table["5.5"]["findings"] == [{"item": "no-privileged", "target": "", "status": "error", "reason": "engine_unreachable"}]
