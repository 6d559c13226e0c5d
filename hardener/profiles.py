"""The profiles a run takes its items from: a built-in one (hardener/builtin_profiles/NAME.toml: aliyun, the
Alibaba Cloud baseline's 13 items and the default, and cis, every recommendation of the CIS Docker Benchmark 1.8.0)
or a profile file of a site's own, of the same shape:

    name = "acme"                                    # what reports and the history call it
    title = { en = "ACME Docker baseline", zh = "ACME Docker 基线" }   # the report's header
    benchmark = "ACME Docker baseline"                # what it follows, and its version (both optional)
    version = "2026.1"
    extends = "cis"                                  # optional: a built-in profile, or a file (relative to this one)
    leave_out = ["no-sshd", "cpu-shares"]             # items of the extended profile this one does not take
    [[entry]]                                        # the items, in the order they run and are reported;
    item = "log-level"                               # one the extended profile has stays where it was

A value naming a file has a / or ends in .toml. A file is read, and every fault in it is one line naming the file,
the line and the key, before anything is read from the host; a file that is not root's, or that anyone but root
can write, is refused: a profile chooses what harden, as root, changes.
"""
from __future__ import annotations

import functools
import os
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Tuple, Type

from .config import line_of, read_trusted, table_line, toml_document
from .fixes import Fix, all_fixes
from .benchmark import Recommendation
from .i18n import ERRORS
from .model import SEVERITIES, Remedy, Said, Text
from .settings import BUILTIN_PROFILES, UNPRINTABLE
from .settings import PROFILES as BUILTIN

BUILTIN_DIR = Path(BUILTIN_PROFILES)
KEYS = ("name", "title", "benchmark", "version", "extends", "leave_out", "entry", "recommendation")
RECOMMENDATION_KEYS = ("ref", "assessment", "former", "title")
ASSESSMENTS = ("automated", "manual")
ENTRY_KEYS = ("item", "ref", "title", "advice", "severity", "remedy", "parameters", "kind")
KIND_KEYS = ("option", "value", "path", "mode", "field", "one_of", "none_of")  # an item of the profile's own (kinds.py)
REMEDIES = {"automatic": Remedy.AUTO, "when-named": Remedy.WHEN_NAMED, "manual": Remedy.MANUAL}  # least careful first


class ProfileError(Said):
    """A profile that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Entry:
    """What a profile says of one item: the references it reports under (none given: the CIS recommendations it
    answers), its title, advice and severity where the profile has its own, and its parameters."""

    item: str
    refs: Tuple[str, ...] = ()
    title: Optional[Text] = None
    advice: Optional[Text] = None
    severity: Optional[str] = None  # of its failing and manual findings
    remedy: Optional[Remedy] = None  # how harden fixes it, where the profile says: never less careful than the item is
    parameters: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    name: str
    title: Text
    benchmark: str
    version: str
    items: Tuple[str, ...]  # item ids, in order
    source: str  # the file it was read from
    entries: Mapping[str, Entry] = field(default_factory=dict)  # by item, those the profile says more of than the id
    own: Mapping[str, Type[Fix]] = field(default_factory=dict)  # the items it defines as data (kinds.py), by id
    # what its references are, in the benchmark's order: cis.toml's are the CIS Docker Benchmark 1.8.0's 118
    recommendations: Tuple[Recommendation, ...] = ()

    def fixes(self) -> List[Type[Fix]]:
        by_id = {fix.id: fix for fix in all_fixes()}
        by_id.update(self.own)
        return [_with_remedy(by_id[item], self.entry(item).remedy) for item in self.items]

    def entry(self, item: str) -> Entry:
        return self.entries.get(item) or Entry(item)

    def title_of(self, fix: Type[Fix]) -> Text:
        """An item's title in this profile: the profile's own, else the item's."""
        return self.entry(fix.id).title or fix.title

    def refs_of(self, fix: Type[Fix]) -> Tuple[str, ...]:
        """An item's references in this profile: its own, else the CIS recommendations it answers."""
        from .benchmark import numbers

        return self.entry(fix.id).refs or (numbers(fix.cis) if fix.cis else ())

    def refs(self) -> Dict[str, Tuple[str, ...]]:
        return {fix.id: self.refs_of(fix) for fix in self.fixes()}

    @property
    def parameters(self) -> Dict[str, Mapping[str, object]]:
        return {item: entry.parameters for item, entry in self.entries.items() if entry.parameters}


