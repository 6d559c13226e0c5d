"""The command line. The only place that prints or chooses an exit code.

Exit codes, the same for every command:
  0 done, compliant, or nothing to do
  1 error; nothing was changed
  2 items still failing or needing a manual step
  3 apply failed and its run was rolled back
  4 rollback refused (files changed since, a newer run in the way, or a damaged journal); nothing was restored
  5 rollback incomplete: a forced rollback of a damaged run restored what it could verify, not everything
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import List, Optional, Tuple

import click

from . import engine, report
from . import config as config_file
from . import journal as states
from .engine import ApplyFailed, RollbackRefused, SelectionError
from .fixes import all_fixes
from .options import Options
from .host import Host, HostError
from .i18n import LANGUAGES, REMEDY, UI, default_language
from .journal import Journal, JournalError
from .model import Remedy, Status

OK, ERROR, NOT_COMPLIANT, APPLY_FAILED, ROLLBACK_REFUSED, ROLLBACK_INCOMPLETE = 0, 1, 2, 3, 4, 5


class Failure(Exception):
    """Ends the command with a one-line message and an exit code."""

    def __init__(self, message: str, code: int = ERROR):
        super().__init__(message)
        self.code = code


@dataclass
class Settings:
    root: Optional[str] = None
    config_path: Optional[str] = None
    only: Optional[str] = None
    skip: Optional[str] = None
    output_format: Optional[str] = None
    lang: Optional[str] = None
    dry_run: bool = False
    containers: Tuple[str, ...] = ()
    via: Optional[str] = None
    output_file: Optional[str] = None

    def merged(self, **given) -> "Settings":
        """The group's options, overridden by those given after the subcommand."""
        values = dict(self.__dict__)
        for key, value in given.items():
            if key == "dry_run":
                values[key] = values[key] or bool(value)
            elif value is not None and value != ():
                values[key] = value
        return Settings(**values)

    @property
    def language(self) -> str:
        return self.lang or default_language()

    @property
    def json(self) -> bool:
        return self.output_format == "json"


