"""--format junit and --format sarif: validated against the schemas in tests/schemas/ (their sources in SOURCES.md)
and read by a real consumer (junitparser), on every fixture root and on this machine's own report; their verdicts
are the JSON report's, reference by reference, with the gate of --fail-on."""
import hashlib
import json
import shutil
import urllib.parse
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from conftest import run_harden
from docker_lab import Engine

SCHEMAS = Path(__file__).parent / "schemas"
EXAMPLE = Path(__file__).parent.parent / "examples"
SUMS = {"sarif-schema-2.1.0.json": "7402cdfd5bfbff98071b3358e573041b86adb7e1c6ec8743303f93715937c371",
        "junit-10.xsd": "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"}


@pytest.fixture(scope="module")
def junit_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_bytes())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_schemas_are_the_named_copies():
    for name, digest in SUMS.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name
        assert digest in (SCHEMAS / "SOURCES.md").read_text(), name


def cases_of(text, junit_schema, tmp_path):
    """The test cases of a JUnit file, each (name, outcome, message, system-out), once it validates."""
    path = tmp_path / "report.xml"
    path.write_text(text)
    junit_schema.validate(str(path))
    cases = {}
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            outcome = next((kind for kind, cls in (("failure", Failure), ("error", Error), ("skipped", Skipped))
                            if any(isinstance(result, cls) for result in case.result)), "passed")
            message = next((result.message for result in case.result), None)
            cases[(suite.name, case.name.split(" ")[0])] = (outcome, message, case.system_out or "")
    return cases


def expected_outcome(status, fail_on=("fail", "manual")):
    return {"pass": "passed", "waived": "passed", "not_applicable": "skipped", "error": "error"}.get(
        status, "failure" if status in fail_on else "passed")


ROOTS = [("debian", "cis"), ("centos", "cis"), ("debian", "aliyun"), ("demo", "cis"), ("demo", "acme")]


def a_root(kind, make_root, tmp_path):
    if kind == "demo":
        root = tmp_path / "demo"
        shutil.copytree(EXAMPLE / "demo-host", root, symlinks=True)
        return root
    return make_root(kind)


