"""systemd unit files as systemd reads them: the effective unit with its
drop-ins, Environment= and EnvironmentFile= variables, and ExecStart split
into words by systemd's own rules (quotes, continuations, `$VAR` split into
words, `${VAR}` kept as one).

The structure of each file (sections, assignments, values as written) comes
from augeas (../edits/unit_tree.py); the words of a value and environment
files are read as systemd's own code reads them (systemd_syntax.py). Every word remembers where it was written, so that a fix can change it
there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..host import Host, HostError
from ..edits.unit_tree import read_assignments
from .systemd_syntax import (ExecCommand, SyntaxFault, lookup, extract_word_and_warn, parse_env_file, parse_exec,
                             replace_env, split_value, valid_name, whole_variable)
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
    return (continued + lines[-1]).strip(" \t\n\r")


@dataclass(frozen=True)
class Word:
    text: str
    path: str  # where it was written: the unit file, or the environment file of its variable
    line: int
    variable: Optional[str] = None  # the variable it came from, if any
    span: Optional[Tuple[int, int]] = None  # that variable's assignment in its environment file


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
    user: Optional[int] = None  # a user manager's unit: the files it names are read only where they are that user's alone

    def values(self, section: str, key: str) -> List[Setting]:
        """Assignments of a list setting, honouring empty assignments that reset it."""
        found: List[Setting] = []
        for setting in self.settings:
            if setting.section == section and setting.key == key:
                found = [] if setting.value == "" else found + [setting]
        return found


def _read(host: Host, path: str, own: Sequence[str], user: Optional[int]) -> Optional[str]:
    """A unit file's text; one in a directory of the user's own (`own`: of their home or runtime directory) is read
    only while it is the user's alone (Host.read_bytes): the system's are root's."""
    theirs = user is not None and any(path.startswith(f"{directory}/") for directory in own)
    return host.read_text(path, user if theirs else None)


def load_unit(host: Host, name: str, directories: Optional[Sequence[str]] = None, user: Optional[int] = None,
              own: Sequence[str] = ()) -> Unit:
    """A system unit (as systemd loads it), or one of a user manager's on its search path `directories` (`user`: its uid;
    `own`: the directories of theirs among them); read once a run."""
    key = f"unit {name} {None if directories is None else list(directories)} {user}"
    return host.fact(key, lambda: _load_unit(host, name, directories, user, own))


def _load_unit(host: Host, name: str, directories: Optional[Sequence[str]], user: Optional[int], own: Sequence[str]) -> Unit:
    if directories is None:
        fragment = unit_file(host, name)
    else:
        fragment = next((f"{directory}/{name}" for directory in directories if host.lstat(f"{directory}/{name}") is not None), None)
        if fragment is not None and host.is_symlink(fragment) and host.resolve(fragment) == "/dev/null":
            fragment = None  # masked
    settings: List[Setting] = []
    if fragment:
        settings += parse_unit(_read(host, fragment, own, user) or "", fragment)
    drop_ins = drop_in_files(host, name, UNIT_DIRS if directories is None else directories)
    for path in drop_ins:
        settings += parse_unit(_read(host, path, own, user) or "", path)
    return Unit(name, fragment, tuple(drop_ins), tuple(settings), user)


def drop_in_files(host: Host, name: str, directories: Sequence[str] = UNIT_DIRS) -> List[str]:
    """*.conf drop-ins as systemd takes them: from each directory of the search path, the unit's own name's
    directory, then its prefixes' ("foo-.service.d" of foo-bar.service), then, after every one of those, its type's
    ("service.d"), which every unit of the type shares (systemd.unit(5)). A name is taken from the first directory
    that has it (a name in /etc hides the same name in /run and /usr/lib, the unit's own the type's); then all in
    file-name order."""
    chosen: Dict[str, str] = {}
    seen_dirs = set()
    for folder in _drop_in_folders(name, directories):
        real = host.resolve(folder)
        if real in seen_dirs:
            continue  # /lib is /usr/lib on merged-/usr systems
        seen_dirs.add(real)
        for entry in host.list_dir(folder):
            if entry.endswith(".conf") and entry not in chosen:
                chosen[entry] = f"{folder}/{entry}"
    return [chosen[entry] for entry in sorted(chosen, key=lambda n: n.encode())]


def _drop_in_folders(name: str, directories: Sequence[str]) -> List[str]:
    """The directories systemd takes the unit's drop-ins from, first to last."""
    unit_type = name.rpartition(".")[2]
    return ([f"{directory}/{named}.d" for directory in directories for named in [name, *_prefixes(name)]]
            + [f"{directory}/{unit_type}.d" for directory in directories])


def read_after(path: str, ours: str, name: str, directories: Sequence[str] = UNIT_DIRS) -> bool:
    """Whether systemd reads the drop-in `path` of the unit `name` after `ours`, a drop-in harden writes, so that what
    it sets wins over ours: its file name sorts after ours, or it has the same name in a directory that hides ours."""
    theirs, mine = PurePosixPath(path), PurePosixPath(ours)
    if theirs.name != mine.name:
        return theirs.name.encode() > mine.name.encode()
    folders = _drop_in_folders(name, directories)
    if path == ours or str(theirs.parent) not in folders or str(mine.parent) not in folders:
        return False
    return folders.index(str(theirs.parent)) < folders.index(str(mine.parent))


