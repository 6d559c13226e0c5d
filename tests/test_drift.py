"""harden drift, and check's drift section, on fixture roots: what a recorded run changed that no longer holds what
it left, judged from the journal's end states (the same judgement rollback's refusal makes), and the runs whose end
only their rollback can judge. Containers recreated or removed by hand: tests/test_containers.py."""
import json
import os

from conftest import run_harden
from test_schemas import validate


def drift(root, *args):
    return run_harden("drift", "--root", root, *args)


def test_drift_is_what_no_longer_holds_what_the_run_left_and_changes_nothing(make_root):
    root = make_root("debian")
    assert drift(root).out.startswith("No drift"), "no run, nothing to drift from"
    applied = run_harden("apply", "--yes", "--root", root, "--only", "icc,file-permissions", "--format", "json")
    assert applied.code == 0, applied
    run_id = applied.json["run_id"]
    clean = drift(root, "--format", "json")
    assert (clean.code, clean.json["drift"]) == (0, []), clean
    validate(clean.json, "drift.schema.json")
    checked = run_harden("check", "--root", root, "--only", "icc", "--format", "json")
    assert (checked.code, checked.json["drift"]) == (0, [])

    daemon_json = root / "etc/docker/daemon.json"
    daemon_json.write_text(json.dumps(json.loads(daemon_json.read_text()), indent=8) + "\n")  # the same options, reformatted
    os.chmod(root / "etc/docker", 0o775)
    before = {path: (path.read_bytes() if path.is_file() else None, path.stat().st_mode) for path in (daemon_json, root / "etc/docker")}
    found = drift(root, "--format", "json")
    assert found.code == 2, found
    validate(found.json, "drift.schema.json")
    entries = {entry["target"]: entry for entry in found.json["drift"]}
    assert set(entries) == {"/etc/docker/daemon.json", "/etc/docker"}
    assert entries["/etc/docker/daemon.json"]["run"] == run_id and entries["/etc/docker/daemon.json"]["items"] == ["icc"]
    assert entries["/etc/docker/daemon.json"]["refs"] == ["2.2"] and entries["/etc/docker/daemon.json"]["kind"] == "file"
    assert "--- /etc/docker/daemon.json (as harden left it)" in entries["/etc/docker/daemon.json"]["lines"]
    assert entries["/etc/docker"]["lines"] == ["/etc/docker: owner/mode root:root 0755 (as harden left it) -> root:root 0775 (now)"]
    assert {path: (path.read_bytes() if path.is_file() else None, path.stat().st_mode) for path in before} == before, \
        "drift changes nothing"

    text = drift(root).out
    assert text.startswith("Drift: 2 of what harden's runs changed no longer holds what they left")
    assert f"/etc/docker (run {run_id}; file-permissions; 3.1, 3.2, 3.3, 3.4, 3.5, 3.6)" in text
    checked = run_harden("check", "--root", root, "--only", "icc", "--format", "json")
    assert checked.code == 0 and len(checked.json["drift"]) == 2, "check shows the drift; its exit code is the items'"
    validate(checked.json, "report.schema.json")
    assert "Drift: 2 of" in run_harden("check", "--root", root, "--only", "icc").out
    zh = drift(root, "--lang", "zh").out
    assert "偏离：harden 各次运行所做的修改中有 2 处" in zh
    assert f"/etc/docker（运行 {run_id}；file-permissions；3.1, 3.2" in zh
    assert "/etc/docker：属主/权限 root:root 0755（harden 留下的状态）-> root:root 0775（现在）" in zh
    assert "--- /etc/docker/daemon.json（harden 留下的状态）" in zh and "+++ /etc/docker/daemon.json（现在）" in zh
    assert "as harden left it" not in zh and "owner/mode" not in zh, zh
    refused = run_harden("rollback", "--yes", "--root", root, "--lang", "zh")
    assert refused.code == 4 and "/etc/docker：属主/权限 root:root 0755（harden 留下的状态）-> root:root 0775（现在）" in refused.out
    preview = run_harden("rollback", "--dry-run", "--root", root, "--lang", "zh").out
    assert "/etc/docker：属主/权限 root:root 0775 -> " in preview and "owner/mode" not in preview, preview


