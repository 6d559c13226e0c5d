"""Renderings of results for people (text) and for programs (JSON).

The JSON documents are the tool's public interface; docs/reports.md documents them.
"""
from __future__ import annotations

import datetime
import socket
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from . import __version__, services
from .engine import unified_diff
from .host import Host
from .i18n import (OWN_PLACES, OWN_VALUES, PAGE, PAGE_COUNTS, PAGE_GROUPS, REASONS, SEVERITY_NAMES, STATUS,
                   UI)
from .model import (SEVERITIES, Change, CreateContainer, Finding, RemoveContainer, ItemResult, RestartService, SetOwnerMode, Status, Text,
                    WriteFile, combined_status)
from .settings import DEFAULT_PROFILE, PROFILES, diff_sign, one_line
from .benchmark import by_number, numbers, recommendations, references
from .profiles import Profile, load_profile


class _Blank(dict):
    def __missing__(self, key):
        return "?"


def _fill(text: Text, lang: str, values: dict) -> str:
    return getattr(text, lang).format_map(_Blank(values))


def finding_message(result: ItemResult, finding: Finding, lang: str) -> str:
    text = result.fix.reasons.get(finding.reason) or REASONS.get(finding.reason)
    if text is None:
        return finding.reason
    whose = UI["rootless_finding"](lang, user=finding.evidence["rootless_user"]) if "rootless_user" in finding.evidence else ""
    values = {key: own_words(key, value, lang) for key, value in finding.evidence.items()}
    return whose + _fill(text, lang, dict(values, item=result.fix.id))


def evidence_line(evidence: Mapping[str, object], lang: str) -> str:
    """A finding's evidence as a page shows it: key=value · key=value, harden's own words in `lang`."""
    return " · ".join(f"{key}={own_words(key, value, lang)}" for key, value in evidence.items())


def own_words(key: str, value: object, lang: str) -> object:
    """An evidence value in `lang` where it is in harden's own words ("default", "(none)", a JSON type); else as it is."""
    own = OWN_PLACES if key == "where" else OWN_VALUES
    return own[value](lang) if isinstance(value, str) and value in own else value


def host_name(host: Host) -> Optional[str]:
    """The host's name: the machine's on the live root, the tree's /etc/hostname
    under --root (None where the tree has none)."""
    if host.live:
        return socket.gethostname()
    return (host.read_db("/etc/hostname") or "").strip() or None


# -- changes -----------------------------------------------------------------


def describe_change(host: Host, change: Change, lang: str) -> dict:
    """A change as data, with the items it serves: for a file, the unified diff from what is there now."""
    return dict(_described(host, change, lang), items=list(change.items))


def _described(host: Host, change: Change, lang: str) -> dict:
    if isinstance(change, WriteFile):
        current = host.read_text(change.path, change.user)
        old_header = "--- /dev/null" if current is None else f"--- a{change.path}"
        diff = unified_diff(current or "", change.content, old_header, f"+++ b{change.path}")
        return {"kind": change.kind, "target": change.path, "new": current is None, "diff": "\n".join(diff)}
    if isinstance(change, SetOwnerMode):
        state = host.state(change.path, change.user)
        return {
            "kind": change.kind,
            "target": change.path,
            "before": {"owner": host.owner(state.uid, state.gid), "mode": f"{state.mode:04o}"},
            "after": {"owner": host.owner(change.uid, change.gid), "mode": f"{change.mode:04o}"},
        }
    if isinstance(change, CreateContainer):
        return {"kind": change.kind, "target": change.target, "request": dict(change.request), "changed": list(change.changed),
                "connect": [network for network, _ in change.connect], "disconnect": list(change.disconnect), "start": change.start,
                "undo": [list(command) for command in change.undo]}
    if isinstance(change, RemoveContainer):
        return {"kind": change.kind, "target": change.target, "command": list(change.command), "caveat": change.caveat(lang)}
    if isinstance(change, RestartService):
        commands = services.handler(change.service).commands(change)
        return {"kind": change.kind, "target": change.unit, "commands": [list(command) for command in commands]}
    return {"kind": change.kind, "target": change.target, "command": list(change.command), "undo": [list(command) for command in change.undo],
            "caveat": change.caveat(lang) if change.caveat else None}


