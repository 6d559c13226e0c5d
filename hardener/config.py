"""The config file: the default selection of items and the waivers.

    profile = "cis"                                  # the items' profile: aliyun (default), cis, or a profile file
    items = ["file-permissions", "content-trust"]   # what runs without --only
    daemon_options = "execstart"                     # dockerd options as flags, not in daemon.json
    bind_address = "10.0.0.5"                        # bind-address (CIS 5.14): where published ports go
    sprawl_days = 30                                 # container-sprawl (CIS 6.2): stopped longer than this

    [[waivers]]
    item = "content-trust"
    reason = "our registry (ACR) signs nothing"
    expires = 2027-01-31                             # optional

    [[waivers]]                                      # container items: some containers only
    item = "no-privileged"
    container = "cadvisor*"                          # a name pattern, or
    label = "com.example.role=monitoring"            # a label, or both
    reason = "needs the host's devices"

    [memory_limit]                                   # the limit memory-limit sets
    default = "512m"
    [[memory_limit.overrides]]
    container = "db-*"                               # or label = "KEY=VALUE"
    limit = "4g"
    [cpu_shares]                                     # cpu-shares (CIS 5.12), the same way: default, overrides
    default = 512
    [pids_limit]                                     # pids-limit (CIS 5.29)
    default = 200

    [schedule]                                       # what `harden schedule`'s checks keep
    keep = 30                                        # reports under /var/lib/hardener/reports
    metrics_dir = "/var/lib/prometheus/node-exporter"  # node_exporter's textfile directory: harden.prom there

Every mistake is reported with the file and line it is on.
"""
from __future__ import annotations

import datetime
import fnmatch
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping, Optional, Tuple, Type

from .host import Host, HostError, sha256_of
from .i18n import ERRORS
from .model import Said
from .settings import PROFILES

DEFAULT_PATH = "/etc/hardener/config.toml"
DAEMON_OPTIONS = ("daemon-json", "execstart")


class ConfigError(Said):
    pass


@dataclass(frozen=True)
class ContainerMatch:
    """Which containers a setting is for: a name pattern and/or a label."""

    container: Optional[str] = None
    label: Optional[str] = None  # KEY=VALUE, or KEY for any value

    @property
    def scoped(self) -> bool:
        return self.container is not None or self.label is not None

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        if self.container is not None and not fnmatch.fnmatchcase(name, self.container):
            return False
        if self.label is not None:
            key, _, value = self.label.partition("=")
            if key not in labels or ("=" in self.label and labels[key] != value):
                return False
        return True


@dataclass(frozen=True)
class Waiver:
    item: Optional[str]  # the item it waives, or None where it names a reference of the profile instead
    reason: str
    expires: Optional[datetime.date] = None
    match: ContainerMatch = ContainerMatch()
    ref: Optional[str] = None  # a reference of the profile (a CIS number, or the profile's own): the items it names

    def names(self, item: str, refs: Collection[str]) -> bool:
        return self.item == item or (self.ref is not None and self.ref in refs)

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class ContainerValue:
    """A value a container item sets (a memory limit, CPU shares, a PIDs limit), for the containers it matches."""

    value: int  # bytes, for a memory limit
    text: str  # as the administrator wrote it: "512m"
    match: ContainerMatch = ContainerMatch()


# The per-container tables: [table] default = ..., [[table.overrides]] container/label and `key`; how each value is read
TABLES = {"memory_limit": "limit", "cpu_shares": "shares", "pids_limit": "limit"}


