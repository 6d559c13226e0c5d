"""harden schedule: a systemd timer that runs `harden check --scheduled` (its service sandboxed, reading the host and
writing only its reports), installed as a change of a run of its own, so that `harden rollback` (or `harden schedule
--off`) removes it like any other; and what a scheduled check does: keep its report, rotated, and say in the system
log what changed since the last one."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence

from .fixes import Fix
from .host import Host, HostError, roots_alone
from .i18n import ERRORS, STATUS, UI
from .settings import UNPRINTABLE
from .model import Detection, Finding, Intent, RunCommand, Said, Status, Text, WriteFile
from .parameters import Parameter
from .planners import Planned, planner, serving
from .templates import render

SERVICE = "/etc/systemd/system/harden-check.service"
TIMER = "/etc/systemd/system/harden-check.timer"
REPORTS = "/var/lib/hardener/reports"
SHORTHANDS = ("minutely", "hourly", "daily", "weekly", "monthly")
EVERY_HOURS = re.compile(r"([1-9]|1[0-9]|2[0-3])h")
EVERY_MINUTES = re.compile(r"(1|2|3|4|5|6|10|12|15|20|30)min")


class ScheduleError(Said):
    """A value a schedule cannot take: its text in i18n.ERRORS, by key, and the text's values."""

    def __init__(self, key: str, **values):
        super().__init__(ERRORS[key], **values)


def code_not_roots(host: Host) -> None:
    """Refuse a timer that would run, as root, code someone else can change: the interpreter (as the unit names it,
    and what it leads to), the directories Python imports from, and every module this run loaded (harden's,
    click's, ...) and its directory: each root's, and written by root alone. So must be each directory above them,
    or sticky (which keeps others from replacing root's files there). harden installed in a user's virtual
    environment would otherwise run as root whatever that user puts there."""
    loaded = {os.path.realpath(path) for path in (getattr(module, "__file__", None) for module in list(sys.modules.values()))
              if isinstance(path, str) and os.path.isabs(path)}
    imported_from = {path for path in sys.path if os.path.isabs(path) and os.path.isdir(path) and path != os.getcwd()}
    strict = ({sys.executable, os.path.realpath(sys.executable), os.path.dirname(sys.executable), sys.prefix, sys.exec_prefix}
              | imported_from | loaded | {os.path.dirname(path) for path in loaded})
    above = set()
    for path in strict:
        while path != "/":
            path = os.path.dirname(path)
            above.add(path)
    for path, sticky_allowed in sorted([(path, False) for path in strict] + [(path, True) for path in above - strict]):
        info = host.lstat(path)
        if info is not None and not roots_alone(info, sticky_protects=sticky_allowed):
            raise ScheduleError("code_not_roots", path=path, owner=host.owner(info.st_uid, info.st_gid),
                                mode=f"{stat.S_IMODE(info.st_mode):04o}")


# Where an interpreter finds harden, without running any of it (another copy's code is not run to find out)
FIND_HARDENER = ("import importlib.util, sys; spec = importlib.util.find_spec('hardener'); "
                 "print(spec.origin) if spec and spec.origin else sys.exit(\"No module named 'hardener'\" if spec is None "
                 "else 'hardener there is a directory without its code')")


