"""How systemd (252, Debian 12's) turns the text of a unit into a command line,
as its own code does it, so that harden reads what systemd would run:

- ExecStart= values: split into words by extract_first_word() with unquoting and
  C escapes, `;` between commands, prefixes (`-@:+!`), and a syntax error that
  fails the whole unit unless the line starts with `-`;
- environment files: parse_env_file_internal()'s state machine (quotes that span
  lines, escapes, comments), then the variables systemd keeps (valid names);
- at start: a word that is `$NAME` whole is split into words (quotes honoured),
  `${NAME}` inside a word is replaced as it is, `$$` is `$`.

tests/test_systemd_corpus.py holds this against a real systemd.
"""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Sequence, Tuple

WHITESPACE = " \t\n\r"
NEWLINE = "\n\r"
COMMENTS = "#;"
SHELL_NEED_ESCAPE = '"\\`$'
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", '"': '"', "'": "'", "s": " "}


class SyntaxFault(Exception):
    """systemd refuses the text; the message says why, as systemd would."""


def _hex(text: str) -> Optional[int]:
    return int(text, 16) if text and all(c in "0123456789abcdefABCDEF" for c in text) else None


def _byte(value: int) -> str:
    """One raw byte, as these escapes give it (not a character): above 0x7f it is
    kept as Python keeps undecodable bytes (os.fsencode gives it back)."""
    return chr(value) if value < 0x80 else chr(0xDC00 + value)


def _valid_code_point(value: int) -> bool:
    """unichar_is_valid(): Unicode's, neither a UTF-16 surrogate nor a non-character."""
    return value < 0x110000 and not 0xD800 <= value <= 0xDFFF and not 0xFDD0 <= value <= 0xFDEF and value & 0xFFFE != 0xFFFE


def _utf8(value: int) -> str:
    """A code point as systemd writes it, in UTF-8: a surrogate (which \\u lets through) as its three bytes."""
    if not 0xD800 <= value <= 0xDFFF:
        return chr(value)
    return "".join(_byte(byte) for byte in (0xE0 | value >> 12, 0x80 | (value >> 6) & 0x3F, 0x80 | value & 0x3F))


def _cunescape_one(text: str, index: int) -> Optional[Tuple[str, int]]:
    """The character an escape at text[index] (after the backslash, which extract_word sees is not the last)
    stands for, and how many characters it takes; None where systemd finds it invalid."""
    char = text[index]
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], 1
    if char == "x":
        value = _hex(text[index + 1:index + 3]) if len(text) >= index + 3 else None
        return (_byte(value), 3) if value else None  # \x00 is refused
    if char in ("u", "U"):
        width = 4 if char == "u" else 8
        value = _hex(text[index + 1:index + 1 + width]) if len(text) >= index + 1 + width else None
        if not value or (char == "U" and not _valid_code_point(value)):  # \u takes any but 0, as systemd does
            return None
        return _utf8(value), 1 + width
    if char in "01234567":
        digits = text[index:index + 3]
        if len(digits) < 3 or any(c not in "01234567" for c in digits):
            return None
        value = int(digits, 8)
        if value == 0 or value > 255:
            return None
        return _byte(value), 3
    return None


def extract_word(text: str, index: int, unquote: bool, cunescape: bool, relax: bool,
                 cunescape_relax: bool = False) -> Tuple[Optional[str], int]:
    """extract_first_word(): the next word from text[index:] and where reading stopped;
    (None, len) when no word is left. Raises SyntaxFault on what systemd refuses."""
    length = len(text)
    while index < length and text[index] in WHITESPACE:
        index += 1
    if index >= length:
        return None, length
    word: List[str] = []
    quote = ""
    while True:
        char = text[index] if index < length else ""
        if quote:
            if not char:
                if relax:
                    return "".join(word), length
                raise SyntaxFault("unbalanced quoting")
            if char == quote:
                quote = ""
                index += 1
                continue
            if char != "\\":
                word.append(char)
                index += 1
                continue
        elif not char:
            return "".join(word), length
        elif char in WHITESPACE:
            while index < length and text[index] in WHITESPACE:
                index += 1
            return "".join(word), index
        elif unquote and char in "'\"":
            quote = char
            index += 1
            continue
        elif char != "\\":
            word.append(char)
            index += 1
            continue
        # a backslash, in quotes or out
        index += 1
        if index >= length:
            if cunescape_relax and (not quote or relax):
                word.append("\\")
                return "".join(word), length
            if relax:
                return "".join(word), length
            raise SyntaxFault("a backslash ends the line" if not quote else "unbalanced quoting")
        if cunescape:
            found = _cunescape_one(text, index)
            if found is None:
                if not cunescape_relax:
                    raise SyntaxFault("invalid escape sequence")
                word.append("\\" + text[index])
                index += 1
            else:
                word.append(found[0])
                index += found[1]
        else:
            word.append(text[index])
            index += 1