@dataclass(frozen=True)
class Config:
    source: str = ""
    profile: Optional[str] = None
    items: Optional[Tuple[str, ...]] = None
    waivers: Tuple[Waiver, ...] = ()
    tables: Mapping[str, Tuple[ContainerValue, ...]] = field(default_factory=dict)  # by TABLES name: the overrides
    defaults: Mapping[str, ContainerValue] = field(default_factory=dict)  # by TABLES name: its default (an item parameter)
    daemon_options: str = "daemon-json"  # where wanted dockerd options go: daemon-json or execstart
    bind_address: Optional[str] = None  # bind-address's parameter `address`
    sprawl_days: Optional[int] = None  # container-sprawl's parameter `days`
    reports_kept: int = 30  # [schedule] keep: the scheduled checks' reports kept
    metrics_dir: Optional[str] = None  # [schedule] metrics_dir: node_exporter's textfile directory, for harden.prom
    text: Optional[str] = None  # the file's (None where there is none)

    @property
    def sha256(self) -> str:
        """Of the file's text ("" where there is none): scheduled reports are compared under one config."""
        return "" if self.text is None else sha256_of(self.text.encode())

    def waiver_for(self, item: str, refs: Collection[str] = ()) -> Optional[Waiver]:
        """The waiver of a whole item: named by its id, or by every one of its references (`refs`) in the profile
        (one of them alone does not waive what the item finds of the others)."""
        found = self._waiving([w for w in self.waivers if not w.match.scoped], item, refs)
        return found[0] if found else None

    def container_waivers(self, item: str, refs: Collection[str] = ()) -> Tuple[Waiver, ...]:
        return tuple(self._waiving([w for w in self.waivers if w.match.scoped], item, refs))

    def partly_named(self, item: str, refs: Collection[str]) -> Tuple[str, ...]:
        """The references of the item that waivers name where they do not name them all: such waivers waive nothing."""
        named = {w.ref for w in self.waivers if w.ref is not None and w.ref in refs}
        return tuple(sorted(named)) if named and named != set(refs) and not any(w.item == item for w in self.waivers) else ()

    @staticmethod
    def _waiving(waivers, item: str, refs: Collection[str]) -> list:
        by_item = [w for w in waivers if w.item == item]
        named = {w.ref for w in waivers if w.ref is not None and w.ref in refs}
        return by_item + ([w for w in waivers if w.ref in named] if refs and named == set(refs) else [])

    def override_for(self, table: str, name: str, labels: Mapping[str, str]) -> Optional[ContainerValue]:
        """The value a table's first override that matches this container sets (its default is the item's parameter)."""
        return next((value for value in self.tables.get(table, ()) if value.match.matches(name, labels)), None)


# the config's profile value -> the profile used (as --profile names it) and the item ids the config may name
KnownItems = Callable[[Optional[str]], Tuple[str, Collection[str]]]
MAX_SIZE = 1 << 20  # a profile of every item with every override, or a config of every table, is some tens of kB
REFUSED = ("it chooses what harden changes as root, so it and the directories above it must be root's (or the user's harden "
           "runs as) and writable by no one else")


def read_trusted(path: str, label: str, error: Type[Said]) -> Optional[str]:
    """The text of a file that chooses what harden changes (a profile, the config), read only where root alone, or the
    user harden runs as, can have made it what it is: the file itself (no link followed at its end; a regular file,
    not a FIFO or a device) theirs and writable by them alone, checked on the descriptor that is read, and every
    directory above it theirs and writable by no one else (a sticky one, /tmp, keeps others from replacing a file in
    it). None where there is no such file; `error` (labelled) for the rest."""
    trusted = {0, os.geteuid()}
    real = os.path.realpath(path)
    directory = os.path.dirname(real)
    while True:
        try:
            info = os.stat(directory)
        except FileNotFoundError:
            return None
        except OSError as failed:
            raise error(f"{label}: {failed.strerror}") from None
        if info.st_uid not in trusted or (info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX):
            raise error(f"{label} is refused: {REFUSED} ({directory} is uid {info.st_uid}'s, mode {stat.S_IMODE(info.st_mode):04o})")
        if directory == "/":
            break
        directory = os.path.dirname(directory)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as failed:
        raise error(f"{label}: {failed.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{label} is not a regular file")
        if info.st_uid not in trusted or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise error(f"{label} is refused: {REFUSED} (it is uid {info.st_uid}'s, mode {stat.S_IMODE(info.st_mode):04o})")
        if info.st_size > MAX_SIZE:
            raise error(f"{label} is {info.st_size} bytes; such a file is at most {MAX_SIZE}")
        data = os.read(fd, MAX_SIZE + 1)
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as failed:
        raise error(f"{label}: not UTF-8 ({failed.reason} at byte {failed.start})") from None


def load(host: Host, explicit_path: Optional[str], known_items: KnownItems) -> Config:
    """The config named by --config (a path on this machine), else the host's own. Its items and waivers may name
    the items known_items gives for the profile it names (or None), the profile's own among them."""
    if explicit_path is not None:
        text = read_trusted(explicit_path, f"config {explicit_path}", ConfigError)
        if text is None:
            raise ConfigError(ERRORS["no_config"], path=explicit_path)
        return parse(text, explicit_path, known_items)
    try:
        real = str(host.real_path(DEFAULT_PATH))
    except HostError as error:
        raise ConfigError(str(error)) from None
    text = read_trusted(real, f"config {real}", ConfigError)
    return Config() if text is None else parse(text, real, known_items)