def test_a_drifted_file_fixed_again_makes_a_new_baseline_and_rollback_brings_the_old_one_back(make_root):
    root = make_root("debian")
    first = run_harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json").json["run_id"]
    os.chmod(root / "etc/docker", 0o770)  # neither what harden found (0777) nor what it left (0755)
    assert drift(root).code == 2
    second = run_harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json")
    assert second.code == 0 and second.json["run_id"] != first
    assert drift(root).code == 0, "the newer run is the baseline now"
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    again = drift(root, "--format", "json").json["drift"]
    assert [(entry["target"], entry["run"]) for entry in again] == [("/etc/docker", first)], "back to the drifted state"
    refused = run_harden("rollback", "--yes", "--root", root)
    assert refused.code == 4 and "(as harden left it) -> root:root 0770 (now)" in refused.out, "today's refusal stays"
    assert run_harden("rollback", "--yes", "--force", "--root", root).code == 0
    assert drift(root, "--format", "json").json["drift"] == [], "a rolled-back run is no baseline"


def test_a_pruned_run_ends_its_baseline_and_an_unfinished_one_is_rollbacks_to_judge(make_root):
    root = make_root("debian")
    run_id = run_harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json").json["run_id"]
    os.chmod(root / "etc/docker", 0o777)
    run_json = root / "var/lib/hardener/runs" / run_id / "run.json"
    info = json.loads(run_json.read_text())
    run_json.write_text(json.dumps(dict(info, state="applying")))  # a run killed half way
    unsettled = drift(root, "--format", "json")
    assert unsettled.code == 0 and unsettled.json["drift"] == []
    assert unsettled.json["drift_notes"] == [f"run {run_id} is interrupted: what it changed is judged by its rollback, not here"]
    run_json.write_text(json.dumps(info))
    assert drift(root).code == 2
    assert run_harden("history", "--root", root, "--prune", "0").code == 0
    pruned = drift(root, "--format", "json").json
    assert (pruned["drift"], pruned["drift_notes"]) == ([], []), "a pruned run is no baseline"


def test_the_fleet_page_shows_each_hosts_drift(make_root, tmp_path):
    drifted, steady = make_root("debian"), make_root("centos")
    for root in (drifted, steady):
        assert run_harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    os.chmod(drifted / "etc/docker", 0o775)
    reports = []
    for name, root in (("drifted-01", drifted), ("steady-01", steady)):
        path = tmp_path / f"{name}.json"
        path.write_text(run_harden("check", "--root", root, "--format", "json").out)
        reports.append(path)
    old = json.loads(reports[1].read_text())
    del old["drift"], old["drift_notes"]  # a report of schema 4, before drift
    (tmp_path / "old-01.json").write_text(json.dumps(dict(old, schema=4)))
    page = run_harden("report", "--format", "html", *reports, tmp_path / "old-01.json").out
    grid = page.split("<h2>Every host and item")[1]
    rows = {name: row.split("</tr>")[0] + "</tr>" for row in grid.split("<tr>")[1:] for name in ("drifted-01", "steady-01", "old-01")
            if f">{name}</a>" in row}
    assert rows["drifted-01"].rstrip().endswith('<td class="fail">1</td></tr>')
    assert rows["steady-01"].rstrip().endswith('<td class="">0</td></tr>') and "<td class=\"\">–</td></tr>" in rows["old-01"]
    assert "/etc/docker: owner/mode root:root 0755 (as harden left it) -&gt; root:root 0775 (now)" in page


def test_a_file_harden_only_chmoded_drifts_by_owner_and_mode_and_its_content_is_never_shown(make_root):
    root = make_root("debian")
    key = root / "etc/docker/tls/server-key.pem"
    key.parent.mkdir(parents=True)
    key.write_text("-----BEGIN PRIVATE KEY-----\nOLD-SECRET\n-----END PRIVATE KEY-----\n")
    key.chmod(0o644)
    (root / "etc/docker/daemon.json").write_text(json.dumps({"tlsverify": True, "tlskey": "/etc/docker/tls/server-key.pem"}))
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions")
    assert applied.code in (0, 2) and oct(key.stat().st_mode & 0o777) == "0o400", applied
    key.write_text("-----BEGIN PRIVATE KEY-----\nROTATED-SECRET\n-----END PRIVATE KEY-----\n")  # a rotation: not drift
    assert drift(root, "--format", "json").json["drift"] == []
    key.chmod(0o644)
    found = drift(root, "--profile", "cis", "--format", "json")
    (entry,) = found.json["drift"]
    assert entry["lines"] == ["/etc/docker/tls/server-key.pem: owner/mode root:root 0400 (as harden left it) -> root:root 0644 (now)"]
    refused = run_harden("rollback", "--yes", "--root", root)
    assert refused.code == 4 and "its content changed since (harden changed only its owner and mode)" in refused.out, refused
    for output in (found.out, refused.out, refused.err, run_harden("check", "--root", root, "--format", "json").out):
        assert "SECRET" not in output


