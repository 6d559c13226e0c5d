"""systemd unit files as systemd reads them: the effective unit with its
drop-ins, Environment= and EnvironmentFile= variables, and ExecStart split
into words by systemd's own rules (quotes, continuations, `$VAR` split into
words, `${VAR}` kept as one).

The structure of each file (sections, assignments, values as written) comes
from augeas (../edits/unit_tree.py); the words of a value follow systemd.syntax(7)
here. Every word remembers where it was written, so that a fix can change it
there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from ..host import Host, HostError
from ..edits.unit_tree import read_assignments
from .units import UNIT_DIRS, unit_file


class Setting(NamedTuple):
    section: str
    key: str
    value: str
    path: str
    line: int  # where the assignment starts
    node: str  # the assignment in the file's augeas tree


def parse_unit(text: str, path: str) -> List[Setting]:
    """Assignments in file order; continuation lines joined as systemd joins them."""
    return [Setting(a.section, a.key, _joined(a.raw), path, a.line, a.node) for a in read_assignments(text, path)]


def _joined(raw: str) -> str:
    """A value's lines as one, as systemd joins them: each final backslash
    becomes a space, comment lines inside the value are skipped."""
    first, *rest = raw.split("\n")
    lines = [first] + [line for line in rest if line.strip()[:1] not in ("#", ";")]
    continued = "".join(line.rstrip("\r")[:-1] + " " for line in lines[:-1])
    return (continued + lines[-1]).strip()


@dataclass(frozen=True)
class Word:
    text: str
    path: str  # where it was written: the unit file, or the environment file of its variable
    line: int
    variable: Optional[str] = None  # the variable it came from, if any


@dataclass(frozen=True)
class Part:
    raw: str  # a word of the ExecStart line as written: "--icc=false", "$DOCKER_OPTS"
    words: Tuple[Word, ...]  # what it gives dockerd: none, one, or several for $VAR


@dataclass(frozen=True)
class Command:
    parts: Tuple[Part, ...]
    prefixes: str  # @ - : + ! as written
    setting: Setting  # the ExecStart= line

    @property
    def words(self) -> Tuple[Word, ...]:
        return tuple(word for part in self.parts for word in part.words)

    @property
    def argv(self) -> List[str]:
        return [word.text for word in self.words]


@dataclass(frozen=True)
class Unit:
    name: str
    fragment: Optional[str]  # the unit file, None when the unit does not exist
    drop_ins: Tuple[str, ...]
    settings: Tuple[Setting, ...]  # the unit file's, then each drop-in's

    def values(self, section: str, key: str) -> List[Setting]:
        """Assignments of a list setting, honouring empty assignments that reset it."""
        found: List[Setting] = []
        for setting in self.settings:
            if setting.section == section and setting.key == key:
                found = [] if setting.value == "" else found + [setting]
        return found


def load_unit(host: Host, name: str) -> Unit:
    fragment = unit_file(host, name)
    settings: List[Setting] = []
    if fragment:
        settings += parse_unit(host.read_text(fragment) or "", fragment)
    drop_ins = drop_in_files(host, name)
    for path in drop_ins:
        settings += parse_unit(host.read_text(path) or "", path)
    return Unit(name, fragment, tuple(drop_ins), tuple(settings))


def drop_in_files(host: Host, name: str) -> List[str]:
    """*.conf drop-ins in file-name order; a name in /etc hides the same name in /run and /usr/lib."""
    chosen: Dict[str, str] = {}
    seen_dirs = set()
    for directory in UNIT_DIRS:  # drop-ins sit beside units, in the same order of precedence
        folder = f"{directory}/{name}.d"
        real = host.resolve(folder)
        if real in seen_dirs:
            continue  # /lib is /usr/lib on merged-/usr systems
        seen_dirs.add(real)
        for entry in host.list_dir(folder):
            if entry.endswith(".conf") and entry not in chosen:
                chosen[entry] = f"{folder}/{entry}"
    return [chosen[entry] for entry in sorted(chosen, key=lambda n: n.encode())]


# -- environment ---------------------------------------------------------------


class Variable(NamedTuple):
    value: str
    path: str
    line: int


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "s": " "}


class Token(NamedTuple):
    text: str  # quotes removed, escapes resolved
    quoted: bool
    raw: str  # as written


def split_words(text: str, path: str, line: int, unescape: bool = True) -> List[Token]:
    """Words of a line with quotes removed, as systemd's extract_first_word does."""
    words: List[Token] = []
    index, length = 0, len(text)
    while True:
        while index < length and text[index] in " \t\n":
            index += 1
        if index >= length:
            return words
        word, quoted, start = [], False, index
        while index < length and text[index] not in " \t\n":
            char = text[index]
            if char in "'\"":
                quoted = True
                end = index + 1
                while end < length and text[end] != char:
                    if text[end] == "\\" and char == '"' and end + 1 < length:
                        end += 1
                    end += 1
                if end >= length:
                    raise HostError(f"{path}:{line}: unbalanced quotes in: {text}")
                inner = text[index + 1:end]
                word.append(_unescape(inner) if unescape and char == '"' else inner)
                index = end + 1
            elif char == "\\" and index + 1 < length:
                word.append(_ESCAPES.get(text[index + 1], text[index + 1]) if unescape else text[index:index + 2])
                index += 2
            else:
                word.append(char)
                index += 1
        words.append(Token("".join(word), quoted, text[start:index]))


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def environment(host: Host, unit: Unit) -> Dict[str, Variable]:
    """Environment= then EnvironmentFile= variables, as the service gets them."""
    variables: Dict[str, Variable] = {}
    for setting in unit.values("Service", "Environment"):
        for token in split_words(setting.value, setting.path, setting.line):
            key, sep, value = token.text.partition("=")
            if sep:
                variables[key] = Variable(value, setting.path, setting.line)
    for setting in unit.values("Service", "EnvironmentFile"):
        optional = setting.value.startswith("-")
        path = setting.value.lstrip("-").strip()
        text = host.read_text(path)
        if text is None:
            if optional:
                continue
            raise HostError(f"{path}, named by EnvironmentFile= in {setting.path}:{setting.line}, does not exist; the service cannot start")
        variables.update(parse_environment_file(text, path))
    return variables