def parse(text: str, source: str, known_items: KnownItems) -> Config:
    def fail(message: str, line: int) -> ConfigError:
        return ConfigError(ERRORS["at_line"], source=source, line=line, message=message)

    data = toml_document(text, fail)

    known = ("profile", "items", "waivers", *TABLES, "daemon_options", "bind_address", "sprawl_days", "schedule")
    for key in data:
        if key not in known:
            raise fail(f"unknown key '{key}' (known: {', '.join(known)})", line_of(text, key))
    profile = data.get("profile")
    if profile is not None and not (isinstance(profile, str) and (profile in PROFILES or "/" in profile or profile.endswith(".toml"))):
        raise fail(f"profile is a built-in profile ({', '.join(PROFILES)}) or a profile file (a path with a / or ending in .toml), "
                   f"not {profile!r}", line_of(text, "profile"))
    used, nameable = known_items(profile)

    daemon_options = data.get("daemon_options", "daemon-json")
    if daemon_options not in DAEMON_OPTIONS:
        raise fail(f"daemon_options is one of {', '.join(DAEMON_OPTIONS)}, not {daemon_options!r}", line_of(text, "daemon_options"))

    items = data.get("items")
    if items is not None:
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise fail("items must be a list of item ids", line_of(text, "items"))
        for item in items:
            if item not in nameable:
                raise fail(Said(ERRORS["config_unknown_item"], item=item, profile=used), line_of(text, "items"))
        items = tuple(items)

    waivers = []
    entries = data.get("waivers", [])
    if not isinstance(entries, list):
        raise fail("waivers must be written as [[waivers]] tables", line_of(text, "waivers"))
    for number, entry in enumerate(entries):
        start = table_line(text, "waivers", number)
        waivers.append(_waiver(entry, nameable, used, lambda message, key: fail(message, line_of(text, key, start))))
    bind_address = data.get("bind_address")
    if bind_address is not None:
        address_or_fail(bind_address, lambda message: fail(f"bind_address {message}", line_of(text, "bind_address")))
    sprawl_days = data.get("sprawl_days")
    if sprawl_days is not None:
        days_or_fail(sprawl_days, lambda message: fail(f"sprawl_days {message}", line_of(text, "sprawl_days")))
    tables, defaults = {}, {}
    for table, key in TABLES.items():
        tables[table], default = _table(table, key, data.get(table), text, fail)
        if default is not None:
            defaults[table] = default
    schedule = data.get("schedule", {})
    if not isinstance(schedule, dict):
        raise fail("schedule is a table: [schedule] keep = 30, metrics_dir = \"/var/lib/prometheus/node-exporter\"", line_of(text, "schedule"))
    start = next((number for number, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\s*schedule\s*\]", line)), 1)
    for key in schedule:
        if key not in ("keep", "metrics_dir"):
            raise fail(f"unknown key '{key}' in [schedule] (known: keep, metrics_dir)", line_of(text, key, start))
    kept = schedule.get("keep", 30)
    if not (isinstance(kept, int) and not isinstance(kept, bool) and 1 <= kept <= 100000):
        raise fail(f"[schedule] keep is how many reports are kept, a number from 1, not {kept!r}", line_of(text, "keep", start))
    metrics_dir = schedule.get("metrics_dir")
    # the service may write there, and nowhere else: a plain path (ReadWritePaths= takes no quoting), not a system's root
    if metrics_dir is not None and not (isinstance(metrics_dir, str) and re.fullmatch(r"(/[A-Za-z0-9_.@+-]+)+", metrics_dir)
                                        and "/../" not in f"{metrics_dir}/" and "/./" not in f"{metrics_dir}/"
                                        and metrics_dir.rstrip("/") not in SYSTEM_DIRECTORIES):
        raise fail(f"[schedule] metrics_dir is a directory's absolute path of letters, digits and ._@+- (not / or a system "
                   f"directory), not {metrics_dir!r}", line_of(text, "metrics_dir", start))
    return Config(source=source, profile=profile, items=items, waivers=tuple(waivers), tables=tables, defaults=defaults,
                  daemon_options=daemon_options, bind_address=bind_address, sprawl_days=sprawl_days, reports_kept=kept,
                  metrics_dir=metrics_dir, text=text)


SYSTEM_DIRECTORIES = ("", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/root", "/home", "/var", "/var/lib", "/run",
                      "/opt", "/srv", "/tmp", "/var/lib/hardener")


def address_or_fail(value, fail) -> str:
    """An address of this host that a container's ports are published on (bind-address's parameter)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(value) if isinstance(value, str) else None
    except ValueError:
        address = None
    if address is None or address.is_unspecified:
        raise fail(f"is one IPv4 or IPv6 address of this host, not {value!r}")
    return value


def days_or_fail(value, fail) -> int:
    """A number of days, at least 1 (container-sprawl's parameter)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail(f"is a whole number of days, at least 1, not {value!r}")
    return value


def _table(table: str, value_key: str, section, text: str, fail) -> Tuple[Tuple[ContainerValue, ...], Optional[ContainerValue]]:
    """[table] default = ..., [[table.overrides]] container/label and value_key: the overrides, and the default."""
    if section is None:
        return (), None
    start = _line_of_table(text, table)
    if not isinstance(section, dict):
        raise fail(f"{table} must be a table: [{table}]", start)
    for key in section:
        if key not in ("default", "overrides"):
            raise fail(f"unknown key '{key}' in {table} (known: default, overrides)", line_of(text, key, start))
    read = size_value if table == "memory_limit" else count_reader(table)
    values = []
    for number, entry in enumerate(section.get("overrides", [])):
        entry_start = table_line(text, f"{table}.overrides", number)
        where = lambda key: line_of(text, key, entry_start)  # noqa: E731
        for key in entry:
            if key not in ("container", "label", value_key):
                raise fail(f"unknown key '{key}' in a {table} override (known: container, label, {value_key})", where(key))
        match = _match(entry, lambda message, key: fail(message, where(key)))
        if not match.scoped:
            raise fail(f"a {table} override needs container or label", entry_start)
        values.append(read(entry.get(value_key), lambda message: fail(message, where(value_key)), match))
    default = None
    if "default" in section:
        default = read(section["default"], lambda message: fail(message, line_of(text, "default", start)), ContainerMatch())
    return tuple(values), default


# What dockerd takes: CPU shares from 2 (the kernel's least weight) to 262144; a PIDs limit of at least 1
_RANGES = {"cpu_shares": (2, 262144), "pids_limit": (1, 2 ** 31 - 1)}


def count_reader(table: str):
    low, high = _RANGES[table]

    def read(value, fail, match: ContainerMatch) -> ContainerValue:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(f"{table} is a whole number from {low} to {high}, not {value!r}")
        return ContainerValue(value=value, text=str(value), match=match)

    return read


MIN_MEMORY = 6 * 1024 * 1024  # dockerd refuses less
MAX_MEMORY = 2 ** 63 - 1  # the engine's int64 count of bytes
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}


def size_value(value, fail, match: ContainerMatch) -> ContainerValue:
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(value), re.IGNORECASE) if isinstance(value, (str, int)) else None
    if not found:
        raise fail(f"a memory limit is a size like \"512m\" or \"4g\", not {value!r}")
    size = int(float(found.group(1)) * _UNITS[found.group(2).lower()])
    if size < MIN_MEMORY:
        raise fail(f"memory limit {value!r} is below the 6m that Docker accepts")
    if size > MAX_MEMORY:
        raise fail(f"memory limit {value!r} is beyond what Docker can count (a signed 64-bit number of bytes: less than 8388608t)")
    return ContainerValue(value=size, text=str(value), match=match)