def _prefixes(name: str) -> List[str]:
    """The names whose drop-ins a unit takes by its prefix, the longest first: foo-bar-baz.service's are
    foo-bar-.service and foo-.service (a dash at either end of a name starts no prefix). A template's or an
    instance's (foo@.service, foo@x.service: their prefixes carry the @) are not derived: harden reads none."""
    prefix, _, unit_type = name.rpartition(".")
    found: List[str] = []
    if "@" in prefix:
        return found
    at = prefix.rfind("-", 0, len(prefix) - 1)
    while at > 0:
        found.append(f"{prefix[:at + 1]}.{unit_type}")
        at = prefix.rfind("-", 0, at)
    return found


def shared_drop_in(path: str, name: str) -> bool:
    """Whether `path` is a drop-in that other units take as well (of a prefix or of the unit's type): changing it
    would change them."""
    return path.endswith(".conf") and PurePosixPath(path).parent.name != f"{name}.d"


# -- environment ---------------------------------------------------------------


class Variable(NamedTuple):
    value: str
    path: str
    line: int
    span: Optional[Tuple[int, int]] = None  # in an environment file: the assignment's place in its text


def environment(host: Host, unit: Unit) -> Dict[str, Variable]:
    """Environment= then EnvironmentFile= variables, as the service gets them."""
    variables: Dict[str, Variable] = {}
    for setting in unit.values("Service", "Environment"):
        index = 0
        while True:
            try:
                word, index = extract_word_and_warn(setting.value, index)
            except SyntaxFault:
                break  # systemd ignores the rest of the line
            if word is None:
                break
            key, sep, value = word.partition("=")
            if sep and valid_name(key):
                variables[key] = Variable(value, setting.path, setting.line)
    for setting in unit.values("Service", "EnvironmentFile"):
        optional = setting.value.startswith("-")
        path = setting.value[1:] if optional else setting.value
        if unit.user is not None and host.exists(path):  # a missing optional one is not read
            host.check_users_file(path, unit.user)
        text = host.read_text(path, unit.user)
        if text is None:
            if optional:
                continue
            raise HostError(f"{path}, named by EnvironmentFile= in {setting.path}:{setting.line}, does not exist; the service cannot start",
                            reason="unit_no_environment_file", target=unit.name,
                            evidence={"path": path, "where": f"{setting.path}:{setting.line}", "unit": unit.name})
        variables.update(parse_environment_file(text, path))
    return variables


def parse_environment_file(text: str, path: str) -> Dict[str, Variable]:
    """The variables systemd takes from an EnvironmentFile: the last of each valid name."""
    return {a.key: Variable(a.value, path, a.line, (a.start, a.end)) for a in parse_env_file(text) if valid_name(a.key)}


# -- ExecStart ---------------------------------------------------------------


def exec_start(host: Host, unit: Unit) -> Command:
    """The ExecStart systemd runs, split into words. A service that systemd
    refuses to start (a value it cannot parse, no command left after the
    resets, or several where the service type allows one) is an error that says where."""
    starts = unit.values("Service", "ExecStart")
    types = unit.values("Service", "Type")
    service_type = types[-1].value if types else "simple"
    commands = []
    for setting in starts:
        try:
            commands += [(setting, command) for command in parse_exec(setting.value)]
        except SyntaxFault as fault:
            where = f"{setting.path}:{setting.line}"
            raise HostError(f"{where}: systemd cannot parse ExecStart= ({fault}) and refuses to start {unit.name}",
                            reason="unit_bad_exec_start", target=unit.name,
                            evidence={"where": where, "unit": unit.name, "why": str(fault)}) from None
    if not commands:
        resets = [s for s in unit.settings if s.section == "Service" and s.key == "ExecStart"]
        where = f"{resets[-1].path}:{resets[-1].line}" if resets else unit.fragment
        raise HostError(f"{where}: {unit.name} has no ExecStart= left; systemd refuses to start it",
                        reason="unit_no_exec_start", target=unit.name, evidence={"where": where, "unit": unit.name})
    if len(commands) > 1 and service_type != "oneshot":
        first, last = commands[0][0], commands[-1][0]
        where = f"{last.path}:{last.line}"
        raise HostError(f"{where}: {unit.name} has {len(commands)} ExecStart= commands (the first at {first.path}:{first.line}) "
                        f"in a Type={service_type} service, where only Type=oneshot may have several; systemd refuses to start it",
                        reason="unit_many_exec_start", target=unit.name,
                        evidence={"where": where, "unit": unit.name, "count": len(commands), "type": service_type})
    setting, command = commands[-1]
    return expand_command(setting, command, environment(host, unit))


def expand_command(setting: Setting, command: ExecCommand, variables: Dict[str, Variable]) -> Command:
    """The words the service gets, as systemd substitutes variables at start."""
    env = [(name, variable.value) for name, variable in variables.items()]
    parts: List[Part] = []
    for word in command.words:
        name = whole_variable(word.text) if command.substitute else None
        if name is not None:  # $NAME: split into words; gone when NAME is not set
            value = lookup(env, name)
            variable = variables.get(name)
            where = (variable.path, variable.line) if variable else (setting.path, setting.line)
            span = variable.span if variable else None
            words = tuple(Word(text, *where, name, span) for text in split_value(value)) if value is not None else ()
            parts.append(Part(word.raw, words))
            continue
        text = replace_env(word.text, env) if command.substitute else word.text
        braced = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", word.text)
        if command.substitute and braced and braced.group(1) in variables:  # ${NAME}: one word, whatever it holds
            variable = variables[braced.group(1)]
            parts.append(Part(word.raw, (Word(text, variable.path, variable.line, braced.group(1), variable.span),)))
        else:
            parts.append(Part(word.raw, (Word(text, setting.path, setting.line),)))
    return Command(tuple(parts), command.prefixes, setting)
