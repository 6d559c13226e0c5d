"""The data every stage passes along: findings, changes, item results.

Everything here is a small frozen value; nothing here reads or writes a host.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple, Union


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    MANUAL = "manual"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"
    ERROR = "error"

    @property
    def compliant(self) -> bool:
        return self in (Status.PASS, Status.NOT_APPLICABLE, Status.WAIVED)


class Remedy(str, enum.Enum):
    """How an item is brought into line."""

    AUTO = "auto"  # apply fixes it
    MANUAL = "manual"  # an administrator has to act
    WHEN_NAMED = "when_named"  # apply fixes it only when the item is selected by name


@dataclass(frozen=True)
class Text:
    """A piece of text the user reads, in every language harden speaks."""

    en: str
    zh: str

    def __call__(self, lang: str, **values) -> str:
        text = getattr(self, lang)
        return text.format(**values) if values else text

    def format(self, **values) -> "Text":
        return Text(self.en.format(**values), self.zh.format(**values))


def _say(text: Text, values: Mapping[str, object], lang: str) -> str:
    """`text` in `lang` with its values; a value that is a Text, a Sayable or an error is said in the same language (an
    error that is not Said as it is)."""
    return text(lang, **{name: said(value, lang) if isinstance(value, (Exception, Sayable)) else value(lang) if isinstance(value, Text)
                         else value for name, value in values.items()})


class Sayable:
    """A Text and its values, said in the reader's language."""

    text: Text
    values: dict

    def said(self, lang: str) -> str:
        return _say(self.text, self.values, lang)


class Said(Sayable, Exception):
    """An error whose one line the user reads in their language, English as str()."""

    def __init__(self, text: Union[str, Text], /, **values):
        self.text = Text(text, text) if isinstance(text, str) else text  # a plain str: not translated yet
        self.values = values
        super().__init__(self.said("en"))


class Line(Sayable, str):
    """A line harden writes of what it found (a file changed since a run, what a rollback would do): its English as
    the str (compared, joined and recorded as it is). A line of a file's content is a plain str, never translated."""

    def __new__(cls, text: Text, **values) -> "Line":
        line = super().__new__(cls, _say(text, values, "en"))
        line.text, line.values = text, values
        return line

    def __reduce__(self):  # copied and pickled as what it is, not rebuilt from its English
        return _line, (self.text, self.values)


def _line(text: Text, values: dict) -> Line:
    return Line(text, **values)


def said(thing: Union[Exception, str], lang: str) -> str:
    """An error's one line, or a line harden writes, in `lang` where it is Sayable; else as it is."""
    return thing.said(lang) if isinstance(thing, Sayable) else str(thing)


SEVERITIES = ("low", "medium", "high")  # a finding's, the lowest first

NONE = "(none)"  # an evidence value of harden's own: nothing there (a report says it in its language: i18n.OWN_VALUES)


@dataclass(frozen=True)
class Finding:
    target: str
    status: Status
    reason: str
    severity: str = "medium"  # one of SEVERITIES
    evidence: Mapping[str, object] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)  # a container's labels, for waivers; not shown
    cis: Tuple[str, ...] = ()  # the CIS recommendations it answers, where its item answers several
    cis_met: Tuple[str, ...] = ()  # those of them its target meets where it fails others (a right owner, a wrong mode)


class Intent:
    """What a failing finding wants of one resource: a dockerd option, a file's
    owner and mode, an audit watch, a container's settings, a shell variable.
    Fixes state intents; the planner of each kind of resource (planners/)
    turns the intents of every selected item into changes, made once."""

    # A standing intent changes nothing itself: it bounds what other changes do (the mode of a file one creates),
    # so it holds whatever its item's status.
    standing = False


def users_uid(owner: Optional[Tuple[int, int]]) -> Optional[int]:
    """The user a file is changed for (`owner`, a rootless dockerd's): read and written only while it is theirs."""
    return owner[0] if owner and owner[0] != 0 else None


# Every change names the items it serves (`items`), set by the planner that made it.


@dataclass(frozen=True)
class WriteFile:
    """Give a file this whole new content. An existing file keeps its owner,
    mode and extended attributes; a new one gets `owner` (root:root by default) and `mode`."""

    path: str
    content: str
    mode: int = 0o644
    # A user's file (a rootless dockerd's): a new one, and the directories made for it, get this uid and gid, and
    # an existing one is written only while it and its directories are that user's (Host's user guard). None: root's.
    owner: Optional[Tuple[int, int]] = None
    items: Tuple[str, ...] = ()
    kind = "write_file"

    @property
    def user(self) -> Optional[int]:
        return users_uid(self.owner)


@dataclass(frozen=True)
class SetOwnerMode:
    path: str
    uid: int
    gid: int
    mode: int
    user: Optional[int] = None  # a user's file: changed only while it and its directories are that user's (Host's user guard)
    items: Tuple[str, ...] = ()
    kind = "set_owner_mode"


