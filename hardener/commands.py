"""What each command does, once the command line (cli.py) has read its options.

Imported when a command runs, not for `--help`: this is where the engine,
the journal, the reports and the items come in.
"""
from __future__ import annotations

import errno
import json
import os
import posixpath
import sys
from dataclasses import dataclass
from typing import Collection, FrozenSet, List, NoReturn, Optional, Set, Tuple

import click

from . import engine, parameters, report
from . import config as config_file
from . import journal as states
from .engine import ApplyFailed, RollbackRefused, SelectionError
from .fixes import all_fixes
from .profiles import Profile, ProfileError, load_profile
from .host import Host, HostError
from .i18n import ERRORS, RUN_STATES, UI
from .journal import Journal, JournalError
from .model import SEVERITIES, Status, said
from .options import Options
from .settings import (APPLY_FAILED, DEFAULT_PROFILE, ERROR, NOT_COMPLIANT, OK, PROFILES, ROLLBACK_INCOMPLETE, ROLLBACK_REFUSED, Failure, Settings, padded,
                       given_settings, ids, one_line, say)



# -- shared steps --------------------------------------------------------------


FAIL_ON = {"failing": Status.FAIL, "manual": Status.MANUAL}


@dataclass(frozen=True)
class FailOn:
    """Which findings make the exit code 2 (--fail-on): those of failing or manual items (`statuses`) whose severity
    is `lowest` or above. By default every failing or manual item's."""

    statuses: FrozenSet[Status] = frozenset(FAIL_ON.values())
    lowest: str = SEVERITIES[0]

    @classmethod
    def parse(cls, value: Optional[str]) -> "FailOn":
        words = ids(value)
        for word in words:
            if word not in (*FAIL_ON, *SEVERITIES):
                raise Failure(ERRORS["fail_on_word"], statuses=", ".join(FAIL_ON), severities=", ".join(SEVERITIES), word=repr(word))
        severities = [word for word in words if word in SEVERITIES]
        if len(severities) > 1:
            raise Failure(ERRORS["fail_on_severities"], severities=", ".join(severities))
        statuses = frozenset(FAIL_ON[word] for word in words if word in FAIL_ON) or frozenset(FAIL_ON.values())
        return cls(statuses, severities[0] if severities else SEVERITIES[0])

    def fails(self, item: dict, finding: dict) -> bool:
        """Whether a finding of a report's item makes the exit code 2: one not met (manual where it or its item is)
        of a status the gate takes, of its lowest severity or above (the profile's severity, as the report says)."""
        if finding.get("status") not in ("fail", "manual"):
            return False
        status = Status.MANUAL if "manual" in (finding["status"], item.get("status")) else Status.FAIL
        return status in self.statuses and SEVERITIES.index(finding.get("severity") or SEVERITIES[0]) >= SEVERITIES.index(self.lowest)


