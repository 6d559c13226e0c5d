"""The config file: the default selection of items and the waivers.

    items = ["file-permissions", "content-trust"]   # what runs without --only

    [[waivers]]
    item = "content-trust"
    reason = "our registry (ACR) signs nothing"
    expires = 2027-01-31                             # optional

Every mistake is reported with the file and line it is on.
"""
from __future__ import annotations

import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on the older Pythons of RHEL 8 / Alibaba Cloud Linux 3
    import tomli as tomllib

from .host import Host, HostError

DEFAULT_PATH = "/etc/hardener/config.toml"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Waiver:
    item: str
    reason: str
    expires: Optional[datetime.date] = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class Config:
    source: str = ""
    items: Optional[Tuple[str, ...]] = None
    waivers: Tuple[Waiver, ...] = ()

    def waiver_for(self, item: str) -> Optional[Waiver]:
        return next((waiver for waiver in self.waivers if waiver.item == item), None)


def load(host: Host, explicit_path: Optional[str], known_items: Collection[str]) -> Config:
    """The config named by --config (a path on this machine), else the host's own."""
    if explicit_path is not None:
        try:
            text = Path(explicit_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config {explicit_path}: {getattr(error, 'strerror', None) or error}") from None
        return parse(text, explicit_path, known_items)
    try:
        text = host.read_text(DEFAULT_PATH)
    except HostError as error:
        raise ConfigError(str(error)) from None
    if text is None:
        return Config()
    return parse(text, str(host.real_path(DEFAULT_PATH)), known_items)


def parse(text: str, source: str, known_items: Collection[str]) -> Config:
    def fail(message: str, line: int) -> ConfigError:
        return ConfigError(f"{source}:{line}: {message}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise fail(f"not valid TOML: {str(error).split(' (at')[0]}", int(match.group(1)) if match else 1) from None

    for key in data:
        if key not in ("items", "waivers"):
            raise fail(f"unknown key '{key}' (known: items, waivers)", _line_of(text, key))

    items = data.get("items")
    if items is not None:
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise fail("items must be a list of item ids", _line_of(text, "items"))
        for item in items:
            if item not in known_items:
                raise fail(f"unknown item '{item}' in items (see: harden list)", _line_of(text, "items"))
        items = tuple(items)

    waivers = []
    entries = data.get("waivers", [])
    if not isinstance(entries, list):
        raise fail("waivers must be written as [[waivers]] tables", _line_of(text, "waivers"))
    for number, entry in enumerate(entries):
        start = _table_line(text, "waivers", number)
        waivers.append(_waiver(entry, known_items, lambda message, key: fail(message, _line_of(text, key, start))))
    return Config(source=source, items=items, waivers=tuple(waivers))


def _waiver(entry: dict, known_items: Collection[str], fail) -> Waiver:
    for key in entry:
        if key not in ("item", "reason", "expires"):
            raise fail(f"unknown key '{key}' in a waiver (known: item, reason, expires)", key)
    item = entry.get("item")
    if item not in known_items:
        raise fail(f"waiver for unknown item '{item}' (see: harden list)", "item")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("a waiver needs a reason", "reason" if "reason" in entry else "item")
    expires = entry.get("expires")
    if isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires)
        except ValueError:
            raise fail(f"expires must be a date like 2027-01-31, not '{expires}'", "expires") from None
    elif isinstance(expires, datetime.datetime) or not (expires is None or isinstance(expires, datetime.date)):
        raise fail("expires must be a date like 2027-01-31", "expires")
    return Waiver(item=item, reason=reason.strip(), expires=expires)


def _table_line(text: str, name: str, number: int) -> int:
    headers = [i for i, line in enumerate(text.splitlines(), 1) if re.match(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]", line)]
    return headers[number] if number < len(headers) else 1


def _line_of(text: str, key: str, start: int = 1) -> int:
    pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and pattern.match(line):
            return number
    return start
