"""The formats other tools read, made from harden's JSON reports: JUnit XML for CI (one test case per reference of
the profile) and SARIF 2.1.0 for code-scanning dashboards and defect trackers (one rule per item, one result per
finding that is not met).

Both take (name, report) pairs: one for a run on this host, one per host for `harden report` over a fleet's."""
from __future__ import annotations

import re
import urllib.parse
from typing import Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

from .i18n import STATUS, UI
from .model import Status
from .report import profile_title, recommendations_table, refs_of_finding
from .settings import one_line

# gates(status, severities): whether findings of that status and those severities fail the run (--fail-on)
Gates = Callable[[Status, Iterable[str]], bool]
Documents = Sequence[Tuple[str, dict]]

# what XML 1.0 cannot carry at all, even escaped (the control characters are shown as \x.. before output)
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _findings_by_target(document: dict) -> Dict[Tuple[str, str, str], List[dict]]:
    """A report's findings, by (item, target, status): what a per-reference entry names, with its message."""
    found: Dict[Tuple[str, str, str], List[dict]] = {}
    for item in document.get("items", []):
        for finding in item.get("findings", []):
            found.setdefault((item["id"], str(finding.get("target", "")), finding["status"]), []).append(finding)
    return found


def _case(entry: dict, document: dict, lang: str, gates: Gates, findings: Mapping[Tuple[str, str, str], List[dict]]) -> dict:
    """One test case: a reference of the profile, passed, failed, in error or skipped as its findings are."""
    items = {item["id"]: item for item in document.get("items", [])}
    title = (entry.get("title") or {}).get(lang) or "; ".join(dict.fromkeys(items[item]["title"] for item in entry["items"] if item in items))
    status = Status(entry["status"])
    lines, severities, first = [], [], ""
    for named in entry["findings"]:
        if named["status"] != status.value:
            continue
        # a finding of a manual item counts as manual in the table; its own record says fail
        recorded = [finding for key in ((named["item"], named["target"], named["status"]), (named["item"], named["target"], "fail"))
                    for finding in findings.get(key, ())]
        message = recorded[0].get("message", "") if recorded else named["reason"]
        severities += [finding.get("severity") or "low" for finding in recorded[:1]]
        where = f"{named['target']} ({named['item']})" if named["target"] else named["item"]
        lines.append(one_line(f"{where}: {message}" if message else where))  # a host's newline cannot forge a line
        first = first or one_line(message or where)
    advice = [f"{UI['advice'](lang)}: {items[item]['advice']}" for item in entry["items"] if items.get(item, {}).get("advice")]
    case = {"name": f"{entry['id']} {title}".strip(), "status": status.value, "message": first, "body": "\n".join(lines + advice),
            "outcome": "passed", "note": ""}
    if status is Status.ERROR:
        case["outcome"] = "error"
    elif status is Status.NOT_APPLICABLE:
        case["outcome"], case["message"] = "skipped", first or STATUS[status](lang)
    elif status in (Status.FAIL, Status.MANUAL):
        if gates(status, severities):
            case["outcome"] = "failure"
        else:  # met the gate: shown, not failed
            case["note"] = f"[{STATUS[status](lang)}] {case['body']}"
    elif status is Status.WAIVED:
        case["note"] = f"[{STATUS[status](lang)}] {case['body']}"
    return case


def junit_xml(documents: Documents, lang: str, gates: Gates) -> str:
    """JUnit XML (the schema of Jenkins' xunit plugin, which the common readers accept): a test suite per host, a
    test case per reference of its profile. A reference not met fails where its findings fail the run's gate
    (--fail-on: by default every failing and manual one) and passes with a note otherwise; an error is an error;
    a reference with nothing to judge on the host is skipped."""
    from .templates import render_xml

    suites = []
    for name, document in documents:
        findings = _findings_by_target(document)
        table = document.get("recommendations") or recommendations_table(document.get("items", []))
        cases = [_case(entry, document, lang, gates, findings) for entry in table]
        if document.get("error"):  # a host where harden did not run, or stopped (a fleet's report says why)
            cases.insert(0, {"name": "harden", "status": "error", "outcome": "error", "message": one_line(str(document["error"])),
                             "body": str(document["error"]), "note": ""})
        suites.append({"name": f"{name}: {profile_title(document, lang)}", "host": document.get("host") or name,
                       "profile": str(document.get("profile", "")), "command": str(document.get("command", "")),
                       "root": str(document.get("root", "")), "cases": cases,
                       "count": {outcome: sum(1 for case in cases if case["outcome"] == outcome)
                                 for outcome in ("failure", "error", "skipped")}})
    text = render_xml("report/junit.xml.j2", suites=suites,
                      failures=sum(suite["count"]["failure"] for suite in suites),
                      errors=sum(suite["count"]["error"] for suite in suites), tests=sum(len(suite["cases"]) for suite in suites))
    return _xml_text(text)


