"""The command line: its commands and options, and the one line a user error
gives. The only place that prints or chooses an exit code (with commands.py,
which it hands each command to).

It imports click and the words of the help alone: `harden --help` starts as
fast as click does. What a command needs is imported when it runs.

Exit codes, the same for every command:
  0 done, compliant, or nothing to do
  1 error; nothing was changed
  2 items still failing or needing a manual step
  3 apply failed and its run was rolled back
  4 rollback refused (files changed since, a newer run in the way, or a damaged journal); nothing was restored
  5 rollback incomplete: a forced rollback of a damaged run restored what it could verify, not everything
"""
from __future__ import annotations

import gc
import inspect
import sys

import click

from .i18n import CLICK_ZH, ERRORS
from .settings import DEFAULT_PROFILE, ERROR, LANGUAGES, Settings, default_language, given_settings, one_line, padded, say


COMMON_OPTIONS = (
    click.option("--root", metavar="DIR", help="Work on the host tree mounted at DIR (an image or a test fixture); no service is touched."),
    click.option("--config", "config_path", metavar="FILE", help="Config file (default: /etc/hardener/config.toml under the root)."),
    click.option("--profile", metavar="NAME|FILE",
                 help="The items: aliyun, the Alibaba Cloud baseline (default); cis, the CIS Docker Benchmark 1.8.0; "
                      "or a profile file of your own (a path with a / or ending in .toml)."),
    click.option("--only", metavar="ID[,ID...]", help="Only these items."),
    click.option("--skip", metavar="ID[,ID...]", help="Leave these items out."),
    click.option("--format", "output_format", type=click.Choice(["text", "json", "html", "junit", "sarif"]),
                 help="Output format (default: text; html, junit and sarif for check, dry-run, apply and report)."),
    click.option("--output", "output_file", metavar="FILE", help="Write the report to FILE instead of standard output."),
    click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the output (default: from the locale)."),
    click.option("--dry-run", is_flag=True, default=None, help="Show what would change; change nothing."),
    click.option("--all", "show_all", is_flag=True, default=None,
                 help="Text: show every item (by default those failing, needing a person or in error, worst first)."),
    click.option("--via", type=click.Choice(["daemon-json", "execstart"]),
                 help="Daemon items: wanted dockerd options go to daemon.json (default) or onto ExecStart."),
    click.option("--container", "containers", multiple=True, metavar="NAME|label=KEY=VALUE",
                 help="Container items: only these containers (a name pattern or a label; repeatable)."),
    click.option("--fail-on", metavar="WHAT[,WHAT...]",
                 help="Which findings make the exit code 2: those of failing and/or manual items, of a lowest "
                      "severity (low, medium, high); default: failing,manual,low."),
)


def common_options(function):
    for option in reversed(COMMON_OPTIONS):
        function = option(function)
    return function


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(package_name="hardener")
@click.pass_context
def cli(ctx, **given):
    """Harden a Docker host to the Alibaba Cloud Docker security baseline, and undo it.

    Without a command: preview, as --dry-run."""
    ctx.obj = Settings().merged(**given)
    if ctx.invoked_subcommand is None:
        from . import commands

        commands.preview()


@cli.command()
@common_options
@click.option("--metrics", "metrics_file", metavar="FILE",
              help="Also write the result in Prometheus' text format to FILE (for node_exporter's textfile collector: NAME.prom).")
@click.option("--scheduled", is_flag=True,
              help="As harden schedule's timer runs it: keep the report under /var/lib/hardener/reports and log what changed.")
def check(metrics_file, scheduled, **given):
    """Detect only: the status of every selected item, and the drift from what harden's runs left."""
    from . import commands

    commands.check(metrics_file, scheduled, **given)