def timer_runs_this_harden(python: str = sys.executable) -> None:
    """Refuse a timer that would not run this harden: its service starts `python -m hardener` in /, without this run's
    environment (PYTHONPATH, the current directory), so harden must be installed for that interpreter, and be this
    one (whose files code_not_roots judged), not another copy."""
    ours = os.path.dirname(os.path.realpath(__file__))
    try:
        found = subprocess.run([python, "-c", FIND_HARDENER], cwd="/", capture_output=True, text=True, timeout=60,
                               env={"PATH": os.defpath, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ScheduleError("timer_cannot_import", python=python, said=error) from None
    if found.returncode != 0:
        said = (found.stderr.strip().splitlines() or ["it says no more"])[-1]
        raise ScheduleError("timer_cannot_import", python=python, said=said)
    theirs = os.path.dirname(os.path.realpath((found.stdout.strip().splitlines() or [""])[-1]))
    if theirs != ours:
        raise ScheduleError("timer_other_harden", python=python, theirs=theirs, ours=ours)


def calendar(every: str) -> str:
    """--every as an OnCalendar= expression: hourly, daily, ... as systemd has them; Nh (every N hours) and Nmin (N
    dividing an hour); else a calendar expression of its own, as `systemd-analyze calendar` reads it."""
    every = every.strip()
    if every in SHORTHANDS:
        return every
    if EVERY_HOURS.fullmatch(every):
        return f"*-*-* 00/{every[:-1]}:00:00"
    if EVERY_MINUTES.fullmatch(every):
        return f"*:00/{every[:-3]}"
    if not every or UNPRINTABLE.search(every) or "%" in every:
        raise ScheduleError("every_words", words=", ".join(SHORTHANDS), every=repr(every))
    # this machine's systemd-analyze, a parser that reads and changes nothing of the host: under --root too
    try:
        checked = subprocess.run(["systemd-analyze", "calendar", every], capture_output=True, text=True, timeout=30,
                                 env=dict(os.environ, LC_ALL="C"))
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ScheduleError("every_unchecked", every=repr(every), error=error, words=", ".join(SHORTHANDS)) from None
    if checked.returncode != 0:
        said = (checked.stderr.strip().splitlines() or ["it says no more"])[-1]
        raise ScheduleError("every_refused", every=repr(every), said=said)
    return every


def spread(calendar_expression: str) -> str:
    """RandomizedDelaySec=: up to a quarter of the interval, so that a fleet does not check at the same second and a
    check every few minutes still runs every few minutes."""
    if calendar_expression == "minutely" or calendar_expression.startswith("*:"):
        return "15s"
    if calendar_expression == "hourly" or calendar_expression.startswith("*-*-* 00/"):
        return "5min"
    return "15min"


def quoted(argument: str) -> str:
    """An ExecStart= word as systemd reads it: quoted where it is not plain, % and $ doubled (no specifier, no variable).
    A word with a line break or another control character would end the line and start a directive of its own: it
    is refused."""
    if UNPRINTABLE.search(argument):
        raise ScheduleError("unit_word", word=repr(argument))
    argument = argument.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[A-Za-z0-9_./:=,+@-]+", argument):
        return argument
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class ScheduleUnits(Intent):
    service: str
    timer: str


@planner(ScheduleUnits)
def plan_schedule(host: Host, wanted, options) -> Planned:
    """The timer and its service, written, then enabled and started. Undone the other way round: stopped and disabled,
    the files removed, and systemd told last (the reload is the first step, so its undo is the last)."""
    items = serving(wanted)
    intent = wanted[0][1]
    changes: List = []
    if host.live:
        changes.append(RunCommand("systemd units", ("systemctl", "daemon-reload"), (("systemctl", "daemon-reload"),), items=items))
    changes += [WriteFile(SERVICE, intent.service, 0o644, items=items), WriteFile(TIMER, intent.timer, 0o644, items=items)]
    if host.live:
        changes.append(RunCommand("harden-check.timer", ("systemctl", "enable", "--now", "harden-check.timer"),
                                  (("systemctl", "disable", "--now", "harden-check.timer"),), items=items))
    return Planned(changes)


def _text(value, fail):
    if not isinstance(value, str):
        raise fail("is a string")
    return value


class ScheduledCheck(Fix):
    """Not an item of any profile: what `harden schedule` installs, judged and planned as items are."""

    id = "schedule"
    title = Text("harden checks this host on a schedule", "harden 按计划检查本机")
    advice = Text("harden schedule --every daily", "harden schedule --every daily")
    reasons = {"scheduled": Text("{path} is in place", "{path} 已就位"),
               "not_scheduled": Text("{path} is not there yet", "{path} 尚不存在"),
               "other_schedule": Text("{path} holds another schedule: harden schedule --off first",
                                      "{path} 中是另一份计划：请先运行 harden schedule --off")}
    parameters = (Parameter("calendar", _text, "daily"), Parameter("arguments", lambda value, fail: value, ()),
                  Parameter("writable", lambda value, fail: value, ()))

    def units(self) -> ScheduleUnits:
        command = " ".join(quoted(word) for word in (sys.executable, "-m", "hardener", "check", "--scheduled",
                                                     *self.parameter("arguments")))
        service = render("systemd/harden-check.service.j2", command=command,
                         # "-": a directory that is not there (yet) does not stop the check
                         writable=" ".join("-" + quoted(path) for path in self.parameter("writable")))
        calendar_expression = self.parameter("calendar")
        return ScheduleUnits(service, render("systemd/harden-check.timer.j2", calendar=calendar_expression, delay=spread(calendar_expression)))

    def detect(self, host: Host) -> Detection:
        wanted = self.units()
        findings = []
        for path, text in ((SERVICE, wanted.service), (TIMER, wanted.timer)):
            found = host.read_text(path)
            reason = "scheduled" if found == text else "not_scheduled" if found is None else "other_schedule"
            status = {"scheduled": Status.PASS, "not_scheduled": Status.FAIL, "other_schedule": Status.MANUAL}[reason]
            findings.append(Finding(path, status, reason, "low", {"path": path}))
        if any(finding.status is Status.MANUAL for finding in findings):
            return Detection(tuple(findings))
        return Detection(tuple(findings), intents=(wanted,) if any(f.status is Status.FAIL for f in findings) else ())


# -- a scheduled check ---------------------------------------------------------


REPORT_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z\.json")  # what keep_report names them: they sort by time


def keep_report(host: Host, document: dict, keep: int, lang: str, now: Optional[datetime.datetime] = None) -> List[str]:
    """Store a scheduled check's report under REPORTS (the newest `keep` are kept) and say, a line each, how its
    references' statuses changed since the last one of the same profile and config (a change of either starts anew,
    said in one line). Returns those lines. Only files it named itself are read or rotated; one dated after this run
    (a clock set back) is neither the last report nor kept."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if host.lstat(REPORTS) is None:
        if host.lstat("/var/lib/hardener") is None:
            host.make_dir("/var/lib/hardener", 0o700)
        host.make_dir(REPORTS, 0o700)
    name = now.strftime("%Y%m%dT%H%M%S.%fZ") + ".json"
    names = sorted(found for found in host.list_dir(REPORTS) if REPORT_NAME.fullmatch(found) and _regular(host, f"{REPORTS}/{found}"))
    earlier = [found for found in names if found < name]
    previous = _readable(host, earlier)
    host.write_file(f"{REPORTS}/{name}", (json.dumps(document, ensure_ascii=False) + "\n").encode(), new_mode=0o600)
    later = [found for found in names if found > name]
    for old in later + (earlier + [name])[:-keep]:
        host.remove_file(f"{REPORTS}/{old}")
    return changes_since(previous, document, lang)


def _regular(host: Host, path: str) -> bool:
    info = host.lstat(path)
    return info is not None and stat.S_ISREG(info.st_mode)


def _readable(host: Host, names: Sequence[str]) -> Optional[dict]:
    for name in reversed(names):
        try:
            found = json.loads(host.read_text(f"{REPORTS}/{name}") or "")
        except (HostError, ValueError):
            continue
        if isinstance(found, dict) and isinstance(found.get("recommendations"), list):
            return found
    return None


def baseline_sha256(config, profile) -> str:
    """What scheduled reports are compared under: the config and the profile as it resolved (a profile file edited in
    place too)."""
    resolved = {"config": config.sha256, "profile": profile.name, "refs": profile.refs(),
                "entries": {item: repr(entry) for item, entry in profile.entries.items()}, "title": [profile.title.en, profile.title.zh]}
    return hashlib.sha256(json.dumps(resolved, sort_keys=True, default=str).encode()).hexdigest()


def changes_since(previous: Optional[dict], document: dict, lang: str) -> List[str]:
    """A line per reference whose status changed, with the targets that came to its new status (a reference that
    passes again names what was fixed, not all that passes); where there is nothing to compare with (the first
    report, or one of another profile or config), one line that says so."""
    if previous is None:
        return [UI["schedule_baseline"](lang, profile=document["profile"])]
    if (previous.get("profile"), previous.get("baseline_sha256")) != (document["profile"], document.get("baseline_sha256")):
        return [UI["schedule_new_baseline"](lang, before=str(previous.get("profile")), profile=document["profile"])]
    named = {status.value: STATUS[status](lang) for status in Status}
    # what an older report says, where it says it in the shape harden writes (a report edited by hand is not trusted)
    before = {entry["id"]: entry for entry in previous["recommendations"]
              if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry.get("status") in named}
    lines = []
    for entry in document["recommendations"]:
        old_entry = before.get(entry["id"], {})
        old = old_entry.get("status")
        if old != entry["status"]:
            findings = old_entry.get("findings")
            already = {(finding["target"], finding.get("item")) for finding in findings if isinstance(finding, dict)
                       and isinstance(finding.get("target"), str) and finding.get("status") == entry["status"]
                       } if isinstance(findings, list) else set()
            targets = ", ".join(dict.fromkeys(f"{finding['target']} ({finding['item']})" if finding["target"] else finding["item"]
                                              for finding in entry["findings"] if finding["status"] == entry["status"]
                                              and (finding["target"], finding["item"]) not in already))
            lines.append(f"{entry['id']}: {named.get(old, '-')} -> {named[entry['status']]}" + (f": {targets}" if targets else ""))
    return lines