def change_lines(described: dict, lang: str) -> List[str]:
    serves = [UI["serves"](lang, items=", ".join(described["items"]))] if len(described.get("items", ())) > 1 else []
    return serves + _change_lines(described, lang)


def _change_lines(described: dict, lang: str) -> List[str]:
    if described["kind"] == "set_owner_mode":
        before, after = described["before"], described["after"]
        return [described["target"] + ": " + UI["owner_mode"](lang, before=f"{before['owner']} {before['mode']}", after=f"{after['owner']} {after['mode']}")]
    if described["kind"] == "restart_service":
        return [UI["restart"](lang, commands=" && ".join(" ".join(command) for command in described["commands"]))]
    if described["kind"] == "create_container":
        lines = [UI["create"](lang, target=described["target"], what=UI["and_start"](lang) if described["start"] else "")]
        lines += [f"  {line}" for line in described["changed"]]
        lines += [UI["connect"](lang, networks=", ".join(described["connect"]))] if described["connect"] else []
        return lines + [UI["undo_with"](lang, command=" && ".join(" ".join(command) for command in described["undo"]))]
    if described["kind"] == "remove_container":
        return [UI["run"](lang, target=described["target"], command=" ".join(described["command"])), f"  {described['caveat']}"]
    if described["kind"] == "run_command":
        lines = [UI["run"](lang, target=described["target"], command=" ".join(described["command"])),
                 UI["undo_with"](lang, command=" && ".join(" ".join(command) for command in described["undo"]))]
        return lines + ([described["caveat"]] if described["caveat"] else [])
    lines = [UI["new_file"](lang, path=described["target"])] if described["new"] else []
    return lines + described["diff"].splitlines()


# -- item results --------------------------------------------------------------


def summary(results: Sequence[ItemResult]) -> Dict[str, int]:
    count = lambda *statuses: sum(1 for r in results if r.status in statuses)  # noqa: E731
    return {
        "to_change": sum(1 for r in results if r.changes),
        "failing": count(Status.FAIL),
        "manual": count(Status.MANUAL),
        "compliant": count(Status.PASS, Status.WAIVED),
        "waived": count(Status.WAIVED),
        "not_applicable": count(Status.NOT_APPLICABLE),
        "error": count(Status.ERROR),
    }


# The shape of the JSON report, bumped by each change of it: 1 had no "schema" member; 2 added "recommendations"
# and a finding's "cis_met"; 3 names any profile (a profile file's too) and carries its title; 4 gives each item
# and finding the profile's references ("refs": a profile's own, or the CIS numbers), and "recommendations" is by
# them; 5 adds "version" and "generated" (the harden that made it, and when), check's "drift" and "drift_notes" (what
# harden's runs changed that no longer holds), an item's advice whatever its status, and a waived item's findings are
# "waived". `harden report` reads every version up to this one.
SCHEMA = 6


def refs_of_finding(finding: dict) -> Tuple[List[str], List[str]]:
    """The references a finding answers and those of them it meets: the profile's own where it gives the item some
    (all of them, judged as one), else its CIS recommendations (reports before schema 4 have only these)."""
    if finding.get("refs") is not None and finding.get("refs") != finding.get("cis"):
        return list(finding["refs"]), []
    return list(finding.get("cis") or []), list(finding.get("cis_met") or [])