@dataclass(frozen=True)
class RunCommand:
    """Run a command that changes the live host, and the commands that undo it.

    "{run_id}" in any of them is replaced by the id of the run that carries it out."""

    target: str  # what the command changes, as the user calls it: "container web"
    command: Tuple[str, ...]
    undo: Tuple[Tuple[str, ...], ...]  # run in this order
    caveat: Optional["Text"] = None  # what the undo cannot give back exactly
    rewrites: Tuple[str, ...] = ()  # files the command rewrites itself (augenrules: audit.rules): backed up first
    keeps: str = ""  # what the command keeps aside for rollback ("container web"), listed by history
    discard: Tuple[Tuple[str, ...], ...] = ()  # commands that remove what it keeps, when its run is pruned
    items: Tuple[str, ...] = ()
    kind = "run_command"

    @property
    def path(self) -> str:
        return self.target


@dataclass(frozen=True)
class CreateContainer:
    """Create a container through the Engine API (at the API version its original was inspected at) from
    `request`: its Config's fields, HostConfig and NetworkingConfig; connect it to the networks in `connect`
    (where the engine takes one network at create), disconnect it from those in `disconnect`, and start it where
    `start`. Undone by removing it."""

    target: str  # "container web"
    name: str
    request: Mapping[str, object]
    api_version: str
    connect: Tuple[Tuple[str, Mapping[str, object]], ...] = ()
    start: bool = True
    healthy_within: float = 0.0  # the original was healthy: seconds the new one has to become so (0: not asked)
    changed: Tuple[str, ...] = ()  # what differs from the original, as people read it: "HostConfig.Privileged: true -> false"
    items: Tuple[str, ...] = ()
    disconnect: Tuple[str, ...] = ()  # networks to leave after the create: the original was taken off its NetworkMode's
    kind = "create_container"

    @property
    def path(self) -> str:
        return self.target

    @property
    def command(self) -> Tuple[str, ...]:
        return ("POST", f"/v{self.api_version}/containers/create?name={self.name}")

    @property
    def undo(self) -> Tuple[Tuple[str, ...], ...]:
        return (("docker", "rm", "--force", self.name),)



@dataclass(frozen=True)
class RemoveContainer:
    """Remove a container that cannot be kept aside (one started with --rm: its own stop deletes it); its
    volumes stay. `request` is its whole configuration, recorded first: rollback creates it again from that
    (a new container, without the old one's writable layer) and starts it where `start`."""

    target: str
    container_id: str
    name: str
    request: Mapping[str, object]
    api_version: str
    start: bool
    connect: Tuple[Tuple[str, Mapping[str, object]], ...] = ()
    items: Tuple[str, ...] = ()
    disconnect: Tuple[str, ...] = ()
    kind = "remove_container"

    @property
    def path(self) -> str:
        return self.target

    @property
    def command(self) -> Tuple[str, ...]:
        return ("docker", "rm", "--force", self.container_id)

    @property
    def caveat(self) -> "Text":
        return Text(f"rollback creates {self.name} again from its recorded configuration: a new container, without the "
                    "old one's writable layer (its volumes are kept)",
                    f"回滚时按记录的配置重新创建 {self.name}：这是一个新容器，不含原容器的可写层（其卷予以保留）")


@dataclass(frozen=True)
class RestartService:
    """Restart a service once every file change is made (after a daemon-reload
    when units changed), and again after rollback has put the files back. The
    handler registered under `service` (services/) knows how."""

    service: str
    unit: str
    reload_units: bool = False
    reload_first: bool = False  # reload the service before its restart (docker: to take live-restore on)
    user: str = ""  # a user's service, restarted through that user's systemd manager; "" for the system's
    items: Tuple[str, ...] = ()
    kind = "restart_service"

    @property
    def path(self) -> str:
        return self.unit


Change = Union[WriteFile, SetOwnerMode, RunCommand, CreateContainer, RemoveContainer, RestartService]
FILE_CHANGES = (WriteFile, SetOwnerMode)


@dataclass(frozen=True)
class Detection:
    """What a fix found: its findings and, for the whole item, a reason and notes."""

    findings: Tuple[Finding, ...]
    notes: Tuple[Text, ...] = ()
    intents: Tuple[Intent, ...] = ()  # what brings the failing findings into line; () where nothing can be done here

    @property
    def status(self) -> Status:
        return combined_status(f.status for f in self.findings)

    @property
    def failing(self) -> Tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.FAIL)


def combined_status(statuses) -> Status:
    """The verdict of several findings: the worst of them, and waived where any is (met only by a waiver)."""
    found = set(statuses)
    for status in (Status.ERROR, Status.FAIL, Status.MANUAL, Status.WAIVED, Status.PASS):
        if status in found:
            return status
    return Status.NOT_APPLICABLE


@dataclass(frozen=True)
class ItemResult:
    """One baseline item on one host: what was found and what would change."""

    fix: "object"  # the Fix class; typed loosely to keep model free of the registry
    status: Status
    reason: str
    findings: Tuple[Finding, ...]
    changes: Tuple[Change, ...] = ()  # the changes that serve this item (shared with the other items they serve)
    notes: Tuple[Text, ...] = ()
    intents: Tuple[Intent, ...] = ()
