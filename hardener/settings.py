"""What the command line was given, before or after the command's name, and
where a command's output goes (standard output or --output, text or JSON)."""
from __future__ import annotations

import json
import os
import re
import sys
from typing import List, Optional, Union

import click

from .i18n import ERRORS
from .model import Said, Text

LANGUAGES = ("en", "zh")
DEFAULT_PROFILE = "aliyun"
BUILTIN_PROFILES = os.path.join(os.path.dirname(__file__), "builtin_profiles")
# the built-in profiles, each a file of hardener/builtin_profiles (profiles.py reads them), the default first
PROFILES = tuple(sorted((name[:-len(".toml")] for name in os.listdir(BUILTIN_PROFILES) if name.endswith(".toml")),
                        key=lambda name: (name != DEFAULT_PROFILE, name)))
# The exit codes; cli.py says what each means.
OK, ERROR, NOT_COMPLIANT, APPLY_FAILED, ROLLBACK_REFUSED, ROLLBACK_INCOMPLETE = 0, 1, 2, 3, 4, 5


# what a terminal would obey, or take for the end of a line (U+2028, U+2029), and the halves of a character that
# UTF-8 cannot carry (a daemon.json's "\\ud800" is read as one)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# what a word of a profile file may not hold: a line of its own, or text turned around, in a report
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """What harden shows a person: a host's words as they are, but for the control characters a terminal would
    obey (an image's USER made of escape sequences, say), shown as \\x1b."""
    return _CONTROL.sub(_escaped, text)


def _escaped(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_COLOURS = {"red": "\x1b[31m", "amber": "\x1b[33m", "green": "\x1b[32m"}
_STATUS_COLOUR = {"fail": "red", "error": "red", "不合规": "red", "错误": "red", "manual": "amber", "需手动": "amber",
                  "pass": "green", "waived": "green", "通过": "green", "已豁免": "green"}
_STATUS_AT_START = re.compile(r"^(\s*)\[([^\]\n]+)\]")
_DIFF_LINE = re.compile(r"^(\s*)([+-])(?![+-]{2} )(.*)$")


def diff_sign(line: str) -> Optional[str]:
    """"+" for a line a diff adds, "-" for one it removes (not the ---/+++ header), else None."""
    found = _DIFF_LINE.match(line)
    return found.group(2) if found else None


def coloured(text: str) -> str:
    """A text report as a terminal shows it: a line's status in its colour (failing and errors red, manual amber,
    passing green) and a diff's removed lines red, added green. Only words harden put at a line's start are coloured:
    a host's words cannot start a line (one_line)."""
    def line_coloured(line: str) -> str:
        found = _STATUS_AT_START.match(line)
        if found and found.group(2) in _STATUS_COLOUR:
            colour = _COLOURS[_STATUS_COLOUR[found.group(2)]]
            return f"{found.group(1)}{colour}[{found.group(2)}]\x1b[0m{line[found.end():]}"
        diff = _DIFF_LINE.match(line)  # what diff_sign says
        if diff:
            return f"{diff.group(1)}{_COLOURS['green' if diff.group(2) == '+' else 'red']}{diff.group(2)}{diff.group(3)}\x1b[0m"
        return line
    return "\n".join(line_coloured(line) for line in text.split("\n"))


def one_line(text: str) -> str:
    """A line made of a host's words (a label, an environment value): a newline in them shown as \\n, so that
    a label cannot forge a "[pass]" line of its own."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def padded(text: str, width: int) -> str:
    """`text` and spaces up to `width` columns of a terminal, where a Chinese character takes two."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)
    return text + " " * max(0, width - used)


def say(text: str, err: bool = False) -> None:
    click.echo(printable(text), err=err)


class Failure(Said):
    """Ends the command with a one-line message (a Text of i18n.ERRORS and its values, or an error) and an exit code."""

    def __init__(self, message: Union[str, Text, Exception], code: int = ERROR, /, **values):
        if isinstance(message, Exception):
            message, values = Text("{error}", "{error}"), {"error": message}
        super().__init__(message, **values)
        self.code = code


def default_language() -> str:
    """The locale's: Chinese where it is zh_*, else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def dumps(document: dict) -> str:
    """A document as JSON, a member a line and each entry of a list member (an item, a recommendation) a line of its
    own: readable line by line (grep, diff), and encoded by the C encoder. Python's indents only in Python, which
    took a tenth of a second of a check at 100 containers."""
    def encoded(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    members = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            entries = ",\n".join(f"    {encoded(entry)}" for entry in value)
            members.append(f"  {encoded(key)}: [\n{entries}\n  ]")
        else:
            members.append(f"  {encoded(key)}: {encoded(value)}")
    return "{\n" + ",\n".join(members) + "\n}" if members else "{}"


def ids(value: Optional[str]) -> List[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def given_settings(**given) -> "Settings":
    """The group's options, overridden by those given after the subcommand."""
    return click.get_current_context().find_object(Settings).merged(**given)


class Settings:
    """A plain class, not a dataclass: `harden --help` pays for every class it builds."""

    DEFAULTS = {"root": None, "config_path": None, "only": None, "skip": None, "output_format": None, "lang": None,
                "dry_run": False, "containers": (), "via": None, "output_file": None, "profile": None, "fail_on": None,
                "show_all": False}

    def __init__(self, **values):
        self.__dict__.update(self.DEFAULTS, **values)

    def merged(self, **given) -> "Settings":
        """The group's options, overridden by those given after the subcommand."""
        values = dict(self.__dict__)
        for key, value in given.items():
            if key in ("dry_run", "show_all"):
                values[key] = values[key] or bool(value)
            elif value is not None and value != ():
                values[key] = value
        return Settings(**values)

    @property
    def language(self) -> str:
        return self.lang or default_language()

    @property
    def json(self) -> bool:
        return self.output_format in ("json", "sarif")

    @property
    def text(self) -> bool:
        return self.output_format in (None, "text")

    def write(self, output: str) -> None:
        """To standard output, or to the --output file."""
        # JSON escapes them itself, but for half a character, which only an escape can carry
        output = _SURROGATE.sub(_escaped, output) if self.json else printable(output)
        if not self.output_file:
            click.echo(coloured(output) if self.text and sys.stdout.isatty() and not os.environ.get("NO_COLOR") else output)
            return
        from .host import Host, HostError

        try:
            Host("/").write_named(os.path.abspath(self.output_file), (output if output.endswith("\n") else output + "\n").encode())
        except HostError as error:
            raise Failure(ERRORS["cannot_write"], error=error) from None

    def emit(self, document: dict, text: str) -> None:
        """A document that has no page: JSON or text."""
        if self.output_format in ("html", "junit", "sarif"):
            raise Failure(ERRORS["format_not_here"], format=self.output_format)
        self.write(dumps(document) if self.json else text)