def extract_word_and_warn(text: str, index: int) -> Tuple[Optional[str], int]:
    """extract_first_word_and_warn() with unquoting and C escapes, as unit
    settings use it: an invalid escape is kept as written (systemd warns),
    unbalanced quoting is refused."""
    try:
        return extract_word(text, index, unquote=True, cunescape=True, relax=False)
    except SyntaxFault:
        return extract_word(text, index, unquote=True, cunescape=True, relax=False, cunescape_relax=True)


class ExecWord(NamedTuple):
    text: str  # unquoted and unescaped
    raw: str  # as written
    start: int  # where it is written in the value


class ExecCommand(NamedTuple):
    prefixes: str
    words: Tuple[ExecWord, ...]  # argv, argv[0] included (unless @ gives it separately)
    substitute: bool  # False with the ':' prefix: no $VAR expansion


def parse_exec(value: str) -> List[ExecCommand]:
    """config_parse_exec(): the commands of an Exec*= value (`;` separates them).
    Raises SyntaxFault where systemd fails the unit on the value. Where a
    command's first word cannot be read, or a `-` prefixed command is wrong,
    systemd ignores the rest of the value instead: the commands before stay."""
    commands: List[ExecCommand] = []
    index = 0
    while True:
        start = index
        try:
            first, index = extract_word_and_warn(value, index)
        except SyntaxFault:
            return commands  # systemd ignores the rest of the value, and keeps the commands before it
        if first is None:
            return commands
        if first == ";":
            continue
        prefixes = re.match(r"[-@:+!]*", first).group(0)
        ignore = "-" in prefixes
        path = first[len(prefixes):]
        try:
            if not path:
                raise SyntaxFault(f"empty path in command line {value!r}")
            if any(ord(c) < 32 or c in "\"'\\\x7f" for c in path):
                raise SyntaxFault(f"executable path contains special characters: {path!r}")
            if not path.startswith("/") and ("/" in path or path in (".", "..")):
                raise SyntaxFault(f"neither a valid executable name nor an absolute path: {path!r}")
            if path.endswith("/"):
                raise SyntaxFault(f"executable path specifies a directory: {path!r}")
            raw_first = value[start:index].rstrip(WHITESPACE)
            words: List[ExecWord] = [] if "@" in prefixes else [ExecWord(path, raw_first, start)]
            while index < len(value):
                if value[index] == ";" and (index + 1 == len(value) or value[index + 1] in WHITESPACE):
                    break  # the command ends: the outer loop reads the ; and goes on to the next
                if value.startswith("\\;", index) and (index + 2 == len(value) or value[index + 2] in WHITESPACE):
                    words.append(ExecWord(";", "\\;", index))
                    index += 2
                    while index < len(value) and value[index] in WHITESPACE:
                        index += 1
                    continue
                word_start = index
                try:
                    word, index = extract_word_and_warn(value, index)
                except SyntaxFault as fault:
                    raise SyntaxFault(f"{fault} in {value!r}") from None
                if word is None:
                    break
                words.append(ExecWord(word, value[word_start:index].rstrip(WHITESPACE), word_start))
            if not words:
                raise SyntaxFault(f"empty executable name or zeroeth argument in {value!r}")
        except SyntaxFault:
            if ignore:
                return commands
            raise
        commands.append(ExecCommand(prefixes, tuple(words), ":" not in prefixes))


# -- environment files -----------------------------------------------------------


class Assignment(NamedTuple):
    key: str
    value: str
    line: int  # where the assignment starts
    start: int  # its span in the text: the key's first character ...
    end: int  # ... to the end of its value (before the line's end)


