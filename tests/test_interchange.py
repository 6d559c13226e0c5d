"""--format junit and --format sarif: validated against the schemas in tests/schemas/ (their sources in SOURCES.md)
and read by a real consumer (junitparser), on every fixture root and on this machine's own report; their verdicts
are the JSON report's, reference by reference, with the gate of --fail-on."""
import hashlib
import json
import re
import shutil
import urllib.parse
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from conftest import run_harden
from docker_lab import Engine
from test_metrics import promtool_check

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
    """The test cases of a JUnit file, each (suite, reference, outcome, message, system-out), once it validates."""
    path = tmp_path / "report.xml"
    path.write_text(text)
    junit_schema.validate(str(path))
    cases = []
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            outcome = next((kind for kind, cls in (("failure", Failure), ("error", Error), ("skipped", Skipped))
                            if any(isinstance(result, cls) for result in case.result)), "passed")
            message = next((result.message for result in case.result), None)
            cases.append((suite.name, case.name.split(" ")[0], outcome, message, case.system_out or ""))
    return cases


def by_ref(cases):
    found = {ref: (outcome, message, note) for _, ref, outcome, message, note in cases}
    assert len(found) == len(cases), "a case per reference, once"
    return found


ROOTS = [("debian", "cis"), ("centos", "cis"), ("debian", "aliyun"), ("demo", "cis"), ("demo", "acme")]
GATES = [(), ("--fail-on", "failing"), ("--fail-on", "manual"), ("--fail-on", "failing,high"), ("--fail-on", "medium")]
URI = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*")  # RFC 3986's characters: anything else is percent-encoded


def a_root(kind, make_root, tmp_path):
    if kind == "demo":
        root = tmp_path / "demo"
        shutil.copytree(EXAMPLE / "demo-host", root, symlinks=True)
    else:
        root = make_root(kind)
    odd = root / "etc/docker/certs.d/my reg%#?:5000"  # a registry's directory named to trouble a URI
    odd.mkdir(parents=True)
    (odd / "ca.crt").write_text("x")
    (odd / "ca.crt").chmod(0o666)
    return root


@pytest.mark.parametrize("kind, profile", ROOTS)
def test_every_fixture_roots_report_validates_and_says_what_the_json_and_the_exit_code_say(kind, profile, make_root, tmp_path,
                                                                                           junit_schema, sarif_validator):
    root = a_root(kind, make_root, tmp_path)
    chosen = str(EXAMPLE / "acme-docker.toml") if profile == "acme" else profile
    document = run_harden("check", "--root", root, "--profile", chosen, "--format", "json").json
    table = document["recommendations"]
    for gate in GATES:
        junit = run_harden("check", "--root", root, "--profile", chosen, "--format", "junit", *gate)
        cases = cases_of(junit.out, junit_schema, tmp_path)
        assert [ref for _, ref, *_ in cases] == [entry["id"] for entry in table], "a case per reference, in the profile's order"
        outcome_of = by_ref(cases)
        failures = sum(outcome == "failure" for outcome, _, _ in outcome_of.values())
        errors = any(entry["status"] == "error" for entry in table)
        assert junit.code == (1 if errors else 2 if failures else 0), (gate, junit.code, failures, junit.err)
        for entry in table:
            outcome, message, note = outcome_of[entry["id"]]
            if entry["status"] in ("pass", "waived"):
                assert outcome == "passed", entry
            elif entry["status"] == "not_applicable":
                assert outcome == "skipped", entry
            elif entry["status"] in ("fail", "manual"):
                assert outcome in ("failure", "passed") and (message if outcome == "failure" else note), (gate, entry)
        if not gate:
            assert all(outcome == "failure" for ref, (outcome, _, _) in outcome_of.items()
                       if next(entry for entry in table if entry["id"] == ref)["status"] in ("fail", "manual")), "by default all"

    sarif = run_harden("check", "--root", root, "--profile", chosen, "--format", "sarif")
    log = json.loads(sarif.out)
    sarif_validator.validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [item["id"] for item in document["items"]]
    assert all(rule["help"]["text"] for rule in rules), "every rule says how to meet it"
    wanted = [(item["id"], finding["target"]) for item in document["items"] for finding in item["findings"]
              if finding["status"] in ("fail", "manual", "waived")]
    assert [(result["ruleId"], result["properties"]["target"]) for result in run["results"]] == wanted
    fingerprints = [result["partialFingerprints"]["itemTarget/v2"] for result in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints), "no two results are one alert"
    base = run["originalUriBaseIds"]["HOST_ROOT"]["uri"]
    assert base.startswith("file:///") and base.endswith("/") and URI.fullmatch(base)
    assert Path(urllib.parse.unquote(urllib.parse.urlparse(base).path)) == Path(root).resolve()
    located = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        if result["kind"] == "fail":
            assert result["level"] == {"high": "error", "medium": "warning", "low": "note"}[result["properties"]["severity"]]
        physical = result["locations"][0].get("physicalLocation")
        if physical:  # a file: under the root it was judged in, its name percent-encoded
            uri = physical["artifactLocation"]["uri"]
            assert physical["artifactLocation"]["uriBaseId"] == "HOST_ROOT" and URI.fullmatch(uri), uri
            assert "/" + urllib.parse.unquote(uri) == result["properties"]["target"]
            located.append(uri)
        else:
            assert result["locations"][0]["logicalLocations"][0]["name"]
    if "config-file-permissions" in rules_ids(rules):
        assert "etc/docker/certs.d/my%20reg%25%23%3F%3A5000/ca.crt" in located