@dataclass
class Session:
    settings: Settings
    host: Host
    recreate: bool = False
    no_restart: bool = False
    live_restore: bool = False
    recreate_autoremove: Tuple[str, ...] = ()  # --recreate-autoremove NAME
    profile: Optional[Profile] = None  # the command line's, else the config's, else the default
    fail_on: FailOn = FailOn()

    @classmethod
    def open(cls, settings: Settings, recreate: bool = False, no_restart: bool = False, live_restore: bool = False) -> "Session":
        for option, value in (("--root", settings.root), ("--config", settings.config_path), ("--output", settings.output_file)):
            if value is not None and not value.strip():
                # `--root "$UNSET"` must not harden the machine it runs on
                raise Failure(ERRORS["empty_option"], option=option)
        session = cls(settings, Host(settings.root or "/"), recreate, no_restart, live_restore)
        session.fail_on = FailOn.parse(settings.fail_on)
        if settings.profile is not None:  # the command line's, read before anything of the host
            try:
                session.profile = load_profile(settings.profile)
            except ProfileError as error:
                raise Failure(error) from None
        return session

    def configured(self) -> config_file.Config:
        """The config file, and the profile it names where the command line named none."""
        def choose(configured_profile: Optional[str]) -> None:
            if self.profile is not None:
                return
            chosen = configured_profile or DEFAULT_PROFILE
            if self.settings.config_path is not None:  # a file of this machine's; its paths are relative to it
                self.profile = load_profile(chosen, os.path.dirname(os.path.abspath(self.settings.config_path)))
            else:  # the host's own config: its paths are the host's (under --root, in its tree)
                self.profile = load_profile(chosen, posixpath.dirname(config_file.DEFAULT_PATH),
                                            lambda path: str(self.host.real_path(path)))

        def nameable(configured_profile: Optional[str]) -> Tuple[str, Set[str]]:  # the items, the profile's own among them
            choose(configured_profile)
            listed = self.profile.name if self.profile.name in PROFILES else self.profile.source  # as harden list takes it
            return listed, {fix.id for fix in all_fixes()} | set(self.profile.own)

        try:
            config = config_file.load(self.host, self.settings.config_path, nameable)
            choose(config.profile)  # where there is no config, the default
        except (config_file.ConfigError, ProfileError) as error:
            raise Failure(error) from None
        return config

    def evaluate(self, items: Optional[Collection[str]] = None, containers: Optional[Tuple[str, ...]] = None):
        """The selected items' results; or those of `items` (by id, the profile's or not) on `containers`."""
        config = self.configured()
        if items is None:
            selection = engine.select(self.profile.fixes(), ids(self.settings.only), ids(self.settings.skip), config, self.profile.name)
        else:
            selection = engine.Selection(tuple(fix for fix in all_fixes() if fix.id in items), frozenset())
        chosen = tuple(self.settings.containers) if containers is None else containers
        return engine.evaluate(self.host, selection, Options(config=config, containers=chosen, recreate=self.recreate,
                                                         no_restart=self.no_restart, via=self.settings.via,
                                                         live_restore=self.live_restore, recreate_autoremove=self.recreate_autoremove,
                                                         parameters=parameters.resolved(self.profile.parameters, config),
                                                         refs=self.profile.refs()))

    def require_root(self, command: str) -> None:
        if self.host.live and os.geteuid() != 0:
            raise Failure(ERRORS["not_root"], command=command)

    def require_consent(self, command: str, yes: bool) -> None:
        if not yes and not sys.stdin.isatty():
            raise Failure(ERRORS["not_a_terminal"], command=command)

    def emit(self, document: dict, text: str, findings: bool = False) -> None:
        """The command's report in the chosen format, to standard output or --output. A report of `findings` (check,
        dry-run, apply) has a page, JUnit and SARIF too."""
        chosen, lang = self.settings.output_format, self.settings.language
        if findings and chosen == "html":
            self.settings.write(report.results_html(document, lang))
        elif findings and chosen in INTERCHANGE:
            self.settings.write(interchange_text([(document.get("host") or document["root"], document)], chosen, lang, self.fail_on))
        else:
            self.settings.emit(document, text)

    def write(self, output: str) -> None:
        self.settings.write(output)

    def text(self, key: str, **values) -> str:
        return UI[key](self.settings.language, **values)

    def results_text(self, document: dict, plan: bool) -> str:
        """The report of findings in words, made only where words are what the user reads."""
        if not self.settings.text:
            return ""
        return report.results_text(document, self.settings.language, plan=plan, everything=self.settings.show_all)


INTERCHANGE = ("junit", "sarif")  # the formats other tools read, of reports of findings


def interchange_text(documents, chosen: str, lang: str, fail_on: FailOn) -> str:
    from . import interchange

    if chosen == "junit":
        return interchange.junit_xml(documents, lang, fail_on.fails)
    return json.dumps(interchange.sarif_log(documents, lang), ensure_ascii=False, indent=1)


def _carried_out(session: Session, journal: Journal, results, command: str):
    """The results' changes made as one run (the journal's lock held), or the command's failure, undone where it could be."""
    try:
        return engine.apply(session.host, journal, results)
    except ApplyFailed as failed:
        state = ERRORS["run_undone"] if failed.undone else ERRORS["run_to_undo"].format(run_id=failed.run_id)
        raise Failure(ERRORS["run_failed"], APPLY_FAILED, command=command, failure=failed, state=state, run_id=failed.run_id) from None


def _first_error(results) -> Optional[Failure]:
    for result in results:
        if result.status is Status.ERROR:
            return Failure(ERRORS["item_error"], item=result.fix.id, message=result.findings[0].evidence.get("message", result.reason))
    return None