def parse_env_file(text: str) -> List[Assignment]:
    """parse_env_file_internal(): every KEY=VALUE pushed, in order, names not yet checked."""
    found: List[Assignment] = []
    state = "PRE_KEY"
    line = 1
    # a key's, set at its first character (PRE_KEY), before anything is pushed
    key: List[str]
    value: Optional[List[str]]
    last_key_ws: Optional[int]  # where the key's trailing whitespace starts
    last_value_ws: Optional[int]  # where an unquoted value's trailing whitespace starts: only a VALUE has one
    start_line: int
    start: int

    def push(end: int) -> None:
        found.append(Assignment("".join(key[:last_key_ws]), "".join((value or [])[:last_value_ws]), start_line, start, end))

    for position, char in enumerate(text):
        if state == "PRE_KEY":
            if char in COMMENTS:
                state = "COMMENT"
            elif char not in WHITESPACE:
                state, key, value, last_key_ws = "KEY", [char], None, None
                start_line, start = line, position
        elif state == "KEY":
            if char in NEWLINE:
                state, key = "PRE_KEY", []
            elif char == "=":
                state, last_value_ws = "PRE_VALUE", None
            else:
                if char not in WHITESPACE:
                    last_key_ws = None
                elif last_key_ws is None:
                    last_key_ws = len(key)
                key.append(char)
        elif state == "PRE_VALUE":
            if char in NEWLINE:
                push(position)
                state = "PRE_KEY"
            elif char == "'":
                state = "SINGLE_QUOTE_VALUE"
                value = value if value is not None else []
            elif char == '"':
                state = "DOUBLE_QUOTE_VALUE"
                value = value if value is not None else []
            elif char == "\\":
                state = "VALUE_ESCAPE"
                value = value if value is not None else []
            elif char not in WHITESPACE:
                state = "VALUE"
                value = (value if value is not None else []) + [char]
        elif state == "VALUE":
            if char in NEWLINE:
                push(position)
                state = "PRE_KEY"
            elif char == "\\":
                state, last_value_ws = "VALUE_ESCAPE", None
            else:
                if char not in WHITESPACE:
                    last_value_ws = None
                elif last_value_ws is None:
                    last_value_ws = len(value)
                value.append(char)
        elif state == "VALUE_ESCAPE":
            state = "VALUE"
            if char not in NEWLINE:
                value.append(char)
        elif state == "SINGLE_QUOTE_VALUE":
            if char == "'":
                state = "PRE_VALUE"
            else:
                value.append(char)
        elif state == "DOUBLE_QUOTE_VALUE":
            if char == '"':
                state = "PRE_VALUE"
            elif char == "\\":
                state = "DOUBLE_QUOTE_VALUE_ESCAPE"
            else:
                value.append(char)
        elif state == "DOUBLE_QUOTE_VALUE_ESCAPE":
            state = "DOUBLE_QUOTE_VALUE"
            if char in SHELL_NEED_ESCAPE:
                value.append(char)
            elif char != "\n":
                value += ["\\", char]
        elif state == "COMMENT":
            if char == "\\":
                state = "COMMENT_ESCAPE"
            elif char in NEWLINE:
                state = "PRE_KEY"
        elif state == "COMMENT_ESCAPE":
            state = "COMMENT"  # systemd 252: an escaped newline continues the comment
        if char == "\n":
            line += 1
    if state in ("PRE_VALUE", "VALUE", "VALUE_ESCAPE", "SINGLE_QUOTE_VALUE", "DOUBLE_QUOTE_VALUE", "DOUBLE_QUOTE_VALUE_ESCAPE"):
        push(len(text))
    return found


def valid_name(name: str) -> bool:
    """env_name_is_valid(): what systemd keeps of a file's assignments."""
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name))


# -- substitution at start -------------------------------------------------------------


def lookup(env: Sequence[Tuple[str, str]], name: str) -> Optional[str]:
    """strv_env_get_n(): the last entry "NAME=..." whose text starts with name and "=" (sic)."""
    if not name:
        return None
    for key, value in reversed(env):
        entry = f"{key}={value}"
        if entry.startswith(name) and entry[len(name):len(name) + 1] == "=":
            return entry[len(name) + 1:]
    return None


def replace_env(word: str, env: Sequence[Tuple[str, str]]) -> str:
    """replace_env() without its extensions: ${NAME} replaced, $$ is $, the rest as it is."""
    out: List[str] = []
    state, mark = "WORD", 0
    for index, char in enumerate(word):
        if state == "WORD":
            if char == "$":
                state = "CURLY"
        elif state == "CURLY":
            if char == "{":
                out.append(word[mark:index - 1])
                mark, state = index - 1, "VARIABLE"
            elif char == "$":
                out.append(word[mark:index])
                mark, state = index + 1, "WORD"
            else:
                state = "WORD"
        elif state == "VARIABLE":
            if char == "}":
                out.append(lookup(env, word[mark + 2:index]) or "")
                mark, state = index + 1, "WORD"
            elif char == ":":
                state = "WORD"  # ${NAME:-...} is not supported here: left as it is
    out.append(word[mark:])
    return "".join(out)


def whole_variable(word: str) -> Optional[str]:
    """The name of a word that is `$NAME` whole (split into words at start), else None."""
    if word.startswith("$") and word[1:2] not in ("{", "$"):
        return word[1:]
    return None


def split_value(value: str) -> List[str]:
    """strv_split_full(WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE): a $NAME's words."""
    words, index = [], 0
    while True:
        word, index = extract_word(value, index, unquote=True, cunescape=False, relax=True)
        if word is None:
            return words
        words.append(word)


def quote_words(words: Sequence[str]) -> str:
    """A value that split_value() reads back as these words."""
    quoted = []
    for word in words:
        if word and not any(c in WHITESPACE + "'\"\\" for c in word):
            quoted.append(word)
        else:
            quoted.append("'" + re.sub(r"(['\\])", r"\\\1", word) + "'")
    return " ".join(quoted)


def env_file_value(value: str, quote: str) -> str:
    """The text of an environment file's value that parse_env_file() reads back
    as `value`, in the quotes it had (`quote`) where they still read back the same."""
    simple = re.fullmatch(r"[A-Za-z0-9_=,./:@+%-]*", value) is not None
    if simple and not quote:
        return value
    if re.fullmatch(r"[A-Za-z0-9_=,./:@+% -]*", value) and quote == "'":  # in double quotes, as below
        return f"'{value}'"
    return '"' + re.sub(r'(["\\`$])', r"\\\1", value) + '"'
