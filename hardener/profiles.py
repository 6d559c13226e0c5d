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

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple, Type

from .fixes import Fix, all_fixes
from .model import Text
from .settings import PROFILES as BUILTIN

BUILTIN_DIR = Path(__file__).parent / "builtin_profiles"
DEFAULT_PROFILE = BUILTIN[0]
KEYS = ("name", "title", "benchmark", "version", "extends", "leave_out", "entry")
ENTRY_KEYS = ("item",)


class ProfileError(Exception):
    """A profile that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Profile:
    name: str
    title: Text
    benchmark: str
    version: str
    items: Tuple[str, ...]  # item ids, in order
    source: str  # the file it was read from

    def fixes(self) -> List[Type[Fix]]:
        by_id = {fix.id: fix for fix in all_fixes()}
        return [by_id[item] for item in self.items]


def is_file(value: str) -> bool:
    return "/" in value or value.endswith(".toml")


_loaded: Dict[str, Profile] = {}


def load_profile(value: str) -> Profile:
    """A built-in profile by its name, or a profile file by its path; read once a run."""
    if value not in _loaded:
        _loaded[value] = _load(value, Path.cwd(), ())
    return _loaded[value]


def profile_fixes(value: str) -> List[Type[Fix]]:
    """The items of a profile, in its order."""
    return load_profile(value).fixes()


def _load(value: str, base: Path, chain: Tuple[str, ...]) -> Profile:
    if is_file(value):
        path = Path(os.path.normpath(base / value))
        _check_owner(path)
    elif value in BUILTIN:
        path = BUILTIN_DIR / f"{value}.toml"
    else:
        raise ProfileError(f"unknown profile {value!r}: a built-in one ({', '.join(BUILTIN)}) or a profile file "
                           "(a path with a / or ending in .toml)")
    source = str(path)
    if source in chain:
        raise ProfileError(f"{chain[-1]}: extends {value!r}, which extends it again ({' -> '.join((*chain, source))})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"profile {source}: {getattr(error, 'strerror', None) or error}") from None
    return _parse(text, source, path.parent, (*chain, source))


def _check_owner(path: Path) -> None:
    try:
        info = os.stat(path)
    except OSError as error:
        raise ProfileError(f"profile {path}: {error.strerror}") from None
    if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ProfileError(f"profile {path} is refused: it chooses what harden changes as root, so it must be root's "
                           f"and writable by root alone (it is uid {info.st_uid}'s, mode {stat.S_IMODE(info.st_mode):04o})")


def _parse(text: str, source: str, directory: Path, chain: Tuple[str, ...]) -> Profile:
    def fail(message: str, key: str, start: int = 0) -> ProfileError:
        return ProfileError(f"{source}:{_line_of(text, key, start)}: {message}")

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on the older Pythons of RHEL 8 / Alibaba Cloud Linux 3
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))  # or "at end of document"
        line = found.group(1) if found else max(len(text.splitlines()), 1)
        raise ProfileError(f"{source}:{line}: not valid TOML: {str(error).split(' (at')[0]}") from None
    for key in data:
        if key not in KEYS:
            raise fail(f"unknown key '{key}' (known: {', '.join(KEYS)})", key)
    for key in ("name", "benchmark", "version", "extends"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            raise fail(f"{key} must be a non-empty string", key)
    if "name" not in data:
        raise ProfileError(f"{source}:1: name is missing (what reports call this profile)")
    title = data.get("title")
    if not (isinstance(title, dict) and set(title) == {"en", "zh"} and all(isinstance(v, str) and v.strip() for v in title.values())):
        raise fail("title must be { en = \"...\", zh = \"...\" }, both non-empty", "title")

    parent = _load(data["extends"], directory, chain) if "extends" in data else None
    items: List[str] = list(parent.items) if parent else []
    leave_out = data.get("leave_out", [])
    if not (isinstance(leave_out, list) and all(isinstance(item, str) for item in leave_out)):
        raise fail("leave_out must be a list of item ids", "leave_out")
    for item in leave_out:
        if item not in items:
            raise fail(f"leave_out names '{item}', which {data.get('extends', 'nothing')} does not have", "leave_out")
    items = [item for item in items if item not in leave_out]

    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise fail("entries must be written as [[entry]] tables", "entry")
    known = {fix.id for fix in all_fixes()}
    listed = set()
    start = 0
    for entry in entries:
        start = _line_of(text, "[[entry]]", start + 1)
        for key in entry:
            if key not in ENTRY_KEYS:
                raise fail(f"unknown key '{key}' in an entry (known: {', '.join(ENTRY_KEYS)})", key, start)
        item = entry.get("item")
        if not isinstance(item, str):
            raise ProfileError(f"{source}:{start}: an entry without an item (item = \"ID\"; see: harden list)")
        if item not in known:
            raise fail(f"unknown item '{item}' (see: harden list --profile cis)", "item", start)
        if item in listed:
            raise fail(f"item '{item}' is listed twice", "item", start)
        listed.add(item)
        if item not in items:
            items.append(item)
    if not items:
        raise ProfileError(f"{source}:1: the profile has no items")
    return Profile(data["name"], Text(title["en"], title["zh"]), data.get("benchmark", ""), data.get("version", ""),
                   tuple(items), str(chain[-1]))


def _line_of(text: str, key: str, start: int = 0) -> int:
    """The line (1-based) where `key` is set (or, for a [[table]], where it opens), at or after line `start`."""
    lines = text.splitlines()
    pattern = re.compile(re.escape(key) if key.startswith("[") else rf"\s*{re.escape(key)}\s*=")
    for number in range(max(start, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return max(start, 1)