@functools.lru_cache(maxsize=None)
def _with_remedy(fix: Type[Fix], remedy: Optional[Remedy]) -> Type[Fix]:
    """The item as a profile has it fixed: the same class, or one of it that only its remedy sets apart."""
    if remedy is None or remedy is fix.remedy:
        return fix
    return type(fix.__name__, (fix,), {"remedy": remedy, "__module__": __name__})


def is_file(value: str) -> bool:
    return "/" in value or value.endswith(".toml")


_loaded: Dict[Tuple[str, str], Profile] = {}

Resolve = Callable[[str], str]  # a profile path as its reader names it -> the path on this machine to open


def load_profile(value: str, base: str = "", resolve: Optional[Resolve] = None) -> Profile:
    """A built-in profile by its name, or a profile file by its path, relative to `base` (the working directory by
    default); `resolve` turns such a path into the one to open here (a host tree's paths under --root). Read once."""
    base = base or os.getcwd()
    if (value, base) not in _loaded:
        _loaded[(value, base)] = _load(value, base, (), resolve or (lambda path: path))
    return _loaded[(value, base)]


def profile_fixes(value: str) -> List[Type[Fix]]:
    """The items of a profile, in its order."""
    return load_profile(value).fixes()


MAX_DEPTH = 16  # profiles extending each other


def _load(value: str, base: str, chain: Tuple[str, ...], resolve: Resolve) -> Profile:
    if not value.strip():
        raise ProfileError("the profile is empty: name a built-in one (" + ", ".join(BUILTIN) + ") or a profile file")
    if len(chain) >= MAX_DEPTH:
        raise ProfileError(f"{chain[-1]}: profiles extend each other more than {MAX_DEPTH} deep")
    if is_file(value):
        named = posixpath.normpath(posixpath.join(base, value))
        text = read_trusted(resolve(named), f"profile {named}", ProfileError)
        if text is None:
            raise ProfileError(f"profile {named}: No such file or directory")
    elif value in BUILTIN:
        named = str(BUILTIN_DIR / f"{value}.toml")
        text = (BUILTIN_DIR / f"{value}.toml").read_text(encoding="utf-8")
    else:
        raise ProfileError(ERRORS["unknown_profile"], value=repr(value), builtin=", ".join(BUILTIN))
    if named in chain:
        raise ProfileError(f"{chain[-1]}: extends {value!r}, which extends it again ({' -> '.join((*chain, named))})")
    return _parse(text, named, posixpath.dirname(named), (*chain, named), resolve)


