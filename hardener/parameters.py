"""An item's parameters: the values a profile entry sets for it (`parameters = { default = "512m" }`), or, for the
keys the config has had since before profiles, the config (`bind_address`, `sprawl_days`, and the `default` of
`[memory_limit]`, `[cpu_shares]` and `[pids_limit]`), which wins: it is the host's own. An item declares each with
how it is read (the same reader as the config's key) and its default."""
from __future__ import annotations

from typing import Callable, Dict, Mapping, NamedTuple, Optional

from .config import Config, ContainerMatch, address_or_fail, count_reader, days_or_fail, size_value

Fail = Callable[[str], Exception]


class Parameter(NamedTuple):
    name: str
    read: Callable[[object, Fail], object]  # a TOML value -> the item's value; raises fail(message) for a bad one
    default: object = None
    text: str = ""  # what it sets, for `harden list`


def size(value: object, fail: Fail):
    return size_value(value, fail, ContainerMatch())


def count(table: str) -> Callable[[object, Fail], object]:
    read = count_reader(table)
    return lambda value, fail: read(value, fail, ContainerMatch())


def address(value: object, fail: Fail) -> str:
    return address_or_fail(value, fail)


def days(value: object, fail: Fail) -> int:
    return days_or_fail(value, fail)


def resolved(profile: Mapping[str, Mapping[str, object]], config: Config) -> Dict[str, Dict[str, object]]:
    """Each item's parameters that are set: the profile's, then the config's keys over them."""
    merged = {item: dict(values) for item, values in profile.items()}
    from_config: Dict[tuple, Optional[object]] = {
        ("bind-address", "address"): config.bind_address, ("container-sprawl", "days"): config.sprawl_days,
        ("memory-limit", "default"): config.defaults.get("memory_limit"), ("cpu-shares", "default"): config.defaults.get("cpu_shares"),
        ("pids-limit", "default"): config.defaults.get("pids_limit")}
    for (item, name), value in from_config.items():
        if value is not None:
            merged.setdefault(item, {})[name] = value
    return merged