def recommendations_table(items: Sequence[dict], titles: Optional[Mapping[str, Text]] = None) -> List[dict]:
    """A verdict per recommendation, from a report's items: a finding counts for each recommendation it answers,
    as passing those it meets (cis_met) and with its own status for the others; a failing finding of an item that
    only an administrator can fix counts as manual, as the item does. A recommendation of the item that no finding
    names is not applicable (or the item's error). In the benchmark's order."""
    found: Dict[str, dict] = {}

    def add(number: str, item: dict, target: str, status: str, reason: str) -> None:
        entry = found.setdefault(number, {"id": number, "items": [], "findings": []})
        entry["items"] += [item["id"]] if item["id"] not in entry["items"] else []
        entry["findings"].append({"item": item["id"], "target": target, "status": status, "reason": reason})

    for item in items:
        answered = set()
        for finding in item.get("findings", []):
            refs, met = refs_of_finding(finding)
            for number in refs:
                status = "pass" if number in met else finding["status"]
                if status == "fail" and item.get("status") == "manual":
                    status = "manual"
                add(number, item, str(finding.get("target", "")), status, str(finding.get("reason", "")))
                answered.add(number)
        # every recommendation the item answers has a line: one no finding names has nothing of its kind on this
        # host where the item judged the host and found others, else the item's own verdict (an error, say)
        judged = answered and item.get("status") != "error"
        for number in item["refs"] if item.get("refs") is not None else numbers(item["cis"]) if item.get("cis") else ():
            if number not in answered:
                add(number, item, "", "not_applicable" if judged else item["status"], "" if judged else str(item.get("reason", "")))
    # the benchmark's recommendations in its order, then a profile's own references in the order its items give them
    order = {number: index for index, number in enumerate(recommendation.number for recommendation in recommendations())}
    appearance = {ref: index for index, ref in enumerate(found)}
    table = sorted(found.values(), key=lambda entry: (order.get(entry["id"], len(order)), appearance[entry["id"]]))
    for entry in table:
        entry["status"] = combined_status(Status(finding["status"]) for finding in entry["findings"]).value
        if titles and entry["id"] in titles:  # carried, so that a page needs no profile file to name it
            entry["title"] = {"en": titles[entry["id"]].en, "zh": titles[entry["id"]].zh}
    return table


def results_document(host: Host, command: str, results: Sequence[ItemResult], lang: str, profile: Profile, with_changes: bool,
                     run_id: Optional[str] = None, changed: bool = False) -> dict:
    items = []
    for result in results:
        answered = numbers(result.fix.cis) if result.fix.cis else ()
        entry = profile.entry(result.fix.id)
        title = profile.title_of(result.fix)
        items.append({
            "id": result.fix.id,
            "title": title(lang),
            "titles": {"en": title.en, "zh": title.zh},
            "cis": result.fix.cis,
            "refs": list(profile.refs_of(result.fix)),
            "remedy": result.fix.remedy.value,
            "status": result.status.value,
            "reason": result.reason,
            "notes": [note(lang) for note in result.notes],
            "advice": (entry.advice or result.fix.advice)(lang),
            "findings": [
                {
                    "target": finding.target,
                    "status": finding.status.value,
                    "severity": entry.severity if entry.severity and finding.status in (Status.FAIL, Status.MANUAL) else finding.severity,
                    "reason": finding.reason,
                    "message": finding_message(result, finding, lang),
                    "evidence": dict(finding.evidence),
                    **cis_numbers(finding.cis or answered),
                    **({"cis_met": list(finding.cis_met)} if finding.cis_met else {}),
                    "refs": list(entry.refs or finding.cis or answered),
                }
                for finding in result.findings
            ],
            # a change serving several items is shown once, under the first of them, naming them all
            "changes": [describe_change(host, change, lang) for change in result.changes
                        if change.items[0] == result.fix.id] if with_changes else [],
            "planned_with": sorted({change.items[0] for change in result.changes if change.items[0] != result.fix.id})
                            if with_changes else [],
        })
    return {
        "schema": SCHEMA,
        "version": __version__,
        "generated": _now(),  # when it was made
        "command": command,
        "profile": profile.name,
        "profile_title": {"en": profile.title.en, "zh": profile.title.zh},
        "host": host_name(host),
        "root": str(host.root),
        "run_id": run_id,
        "changed": changed,
        "items": items,
        "recommendations": recommendations_table(items, {recommendation.number: recommendation.title for recommendation in
                                                         (*recommendations(), *profile.recommendations)}),
        "summary": summary(results),
    }


def recommendations_of(item: dict, finding: dict, lang: str) -> str:
    """"CIS 3.13, 3.14: " before a finding of an item that answers several recommendations, so a report reads per recommendation."""
    several = "–" in item.get("cis", "") or "," in item.get("cis", "")
    return f"CIS {', '.join(finding.get('cis') or [])}{UI['colon'](lang)}" if several and finding.get("cis") else ""


def cis_numbers(answered) -> dict:
    """The CIS Docker Benchmark 1.8.0 recommendations a finding answers, and their 1.6.0/1.7.0 numbers where these differ."""
    old = [by_number()[number].number_1_6 for number in answered]
    return {"cis": list(answered), **({"cis_1_6": old} if old != list(answered) else {})}