def _ids(value: Optional[str]) -> List[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


COMMON_OPTIONS = (
    click.option("--root", metavar="DIR", help="Work on the host tree mounted at DIR (an image or a test fixture); no service is touched."),
    click.option("--config", "config_path", metavar="FILE", help="Config file (default: /etc/hardener/config.toml under the root)."),
    click.option("--only", metavar="ID[,ID...]", help="Only these items."),
    click.option("--skip", metavar="ID[,ID...]", help="Leave these items out."),
    click.option("--format", "output_format", type=click.Choice(["text", "json", "html"]),
                 help="Output format (default: text; html for check, dry-run and apply)."),
    click.option("--output", "output_file", metavar="FILE", help="Write the report to FILE instead of standard output."),
    click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the output (default: from the locale)."),
    click.option("--dry-run", is_flag=True, default=None, help="Show what would change; change nothing."),
    click.option("--via", type=click.Choice(["daemon-json", "execstart"]),
                 help="Daemon items: wanted dockerd options go to daemon.json (default) or onto ExecStart."),
    click.option("--container", "containers", multiple=True, metavar="NAME|label=KEY=VALUE",
                 help="Container items: only these containers (a name pattern or a label; repeatable)."),
)


def common_options(function):
    for option in reversed(COMMON_OPTIONS):
        function = option(function)
    return function


def _settings(**given) -> Settings:
    return click.get_current_context().find_object(Settings).merged(**given)


# -- shared steps --------------------------------------------------------------


@dataclass
class Session:
    settings: Settings
    host: Host
    recreate: bool = False
    no_restart: bool = False
    live_restore: bool = False

    @classmethod
    def open(cls, settings: Settings, recreate: bool = False, no_restart: bool = False, live_restore: bool = False) -> "Session":
        return cls(settings, Host(settings.root or "/"), recreate, no_restart, live_restore)

    def evaluate(self):
        fixes = all_fixes()
        try:
            config = config_file.load(self.host, self.settings.config_path, [fix.id for fix in fixes])
        except config_file.ConfigError as error:
            raise Failure(str(error)) from None
        selection = engine.select(fixes, _ids(self.settings.only), _ids(self.settings.skip), config)
        return engine.evaluate(self.host, selection, Options(config=config, containers=tuple(self.settings.containers), recreate=self.recreate,
                                                         no_restart=self.no_restart, via=self.settings.via,
                                                         live_restore=self.live_restore))

    def require_root(self, command: str) -> None:
        if self.host.live and os.geteuid() != 0:
            raise Failure(f"{command} changes this host and must run as root (sudo harden {command}); "
                          "nothing was changed")

    def require_consent(self, command: str, yes: bool) -> None:
        if not yes and not sys.stdin.isatty():
            raise Failure(f"{command} is not on a terminal, so it cannot ask: add --yes to {command} without asking")

    def emit(self, document: dict, text: str, html: bool = False) -> None:
        """The command's report in the chosen format, to standard output or --output."""
        if self.settings.output_format == "html":
            if not html:
                raise Failure("--format html is for check, dry-run and apply")
            output = report.results_html(document, self.settings.language)
        else:
            output = report.dumps(document) if self.settings.json else text
        self.write(output)

    def write(self, output: str) -> None:
        """To standard output, or to the --output file."""
        if not self.settings.output_file:
            click.echo(output)
            return
        try:
            with open(self.settings.output_file, "w", encoding="utf-8") as stream:
                stream.write(output if output.endswith("\n") else output + "\n")
        except OSError as error:
            raise Failure(f"cannot write {self.settings.output_file}: {error.strerror}") from None

    def text(self, key: str, **values) -> str:
        return UI[key](self.settings.language, **values)


def _first_error(results) -> Optional[str]:
    for result in results:
        if result.status is Status.ERROR:
            message = result.findings[0].evidence.get("message", result.reason)
            return f"{result.fix.id}: {message}; nothing was changed (fix that, or --skip {result.fix.id})"
    return None


def _exit_code(results) -> int:
    if any(result.status is Status.ERROR for result in results):
        return ERROR
    return OK if all(result.status.compliant for result in results) else NOT_COMPLIANT


def _preview(session: Session) -> int:
    results = session.evaluate()
    lang = session.settings.language
    document = report.results_document(session.host, "dry-run", results, lang, with_changes=True)
    session.emit(document, report.results_text(document, lang, plan=True), html=True)
    if any(result.status is Status.ERROR for result in results):
        return ERROR
    return OK if not any(r.status in (Status.FAIL, Status.MANUAL) for r in results) else NOT_COMPLIANT


# -- commands ------------------------------------------------------------------


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(package_name="hardener")
@click.pass_context
def cli(ctx, **given):
    """Harden a Docker host to the Alibaba Cloud Docker security baseline, and undo it.

    Without a command: preview, as --dry-run."""
    ctx.obj = Settings().merged(**given)
    if ctx.invoked_subcommand is None:
        ctx.exit(_preview(Session.open(ctx.obj)))


@cli.command()
@common_options
def check(**given):
    """Detect only: the status of every selected item."""
    session = Session.open(_settings(**given))
    results = session.evaluate()
    lang = session.settings.language
    document = report.results_document(session.host, "check", results, lang, with_changes=False)
    session.emit(document, report.results_text(document, lang, plan=False), html=True)
    sys.exit(_exit_code(results))


@cli.command()
@common_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.option("--recreate", is_flag=True, help="Container items: recreate containers to fix them (stops them).")
@click.option("--no-restart", is_flag=True, help="Daemon items: write the files, restart nothing; they stay pending_restart.")
@click.option("--live-restore", is_flag=True, help="Daemon items: turn live-restore on (a reload) first, so containers keep running.")
def apply(yes, recreate, no_restart, live_restore, **given):
    """Carry the plan out, recording every change so it can be undone."""
    session = Session.open(_settings(**given), recreate, no_restart, live_restore)
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
            raise Failure(error)
        planned = report.results_document(session.host, "apply", results, lang, with_changes=True)
        if any(result.changes for result in results) and not yes:
            click.echo(report.results_text(planned, lang, plan=True))
            if not click.confirm(session.text("confirm_apply"), err=True):
                raise Failure("apply cancelled; nothing was changed")
        try:
            outcome = engine.apply(session.host, journal, results)
        except ApplyFailed as failed:
            state = "its changes were undone" if failed.undone else f"undo it with: harden rollback {failed.run_id}"
            raise Failure(f"apply failed: {failed}; {state} (run {failed.run_id})", APPLY_FAILED) from None
        session.no_restart = False  # what is left is judged as check judges it: a staged file is pending_restart
        after = session.evaluate()
    document = report.results_document(session.host, "apply", after, lang, with_changes=False,
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
    lines.append(report.results_text(document, lang, plan=False))
    session.emit(document, "\n".join(lines), html=True)
    sys.exit(_exit_code(after))


@cli.command()
@common_options
@click.argument("run_id", required=False)
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.option("--force", is_flag=True, help="Roll back even files changed since; their changed versions are kept in the journal.")
def rollback(run_id, yes, force, **given):
    """Undo the newest run that is not rolled back yet, or RUN_ID."""
    session = Session.open(_settings(**given))
    journal = Journal(session.host)
    try:
        _rollback(session, journal, run_id, yes, force)
    except RollbackRefused as refused:
        if refused.details:
            click.echo(refused.details)
        raise Failure(f"rollback refused: {refused}", ROLLBACK_REFUSED) from None


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
        lines = engine.rollback_preview(session.host, run)
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
            click.echo("\n".join([session.text("rollback_preview", run_id=run.id)] + engine.rollback_preview(session.host, run)))
            if not click.confirm(session.text("confirm_rollback", run_id=run.id), err=True):
                raise Failure("rollback cancelled; nothing was changed")
        outcome = engine.rollback(session.host, journal, run, force)
    lang = session.settings.language
    lines = [session.text("rolled_back", run_id=outcome.run_id, count=outcome.undone)]
    lines += [session.text("drift_saved", path=path, saved=saved) for path, saved in outcome.saved]
    lines += [f"{target}: {caveat(lang)}" for target, caveat in outcome.caveats]
    lines += [session.text("not_restored", what=what) for what in outcome.unrestored]
    session.emit({"command": "rollback", "host": report.host_name(session.host), "root": str(session.host.root),
                  "run_id": outcome.run_id, "changed": outcome.undone > 0,
                  "restored": [{"path": path, "kept_at": saved} for path, saved in outcome.saved],
                  "caveats": [{"target": target, "caveat": caveat(lang)} for target, caveat in outcome.caveats],
                  "unrestored": outcome.unrestored},
                 "\n".join(lines))
    if outcome.unrestored:
        raise Failure(f"rollback incomplete: run {outcome.run_id} could not be restored in full "
                      f"({len(outcome.unrestored)} problem(s) listed above); the run no longer blocks apply", ROLLBACK_INCOMPLETE)
    sys.exit(OK)


@cli.command(name="list")
@common_options
def list_items(**given):
    """Every item: id, title, CIS reference and how it is fixed."""
    settings = _settings(**given)
    lang = settings.language
    items = [{"id": fix.id, "title": fix.title(lang), "cis": fix.cis, "remedy": fix.remedy.value} for fix in all_fixes()]
    width = max(len(item["id"]) for item in items)
    lines = [f"{item['id']:<{width}}  CIS {item['cis']:<9} {REMEDY[Remedy(item['remedy'])](lang):<11} {item['title']}"
             for item in items]
    Session(settings, Host("/")).emit({"items": items}, "\n".join(lines))


@cli.command()
@common_options
@click.option("--prune", type=click.IntRange(min=0), metavar="N", help="Keep only the newest N runs.")
def history(prune, **given):
    """The recorded runs: id, time, items, state."""
    session = Session.open(_settings(**given))
    journal = Journal(session.host)
    removed = 0
    if prune is not None:
        session.require_root("history --prune")
        with journal.lock():
            runs = journal.runs()
            for run in runs[: max(len(runs) - prune, 0)]:
                if run.state not in states.BLOCKING:
                    engine.prune(session.host, journal, run)
                    removed += 1
    runs = [run.summary() for run in journal.runs()]
    document = {"host": report.host_name(session.host), "root": str(session.host.root), "runs": runs}
    lines = [f"{'RUN':<23}  {'STARTED':<25}  {'STATE':<18}  ITEMS"]
    for run in runs:
        lines.append(f"{run['id']:<23}  {run['started'] or '?':<25}  {run['state']:<18}  {', '.join(run['items'])}")
        if run.get("keeps"):
            lines.append("    " + session.text("keeps", containers=", ".join(run["keeps"])))
    if not runs:
        lines = [session.text("no_runs")]
    if prune is not None:
        lines.append(session.text("pruned", count=removed))
    session.emit(document, "\n".join(lines))


@cli.command(name="report")
@common_options
@click.argument("documents", nargs=-1, required=True, type=click.Path(dir_okay=False))
def fleet_report(documents, **given):
    """One page for many hosts, from their `--format json` reports (as Ansible fetches them)."""
    settings = _settings(**given)
    loaded = []
    for path in documents:
        try:
            with open(path, encoding="utf-8") as stream:
                document = json.load(stream)
        except (OSError, ValueError) as error:
            raise Failure(f"{path}: not a harden JSON report ({error})") from None
        if not isinstance(document, dict) or not ({"items", "error", "command"} & set(document)):
            raise Failure(f"{path}: not a harden JSON report")
        loaded.append((os.path.splitext(os.path.basename(path))[0], document))
    if settings.output_format != "html":
        raise Failure("harden report writes --format html")
    Session(settings, Host("/")).write(report.fleet_html(loaded, settings.language))


def main() -> None:
    try:
        code = cli.main(standalone_mode=False, prog_name="harden")
    except click.exceptions.Abort:
        code = _fail("cancelled; nothing was changed")
    except click.exceptions.ClickException as error:
        code = _fail(error.format_message())
    except Failure as failure:
        code = _fail(str(failure), failure.code)
    except (HostError, JournalError, SelectionError) as error:
        code = _fail(str(error))
    except OSError as error:  # what no step foresaw (a full disk under the journal, say): still one line
        code = _fail(f"{error.filename + ': ' if error.filename else ''}{error.strerror or error}")
    sys.exit(code or 0)


def _fail(message: str, code: int = ERROR) -> int:
    click.echo(f"harden: error: {message}", err=True)
    return code
