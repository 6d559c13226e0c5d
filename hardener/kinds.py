"""Items a profile defines as data, of three kinds that need no code:

    [[entry]]
    item = "acme-no-userland-proxy"             # a new id
    kind = "daemon-option"                      # one of dockerd's boolean options, at its tight value
    option = "userland-proxy"
    value = false

    kind = "file-mode"                          # a file's owner (root:root) and highest mode
    path = "/etc/docker/daemon.json"
    mode = "0600"

    kind = "container-setting"                  # a field of each container's inspect, for a person to judge
    field = "HostConfig.LogConfig.Type"
    one_of = ["json-file", "journald"]           # or none_of = [...]

each with a title and advice in both languages, and optionally a reference, a severity and a remedy. A profile runs
as root, so what a kind fixes only tightens: a daemon option from a closed list, set to its tight value (never
hosts, runtimes or any other that widens what dockerd does; icc and live-restore, which need more than a value,
are harden's own items), applied only when named unless the entry says automatic; a file's permission bits only
lowered (its setuid, setgid and sticky bits are not a profile's to take) and its owner only made root (its group
kept); a container setting is never fixed from data, only reported.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, Mapping, Optional, Tuple, Type

from .fixes import Fix
from .fixes._container import ContainerFix, Problem
from .fixes._daemon import BooleanOption
from .model import Detection, Remedy, Status, Text
from .settings import UNPRINTABLE

Fail = Callable[[str, str], Exception]  # (message, key) -> the profile's one-line error

# dockerd's boolean options a profile may want, each at its tight value only, with dockerd's default
TIGHT_BOOLEANS: Mapping[str, Tuple[bool, bool]] = {
    "iptables": (True, True), "ip-masq": (True, True), "experimental": (False, False), "userland-proxy": (False, True),
    "no-new-privileges": (True, False),
}
KIND_KEYS = {"daemon-option": ("option", "value"), "file-mode": ("path", "mode"), "container-setting": ("field",)}
# how each kind is fixed where its entry says nothing: a restart of docker only when named; a container never
DEFAULT_REMEDY = {"daemon-option": Remedy.WHEN_NAMED, "file-mode": Remedy.AUTO, "container-setting": Remedy.MANUAL}
ID = re.compile(r"[a-z][a-z0-9.-]{1,62}")
FIELD = re.compile(r"(Config|HostConfig|State|NetworkSettings)(\.[A-Za-z0-9_-]+)+")


def defined_item(entry: Mapping[str, object], remedy: Optional[Remedy], fail: Fail) -> Type[Fix]:
    """The item class a profile entry with a `kind` defines (fixed as `remedy` says, else as its kind is by
    default); fail(message, key) for anything it may not be."""
    kind, item = entry["kind"], entry["item"]
    if not isinstance(kind, str) or kind not in KIND_KEYS:
        raise fail(f"kind is one of {', '.join(KIND_KEYS)}, not {kind!r}", "kind")
    if not (isinstance(item, str) and ID.fullmatch(item)):
        raise fail(f"an item of a profile's own is named by lower-case letters, digits, . and -, not {item!r}", "item")
    for key in ("title", "advice"):
        if key not in entry:
            raise fail(f"an item of a profile's own needs its {key} = {{ en = \"...\", zh = \"...\" }}", "item")
    for key in KIND_KEYS[kind]:
        if key not in entry:
            raise fail(f"a {kind} item needs {', '.join(KIND_KEYS[kind])}", "kind")
    remedy = remedy or DEFAULT_REMEDY[kind]
    if kind == "container-setting" and remedy is not Remedy.MANUAL:
        raise fail("a container-setting item is for a person to fix: its remedy is manual", "remedy")
    attributes: Dict[str, object] = {"id": item, "cis": "", "title": _text(entry["title"]), "advice": _text(entry["advice"]),
                                     "remedy": remedy, "__module__": __name__}
    if kind == "daemon-option":
        return type(_class_name(item), (BooleanOption,), dict(attributes, **_daemon_option(entry, fail)))
    if kind == "file-mode":
        return type(_class_name(item), (FileMode,), dict(attributes, **_file_mode(entry, fail)))
    return type(_class_name(item), (ContainerSetting,), dict(attributes, **_container_setting(entry, fail)))


def _text(value) -> Text:
    return Text(value["en"], value["zh"])  # checked by the profile's reader


def _class_name(item: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[.-]", item))


def _daemon_option(entry, fail: Fail) -> dict:
    option, value = entry["option"], entry["value"]
    if not isinstance(option, str) or option not in TIGHT_BOOLEANS:
        raise fail(f"option is one of the daemon options a profile may set ({', '.join(TIGHT_BOOLEANS)}), not {option!r}", "option")
    tight, default = TIGHT_BOOLEANS[option]
    if value is not tight:
        raise fail(f"{option} may only be wanted at its tight value, {str(tight).lower()}: a profile only tightens", "value")
    return {"option": option, "wanted": tight, "default": default}


def _file_mode(entry, fail: Fail) -> dict:
    path, mode = entry["path"], entry["mode"]
    if not (isinstance(path, str) and path.startswith("/") and not UNPRINTABLE.search(path) and "/../" not in f"{path}/"):
        raise fail(f"path is an absolute path, not {path!r}", "path")
    if not (isinstance(mode, str) and re.fullmatch(r"0?[0-7]{3}", mode)):
        raise fail(f"mode is the highest mode allowed, as \"0640\", not {mode!r}", "mode")
    return {"path": path, "allowed": int(mode, 8) & 0o777}


def _container_setting(entry, fail: Fail) -> dict:
    field = entry["field"]
    if not (isinstance(field, str) and FIELD.fullmatch(field)):
        raise fail(f"field is a field of a container's inspect, as \"HostConfig.LogConfig.Type\", not {field!r}", "field")
    if ("one_of" in entry) == ("none_of" in entry):
        raise fail("a container-setting item gives the values allowed (one_of) or those refused (none_of), one of them", "field")
    key = "one_of" if "one_of" in entry else "none_of"
    values = entry[key]
    if not (isinstance(values, list) and values and all(isinstance(value, (str, bool, int)) for value in values)
            and not any(isinstance(value, str) and UNPRINTABLE.search(value) for value in values)):
        raise fail(f"{key} is a list of values (strings, numbers or booleans), each a line", key)
    return {"field": field, "values": tuple(values), "allowed": key == "one_of"}


class FileMode(Fix):
    """A file's owner, root (its group as it is), and its highest permission bits: a fix lowers them and makes root
    its owner, nothing else."""

    path: str = ""
    allowed: int = 0o644  # permission bits; the file's setuid, setgid and sticky bits are always allowed
    reasons = {"too_permissive": Text("{path} is {owner} {mode}; wants {wanted} or stricter", "{path} 为 {owner} {mode}，应为 {wanted} 或更严格"),
               "wrong_owner": Text("{path} is {owner} {mode}; wants {wanted}", "{path} 为 {owner} {mode}，应为 {wanted}"),
               "compliant": Text("{path} is {owner} {mode}", "{path} 为 {owner} {mode}")}

    def detect(self, host) -> Detection:
        from .fixes.file_permissions import owner_and_mode
        from .planners.files import CreatedMode

        info = host.lstat(host.resolve(self.path))
        owner = (0, info.st_gid if info is not None else 0)
        finding, intent = owner_and_mode(host, self.path, self.path, self.allowed | 0o7000, host.is_dir(self.path), (), owner)
        if finding.status is Status.NOT_APPLICABLE:  # not there: whatever this run creates there is made no more open
            return Detection((finding,), intents=(CreatedMode(self.path, self.allowed),))
        return Detection((finding,), intents=(intent,) if intent else ())


class ContainerSetting(ContainerFix):
    """A field of each container's inspect that must hold one of the values allowed (or none of those refused);
    reported, never fixed here."""

    remedy = Remedy.MANUAL
    field: str = ""
    values: Tuple[object, ...] = ()
    allowed: bool = True  # values are those allowed; else those refused
    reasons = dict(ContainerFix.reasons,
                   setting_not_allowed=Text("{container} ({image}) has {field} {value}; allowed: {values}",
                                            "{container}（{image}）的 {field} 为 {value}；允许的值：{values}"),
                   setting_refused=Text("{container} ({image}) has {field} {value}; refused: {values}",
                                        "{container}（{image}）的 {field} 为 {value}；不允许的值：{values}"))

    def problem(self, host, container) -> Optional[Problem]:
        value: object = container.raw
        for name in self.field.split("."):
            value = value.get(name) if isinstance(value, dict) else None
        if (value in self.values) is self.allowed:
            return None
        return Problem("setting_not_allowed" if self.allowed else "setting_refused", "medium",
                       {"field": self.field, "value": "unset" if value is None else str(value),
                        "values": ", ".join(str(one) for one in self.values)})