def _evidence_lines(evidence: dict, lang: str) -> List[str]:
    lines = []
    if evidence.get("managed_by"):
        where = " ".join(str(evidence[key]) for key in ("project", "service", "namespace", "pod", "config_files") if evidence.get(key))
        lines.append(UI["managed"](lang, managed_by=evidence["managed_by"], where=where))
    if evidence.get("recreate_command"):
        lines.append(UI["recreate"](lang, command=evidence["recreate_command"]))
    if evidence.get("waiver"):
        lines.append(REASONS["waived"](lang, why=evidence["waiver"]))
    return lines


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _shown_time(generated: object) -> str:
    """A report's time as people read it: 2026-12-07 02:00:00 UTC."""
    return str(generated or "?").replace("T", " ").replace("+00:00", " UTC")


def profile_title(document: dict, lang: str) -> str:
    """The title of the profile a report was made under; a report older than schema 3 names a built-in one."""
    title = document.get("profile_title")
    if isinstance(title, dict) and isinstance(title.get(lang), str):
        return title[lang]
    name = document.get("profile")
    return load_profile(name if name in PROFILES else DEFAULT_PROFILE).title(lang)


SHOWN = (Status.ERROR, Status.FAIL, Status.MANUAL)  # what a text report shows without --all
ORDER = (Status.ERROR, Status.FAIL, Status.MANUAL, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE)


def _worst_severity(item: dict) -> int:
    return max((SEVERITIES.index(finding["severity"]) for finding in item["findings"]
                if finding["status"] in ("fail", "manual") and finding.get("severity") in SEVERITIES), default=-1)


def _worst_severity_name(item: dict) -> Optional[str]:
    worst = _worst_severity(item)
    return SEVERITIES[worst] if worst >= 0 else None


def _shared_errors(items: Sequence[dict]) -> Dict[str, List[str]]:
    """Errors several items share (an engine that does not answer): by message, the items that gave it."""
    found: Dict[str, List[str]] = {}
    for item in items:
        if item["status"] == "error" and len(item["findings"]) == 1:
            found.setdefault(str(item["findings"][0].get("message", "")), []).append(item["id"])
    return {message: ids for message, ids in found.items() if len(ids) > 1 and message}


def results_text(document: dict, lang: str, plan: bool, everything: bool = False) -> str:
    """What people read: the items in error, failing and needing a person, worst first (with --all, every item), each
    failing or manual finding with its severity; one line for an error several items share (a Docker engine that
    does not answer); a line counting what is not shown."""
    header = UI["header"](lang, title=profile_title(document, lang), root=f"{document['root']} ({document['host'] or '?'})")
    made = UI["made_by"](lang, version=document.get("version") or "?", time=_shown_time(document.get("generated")))
    lines = [one_line(header), one_line(made), ""]
    items = document["items"]
    shared = _shared_errors(items)
    for message, ids in shared.items():
        lines.append(f"[{STATUS[Status.ERROR](lang)}] {one_line(message)}")
        lines.append("    " + UI["shared_error"](lang, items=", ".join(ids)))
    grouped = {item_id for ids in shared.values() for item_id in ids}
    order = {status.value: index for index, status in enumerate(ORDER)}
    ordered = sorted((item for item in items if item["id"] not in grouped),
                     key=lambda item: (order[item["status"]], -_worst_severity(item)))  # stable: the profile's order within
    for item in ordered:
        status = Status(item["status"])
        if not everything and status not in SHOWN:
            continue
        why = next((finding["message"] for finding in item["findings"] if finding["message"]), item.get("reason"))
        reason = UI["colon"](lang) + one_line(why) if status is Status.NOT_APPLICABLE and why else ""
        lines.append(f"[{STATUS[status](lang)}] {item['id']}  {item['title']} ({references(item)}){reason}")
        for finding in item["findings"]:
            if finding["status"] in ("fail", "manual", "error", "waived"):
                severity = f"[{SEVERITY_NAMES[finding['severity']](lang)}] " if finding["status"] in ("fail", "manual") and \
                    finding.get("severity") in SEVERITY_NAMES else ""
                lines.append(f"    {severity}{recommendations_of(item, finding, lang)}{one_line(finding['message'])}")
                lines.extend(f"      {one_line(line)}" for line in _evidence_lines(finding["evidence"], lang))
        for note in item["notes"]:
            lines.append(f"    {one_line(note)}")
        if item["advice"] and not status.compliant and not (plan and item["status"] == "fail"):
            lines.append(f"    {UI['advice'](lang)}{UI['colon'](lang)}{item['advice']}")
        if plan and item.get("planned_with"):
            lines.append("    " + UI["planned_with"](lang, items=", ".join(item["planned_with"])))
        for change in item["changes"] if plan else ():
            lines.extend("    " + one_line(line) for line in change_lines(change, lang))
    hidden = [item for item in items if Status(item["status"]) not in SHOWN]
    if hidden and not everything:
        lines.append(UI["not_shown"](lang, compliant=sum(Status(item["status"]).compliant and item["status"] != "not_applicable"
                                                         for item in hidden),
                                     not_applicable=sum(item["status"] == "not_applicable" for item in hidden)))
    lines += _recommendation_lines(document, lang)
    counts = document["summary"]
    lines.append("")
    if plan:
        line = UI["plan_summary"](lang, change=counts["to_change"], manual=counts["manual"],
                                  compliant=counts["compliant"], not_applicable=counts["not_applicable"])
    else:
        line = UI["check_summary"](lang, failing=counts["failing"], manual=counts["manual"],
                                   compliant=counts["compliant"], not_applicable=counts["not_applicable"])
    if counts["error"]:
        line += ", " + UI["errors_summary"](lang, errors=counts["error"])
    lines.append(line)
    return "\n".join(lines)


