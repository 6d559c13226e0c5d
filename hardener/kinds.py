"""The kinds of items that hold no logic of their own. The built-in ones are rows of one table (fixes/table.py), and a
profile defines its own items as entries of three of these kinds:

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
lowered (its setuid, setgid and sticky bits are not a profile's to take, but a file made root's loses its setuid
and setgid bits, as chown drops them) and its owner only made root (its group kept); a container setting is never fixed from data, only reported.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, Optional, Tuple, Type

from .benchmark import by_number
from .fixes import Fix
from .fixes._by_hand import ByHand
from .fixes._container import ConfiguredValue, ContainerFix, Problem, SharedFromHost
from .fixes._daemon import BooleanOption, ReviewedOption
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
    settings = {"daemon-option": _daemon_option, "file-mode": _file_mode, "container-setting": _container_setting}[kind](entry, fail)
    return row(kind, item, __name__, title=_text(entry["title"]), advice=_text(entry["advice"]), remedy=remedy, **settings)


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
    allowed: int = 0o644  # permission bits; the setuid, setgid and sticky bits stay while the file's owner does
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


KINDS: Mapping[str, Type[Fix]] = {  # and what a row of each sets beside an item's metadata (advice, remedy, impact, …)
    "daemon-option": BooleanOption,  # option, wanted, default (dockerd's)
    "reviewed-option": ReviewedOption,  # option, flagged_value or review_unset, shown_default, reason (with its text), severity
    "host-sharing": SharedFromHost,  # setting, evidence_key, reason (with its text), severity
    "configured-value": ConfiguredValue,  # table, setting, engine_default, parameters
    "by-hand": ByHand,  # swarm_only
    "file-mode": FileMode,  # path, allowed
    "container-setting": ContainerSetting,  # field, values, allowed
}


def row(kind: str, item: str, module: str, cis: str = "", title: Optional[Text] = None, reason_text: Optional[Text] = None,
        **settings) -> Type[Fix]:
    """The item one row of a kind defines: the kind's base with the row's settings. Its title is the benchmark's
    where the row gives none; `reason_text` is the words of the reason the row names (settings' `reason`)."""
    base = KINDS[kind]
    declared = {name for cls in base.__mro__ for name in (*vars(cls), *getattr(cls, "__annotations__", {}))}
    unknown = [name for name in settings if name not in declared]
    if unknown:
        raise TypeError(f"{item}: a {kind} item has no {', '.join(unknown)}")
    if reason_text is not None:
        settings["reasons"] = dict(base.reasons, **{settings["reason"]: reason_text})
    return type(_class_name(item), (base,), dict(settings, id=item, cis=cis, __module__=module,
                                                 title=title if title is not None else by_number()[cis].title))