def _location(item: dict, finding: dict) -> dict:
    """Where a finding is: a file as a URI under the host's root (HOST_ROOT), a container or anything else by name."""
    target = str(finding.get("target", ""))
    if target.startswith("/"):
        return {"physicalLocation": {"artifactLocation": {"uri": urllib.parse.quote(target.lstrip("/")), "uriBaseId": "HOST_ROOT"}}}
    container = (finding.get("evidence") or {}).get("container")
    if isinstance(container, str) and container:
        return {"logicalLocations": [{"name": container, "fullyQualifiedName": f"container/{container}", "kind": "resource"}]}
    return {"logicalLocations": [{"name": target or item["id"], "fullyQualifiedName": f"{item['id']}/{target}" if target else item["id"],
                                  "kind": "resource"}]}


def _result(item: dict, index: int, finding: dict) -> dict:
    refs, _ = refs_of_finding(finding)
    severity = finding.get("severity") or "low"
    manual = finding["status"] == "manual" or item.get("status") == "manual"
    result = {
        "ruleId": item["id"], "ruleIndex": index,
        # a finding for a person to judge is a review, whose level SARIF fixes at none (3.27.9)
        "kind": "review" if manual else "fail", "level": "none" if manual else SARIF_LEVEL.get(severity, "warning"),
        "message": {"text": finding.get("message") or item.get("title", "")},
        "locations": [_location(item, finding)],
        "partialFingerprints": {"itemTarget/v1": f"{item['id']}:{finding.get('target', '')}"},
        "properties": {"refs": refs, "severity": severity, "status": finding["status"], "target": str(finding.get("target", ""))},
    }
    if finding["status"] == "waived":
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": str((finding.get("evidence") or {}).get("waiver", ""))}]
    return result


def _run(name: str, document: dict, lang: str, version: str) -> dict:
    rules, results, notifications = [], [], []
    for index, item in enumerate(document.get("items", [])):
        rule = {"id": item["id"], "shortDescription": {"text": item.get("title") or item["id"]},
                "properties": {"refs": list(item.get("refs") or []), "cis": str(item.get("cis", "")),
                               "remedy": str(item.get("remedy", "")), "tags": ["security", *(item.get("refs") or [])]}}
        if item.get("advice"):
            rule["help"] = {"text": item["advice"]}
        rules.append(rule)
        for finding in item.get("findings", []):
            if finding["status"] in ("fail", "manual", "waived"):
                results.append(_result(item, index, finding))
            elif finding["status"] == "error":
                notifications.append({"level": "error", "message": {"text": finding.get("message") or item.get("reason", "")},
                                      "descriptor": {"id": item["id"]}})
        if item.get("status") == "error" and not any(finding["status"] == "error" for finding in item.get("findings", [])):
            notifications.append({"level": "error", "message": {"text": str(item.get("reason") or item["id"])}, "descriptor": {"id": item["id"]}})
    if document.get("error"):
        notifications.insert(0, {"level": "error", "message": {"text": str(document["error"])}})
    root = str(document.get("root") or "/")
    return {
        "tool": {"driver": {"name": "harden", "version": version, "rules": rules}},
        "originalUriBaseIds": {"HOST_ROOT": {"uri": "file://" + urllib.parse.quote(root.rstrip("/") + "/"),
                                             "description": {"text": "the root of the host's tree that was judged"}}},
        "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications,
                         "machine": str(document.get("host") or name)}],
        "language": "zh-CN" if lang == "zh" else "en-US",
        "results": results,
        "properties": {"host": name, "profile": str(document.get("profile", "")), "profileTitle": profile_title(document, lang),
                       "command": str(document.get("command", ""))},
    }


def sarif_log(documents: Documents, lang: str) -> dict:
    """A SARIF 2.1.0 log: a run per host."""
    from importlib.metadata import version

    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [_run(name, document, lang, version("hardener")) for name, document in documents]}