def _recommendation_lines(document: dict, lang: str) -> List[str]:
    """The recommendations not met, each with the targets that fail it, and how many are met: a report read line
    by line against the benchmark."""
    table = document.get("recommendations") or recommendations_table(document["items"])
    open_ones = [entry for entry in table if not Status(entry["status"]).compliant]
    lines = ["", UI["by_recommendation"](lang, met=len(table) - len(open_ones), total=len(table),
                                         not_met=UI["not_met"](lang) if open_ones else "")]
    for entry in open_ones:
        targets = ", ".join(dict.fromkeys(f"{finding['target']} ({finding['item']})" for finding in entry["findings"]
                                          if finding["status"] == entry["status"]))
        lines.append(f"  [{STATUS[Status(entry['status'])](lang)}] {entry['id']}{UI['colon'](lang)}{one_line(targets)}")
    return lines


def page_text(lang: str) -> dict:
    """The words of the HTML pages, in one language."""
    text = {key: words(lang) for key, words in PAGE.items()}
    text["counts"] = tuple((key, words(lang)) for key, words in PAGE_COUNTS)
    text["groups"] = tuple((status, words(lang)) for status, words in PAGE_GROUPS)
    return text


def results_html(document: dict, lang: str) -> str:
    """One self-contained page: no external assets, readable offline."""
    from .templates import render_html

    return render_html("report/report.html.j2", doc=document, lang=lang, text=page_text(lang), profile_title=profile_title(document, lang),
                       status_names={status.value: STATUS[status](lang) for status in Status},
                       severities=tuple(reversed(SEVERITIES)), severity_names={name: words(lang) for name, words in SEVERITY_NAMES.items()},
                       worst_severity=_worst_severity_name, diff_sign=diff_sign,
                       recommendations_of=recommendations_of, references=references,
                       evidence_line=lambda evidence: evidence_line(evidence, lang),
                       change_lines=lambda change: change_lines(change, lang))


def _drift_entries(document: dict) -> List[dict]:
    """A report's drift (check's, schema 5 on), as far as it has the shape the page reads."""
    entries = document.get("drift")
    shape = {"run": str, "target": str, "items": list, "refs": list, "lines": list}
    return [entry for entry in entries if isinstance(entry, dict) and all(isinstance(entry.get(key), kind) for key, kind in shape.items())
            ] if isinstance(entries, list) else []


GRID_PAGE = 50  # hosts a page of the grid shows: a thousand hosts' grid at once is more than a browser draws in seconds
STATUS_MARKS = {"pass": "✓", "waived": "✓", "fail": "✗", "error": "!", "manual": "?", "not_applicable": "·", "missing": ""}