@cli.command()
@common_options
@click.option("--every", metavar="WHEN", help="hourly, daily (the default), weekly, Nh, Nmin, or a systemd calendar expression.")
@click.option("--off", is_flag=True, help="Remove the schedule (roll back the run that installed it).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
def schedule(every, off, yes, **given):
    """Check this host on a schedule: a systemd timer, installed as a run that rollback undoes."""
    from . import commands

    commands.schedule(every, off, yes, **given)


@cli.command()
@common_options
def drift(**given):
    """What harden's recorded runs changed that no longer holds what they left (exit code 2 when any); changes nothing."""
    from . import commands

    commands.drift(**given)


@cli.command()
@common_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.option("--recreate", is_flag=True, help="Container items: recreate containers to fix them (stops them).")
@click.option("--no-restart", is_flag=True, help="Daemon items: write the files, restart nothing; they stay pending_restart.")
@click.option("--live-restore", is_flag=True, help="Daemon items: turn live-restore on (a reload) first, so containers keep running.")
@click.option("--recreate-autoremove", "autoremove", multiple=True, metavar="NAME",
              help="Also recreate this container started with --rm, which its own stop deletes (its writable layer is lost).")
def apply(yes, recreate, no_restart, live_restore, autoremove, **given):
    """Carry the plan out, recording every change so it can be undone."""
    from . import commands

    commands.apply(yes, recreate, no_restart, live_restore, autoremove, **given)


@cli.command()
@common_options
@click.argument("run_id", required=False)
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.option("--force", is_flag=True, help="Roll back even files changed since; their changed versions are kept in the journal.")
def rollback(run_id, yes, force, **given):
    """Undo the newest run that is not rolled back yet, or RUN_ID."""
    from . import commands

    commands.rollback(run_id, yes, force, **given)


@cli.command(name="list")
@common_options
def list_items(**given):
    """Every item of the profile: id, title, CIS recommendations and how it is fixed."""
    from .i18n import REMEDY
    from .benchmark import by_number, recommendations, references
    from .model import said
    from .profiles import ProfileError, load_profile  # the items' metadata, and no more

    settings = given_settings(**given)
    lang = settings.language
    try:
        profile = load_profile(DEFAULT_PROFILE if settings.profile is None else settings.profile)
    except ProfileError as error:
        sys.exit(_fail(said(error, lang), lang=lang))
    fixes = profile.fixes()
    items = []
    for fix in fixes:
        entry = profile.entry(fix.id)
        set_here = {name: getattr(value, "text", value) for name, value in entry.parameters.items()}  # a size as written
        items.append({"id": fix.id, "title": profile.title_of(fix)(lang), "cis": fix.cis,
                      "refs": list(profile.refs_of(fix)), "remedy": fix.remedy.value,
                      "parameters": {parameter.name: set_here.get(parameter.name, getattr(parameter.default, "text", parameter.default))
                                     for parameter in fix.parameters}})
    width = max(len(item["id"]) for item in items)
    order = {recommendation.number: index for index, recommendation in enumerate(recommendations())}
    lines = [one_line(f"{profile.title(lang)} ({profile.source})"), ""]
    lines += [one_line(f"{item['id']:<{width}}  {references(item):<16} {padded(REMEDY[fix.remedy](lang), 11)} {item['title']}"
                       + "".join(f" [{name}={value}]" for name, value in item["parameters"].items() if value is not None))
              for item, fix in zip(items, fixes)]
    document = {"profile": profile.name, "profile_title": {"en": profile.title.en, "zh": profile.title.zh}, "source": profile.source,
                "items": items}
    answered: dict = {}  # reference -> the items that answer it
    for fix, item in zip(fixes, items):
        for ref in item["refs"]:
            answered.setdefault(ref, []).append(fix.id)
    said = {recommendation.number: recommendation for recommendation in (*recommendations(), *profile.recommendations)}
    document["recommendations"] = [  # the references the profile's items answer: the benchmark's, then its own
        {"ref": ref, **({"cis": ref, "cis_1_6": said[ref].number_1_6} if ref in by_number() else {}),
         "assessment": ("automated" if said[ref].automated else "manual") if ref in said else None,
         "title": said[ref].title(lang) if ref in said else None, "items": answered[ref]}
        for ref in sorted(answered, key=lambda ref: (order.get(ref, len(order)), list(answered).index(ref)))]
    lines += ["", *(one_line(f"{'CIS ' + r['ref'] if 'cis' in r else r['ref']:<11} {', '.join(r['items']):<{width}}  {r['title'] or ''}")
                    for r in document["recommendations"])]
    settings.emit(document, "\n".join(lines))


@cli.command()
@common_options
@click.option("--prune", type=click.IntRange(min=0), metavar="N", help="Keep only the newest N runs.")
def history(prune, **given):
    """The recorded runs: id, time, items, state."""
    from . import commands

    commands.history(prune, **given)


@cli.command(name="report")
@common_options
@click.argument("documents", nargs=-1, required=True, type=click.Path(dir_okay=False))
def fleet_report(documents, **given):
    """One page for many hosts, from their `--format json` reports (as Ansible fetches them); or, with --format junit
    or sarif, one JUnit or SARIF file of them all."""
    from . import commands

    commands.fleet_report(documents, **given)


def main() -> None:
    # A run makes its objects (modules, the host's facts, the report) and keeps most of them to its end. At the
    # collector's default pace it walks them again and again while modules load, and all of them once more as the
    # interpreter exits: a fifth of a whole check. It runs less often, and what is left at the end is frozen: not
    # searched for cycles on the way out, so a cycle not collected by then is not finalized. Nothing of harden's
    # waits for a finalizer: every file it writes is closed (and synced) where it is written.
    gc.set_threshold(50_000, 10, 10)
    try:
        _main()
    finally:
        gc.freeze()


def _main() -> None:
    lang = _language(sys.argv[1:])
    lang = lang if lang in LANGUAGES else default_language()  # what --lang takes is click's to refuse
    if lang == "zh":
        _help_in_chinese(cli)
    try:
        code = cli.main(standalone_mode=False, prog_name="harden")
    except click.exceptions.Abort:
        code = _fail(ERRORS["aborted"](lang), lang=lang)
    except click.exceptions.ClickException as error:
        code = _fail(_click_said(error.format_message(), lang), lang=lang)
    except Exception as error:  # noqa: BLE001 - a user's error is one line; anything else is a bug and shows as one
        from .commands import user_error

        found = user_error(error, lang)
        if found is None:
            raise
        code = _fail(*found, lang=lang)
    sys.exit(code or 0)


def _language(args) -> str:
    """--lang wherever it is given (click shows --help before it reads the options after it), else the locale's."""
    chosen = default_language()
    for number, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and number + 1 < len(args):
            chosen = args[number + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    return chosen


def _help_in_chinese(command: click.Command) -> None:
    """Every command's and option's help, and click's own words, from the Chinese of i18n.HELP."""
    from .i18n import HELP

    class Formatter(click.HelpFormatter):
        def write_usage(self, prog, args="", prefix=None):
            super().write_usage(prog, args, prefix or HELP["Usage:"])

        def write_heading(self, heading):
            self.write(f"{'':>{self.current_indent}}{HELP.get(heading, heading)}：\n")

        def write_dl(self, rows, *args, **kwargs):
            super().write_dl([(term, HELP.get(text, text)) for term, text in rows], *args, **kwargs)

    class Context(click.Context):
        formatter_class = Formatter

    def translate(command: click.Command) -> None:
        command.context_class = Context
        if command.help:
            command.help = HELP[inspect.cleandoc(command.help)]
            command.short_help = command.help.split("\n")[0]
        for param in command.params:
            if getattr(param, "help", None):
                param.help = HELP[param.help]
        for subcommand in getattr(command, "commands", {}).values():
            translate(subcommand)

    translate(command)


def _click_said(message: str, lang: str) -> str:
    """click's usage error in `lang`: click words them in English."""
    if lang == "zh":
        import re

        for english, chinese in CLICK_ZH:
            message = re.sub(english, chinese, message)
    return message


def _fail(message: str, code: int = ERROR, lang: str = "en") -> int:
    say(ERRORS["prefix"](lang, message=one_line(message)), err=True)
    return code