def _parse(text: str, source: str, directory: str, chain: Tuple[str, ...], resolve: Resolve) -> Profile:
    def fail(message, key: str, entry: Optional[int] = None) -> ProfileError:
        """The error (words, or an error said in the user's language), at the line of `key` (within the `entry`th
        [[entry]] table, if given): found only when failing, as a profile of 118 entries would otherwise be searched
        118 times on every run."""
        start = 1 if entry is None else table_line(text, "entry", entry)
        return ProfileError(ERRORS["at_line"], source=source, line=line_of(text, key, start), message=message)

    data = _document(text, source)
    for key in data:
        if key not in KEYS:
            raise fail(f"unknown key '{key}' (known: {', '.join(KEYS)})", key)
    for key in ("name", "benchmark", "version", "extends"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            raise fail(f"{key} must be a non-empty string", key)
    if "name" not in data:
        raise ProfileError(f"{source}:1: name is missing (what reports call this profile)")
    builtin = source == str(BUILTIN_DIR / f"{data['name']}.toml")
    if data["name"] in BUILTIN and not builtin:
        raise fail(f"name {data['name']!r} is a built-in profile's: a profile file is named as its own, so that no "
                   "report reads as the built-in one", "name")
    if UNPRINTABLE.search(data["name"]):  # a report line of its own, or text turned around, in a report's header
        raise fail(f"name has a control or direction character: {data['name']!r}", "name")
    title = _bilingual(data.get("title"), "title", lambda message, key: fail(message, key))

    parent = None
    if "extends" in data:
        try:
            parent = _load(data["extends"], directory, chain, resolve)
        except ProfileError as error:
            raise fail(Said(ERRORS["extends"], value=repr(data["extends"]), error=error), "extends") from None
    items: List[str] = list(parent.items) if parent else []
    leave_out = data.get("leave_out", [])
    if not (isinstance(leave_out, list) and all(isinstance(item, str) for item in leave_out)):
        raise fail("leave_out must be a list of item ids", "leave_out")
    for item in leave_out:
        if item not in items:
            raise fail(f"leave_out names '{item}', which {data['extends']} does not have" if parent else
                       "leave_out is for items of the profile this one extends, and it extends none", "leave_out")
    items = [item for item in items if item not in leave_out]

    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise fail("entries must be written as [[entry]] tables", "entry")
    known = {fix.id: fix for fix in all_fixes()}
    own: Dict[str, Type[Fix]] = dict(parent.own) if parent else {}
    said: Dict[str, Entry] = dict(parent.entries) if parent else {}
    listed = set()
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise fail("entries must be written as [[entry]] tables", "entry")
        for key in entry:
            if key not in ENTRY_KEYS + KIND_KEYS:
                raise fail(f"unknown key '{key}' in an entry (known: {', '.join(ENTRY_KEYS + KIND_KEYS)})", key, number)
        item = entry.get("item")
        if not isinstance(item, str):
            raise ProfileError(f"{source}:{table_line(text, 'entry', number)}: an entry without an item (item = \"ID\"; see: harden list)")
        if item in listed:
            raise fail(f"item '{item}' is listed twice", "item", number)
        listed.add(item)
        at_entry = lambda message, key: fail(message, key, number)  # noqa: E731
        for key in KIND_KEYS:
            if key in entry and "kind" not in entry:
                raise fail(f"{key} is for an item the profile defines itself (kind = ...)", key, number)
        if "kind" in entry:
            if item in known:
                raise fail(f"'{item}' is harden's own item: an item the profile defines needs an id of its own", "item", number)
            said[item] = _entry(entry, Entry(item, refs=(item,)), item, (), at_entry)  # its words first: its class needs them
            from .kinds import defined_item

            own[item] = defined_item(entry, said[item].remedy, at_entry)
            said[item] = replace(said[item], remedy=None)  # the class has it
        elif item in known or item in own:
            fix = known[item] if item in known else own[item]
            said[item] = _entry(entry, said.get(item) or Entry(item), item, fix.parameters, at_entry)
            remedy = said[item].remedy
            if remedy is not None and list(REMEDIES.values()).index(remedy) < list(REMEDIES.values()).index(fix.remedy):
                raise fail(f"'{item}' is fixed {fix.remedy.value.replace('_', '-')}: a profile may make it more careful, "
                           "not less", "remedy", number)
        else:
            raise fail(f"unknown item '{item}' (see: harden list --profile cis)", "item", number)
        if item not in items:
            items.append(item)
    if not items:
        raise ProfileError(f"{source}:1: the profile has no items")
    said = {item: entry for item, entry in said.items() if item in items}
    own = {item: fix for item, fix in own.items() if item in items}
    owner: Dict[str, str] = {}
    from .benchmark import numbers

    for item in items:  # the CIS numbers an item reports under where the profile gives it none of its own
        fix = known.get(item) or own[item]
        if not (item in said and said[item].refs) and fix.cis:
            for ref in numbers(fix.cis):
                owner.setdefault(ref, item)
    for item in items:
        for ref in said[item].refs if item in said else ():
            if ref in owner and owner[ref] != item:
                raise fail(f"reference '{ref}' is used twice (items '{owner[ref]}' and '{item}')", "ref",
                           next((n for n, e in enumerate(entries) if isinstance(e, dict) and e.get("item") == item), None))
            owner[ref] = item
    recommendations = _recommendations(data.get("recommendation", []), parent.recommendations if parent else (),
                                       lambda message, key, number: ProfileError(
                                           f"{source}:{line_of(text, key, table_line(text, 'recommendation', number))}: {message}"),
                                       (lambda ref: False) if builtin else (lambda ref: ref in _cis_numbers()))
    return Profile(data["name"], title, data.get("benchmark", ""), data.get("version", ""),
                   tuple(items), chain[-1], said, own, recommendations)


def _cis_numbers() -> frozenset:
    from .benchmark import by_number

    return frozenset(by_number())


@functools.lru_cache(maxsize=8)
def _document(text: str, source: str) -> dict:
    """A profile file's TOML, read once a run (cis.toml serves the benchmark's recommendations too)."""
    return toml_document(text, lambda message, line: ProfileError(f"{source}:{line}: {message}"))


def builtin_recommendations(name: str) -> Tuple[Recommendation, ...]:
    """The [[recommendation]] tables of a built-in profile, read without its items (which need them: their titles)."""
    path = BUILTIN_DIR / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    return _recommendations(_document(text, str(path)).get("recommendation", []), (),
                            lambda message, key, number: ProfileError(f"{path}: {message}"))


def _recommendations(tables, inherited: Tuple[Recommendation, ...], fail, reserved=lambda ref: False) -> Tuple[Recommendation, ...]:
    """[[recommendation]] ref, assessment, former (its number in an earlier version) and title: after those of the
    profile it extends, each replacing one of the same reference."""
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise fail("recommendations must be written as [[recommendation]] tables", "recommendation", 0)
    found = {recommendation.number: recommendation for recommendation in inherited}
    for number, table in enumerate(tables):
        for key in table:
            if key not in RECOMMENDATION_KEYS:
                raise fail(f"unknown key '{key}' in a recommendation (known: {', '.join(RECOMMENDATION_KEYS)})", key, number)
        ref = table.get("ref")
        if not (isinstance(ref, str) and ref.strip() and not UNPRINTABLE.search(ref)):
            raise fail("a recommendation's ref is its reference, a non-empty line", "ref", number)
        if table.get("assessment", "automated") not in ASSESSMENTS:
            raise fail(f"assessment is automated or manual, not {table.get('assessment')!r}", "assessment", number)
        title = _bilingual(table.get("title"), "title", lambda message, key: fail(message, key, number))
        if reserved(ref):
            raise fail(f"'{ref}' is a CIS Docker Benchmark number: its title is the benchmark's", "ref", number)
        if not isinstance(table.get("former", ""), str) or UNPRINTABLE.search(table.get("former", "")):
            raise fail("former is the recommendation's number in the earlier version, a string", "former", number)
        found[ref] = Recommendation(ref, table.get("former", ref), table.get("assessment", "automated") == "automated", title)
    return tuple(found.values())


def _bilingual(value, key: str, fail: Callable[[str, str], ProfileError]) -> Text:
    """A title or advice of a profile: { en = "...", zh = "..." }, both non-empty lines."""
    if not (isinstance(value, dict) and set(value) == {"en", "zh"} and all(isinstance(v, str) and v.strip() for v in value.values())):
        raise fail(f"{key} must be {{ en = \"...\", zh = \"...\" }}, both non-empty", key)
    for text in value.values():
        if UNPRINTABLE.search(text):  # a report line of its own, or text turned around
            raise fail(f"{key} has a control or direction character: {text!r}", key)
    return Text(value["en"], value["zh"])


def _entry(entry: dict, inherited: Entry, item: str, declared_parameters, fail: Callable[[str, str], ProfileError]) -> Entry:
    """An entry's own keys over what the profile it extends says of the item."""
    changes: Dict[str, object] = {}
    if "ref" in entry:
        refs = entry["ref"] if isinstance(entry["ref"], list) else [entry["ref"]]
        if not refs or not all(isinstance(ref, str) and ref.strip() and not UNPRINTABLE.search(ref) for ref in refs):
            raise fail("ref is a reference (\"ACME-DOCKER-07\") or a list of them, each a non-empty line", "ref")
        changes["refs"] = tuple(ref.strip() for ref in refs)
    for key in ("title", "advice"):
        if key in entry:
            changes[key] = _bilingual(entry[key], key, fail)
    if "remedy" in entry:
        if not isinstance(entry["remedy"], str) or entry["remedy"] not in REMEDIES:
            raise fail(f"remedy is one of {', '.join(REMEDIES)}, not {entry['remedy']!r}", "remedy")
        changes["remedy"] = REMEDIES[entry["remedy"]]
    if "severity" in entry:
        if not isinstance(entry["severity"], str) or entry["severity"] not in SEVERITIES:
            raise fail(f"severity is one of {', '.join(SEVERITIES)}, not {entry['severity']!r}", "severity")
        changes["severity"] = entry["severity"]
    if "parameters" in entry:
        given = entry["parameters"]
        if not isinstance(given, dict):
            raise fail("parameters must be a table: parameters = { NAME = VALUE }", "parameters")
        declared = {parameter.name: parameter for parameter in declared_parameters}
        parameters = dict(inherited.parameters)
        for name, value in given.items():
            if name not in declared:
                has = ", ".join(declared) or "none"
                raise fail(f"item '{item}' has no parameter '{name}' (its parameters: {has})", name)
            parameters[name] = declared[name].read(value, lambda message: fail(f"{item}'s parameter {name}: {message}", name))
        changes["parameters"] = parameters
    return replace(inherited, **changes)
