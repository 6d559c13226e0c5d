"""Edits of environment files (/etc/default/docker, /etc/sysconfig/docker):
one variable rewritten, every other byte kept as it was. Unit files are
edited through augeas (unit_tree.py)."""
from __future__ import annotations

from typing import List, Tuple

from ..facts.systemd_syntax import env_file_value, quote_words


def rewrite_variable(text: str, span: Tuple[int, int], key: str, words: List[str]) -> str:
    """The file's `KEY=...` assignment at `span` (as the reader found it, lines
    its quotes span included) holding these words, in the quoting it had where
    that still reads back the same."""
    start, end = span
    original = text[start:end]
    raw = original.partition("=")[2].lstrip(" \t")
    quote = raw[:1] if raw[:1] in ("'", '"') else ""
    value = env_file_value(quote_words(words), quote or ('"' if len(words) > 1 else ""))
    return text[:start] + f"{original.partition('=')[0]}={value}" + text[end:]