@pytest.mark.parametrize("kind, profile", ROOTS)
def test_every_fixture_roots_report_validates_and_says_what_the_json_says(kind, profile, make_root, tmp_path, junit_schema, sarif_validator):
    root = a_root(kind, make_root, tmp_path)
    chosen = str(EXAMPLE / "acme-docker.toml") if profile == "acme" else profile
    document = run_harden("check", "--root", root, "--profile", chosen, "--format", "json").json
    junit = run_harden("check", "--root", root, "--profile", chosen, "--format", "junit")
    sarif = run_harden("check", "--root", root, "--profile", chosen, "--format", "sarif")
    assert junit.code == sarif.code == 2, (junit.err, sarif.err)

    cases = cases_of(junit.out, junit_schema, tmp_path)
    table = document["recommendations"]
    assert [ref for _, ref in cases] == [entry["id"] for entry in table], "a case per reference, in the profile's order"
    for entry in table:
        outcome, message, _ = next(case for (_, ref), case in cases.items() if ref == entry["id"])
        assert outcome == expected_outcome(entry["status"]), entry
        if outcome == "failure":
            assert message, entry

    log = json.loads(sarif.out)
    sarif_validator.validate(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [item["id"] for item in document["items"]]
    wanted = [(item["id"], finding["target"]) for item in document["items"] for finding in item["findings"]
              if finding["status"] in ("fail", "manual", "waived")]
    assert [(result["ruleId"], result["properties"]["target"]) for result in run["results"]] == wanted
    base = urllib.parse.urlparse(run["originalUriBaseIds"]["HOST_ROOT"]["uri"])
    assert Path(urllib.parse.unquote(base.path)) == Path(root).resolve()
    for result in run["results"]:
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"] and rule["help"]["text"], "every rule with a result says how to fix it"
        physical = result["locations"][0].get("physicalLocation")
        if physical:  # a file: under the root it was judged in
            assert physical["artifactLocation"]["uriBaseId"] == "HOST_ROOT"
            assert "/" + urllib.parse.unquote(physical["artifactLocation"]["uri"]) == result["properties"]["target"]
        else:
            assert result["locations"][0]["logicalLocations"][0]["name"]


def test_manual_findings_are_reviews_and_failures_only_where_the_gate_says(make_root, tmp_path, junit_schema):
    root = make_root("debian")
    document = run_harden("check", "--root", root, "--profile", "cis", "--format", "json").json
    statuses = {entry["id"]: entry["status"] for entry in document["recommendations"]}
    assert {"fail", "manual"} <= set(statuses.values())

    failing_only = cases_of(run_harden("check", "--root", root, "--profile", "cis", "--format", "junit", "--fail-on", "failing").out,
                            junit_schema, tmp_path)
    for (_, ref), (outcome, _, note) in failing_only.items():
        assert outcome == expected_outcome(statuses[ref], fail_on=("fail",)), ref
        if statuses[ref] == "manual":
            assert note.startswith("[manual]"), "shown, not failed"

    high = cases_of(run_harden("check", "--root", root, "--profile", "cis", "--format", "junit", "--fail-on", "failing,high").out,
                    junit_schema, tmp_path)
    severities = {}
    for item in document["items"]:
        for finding in item["findings"]:
            for ref in finding["refs"]:
                severities.setdefault(ref, set()).add(finding["severity"])
    for (_, ref), (outcome, _, _) in high.items():
        if outcome == "failure":
            assert statuses[ref] == "fail" and "high" in severities[ref], ref
    assert any(outcome == "failure" for outcome, _, _ in high.values())
    assert sum(outcome == "failure" for outcome, _, _ in high.values()) < sum(outcome == "failure" for outcome, _, _ in failing_only.values())

    run = json.loads(run_harden("check", "--root", root, "--profile", "cis", "--format", "sarif").out)["runs"][0]
    kinds = {(result["properties"]["status"], result["kind"], result["level"]) for result in run["results"]}
    assert ("manual", "review", "none") in kinds or any(kind == "review" for _, kind, _ in kinds)
    assert all(level == "none" for _, kind, level in kinds if kind == "review"), "SARIF 3.27.9: a review's level is none"
    assert {level for _, kind, level in kinds if kind == "fail"} <= {"error", "warning", "note"}


def test_a_waived_finding_is_a_suppressed_result_and_a_passed_case_with_its_reason(make_root, tmp_path, junit_schema, sarif_validator):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text("[[waivers]]\nitem = 'file-permissions'\nreason = 'vendor unit'\n"
                                                   "expires = 2099-01-31\n")
    document = run_harden("check", "--root", root, "--format", "json").json
    table = {entry["id"]: entry["status"] for entry in document["recommendations"]}
    assert (table["3.1"], table["3.2"], table["3.3"]) == ("pass", "waived", "waived"), "an item's waiver waives its references"
    cases = cases_of(run_harden("check", "--root", root, "--format", "junit").out, junit_schema, tmp_path)
    waived = [case for (_, ref), case in cases.items() if ref in ("3.2", "3.3")]
    assert len(waived) == 2 and all(outcome == "passed" and note.startswith("[waived]") for outcome, _, note in waived), waived
    assert "docker.socket is admin:root 0644; wants root:root 0644" in waived[1][2], "it still says what is wrong"
    log = json.loads(run_harden("check", "--root", root, "--format", "sarif").out)
    sarif_validator.validate(log)
    suppressed = [result for result in log["runs"][0]["results"] if result["ruleId"] == "file-permissions"]
    assert suppressed and all(result["suppressions"][0]["justification"] == "vendor unit" for result in suppressed)
    text = run_harden("check", "--root", root).out
    assert "docker.socket is admin:root 0644; wants root:root 0644" in text and "waived: vendor unit" in text


def test_a_hosts_words_cannot_break_the_xml_or_forge_a_line(make_root, tmp_path, junit_schema, sarif_validator):
    """An insecure registry named with markup, a control character, a newline and a character XML cannot carry."""
    root = make_root("debian")
    hostile = 'evil\u0007\uffff</failure>&"x"\n[pass] forged:5000'
    (root / "etc/docker/daemon.json").write_text(json.dumps({"insecure-registries": [hostile]}))
    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "insecure-registries", "--format", "junit").out
    (outcome, message, _), = cases_of(text, junit_schema, tmp_path).values()
    assert outcome == "failure" and "\\x07\\uffff</failure>&\"x\"\\n[pass] forged:5000" in message
    assert not any(line.lstrip().startswith("[pass]") for line in text.splitlines())
    log = json.loads(run_harden("check", "--root", root, "--profile", "cis", "--only", "insecure-registries", "--format", "sarif").out)
    sarif_validator.validate(log)
    assert hostile in log["runs"][0]["results"][0]["message"]["text"], "JSON carries it as it is, escaped by JSON"


def test_report_turns_a_fleets_json_reports_into_one_junit_and_one_sarif(make_root, tmp_path, junit_schema, sarif_validator):
    reports = []
    for kind in ("debian", "centos"):
        path = tmp_path / f"{kind}-01.json"
        path.write_text(run_harden("check", "--root", make_root(kind), "--profile", "cis", "--format", "json").out)
        reports.append(path)
    junit = run_harden("report", "--format", "junit", *reports)
    assert junit.code == 0, junit.err
    cases = cases_of(junit.out, junit_schema, tmp_path)
    assert {suite.split(":")[0] for suite, _ in cases} == {"debian-01", "centos-01"}
    log = json.loads(run_harden("report", "--format", "sarif", *reports).out)
    sarif_validator.validate(log)
    assert [run["properties"]["host"] for run in log["runs"]] == ["debian-01", "centos-01"]
    assert "harden report writes --format html, junit or sarif" in run_harden("report", "--format", "json", *reports).err


def test_this_machines_report_validates(tmp_path, junit_schema, sarif_validator):
    """The live host, its dockerd answering: every section of cis judged here, in both formats and both languages."""
    with Engine():
        for lang in ("en", "zh"):
            junit = run_harden("check", "--profile", "cis", "--format", "junit", "--lang", lang, timeout=300)
            assert junit.code in (0, 2), junit.err
            assert len(cases_of(junit.out, junit_schema, tmp_path)) == 118
            sarif = run_harden("check", "--profile", "cis", "--format", "sarif", "--lang", lang, timeout=300)
            log = json.loads(sarif.out)
            sarif_validator.validate(log)
            assert log["runs"][0]["language"] == ("zh-CN" if lang == "zh" else "en-US")
            assert log["runs"][0]["invocations"][0]["executionSuccessful"], log["runs"][0]["invocations"]
