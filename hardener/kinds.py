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
    one_of = ["json-file", "journald"]

each with a title and advice in both languages, and optionally a reference and a severity. A profile runs as root,
so what a kind fixes only tightens: a daemon option from a closed list, set to its tight value (never hosts,
runtimes or any other that widens what dockerd does); a file's mode only lowered and its owner only made root; a
container setting is never fixed from data, only reported.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, Mapping, Optional, Tuple, Type

from .fixes import Fix
from .fixes._container import ContainerFix, Problem
from .fixes._daemon import BooleanOption
from .model import Detection, Remedy, Status, Text

Fail = Callable[[str, str], Exception]  # (message, key) -> the profile's one-line error

# dockerd's boolean options a profile may want, each at its tight value only, with dockerd's default
TIGHT_BOOLEANS: Mapping[str, Tuple[bool, bool]] = {
    "icc": (False, True), "iptables": (True, True), "ip-masq": (True, True), "experimental": (False, False),
    "userland-proxy": (False, True), "no-new-privileges": (True, False), "live-restore": (True, False),
    "selinux-enabled": (True, False),
}
KIND_KEYS = {"daemon-option": ("option", "value"), "file-mode": ("path", "mode"), "container-setting": ("field", "one_of")}
ID = re.compile(r"[a-z][a-z0-9.-]{1,62}")
FIELD = re.compile(r"(Config|HostConfig|State|NetworkSettings)(\.[A-Za-z0-9]+)+")


def defined_item(entry: Mapping[str, object], fail: Fail) -> Type[Fix]:
    """The item class a profile entry with a `kind` defines; fail(message, key) for anything it may not be."""
    kind, item = entry["kind"], entry["item"]
    if kind not in KIND_KEYS:
        raise fail(f"kind is one of {', '.join(KIND_KEYS)}, not {kind!r}", "kind")
    if not (isinstance(item, str) and ID.fullmatch(item)):
        raise fail(f"an item of a profile's own is named by lower-case letters, digits, . and -, not {item!r}", "item")
    for key in ("title", "advice"):
        if key not in entry:
            raise fail(f"an item of a profile's own needs its {key} = {{ en = \"...\", zh = \"...\" }}", "item")
    for key in KIND_KEYS[kind]:
        if key not in entry:
            raise fail(f"a {kind} item needs {', '.join(KIND_KEYS[kind])}", "kind")
    attributes: Dict[str, object] = {"id": item, "cis": "", "title": _text(entry["title"]), "advice": _text(entry["advice"]),
                                     "__module__": __name__}
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
    if option not in TIGHT_BOOLEANS:
        raise fail(f"option is one of the daemon options a profile may set ({', '.join(TIGHT_BOOLEANS)}), not {option!r}", "option")
    tight, default = TIGHT_BOOLEANS[option]
    if value is not tight:
        raise fail(f"{option} may only be wanted at its tight value, {str(tight).lower()}: a profile only tightens", "value")
    return {"option": option, "wanted": tight, "default": default}


def _file_mode(entry, fail: Fail) -> dict:
    path, mode = entry["path"], entry["mode"]
    if not (isinstance(path, str) and path.startswith("/") and "\0" not in path and "/../" not in f"{path}/"):
        raise fail(f"path is an absolute path, not {path!r}", "path")
    if not (isinstance(mode, str) and re.fullmatch(r"0?[0-7]{3}", mode)):
        raise fail(f"mode is the highest mode allowed, as \"0640\", not {mode!r}", "mode")
    return {"path": path, "allowed": int(mode, 8)}


def _container_setting(entry, fail: Fail) -> dict:
    field, one_of = entry["field"], entry["one_of"]
    if not (isinstance(field, str) and FIELD.fullmatch(field)):
        raise fail(f"field is a field of a container's inspect, as \"HostConfig.LogConfig.Type\", not {field!r}", "field")
    if not (isinstance(one_of, list) and one_of and all(isinstance(value, (str, bool, int)) for value in one_of)):
        raise fail("one_of is a list of the values allowed (strings, numbers or booleans)", "one_of")
    return {"field": field, "one_of": tuple(one_of)}


class FileMode(Fix):
    """A file's owner, root:root, and its highest mode: a fix lowers the mode and makes root its owner, nothing else."""

    path: str = ""
    allowed: int = 0o644
    reasons = {"too_permissive": Text("{path} is {owner} {mode}; wants {wanted} or stricter", "{path} 为 {owner} {mode}，应为 {wanted} 或更严格"),
               "wrong_owner": Text("{path} is {owner} {mode}; wants {wanted}", "{path} 为 {owner} {mode}，应为 {wanted}"),
               "compliant": Text("{path} is {owner} {mode}", "{path} 为 {owner} {mode}")}

    def detect(self, host) -> Detection:
        from .fixes.file_permissions import owner_and_mode
        from .planners.files import CreatedMode

        finding, intent = owner_and_mode(host, self.path, self.path, self.allowed, host.is_dir(self.path), ())
        if finding.status is Status.NOT_APPLICABLE:  # not there: whatever this run creates there is made no more open
            return Detection((finding,), intents=(CreatedMode(self.path, self.allowed),))
        return Detection((finding,), intents=(intent,) if intent else ())


class ContainerSetting(ContainerFix):
    """A field of each container's inspect that must hold one of the values allowed; reported, never fixed here."""

    remedy = Remedy.MANUAL
    field: str = ""
    one_of: Tuple[object, ...] = ()
    reasons = dict(ContainerFix.reasons, setting_not_allowed=Text("{container} ({image}) has {field} {value}; allowed: {allowed}",
                                                                  "{container}（{image}）的 {field} 为 {value}；允许的值：{allowed}"))

    def problem(self, host, container) -> Optional[Problem]:
        value: object = container.raw
        for name in self.field.split("."):
            value = value.get(name) if isinstance(value, dict) else None
        if value in self.one_of:
            return None
        return Problem("setting_not_allowed", "medium", {"field": self.field, "value": "unset" if value is None else str(value),
                                                          "allowed": ", ".join(str(allowed) for allowed in self.one_of)})