def rules_ids(rules):
    return [rule["id"] for rule in rules]


def test_manual_findings_are_reviews_and_a_profiles_severity_is_the_gates(make_root, tmp_path, junit_schema, sarif_validator):
    root = make_root("debian")
    run = json.loads(run_harden("check", "--root", root, "--profile", "cis", "--format", "sarif").out)["runs"][0]
    reviews = [result for result in run["results"] if result["properties"]["status"] == "manual"]
    assert reviews and all((result["kind"], result["level"]) == ("review", "none") for result in reviews), \
        "SARIF 3.27.9: a review's level is none"

    # icc's finding is medium; a profile that makes it high gates it under --fail-on high, in the exit code and in JUnit
    profile = tmp_path / "strict.toml"
    profile.write_text('name = "strict"\ntitle = { en = "Strict", zh = "严格" }\nextends = "cis"\n'
                       '[[entry]]\nitem = "icc"\nseverity = "high"\n')
    for chosen, code in (("cis", 0), (str(profile), 2)):
        junit = run_harden("check", "--root", root, "--profile", chosen, "--only", "icc", "--fail-on", "high", "--format", "junit")
        ((_, ref, outcome, _, note),) = cases_of(junit.out, junit_schema, tmp_path)
        assert (ref, junit.code, outcome) == ("2.2", code, "failure" if code else "passed"), junit
        assert code or note.startswith("[fail] icc (icc): icc is true (default)"), note


def test_a_failing_item_with_a_manual_finding_gates_each_finding_by_its_own_status(make_root, tmp_path, junit_schema):
    """file-permissions fails on docker.service's mode (3.2), docker.socket's owner (3.3) and /etc/docker's mode
    (3.6), and needs a person for /usr/sbin, which anyone can write (3.1 and 3.2, dockerd's directory): under
    --fail-on manual only the latter's fail, under failing only the former, and the exit code says so too."""
    root = make_root("debian")
    (root / "usr/sbin").chmod(0o777)
    for gate, failing in (("manual", {"3.1", "3.2"}), ("failing", {"3.2", "3.3", "3.6"})):
        junit = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions", "--fail-on", gate, "--format", "junit")
        cases = by_ref(cases_of(junit.out, junit_schema, tmp_path))
        assert {ref for ref, (outcome, _, _) in cases.items() if outcome == "failure"} == failing, (gate, cases)
        assert junit.code == 2
    both = by_ref(cases_of(run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions", "--format", "junit").out,
                          junit_schema, tmp_path))
    assert "/usr/sbin" in both["3.1"][1] or any("/usr/sbin" in line for line in both["3.1"][1:]), both["3.1"]


def test_a_waived_finding_is_a_suppressed_result_of_its_kind_and_a_passed_case_with_its_reason(make_root, tmp_path, junit_schema,
                                                                                              sarif_validator):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text("[[waivers]]\nitem = 'file-permissions'\nreason = 'vendor unit'\n"
                                                   "expires = 2099-01-31\n[[waivers]]\nitem = 'audit-docker-files'\nreason = 'siem'\n")
    document = run_harden("check", "--root", root, "--format", "json").json
    table = {entry["id"]: entry["status"] for entry in document["recommendations"]}
    assert (table["3.1"], table["3.2"], table["3.3"]) == ("pass", "waived", "waived"), "an item's waiver waives its references"
    cases = by_ref(cases_of(run_harden("check", "--root", root, "--format", "junit").out, junit_schema, tmp_path))
    assert cases["3.2"][0] == cases["3.3"][0] == "passed"
    assert cases["3.3"][2].startswith("[waived] /lib/systemd/system/docker.socket (file-permissions): /lib/systemd/system/docker.socket "
                                      "is admin:root 0644; wants root:root 0644"), "it still says what is wrong"
    log = json.loads(run_harden("check", "--root", root, "--format", "sarif").out)
    sarif_validator.validate(log)
    results = log["runs"][0]["results"]
    files = [result for result in results if result["ruleId"] == "file-permissions"]
    assert files and all(result["suppressions"][0]["justification"] == "vendor unit" and result["kind"] == "fail" for result in files)
    audit = [result for result in results if result["ruleId"] == "audit-docker-files"]
    assert audit and all((result["kind"], result["level"]) == ("review", "none") for result in audit), "a waived manual one stays a review"
    text = run_harden("check", "--root", root, "--all").out
    assert "docker.socket is admin:root 0644; wants root:root 0644" in text and "waived: vendor unit" in text


