"""The formats other tools read, made from harden's JSON reports: JUnit XML for CI (one test case per reference of
the profile) and SARIF 2.1.0 for code-scanning dashboards and defect trackers (one rule per item, one result per
finding that is not met).

Both take (name, report) pairs: one for a run on this host, one per host for `harden report` over a fleet's."""
from __future__ import annotations

import re
import urllib.parse
from typing import Callable, Dict, List, Sequence, Tuple

from .i18n import STATUS, UI
from .model import Status, Text
from .report import profile_title, recommendations_table, refs_of_finding
from .settings import one_line

# fails(item, finding): whether a finding of a report's item fails the run (--fail-on), as the exit code counts it
Gate = Callable[[dict, dict], bool]
Documents = Sequence[Tuple[str, dict]]

# what XML 1.0 cannot carry at all, even escaped, beside what every text output shows escaped already (the control
# characters and halves of a character: settings.printable)
_NOT_XML = re.compile("[\ufffe\uffff]")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
OPEN = ("fail", "manual", "waived", "error")  # what a finding not met can be


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _items(document: dict) -> List[dict]:
    """A report's items, a waived item's findings waived (reports before schema 5 kept them failing)."""
    items = []
    for item in document.get("items", []):
        if item.get("status") == "waived":
            item = dict(item, findings=[dict(finding, status="waived") if finding.get("status") in ("fail", "manual") else finding
                                        for finding in item.get("findings", [])])
        items.append(item)
    return items


def _case(entry: dict, answering: List[Tuple[dict, dict]], lang: str, fails: Gate) -> dict:
    """One test case: a reference of the profile, failed where a finding answering it fails the gate (as the exit
    code counts it), in error, skipped where there was nothing of it to judge, else passed, with what is not met
    (manual, waived, or below the gate) in its output."""
    status = Status(entry["status"])
    title = (entry.get("title") or {}).get(lang) or "; ".join(dict.fromkeys(item.get("title") or item["id"] for item, _ in answering))
    lines, failing = [], []
    for item, finding in answering:
        if finding.get("status") in OPEN:
            where = f"{finding.get('target')} ({item['id']})" if finding.get("target") else item["id"]
            # a host's newline cannot forge a line
            lines.append(one_line(f"[{STATUS[Status(finding['status'])](lang)}] {where}: {finding.get('message') or finding.get('reason', '')}"))
            if fails(item, finding):
                failing.append(one_line(finding.get("message") or where))
    advice = list(dict.fromkeys(f"{UI['advice'](lang)}: {item['advice']}" for item, finding in answering
                                if item.get("advice") and finding.get("status") in OPEN))
    case = {"name": f"{entry['id']} {title}".strip(), "status": status.value, "message": "", "body": "\n".join(lines + advice),
            "outcome": "passed", "note": ""}
    if status is Status.ERROR:
        case["outcome"], case["message"] = "error", next((line for line in lines), entry["id"])
    elif status is Status.NOT_APPLICABLE:
        case["outcome"], case["message"] = "skipped", STATUS[status](lang)
    elif failing:
        case["outcome"], case["message"] = "failure", failing[0]
    elif lines:  # not met, and the gate lets it pass: shown, not failed
        case["note"] = case["body"]
    return case


def _answering(items: Sequence[dict]) -> Dict[str, List[Tuple[dict, dict]]]:
    """By reference, the findings that answer it and do not meet it (as the per-reference table counts them)."""
    found: Dict[str, List[Tuple[dict, dict]]] = {}
    for item in items:
        for finding in item.get("findings", []):
            refs, met = refs_of_finding(finding)
            for ref in refs:
                if ref not in met:
                    found.setdefault(ref, []).append((item, finding))
    return found


