"""Edits of systemd unit files and environment files: one assignment
rewritten, every other line kept as it was."""
from __future__ import annotations

import re
from typing import Iterable, List


def _assignment_lines(lines: List[str], first: int) -> int:
    """How many physical lines the assignment starting at index `first` spans."""
    end = first
    while lines[end].rstrip("\n").endswith("\\") and end + 1 < len(lines):
        end += 1
    return end - first + 1


def rewrite_assignment(text: str, line: int, key: str, value: str) -> str:
    """The assignment that starts at `line` (1-based), continuation lines and
    all, becomes one line `key=value`."""
    lines = text.splitlines(keepends=True)
    first = line - 1
    span = _assignment_lines(lines, first)
    ending = "\n" if lines[first + span - 1].endswith("\n") else ""
    return "".join(lines[:first] + [f"{key}={value}{ending}"] + lines[first + span:])


def quote_word(word: str) -> str:
    """A word as systemd reads it back unchanged."""
    if word and not re.search(r"[\s\"'\\]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def join_words(words: Iterable[str]) -> str:
    return " ".join(quote_word(word) for word in words)


def rewrite_variable(text: str, line: int, key: str, words: List[str]) -> str:
    """An environment file's `KEY=...` at `line` holding these words, quoted as it was."""
    lines = text.splitlines(keepends=True)
    original = lines[line - 1]
    value = " ".join(words)
    raw = original.partition("=")[2].strip()
    quote = raw[0] if raw[:1] in ("'", '"') else ('"' if " " in value else "")
    prefix = original[: len(original) - len(original.lstrip())] + ("export " if original.lstrip().startswith("export ") else "")
    return rewrite_assignment(text, line, f"{prefix}{key}", f"{quote}{value}{quote}")
