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


@dataclass(frozen=True)
class Finding:
    target: str
    status: Status
    reason: str
    severity: str = "medium"
    evidence: Mapping[str, object] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)  # a container's labels, for waivers; not shown


@dataclass(frozen=True)
class WriteFile:
    """Give a file this whole new content. An existing file keeps its owner,
    mode and extended attributes; a new one gets root:root and `mode`."""

    path: str
    content: str
    mode: int = 0o644
    kind = "write_file"


@dataclass(frozen=True)
class SetOwnerMode:
    path: str
    uid: int
    gid: int
    mode: int
    kind = "set_owner_mode"


@dataclass(frozen=True)
class RunCommand:
    """Run a command that changes the live host, and the commands that undo it.

    "{run_id}" in any of them is replaced by the id of the run that carries it out."""

    target: str  # what the command changes, as the user calls it: "container web"
    command: Tuple[str, ...]
    undo: Tuple[Tuple[str, ...], ...]  # run in this order
    caveat: Optional["Text"] = None  # what the undo cannot give back exactly
    verify: Tuple[str, ...] = ()  # after the command, this must print `expect`, and keep printing it
    expect: str = ""
    rewrites: Tuple[str, ...] = ()  # files the command rewrites itself (augenrules: audit.rules): backed up first
    kind = "run_command"

    @property
    def path(self) -> str:
        return self.target


@dataclass(frozen=True)
class RestartService:
    """Restart a service once every file change is made (after a daemon-reload
    when units changed), and again after rollback has put the files back."""

    unit: str
    reload_units: bool = False
    reload_first: bool = False  # reload the service before its restart (docker: to take live-restore on)
    kind = "restart_service"

    @property
    def path(self) -> str:
        return self.unit


Change = Union[WriteFile, SetOwnerMode, RunCommand, RestartService]
FILE_CHANGES = (WriteFile, SetOwnerMode)


@dataclass(frozen=True)
class Detection:
    """What a fix found: its findings and, for the whole item, a reason and notes."""

    findings: Tuple[Finding, ...]
    notes: Tuple[Text, ...] = ()

    @property
    def status(self) -> Status:
        return combined_status(f.status for f in self.findings)

    @property
    def failing(self) -> Tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.FAIL)


def combined_status(statuses) -> Status:
    found = set(statuses)
    for status in (Status.ERROR, Status.FAIL, Status.MANUAL, Status.PASS, Status.WAIVED):
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
    changes: Tuple[Change, ...] = ()
    notes: Tuple[Text, ...] = ()