def fleet_html(documents: Sequence[Tuple[str, dict]], lang: str) -> str:
    """The fleet on one page: first the items by how many hosts fail them and the hosts worst first, then a grid of
    hosts x items per profile, GRID_PAGE hosts a page (reports of several profiles are said to be so and kept apart),
    then each host's findings, folded until opened. `documents` are (name, report): the name the fleet knows the host by. Titles are in the page's
    language whatever the hosts wrote theirs in (a report before schema 6: the built-in item's, where there is one)."""
    from .fixes import all_fixes
    from markupsafe import Markup

    from .templates import html_macro, render_html

    builtin = {fix.id: fix for fix in all_fixes()}

    def title_of(item: dict, profile: Optional[str]) -> str:
        titles = item.get("titles")
        if isinstance(titles, dict) and isinstance(titles.get(lang), str):
            return titles[lang]
        if profile in PROFILES and item["id"] in builtin:  # a report before schema 6: its built-in profile's title
            return load_profile(profile).title_of(builtin[item["id"]])(lang)
        return str(item.get("title", ""))

    hosts = []
    for name, document in documents:
        items = {item["id"]: item for item in document.get("items", [])}
        hosts.append({"name": name, "document": document, "items": items, "error": document.get("error"),
                      # a report before profiles (schema 1) is the default profile's; a run that failed may have none
                      "profile": document["profile"] if isinstance(document.get("profile"), str)
                      else None if document.get("error") else DEFAULT_PROFILE,
                      "profile_title": profile_title(document, lang),
                      "drift": _drift_entries(document),
                      "failing": sum(1 for item in items.values() if item["status"] in ("fail", "error")),
                      "manual": sum(1 for item in items.values() if item["status"] == "manual")})
    hosts.sort(key=lambda host: (not host["error"], -host["failing"], -host["manual"], -len(host["drift"]), host["name"]))
    for number, host in enumerate(hosts, 1):
        host["anchor"] = f"host-{number}"
    groups: Dict[str, dict] = {}
    for host in hosts:
        if host["profile"] is None:  # among the hosts, in no grid
            continue
        group = groups.setdefault(host["profile"], {"profile": host["profile"], "title": host["profile_title"], "hosts": [], "item_ids": []})
        group["hosts"].append(host)
        group["item_ids"] += [item_id for item_id in host["items"] if item_id not in group["item_ids"]]
    worst_items = []
    for group in groups.values():
        group["per_item"] = {item_id: {
            "failing": sum(1 for host in group["hosts"] if host["items"].get(item_id, {}).get("status") in ("fail", "error")),
            "manual": sum(1 for host in group["hosts"] if host["items"].get(item_id, {}).get("status") == "manual")}
            for item_id in group["item_ids"]}
        titles = {item_id: title_of(next(host["items"][item_id] for host in group["hosts"] if item_id in host["items"]), group["profile"])
                  for item_id in group["item_ids"]}
        worst_items += [{"profile": group["profile"], "id": item_id, "title": titles[item_id], **counts}
                        for item_id, counts in group["per_item"].items() if counts["failing"] or counts["manual"]]
    worst_items.sort(key=lambda entry: (-entry["failing"], -entry["manual"], entry["profile"], entry["id"]))
    grid_cell = html_macro("report/fleet_cell.html.j2", "grid_cell")
    cells = {status: grid_cell(status, mark) for status, mark in STATUS_MARKS.items()}
    for group in groups.values():  # the grid's rows: a cell a status, joined here (1,000 hosts are 82,000 cells)
        for host in group["hosts"]:
            host["cells"] = Markup("".join(cells[(host["items"].get(item_id) or {}).get("status", "missing")]
                                           for item_id in group["item_ids"]))
        group["pages"] = [group["hosts"][start:start + GRID_PAGE] for start in range(0, len(group["hosts"]), GRID_PAGE)]
    text = page_text(lang)
    # titled by its profile where every host was judged by one (a cis fleet by its benchmark)
    title = next(iter(groups.values()))["title"] if len(groups) == 1 else PAGE["mixed_title"](lang)
    made = PAGE["fleet_made"](lang, version=__version__, time=_shown_time(_now()))
    return render_html("report/fleet.html.j2", hosts=hosts, groups=list(groups.values()), worst_items=worst_items, lang=lang,
                       marks=STATUS_MARKS, grid_page=GRID_PAGE, title=PAGE["fleet_title"](lang, title=title), made=made,
                       text=text, shown_time=_shown_time, evidence_line=lambda evidence: evidence_line(evidence, lang), status_names={status.value: STATUS[status](lang) for status in Status},
                       recommendations_of=recommendations_of, title_of=title_of)