def logical_lines(text: str) -> Iterator[Tuple[int, str]]:
    """(line number, line) of an environment file, with comments and blank
    lines left out and a line ending in a backslash joined to the next."""
    lines = text.split("\n")
    number = 0
    while number < len(lines):
        start = number
        line = lines[number].strip()
        number += 1
        if not line or line[0] in "#;":
            continue
        while line.endswith("\\") and number < len(lines):
            line = line[:-1] + lines[number]
            number += 1
        yield start + 1, line[:-1] if line.endswith("\\") else line


def parse_environment_file(text: str, path: str) -> Dict[str, Variable]:
    """KEY=VALUE lines as systemd reads an EnvironmentFile: comments, quotes, continuations."""
    variables: Dict[str, Variable] = {}
    for number, line in logical_lines(text):
        key, sep, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            continue  # systemd ignores what is not an assignment
        variables[key] = Variable(_env_value(value.strip()), path, number)
    return variables


def _env_value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return _unescape(raw[1:-1]) if raw[0] == '"' else raw[1:-1]
    return re.sub(r"\\(.)", r"\1", raw)


# -- ExecStart ---------------------------------------------------------------


def exec_start(host: Host, unit: Unit) -> Command:
    """The ExecStart systemd runs, split into words. A service that systemd
    refuses to start (no ExecStart left after the resets, or several where
    the service type allows one) is an error that says where."""
    starts = unit.values("Service", "ExecStart")
    types = unit.values("Service", "Type")
    service_type = types[-1].value if types else "simple"
    if not starts:
        resets = [s for s in unit.settings if s.section == "Service" and s.key == "ExecStart"]
        where = f"{resets[-1].path}:{resets[-1].line}" if resets else unit.fragment
        raise HostError(f"{where}: {unit.name} has no ExecStart= left; systemd refuses to start it",
                        reason="unit_no_exec_start", target=unit.name, evidence={"where": where, "unit": unit.name})
    if len(starts) > 1 and service_type != "oneshot":
        where = f"{starts[-1].path}:{starts[-1].line}"
        raise HostError(f"{where}: {unit.name} has {len(starts)} ExecStart= commands (the first at {starts[0].path}:{starts[0].line}) "
                        f"in a Type={service_type} service, where only Type=oneshot may have several; systemd refuses to start it",
                        reason="unit_many_exec_start", target=unit.name,
                        evidence={"where": where, "unit": unit.name, "count": len(starts), "type": service_type})
    return parse_command(starts[-1], environment(host, unit))


def parse_command(setting: Setting, variables: Dict[str, Variable]) -> Command:
    value = setting.value
    prefix = re.match(r"[-@:+!]*", value).group(0)
    parts: List[Part] = []
    for token in split_words(value[len(prefix):], setting.path, setting.line):
        parts.append(Part(token.raw, tuple(_expand(token, setting, variables))))
    return Command(tuple(parts), prefix, setting)


def _expand(token: Token, setting: Setting, variables: Dict[str, Variable]) -> List[Word]:
    whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", token.text)
    if whole and not token.quoted:  # $VAR: split at whitespace into words
        variable = variables.get(whole.group(1))
        return [Word(part, variable.path, variable.line, whole.group(1)) for part in variable.value.split()] if variable else []
    braced = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", token.text)
    expanded = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                      lambda m: variables[m.group(1)].value if m.group(1) in variables else "", token.text)
    expanded = expanded.replace("$$", "$").replace("%%", "%")
    if braced and braced.group(1) in variables:  # ${VAR}: one word, whatever it holds
        variable = variables[braced.group(1)]
        return [Word(expanded, variable.path, variable.line, braced.group(1))]
    return [Word(expanded, setting.path, setting.line)]