def _exit_code(document: dict, fail_on: FailOn) -> int:
    """From the report, so that the exit code and the formats other tools read (JUnit) say the same."""
    if any(item["status"] == Status.ERROR.value for item in document["items"]):
        return ERROR
    return NOT_COMPLIANT if any(fail_on.fails(item, finding) for item in document["items"] for finding in item["findings"]) else OK


def _preview(session: Session) -> int:
    results = session.evaluate()
    lang = session.settings.language
    document = report.results_document(session.host, "dry-run", results, lang, session.profile, with_changes=True)
    session.emit(document, session.results_text(document, plan=True), findings=True)
    return _exit_code(document, session.fail_on)


def preview() -> None:
    """No command: the plan, as --dry-run."""
    sys.exit(_preview(Session.open(given_settings())))


def check(metrics_file=None, scheduled=False, **given):
    """Detect only: the status of every selected item, and the drift from what harden's runs left (which does not
    change the exit code); with `metrics_file`, the same as Prometheus metrics too. `scheduled`: as the timer of
    `harden schedule` runs it (the report kept, changes logged; skipped while an apply or rollback runs)."""
    if metrics_file is not None and not metrics_file.strip():
        raise Failure(ERRORS["empty_metrics"])
    session = Session.open(given_settings(**given))
    if scheduled and (metrics_file or session.settings.output_format or session.settings.output_file):
        raise Failure(ERRORS["scheduled_options"])
    if scheduled and not Journal(session.host).lock_is_free_or_mine():
        say(session.text("scheduled_skipped"))
        session.host.log(session.text("scheduled_skipped"))
        sys.exit(OK)
    results = session.evaluate()
    lang = session.settings.language
    document = report.results_document(session.host, "check", results, lang, session.profile, with_changes=False)
    document.update(_drift(session))
    if scheduled:
        _scheduled_check(session, document, session.configured())
        sys.exit(_exit_code(document, session.fail_on))
    text = session.results_text(document, plan=False)
    if session.settings.text and (document["drift"] or document["drift_notes"]):
        text += "\n\n" + "\n".join(_drift_lines(session, document))
    session.emit(document, text, findings=True)
    if metrics_file:
        from .metrics import write_metrics

        try:  # a file of this machine's, as --output's
            write_metrics(Host("/"), os.path.abspath(metrics_file), document)
        except HostError as error:
            raise Failure(ERRORS["metrics_unwritable"], error=error) from None
    sys.exit(_exit_code(document, session.fail_on))


def drift(**given):
    """What harden's recorded runs changed that no longer holds what they left; changes nothing."""
    session = Session.open(given_settings(**given))
    session.configured()
    document = {"schema": report.SCHEMA, "command": "drift", "host": report.host_name(session.host), "root": str(session.host.root),
                **_drift(session)}
    session.emit(document, "\n".join(_drift_lines(session, document)))
    sys.exit(NOT_COMPLIANT if document["drift"] else OK)


def _drift(session: Session) -> dict:
    """The report's drift section: each file or container a recorded run changed that has drifted since, and why
    some runs are not judged."""
    from . import drift as drifts
    from .benchmark import numbers
    from .facts.containers import entry_name, listing
    from .facts.engine import NoEngine

    found = drifts.baseline(Journal(session.host))
    drifted = drifts.drifted_files(session.host, found) + drifts.drifted_units(session.host, found)
    notes = [session.text("drift_unsettled", run=run_id, state=RUN_STATES[state](session.settings.language).replace("_", " "))
             for run_id, state in found.unsettled]
    if found.containers:
        names = tuple(sorted({name for _, name, _ in found.containers}))
        results = session.evaluate(items={item for _, _, items in found.containers for item in items}, containers=names)
        try:
            present = {entry_name(entry) for entry in listing(session.host)}
            errors = [result.findings[0].evidence.get("message", result.reason) for result in results if result.status is Status.ERROR]
            if errors:
                raise HostError(errors[0])
        except (HostError, NoEngine) as error:
            notes.append(session.text("drift_unjudged", error=one_line(str(error))))
        else:
            lang = session.settings.language

            def judged(name: str, items: Tuple[str, ...]) -> Tuple[bool, List[str]]:
                return name in present, [f"{result.fix.id}: {report.finding_message(result, finding, lang)}"
                                         for result in results if result.fix.id in items
                                         for finding in result.findings if finding.target == name and not finding.status.compliant]

            drifted += drifts.drifted_containers(found, judged)
    cis = {fix.id: fix.cis for fix in all_fixes()}
    refs = session.profile.refs()
    refs_of = lambda item: refs.get(item) or (numbers(cis[item]) if cis.get(item) else ())  # noqa: E731
    entries = [entry.as_json(refs_of) for entry in drifted]
    for entry in entries:
        entry["lines"] = [said(line, session.settings.language) for line in entry["lines"]]
    return {"drift": entries, "drift_notes": notes}


