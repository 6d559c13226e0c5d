"""The structure of systemd unit files, read and edited through augeas with a
lens of ours (hardener/lenses/systemd_unit.aug): sections, assignments in file order
with their values as written, and a value replaced with every other byte of
the file kept.

Augeas works on the text in memory (its text_store and text_retrieve), so the
file is read and written by the Host like every other file, and the lens is
named for each file explicitly rather than picked by augeas' own file list.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, NamedTuple, Optional

from ..host import HostError

LENS = "Systemd_unit.lns"
LENS_DIR = Path(__file__).parent.parent / "lenses"
_TEXT, _TREE, _OUT = "/hardener/text", "/hardener/tree", "/hardener/out"


class Assignment(NamedTuple):
    section: str
    key: str
    raw: str  # the value as written, continuation lines included; "" when empty
    node: str  # its path in the file's tree: "Service/ExecStart[2]"
    line: int  # where it starts


_augeas = None
AUGEAS_SONAME = "libaugeas.so.0"


def _import_augeas():
    """python-augeas, loaded without a process: it finds its library with ctypes.util.find_library, which runs
    `ldconfig -p` (25 ms of every run). The library's soname has been libaugeas.so.0 since augeas 0.1; only where
    that does not load is it searched for as python-augeas searches."""
    import ctypes
    import ctypes.util

    search = ctypes.util.find_library

    def find(name: str) -> Optional[str]:
        if name == "augeas":
            try:
                ctypes.CDLL(AUGEAS_SONAME)
                return AUGEAS_SONAME
            except OSError:
                pass
        return search(name)

    ctypes.util.find_library = find
    try:
        import augeas
    finally:
        ctypes.util.find_library = search
    return augeas


def _aug():
    global _augeas
    if _augeas is None:  # the library is loaded and the lens compiled once, on first use
        try:
            augeas = _import_augeas()
        except ImportError as error:
            raise HostError(f"augeas cannot be loaded ({error}): install libaugeas0 (Debian, Ubuntu) or augeas-libs (RHEL)") from None
        _augeas = augeas.Augeas(loadpath=str(LENS_DIR),
                                flags=augeas.Augeas.NO_MODL_AUTOLOAD | augeas.Augeas.NO_STDINC | augeas.Augeas.ENABLE_SPAN)
    return _augeas


def _store(text: str, path: str):
    """The file's tree, and how many characters were added to the text for the
    lens: a final newline where there is none, and an empty line where the
    file ends inside a continuation (systemd then ends the value there)."""
    aug = _aug()
    ended = text if text.endswith("\n") or not text else text + "\n"
    for added in (ended, ended + "\n"):
        aug.remove("/hardener")
        aug.set(_TEXT, added)
        try:
            aug.text_store(LENS, _TEXT, _TREE)
            return aug, len(added) - len(text)
        except (ValueError, RuntimeError):
            error = f"/augeas/text{_TREE}/error"
            line = aug.get(f"{error}/line") or "?"
    bad = text.split("\n")[int(line) - 1] if line.isdigit() and int(line) <= text.count("\n") + 1 else ""
    raise HostError(f"{path}:{line}: not a [Section], a comment or a KEY=VALUE line inside a section: {bad!r}") from None


def read_assignments(text: str, path: str) -> List[Assignment]:
    if not text:
        return []  # an empty file is a unit with no assignments (`systemctl edit` leaves them)
    aug, _ = _store(text, path)
    data = aug.get(_TEXT).encode()  # augeas' positions count bytes
    found = []
    for section in aug.match(f"{_TREE}/*"):
        name = aug.label(section)
        if name == "#comment":
            continue
        for node in aug.match(f"{section}/*"):
            key = aug.label(node)
            if key == "#comment":
                continue
            start = aug.span(node)[5]
            found.append(Assignment(name, key, aug.get(node) or "", node[len(_TREE) + 1:], data.count(b"\n", 0, start) + 1))
    return found


def set_value(text: str, path: str, node: str, value: str) -> str:
    """The file's text with the assignment at `node` holding `value` (one line)."""
    if "\n" in value:
        raise HostError(f"{path}: a value to write spans lines: {value!r}")
    aug, added = _store(text, path)
    target = f"{_TREE}/{node}"
    if not aug.match(target):
        raise HostError(f"{path}: no assignment {node} to change")
    if (aug.get(target) or "").endswith("\r"):
        value += "\r"  # the line keeps its CR LF ending
    aug.set(target, value or None)
    aug.text_retrieve(LENS, _TEXT, _TREE, _OUT)
    written = aug.get(_OUT)
    return written[:len(written) - added] if added else written