def junit_xml(documents: Documents, lang: str, fails: Gate) -> str:
    """JUnit XML (the schema of Jenkins' xunit plugin, which the common readers accept): a test suite per host, a
    test case per reference of its profile. A reference fails where a finding not meeting it fails the gate of
    --fail-on (by default every failing and manual one), so that the failures are the exit code's; an error is an
    error; a reference with nothing to judge on the host is skipped."""
    from .templates import render_xml

    suites = []
    for name, document in documents:
        items = _items(document)
        titles = {entry["id"]: entry["title"] for entry in document.get("recommendations") or () if isinstance(entry.get("title"), dict)}
        answering = _answering(items)
        cases = [_case(entry, answering.get(entry["id"], []), lang, fails)
                 for entry in recommendations_table(items, {ref: Text(str(title.get("en", "")), str(title.get("zh", ""))) for ref, title in titles.items()})]
        if document.get("error"):  # a host where harden did not run, or stopped (a fleet's report says why)
            cases.insert(0, {"name": "harden", "status": "error", "outcome": "error", "message": one_line(str(document["error"])),
                             "body": str(document["error"]), "note": ""})
        suites.append({"name": f"{name}: {profile_title(document, lang)}", "host": document.get("host") or name,
                       "classname": f"{name}.{document.get('profile', '')}",
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


def _result(item: dict, index: int, finding: dict, occurrence: int) -> dict:
    refs, _ = refs_of_finding(finding)
    severity = finding.get("severity") or "low"
    evidence = finding.get("evidence") or {}
    # a finding for a person to judge is a review, whose level SARIF fixes at none (3.27.9); a waived one keeps its kind
    manual = "manual" in (finding["status"], item.get("status"), evidence.get("waived_status")) or item.get("remedy") == "manual"
    result = {
        "ruleId": item["id"], "ruleIndex": index,
        "kind": "review" if manual else "fail", "level": "none" if manual else SARIF_LEVEL.get(severity, "warning"),
        "message": {"text": finding.get("message") or item.get("title") or item["id"]},
        "locations": [_location(item, finding)],
        # the same finding on the next run is the same alert: its item, target, reason and place among its like
        "partialFingerprints": {"itemTarget/v2": f"{item['id']}:{finding.get('target', '')}:{finding.get('reason', '')}:{occurrence}"},
        "properties": {"refs": refs, "severity": severity, "status": finding["status"], "target": str(finding.get("target", ""))},
    }
    if finding["status"] == "waived":
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": str(evidence.get("waiver", ""))}]
    return result


def _run(name: str, document: dict, lang: str, version: str) -> dict:
    rules, results, notifications = [], [], []
    for index, item in enumerate(_items(document)):
        rule = {"id": item["id"], "shortDescription": {"text": item.get("title") or item["id"]},
                "properties": {"refs": list(item.get("refs") or []), "cis": str(item.get("cis", "")),
                               "remedy": str(item.get("remedy", "")), "tags": ["security", *(item.get("refs") or [])]}}
        if item.get("advice"):
            rule["help"] = {"text": item["advice"]}
        rules.append(rule)
        seen: Dict[Tuple[str, str], int] = {}
        for finding in item.get("findings", []):
            if finding["status"] in ("fail", "manual", "waived"):
                key = (str(finding.get("target", "")), str(finding.get("reason", "")))
                seen[key] = seen.get(key, -1) + 1
                results.append(_result(item, index, finding, seen[key]))
            elif finding["status"] == "error":
                notifications.append({"level": "error", "message": {"text": finding.get("message") or item.get("reason", "")},
                                      "associatedRule": {"id": item["id"], "index": index}})
        if item.get("status") == "error" and not any(finding["status"] == "error" for finding in item.get("findings", [])):
            notifications.append({"level": "error", "message": {"text": str(item.get("reason") or item["id"])},
                                  "associatedRule": {"id": item["id"], "index": index}})
    if document.get("error"):
        notifications.insert(0, {"level": "error", "message": {"text": str(document["error"])}})
    root = str(document.get("root") or "/")
    return {
        "tool": {"driver": {"name": "harden", "version": version, "rules": rules}},
        # a run per host: code-scanning services tell the runs of one tool apart by this
        "automationDetails": {"id": f"harden/{name}/"},
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
    from . import __version__

    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [_run(name, document, lang, str(document.get("version") or __version__)) for name, document in documents]}