def _drift_lines(session: Session, document: dict) -> List[str]:
    entries = document["drift"]
    lines = [session.text("drift_header", count=len(entries)) if entries else session.text("no_drift")]
    for entry in entries:
        refs = session.text("drift_refs", refs=", ".join(entry["refs"])) if entry["refs"] else ""
        lines.append("  " + one_line(session.text("drift_entry", target=entry["target"], run=entry["run"],
                                                  items=", ".join(entry["items"]), refs=refs)))
        lines.extend("    " + one_line(line) for line in entry["lines"])
    lines.extend(f"  {one_line(note)}" for note in document["drift_notes"])
    return lines


def apply(yes, recreate, no_restart, live_restore, autoremove=(), **given):
    """Carry the plan out, recording every change so it can be undone."""
    session = Session.open(given_settings(**given), recreate, no_restart, live_restore)
    session.recreate_autoremove = tuple(autoremove)
    if session.settings.dry_run:
        sys.exit(_preview(session))
    session.require_root("apply")
    session.require_consent("apply", yes)
    lang = session.settings.language
    journal = Journal(session.host)
    with journal.lock():
        engine.refuse_if_unfinished(journal)
        results = session.evaluate()
        error = _first_error(results)
        if error:
            raise error
        planned = report.results_document(session.host, "apply", results, lang, session.profile, with_changes=True)
        if any(result.changes for result in results) and not yes:
            say(report.results_text(planned, lang, plan=True, everything=session.settings.show_all))
            if not click.confirm(session.text("confirm_apply"), err=True):
                raise Failure(ERRORS["cancelled"], command="apply")
        outcome = _carried_out(session, journal, results, "apply")
        session.no_restart = False  # what is left is judged as check judges it: a staged file is pending_restart
        after = session.evaluate()
    document = report.results_document(session.host, "apply", after, lang, session.profile, with_changes=False,
                                       run_id=outcome.run_id, changed=outcome.changes > 0)
    for item, done in zip(document["items"], planned["items"]):
        item["changes"] = done["changes"]
    lines = []
    if outcome.run_id:
        for item in planned["items"]:
            for change in item["changes"]:
                lines.extend(report.change_lines(change, lang))
        lines += ["", session.text("applied", count=outcome.changes, run_id=outcome.run_id),
                  session.text("undo_hint", run_id=outcome.run_id), ""]
    else:
        lines += [session.text("nothing_to_do"), ""]
    lines.append(session.text("after_apply"))
    lines.append(session.results_text(document, plan=False))
    session.emit(document, "\n".join(lines), findings=True)
    sys.exit(_exit_code(document, session.fail_on))


def rollback(run_id, yes, force, **given):
    """Undo the newest run that is not rolled back yet, or RUN_ID."""
    session = Session.open(given_settings(**given))
    _rollback_or_refuse(session, Journal(session.host), run_id, yes, force, "rollback")


def _rollback_or_refuse(session: Session, journal: Journal, run_id: Optional[str], yes: bool, force: bool, command: str) -> None:
    try:
        _rollback(session, journal, run_id, yes, force)
    except RollbackRefused as refused:
        if refused.details:  # beside the line of the refusal: on standard error where standard output is JSON
            say("\n".join(said(line, session.settings.language) for line in refused.details), err=session.settings.json)
        raise Failure(ERRORS["refused"], ROLLBACK_REFUSED, command=command, refused=refused) from None


def _installs_schedule(run) -> bool:
    return run.state not in states.UNDONE and "schedule" in run.info.get("items", ())


