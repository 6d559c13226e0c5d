"""Edits of environment files (/etc/default/docker, /etc/sysconfig/docker):
one variable rewritten, every other line kept as it was. Unit files are
edited through augeas (unit_tree.py)."""
from __future__ import annotations

from typing import List


def _assignment_lines(lines: List[str], first: int) -> int:
    """How many physical lines the assignment starting at index `first` spans."""
    end = first
    while lines[end].rstrip().endswith("\\") and end + 1 < len(lines):  # as facts.systemd.logical_lines reads it
        end += 1
    return end - first + 1


def rewrite_variable(text: str, line: int, key: str, words: List[str]) -> str:
    """The file's `KEY=...` at `line` (1-based), continuation lines and all,
    as one line holding these words, quoted as it was."""
    lines = text.splitlines(keepends=True)
    first = line - 1
    original = lines[first]
    value = " ".join(words)
    raw = original.partition("=")[2].strip()
    quote = raw[0] if raw[:1] in ("'", '"') else ('"' if " " in value else "")
    prefix = original[: len(original) - len(original.lstrip())] + ("export " if original.lstrip().startswith("export ") else "")
    span = _assignment_lines(lines, first)
    ending = "\n" if lines[first + span - 1].endswith("\n") else ""
    return "".join(lines[:first] + [f"{prefix}{key}={quote}{value}{quote}{ending}"] + lines[first + span:])