def _match(entry: dict, fail) -> ContainerMatch:
    for key in ("container", "label"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key]):
            raise fail(f"{key} must be a non-empty string", key)
    return ContainerMatch(container=entry.get("container"), label=entry.get("label"))


def _waiver(entry: dict, known_items: Collection[str], profile: str, fail) -> Waiver:
    for key in entry:
        if key not in ("item", "ref", "reason", "expires", "container", "label"):
            raise fail(f"unknown key '{key}' in a waiver (known: item, ref, reason, expires, container, label)", key)
    item, ref = entry.get("item"), entry.get("ref")
    if ("item" in entry) == ("ref" in entry):
        raise fail("a waiver names an item (item = \"ID\") or a reference of the profile (ref = \"5.10\"), one of them",
                   "item" if "item" in entry else "reason")
    if ref is not None and not (isinstance(ref, str) and ref.strip()):
        raise fail("ref must be a reference of the profile, a non-empty string", "ref")
    if ref is None and item not in known_items:
        raise fail(Said(ERRORS["config_unknown_waiver"], item=item, profile=profile), "item")
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
    return Waiver(item=item, reason=reason.strip(), expires=expires, match=_match(entry, fail), ref=ref.strip() if ref else None)


def _line_of_table(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\[\s*{re.escape(name)}\s*\]", line):
            return number
    return 1


def toml_document(text: str, fail: Callable[[str, int], Exception]) -> dict:
    """A TOML file's document; where it is not TOML, fail(message, line) is raised. tomllib is loaded here: commands
    that read no TOML file do not pay for it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on the older Pythons of RHEL 8 / Alibaba Cloud Linux 3
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise fail("not a TOML file harden reads: its arrays or tables nest too deep", 1) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))  # or "at end of document"
        raise fail(f"not valid TOML: {str(error).split(' (at')[0]}", int(found.group(1)) if found else max(len(text.splitlines()), 1)) from None


def table_line(text: str, name: str, number: int) -> int:
    """The line where the `number`th [[name]] table opens."""
    headers = [i for i, line in enumerate(text.splitlines(), 1) if re.match(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]", line)]
    return headers[number] if number < len(headers) else 1


def line_of(text: str, key: str, start: int = 1) -> int:
    """The line where `key` is set, at or after line `start`: at a line's start, or inside an inline table."""
    pattern = re.compile(rf"(?:^|[{{,])\s*\"?{re.escape(key)}\"?\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and pattern.search(line):
            return number
    return start