def schedule(every, off, yes, **given):
    """Install the timer that runs harden check (a run of its own, which rollback undoes), or with --off remove it."""
    from . import schedule as schedules

    session = Session.open(given_settings(**given))
    journal = Journal(session.host)
    if off:
        installed = [run for run in journal.runs() if _installs_schedule(run)]
        if not installed:
            _schedule_refused(session, "none_in_place", ERRORS["no_schedule"])
        _rollback_or_refuse(session, journal, installed[-1].id, yes, False, "schedule --off")
        return
    settings = session.settings
    ignored = [option for option, value in (("--only", settings.only), ("--skip", settings.skip), ("--container", settings.containers),
                                             ("--fail-on", settings.fail_on), ("--via", settings.via),
                                             ("--output", settings.output_file)) if value]
    if ignored:
        raise Failure(ERRORS["schedule_options"], options=", ".join(ignored))
    if settings.output_format not in (None, "text", "json"):  # said before the schedule is made, not after
        raise Failure(ERRORS["format_not_here"], format=settings.output_format)
    config = session.configured()
    arguments = (["--profile", settings.profile if settings.profile in PROFILES else os.path.abspath(settings.profile)]
                 if settings.profile else []) + (["--config", os.path.abspath(settings.config_path)] if settings.config_path else [])
    arguments += ["--lang", settings.lang] if settings.lang else []
    try:
        calendar = schedules.calendar(every or "daily")
        for word in arguments:
            schedules.quoted(word)
        if config.metrics_dir and session.host.is_symlink(config.metrics_dir):
            raise schedules.ScheduleError("metrics_dir_link", path=config.metrics_dir)
        if session.host.live:  # a timer this machine runs (under --root one is written for another, not enabled)
            schedules.code_not_roots(session.host)
            schedules.timer_runs_this_harden()
    except schedules.ScheduleError as error:
        raise Failure(error) from None
    options = Options(config=config, parameters={"schedule": {"calendar": calendar, "arguments": tuple(arguments),
                                                              "writable": (config.metrics_dir,) if config.metrics_dir else ()}})
    selection = engine.Selection((schedules.ScheduledCheck,), frozenset({"schedule"}))
    lang = settings.language
    results = engine.evaluate(session.host, selection, options)
    (result,) = results
    if result.status is Status.ERROR:
        raise Failure(ERRORS["schedule_failed"], message=result.findings[0].evidence.get("message", result.reason))
    if result.status is Status.MANUAL:
        _schedule_refused(session, "another_in_place", ERRORS["another_schedule"],
                          units=", ".join(finding.target for finding in result.findings if finding.status is Status.MANUAL))
    planned = [line for change in result.changes for line in report.change_lines(report.describe_change(session.host, change, lang), lang)]
    done = {"command": "schedule", "host": report.host_name(session.host), "root": str(session.host.root), "calendar": calendar}
    if not result.changes:
        session.emit({**done, "changed": False, "run_id": None}, session.text("schedule_in_place", calendar=calendar))
        sys.exit(OK)
    if settings.dry_run:
        session.emit({**done, "dry_run": True, "changes": planned}, "\n".join(planned))
        sys.exit(OK)
    session.require_root("schedule")
    session.require_consent("schedule", yes)
    with journal.lock():
        engine.refuse_if_unfinished(journal)
        if not yes:
            say("\n".join(map(one_line, planned)))
            if not click.confirm(session.text("confirm_apply"), err=True):
                raise Failure(ERRORS["cancelled"], command="schedule")
        outcome = _carried_out(session, journal, results, "schedule")
    session.emit({**done, "changed": True, "run_id": outcome.run_id, "enabled": session.host.live},
                 session.text("scheduled", calendar=calendar, run_id=outcome.run_id)
                 + ("" if session.host.live else " " + session.text("scheduled_not_enabled")))


def _schedule_refused(session: Session, refused: str, message, **values) -> NoReturn:
    """A refusal a play tells apart whatever the language: --format json names it on standard output (none_in_place,
    another_in_place) beside the line on standard error."""
    if session.settings.json:
        session.emit({"command": "schedule", "changed": False, "refused": refused}, "")
    raise Failure(message, **values)