def test_a_diffs_content_is_the_files_and_never_translated():
    """Lines of a file's content that read like harden's own lines stay the file's in Chinese; its headers are said."""
    from hardener.engine import unified_diff
    from hardener.i18n import STATE_LINES
    from hardener.model import Line, said

    lines = unified_diff("remove /y\n--- /u was removed since\n", "/z: owner/mode a -> b\n--- /u was removed since\n",
                         Line(STATE_LINES["diff_left"], path="/x"), Line(STATE_LINES["diff_now"], path="/x"))
    assert [said(line, "zh") for line in lines] == ["--- /x（harden 留下的状态）", "+++ /x（现在）", "@@ -1,2 +1,2 @@", "-remove /y",
                                                    "+/z: owner/mode a -> b", " --- /u was removed since"]
    assert [said(line, "en") for line in lines] == lines == ["--- /x (as harden left it)", "+++ /x (now)", "@@ -1,2 +1,2 @@",
                                                             "-remove /y", "+/z: owner/mode a -> b", " --- /u was removed since"]

    assert unified_diff("a\n", "a\n", "--- /x", "+++ /x") == []  # no difference: not even the headers


def test_a_diff_shows_a_change_of_line_ends_and_lets_none_reach_the_terminal():
    from hardener.engine import unified_diff

    assert unified_diff("a\r\nb\x0cc\n", "a\nB\x0cc\u2028", "--- /x", "+++ /x") == [
        "--- /x", "+++ /x", "@@ -1,3 +1,3 @@", "-a\\r", "-b\\x0c", "-c", "+a", "+B\\x0c", "+c\\u2028"]
    assert unified_diff("a\nb", "a\nb\n", "--- /x", "+++ /x") == [
        "--- /x", "+++ /x", "@@ -1,2 +1,2 @@", " a", "-b", "\\ No newline at end of file", "+b"]


def test_a_line_copied_or_pickled_is_still_said_in_either_language():
    import copy
    import pickle

    from hardener.i18n import STATE_LINES
    from hardener.model import Line, said

    line = Line(STATE_LINES["unit_not_enabled"], unit="harden-check.timer", state=STATE_LINES["unit_not_there"])
    for again in (copy.copy(line), copy.deepcopy(line), pickle.loads(pickle.dumps(line))):
        assert isinstance(again, Line) and again == line == "harden-check.timer is not there now, not enabled as harden left it"
        assert said(again, "zh") == "harden-check.timer 现在为 不存在，而非 harden 留下的 enabled"


def test_a_unit_a_run_started_that_is_disabled_stopped_or_gone_is_said_in_either_language(tmp_path):
    from hardener.drift import Baseline, drifted_units
    from hardener.host import Host
    from hardener.model import Line, said

    class Shown(Host):  # a live host's systemctl show, unit by unit
        answers = {"enabled.timer": "UnitFileState=enabled\nActiveState=active\n",
                   "stopped.timer": "UnitFileState=disabled\nActiveState=inactive\n", "gone.timer": ""}

        def run(self, *command, timeout=0):
            return self.answers[command[-1]]

    host = Shown(str(tmp_path))
    host.live = True
    found = Baseline((), (), tuple(("r1", unit, ("schedule",)) for unit in Shown.answers), ())
    drifted = drifted_units(host, found)
    assert [(entry.target, entry.lines) for entry in drifted] == [
        ("unit stopped.timer", ("stopped.timer is disabled now, not enabled as harden left it",
                                "stopped.timer is inactive now, not active as harden left it")),
        ("unit gone.timer", ("gone.timer is not there now, not enabled as harden left it",
                             "gone.timer is not there now, not active as harden left it"))]
    assert all(isinstance(line, Line) for entry in drifted for line in entry.lines)
    assert [said(line, "zh") for line in drifted[1].lines] == ["gone.timer 现在为 不存在，而非 harden 留下的 enabled",
                                                               "gone.timer 现在为 不存在，而非 harden 留下的 active"]
    host.live = False  # a tree under --root runs nothing
    assert drifted_units(host, found) == []