def test_a_hosts_words_cannot_break_the_xml_or_the_json_or_forge_a_line(make_root, tmp_path, junit_schema, sarif_validator):
    """An insecure registry named with markup, a control character, newlines (U+2028 too), a character XML cannot
    carry and half of one (a JSON escape that UTF-8 cannot write)."""
    root = make_root("debian")
    (root / "etc/docker/daemon.json").write_text(
        '{"insecure-registries": ["evil\\u0007\\uffff</failure>]]>&\\"x\\"\\n[pass] one:5000\\u2028[pass] two\\ud800"]}')
    args = ("check", "--root", root, "--profile", "cis", "--only", "insecure-registries")
    junit = run_harden(*args, "--format", "junit")
    ((_, _, outcome, message, _),) = cases_of(junit.out, junit_schema, tmp_path)
    assert outcome == "failure" and '\\x07\\uffff</failure>]]>&"x"\\n[pass] one:5000\\u2028[pass] two\\ud800' in message, message
    assert not any(line.lstrip().startswith("[pass]") for line in junit.out.splitlines())
    for fmt in ("sarif", "json"):
        result = run_harden(*args, "--format", fmt)
        assert result.code == 2 and "\\ud800" in result.out, result
        document = json.loads(result.out)
    sarif = json.loads(run_harden(*args, "--format", "sarif").out)
    sarif_validator.validate(sarif)
    assert 'evil\u0007\uffff</failure>]]>&"x"\n[pass] one:5000\u2028[pass] two\ud800' in sarif["runs"][0]["results"][0]["message"]["text"]
    text = run_harden(*args)
    assert text.code == 2 and not any(line.lstrip().startswith("[pass]") for line in text.out.splitlines()), text
    assert document["items"][0]["status"] == "fail"


def test_report_turns_a_fleets_json_reports_into_one_junit_and_one_sarif(make_root, tmp_path, junit_schema, sarif_validator):
    reports = []
    for kind in ("debian", "centos"):
        path = tmp_path / f"{kind}-01.json"
        path.write_text(run_harden("check", "--root", make_root(kind), "--profile", "cis", "--format", "json").out)
        reports.append(path)
    junit = run_harden("report", "--format", "junit", *reports)
    assert junit.code == 0, junit.err
    cases = cases_of(junit.out, junit_schema, tmp_path)
    assert {suite.split(":")[0] for suite, *_ in cases} == {"debian-01", "centos-01"}
    for path in reports:  # each host's cases as its own check made them
        alone = cases_of(run_harden("report", "--format", "junit", path).out, junit_schema, tmp_path)
        assert [case for case in cases if case[0].startswith(path.stem)] == alone
    log = json.loads(run_harden("report", "--format", "sarif", *reports).out)
    sarif_validator.validate(log)
    assert [run["properties"]["host"] for run in log["runs"]] == ["debian-01", "centos-01"]
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["harden/debian-01/", "harden/centos-01/"]
    assert "harden report writes --format html, junit or sarif" in run_harden("report", "--format", "json", *reports).err
    odd = json.loads(reports[0].read_text())
    odd["items"][0]["findings"][0]["severity"] = "critical"
    (tmp_path / "odd.json").write_text(json.dumps(odd))
    refused = run_harden("report", "--format", "junit", tmp_path / "odd.json")
    assert refused.code == 1 and 'has a severity harden does not know: "critical"' in refused.err and refused.err.count("\n") == 1


def test_this_machines_report_validates_and_agrees_with_its_json(tmp_path, junit_schema, sarif_validator):
    """The live host, its dockerd answering: every section of cis judged here, in both formats and both languages."""
    with Engine():
        document = run_harden("check", "--profile", "cis", "--format", "json", timeout=300).json
        statuses = {entry["id"]: entry["status"] for entry in document["recommendations"]}
        for lang in ("en", "zh"):
            junit = run_harden("check", "--profile", "cis", "--format", "junit", "--lang", lang, timeout=300)
            assert junit.code in (0, 2), junit.err
            cases = by_ref(cases_of(junit.out, junit_schema, tmp_path))
            assert len(cases) == 118 and junit.code == (2 if any(outcome == "failure" for outcome, _, _ in cases.values()) else 0)
            assert {ref for ref, (outcome, _, _) in cases.items() if outcome == "failure"} == {
                ref for ref, status in statuses.items() if status in ("fail", "manual")}
            sarif = run_harden("check", "--profile", "cis", "--format", "sarif", "--lang", lang, timeout=300)
            log = json.loads(sarif.out)
            sarif_validator.validate(log)
            assert log["runs"][0]["language"] == ("zh-CN" if lang == "zh" else "en-US")
            assert log["runs"][0]["invocations"][0]["executionSuccessful"], log["runs"][0]["invocations"]
        metrics = tmp_path / "harden.prom"
        assert run_harden("check", "--profile", "cis", "--format", "json", "--metrics", metrics, timeout=300).code in (0, 2)
        promtool_check(metrics)