def _scheduled_check(session: Session, document: dict, config: config_file.Config) -> None:
    """What a scheduled check does besides checking: its report kept, the changes since the last one logged, the metrics
    written where the config says."""
    from . import schedule as schedules
    from .metrics import write_metrics

    document["baseline_sha256"] = schedules.baseline_sha256(config, session.profile)
    for line in schedules.keep_report(session.host, document, config.reports_kept, session.settings.language):
        say(one_line(line))
        session.host.log(one_line(line))
    if config.metrics_dir and not session.host.is_dir(config.metrics_dir):
        session.host.log(one_line(session.text("no_metrics_dir", path=config.metrics_dir)))
    elif config.metrics_dir:
        try:
            write_metrics(session.host, f"{config.metrics_dir}/harden.prom", document)
        except HostError as error:  # a metrics_dir named after the schedule was made, which its sandbox does not let it write
            session.host.log(one_line(session.text("metrics_not_written", error=str(error))))


def _nothing_to_roll_back(session: Session, journal: Journal) -> None:
    runs = journal.runs()
    message = session.text("newest_rolled_back", run_id=runs[-1].id) if runs else session.text("no_runs")
    session.emit({"command": "rollback", "run_id": None, "changed": False, "restored": []}, message)
    sys.exit(OK)


def _rollback(session: Session, journal: Journal, run_id: Optional[str], yes: bool, force: bool) -> None:
    if session.settings.dry_run:
        run = engine.run_to_roll_back(journal, run_id)
        if run is None:
            _nothing_to_roll_back(session, journal)
        lines = _rollback_lines(session, run)
        session.emit({"command": "rollback", "run_id": run.id, "dry_run": True, "restore": lines},
                     "\n".join([session.text("rollback_preview", run_id=run.id)] + lines))
        sys.exit(OK)
    session.require_root("rollback")
    session.require_consent("rollback", yes)
    with journal.lock():
        run = engine.run_to_roll_back(journal, run_id)
        if run is None:
            _nothing_to_roll_back(session, journal)
        if not yes:
            say("\n".join([session.text("rollback_preview", run_id=run.id)] + list(map(one_line, _rollback_lines(session, run)))))
            if not click.confirm(session.text("confirm_rollback", run_id=run.id), err=True):
                raise Failure(ERRORS["cancelled"], command="rollback")
        outcome = engine.rollback(session.host, journal, run, force)
    lang = session.settings.language
    lines = [session.text("rolled_back", run_id=outcome.run_id, count=outcome.undone)]
    lines += [session.text("drift_saved", path=path, saved=saved) for path, saved in outcome.saved]
    lines += [f"{target}: {caveat(lang)}" for target, caveat in outcome.caveats]
    lines += [session.text("not_restored", what=said(what, lang)) for what in outcome.unrestored]
    session.emit({"command": "rollback", "host": report.host_name(session.host), "root": str(session.host.root),
                  "run_id": outcome.run_id, "changed": outcome.undone > 0,
                  "restored": [{"path": path, "kept_at": saved} for path, saved in outcome.saved],
                  "caveats": [{"target": target, "caveat": caveat(lang)} for target, caveat in outcome.caveats],
                  "unrestored": outcome.unrestored},
                 "\n".join(lines))
    if outcome.unrestored:
        raise Failure(ERRORS["rollback_incomplete"], ROLLBACK_INCOMPLETE, run_id=outcome.run_id, count=len(outcome.unrestored))
    sys.exit(OK)


def _rollback_lines(session: Session, run) -> List[str]:
    """What a rollback of `run` would restore, in the session's language."""
    return [said(line, session.settings.language) for line in engine.rollback_preview(session.host, run)]


def history(prune, **given):
    """The recorded runs: id, time, items, state."""
    session = Session.open(given_settings(**given))
    journal = Journal(session.host)
    removed = 0
    if prune is not None:
        session.require_root("history --prune")
        with journal.lock():
            runs = journal.runs()
            for run in runs[: max(len(runs) - prune, 0)]:
                # a run that installed the schedule in place is what `schedule --off` undoes: kept while it is in place
                if run.state not in states.BLOCKING and not _installs_schedule(run):
                    engine.prune(session.host, journal, run)
                    removed += 1
    runs = [run.summary() for run in journal.runs()]
    document = {"host": report.host_name(session.host), "root": str(session.host.root), "runs": runs}
    lang = session.settings.language
    run_column, started_column, state_column, items_column = session.text("history_columns").split()
    lines = [f"{padded(run_column, 23)}  {padded(started_column, 25)}  {padded(state_column, 18)}  {items_column}"]
    for run in runs:
        state = RUN_STATES[run["state"]](lang) if run["state"] in RUN_STATES else run["state"]
        lines.append(f"{run['id']:<23}  {run['started'] or '?':<25}  {padded(state, 18)}  {', '.join(run['items'])}")
        if run.get("keeps"):
            lines.append("    " + session.text("keeps", containers=", ".join(run["keeps"])))
        if run.get("recorded"):
            lines.append("    " + session.text("recorded", containers=", ".join(run["recorded"])))
        for what in run.get("unrestored") or ():
            lines.append("    " + session.text("not_restored", what=what))
    if not runs:
        lines = [session.text("no_runs")]
    if prune is not None:
        lines.append(session.text("pruned", count=removed))
    session.emit(document, "\n".join(lines))


