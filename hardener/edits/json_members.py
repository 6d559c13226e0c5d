"""Set or remove top-level members of a JSON object in its text, keeping the
other members, their order, the file's indentation and separators.

(Augeas' Json lens re-spaces what it writes and leaves blank lines where it
removes; a daemon.json is the administrator's file, so we edit its text.)"""
from __future__ import annotations

import json
import re
from typing import List, NamedTuple

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\r\n]*")


class Member(NamedTuple):
    key: str
    start: int  # the opening quote of the key
    key_end: int
    value_start: int
    value_end: int


def _skip(text: str, index: int) -> int:
    return _SPACE.match(text, index).end()


def members(text: str) -> tuple:
    """(members, index of the object's `{`, index of its `}`). The text must be valid JSON."""
    opening = _skip(text, 0)
    found: List[Member] = []
    index = _skip(text, opening + 1)
    while text[index] != "}":
        key, after_key = json.decoder.scanstring(text, index + 1)
        colon = _skip(text, after_key)
        value_start = _skip(text, colon + 1)
        _, value_end = _DECODER.raw_decode(text, value_start)
        found.append(Member(key, index, after_key, value_start, value_end))
        index = _skip(text, value_end)
        if text[index] == ",":
            index = _skip(text, index + 1)
    return found, opening, index


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _indent_of(text: str, index: int) -> str:
    start = _line_start(text, index)
    return text[start:index] if not text[start:index].strip() else ""


def set_member(text: str, key: str, value: object) -> str:
    """`key` set to `value`: replaced in place, or added after the last member."""
    encoded = json.dumps(value, ensure_ascii=False)
    if not text.strip():
        return "{\n    " + json.dumps(key) + ": " + encoded + "\n}\n"
    found, opening, closing = members(text)
    existing = [m for m in found if m.key == key]
    if existing:
        last = existing[-1]  # the last one is the one dockerd uses
        return text[:last.value_start] + encoded + text[last.value_end:]
    if not found:
        if "\n" in text[opening:closing]:
            return text[:opening + 1] + f"\n    {json.dumps(key)}: {encoded}\n" + text[closing:]
        return text[:opening + 1] + f"{json.dumps(key)}: {encoded}" + text[closing:]
    last = found[-1]
    separator = text[last.key_end:last.value_start]  # `: ` or `:` as the file writes it
    before_key = text[_line_start(text, last.start):last.start]
    gap = "\n" + before_key if not before_key.strip() else " "  # a line of its own, indented alike; or on one line
    return text[:last.value_end] + f",{gap}{json.dumps(key, ensure_ascii=False)}{separator}{encoded}" + text[last.value_end:]


def remove_member(text: str, key: str) -> str:
    """Every member named `key` taken out, with its comma and, where it had a line of its own, its line."""
    while True:
        found, opening, closing = members(text)
        positions = [i for i, m in enumerate(found) if m.key == key]
        if not positions:
            return text
        i = positions[0]
        member = found[i]
        if i + 1 < len(found):
            start, end = member.start, found[i + 1].start
        elif i > 0:
            start, end = found[i - 1].value_end, member.value_end
        else:
            start, end = opening + 1, closing
            return text[:start] + ("\n" if "\n" in text[start:end] else "") + text[end:]
        if i + 1 < len(found) and _indent_of(text, member.start) and _indent_of(text, found[i + 1].start):
            start = _line_start(text, member.start)
            end = _line_start(text, found[i + 1].start)
        text = text[:start] + text[end:]