def fleet_report(documents, **given):
    """One page for many hosts, from their `--format json` reports (as Ansible fetches them)."""
    import gc

    # A fleet's reports are millions of objects, none of them in a cycle, kept to the end of this short process: the
    # collector's passes over all of them, again and again as they are read, took three times the page's own work.
    gc.disable()
    settings = given_settings(**given)
    loaded = []
    machine = Host("/")
    for path in documents:
        try:
            data = machine.read_named(path)
            document = json.loads(data) if data is not None else None
        except (HostError, ValueError) as error:
            raise Failure(ERRORS["not_json"], path=path, problem=error) from None
        if data is None:
            raise Failure(ERRORS["not_json"], path=path, problem=os.strerror(errno.ENOENT))
        problem = _report_problem(document)
        if problem:
            raise Failure(ERRORS["not_a_report"], path=path, problem=problem)
        _fill_in(document)
        loaded.append((os.path.splitext(os.path.basename(path))[0], document))
    if settings.output_format in INTERCHANGE:
        output = interchange_text(loaded, settings.output_format, settings.language, FailOn.parse(settings.fail_on))
    elif settings.output_format == "html":
        output = report.fleet_html(loaded, settings.language)
    else:
        raise Failure(ERRORS["report_formats"])
    Session(settings, machine).write(output)


def _fill_in(document: dict) -> None:
    """What a report leaves out of its items and findings, shown empty: the page is of what the host said (filled in
    place: a fleet's reports are a million objects, not to be copied)."""
    for item in document.setdefault("items", []):
        item.setdefault("title", "")
        item.setdefault("reason", "")
        for finding in item.setdefault("findings", []):
            finding.setdefault("message", "")
            finding.setdefault("evidence", {})


def _report_problem(document: object) -> Optional[str]:
    """What stops a JSON document from being shown as a harden report (the fleet page reads these fields)."""
    if not isinstance(document, dict) or not ({"items", "error", "command"} & set(document)):
        return "no items, error or command"
    schema = document.get("schema", 1)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        return f'"schema" is {json.dumps(schema)[:40]}, not a version'
    if schema > report.SCHEMA:
        return f"written by a newer harden (report schema {schema}; this one reads up to {report.SCHEMA})"
    items = document.get("items", [])
    if not isinstance(items, list):
        return f'"items" is {json.dumps(items)[:40]}, not a list'
    statuses = {status.value for status in Status}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return f"item {number} has no id"
        findings = item.get("findings", [])
        if item.get("status") not in statuses or not isinstance(findings, list):
            return f"item {item['id']} has no status or findings harden knows"
        for finding in findings:
            if not isinstance(finding, dict) or finding.get("status") not in statuses or not isinstance(finding.get("message", ""), str):
                return f"a finding of item {item['id']} has no status harden knows"
            if finding.get("severity", SEVERITIES[0]) not in SEVERITIES:
                return f"a finding of item {item['id']} has a severity harden does not know: {json.dumps(finding['severity'])[:40]}"
    return None


def user_error(error: Exception, lang: str) -> Optional[Tuple[str, int]]:
    """The one line, in `lang`, and the exit code of an error a user can cause; None for a bug."""
    if isinstance(error, Failure):
        return error.said(lang), error.code
    if isinstance(error, (HostError, JournalError, SelectionError)):
        return said(error, lang), ERROR
    if isinstance(error, OSError):  # what no step foresaw (a full disk under the journal, say): still one line
        return f"{error.filename + ': ' if error.filename else ''}{error.strerror or error}", ERROR
    return None
