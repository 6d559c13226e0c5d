"""Rewriting a variable of an environment file: what systemd reads back is the
words harden meant, whatever they hold, and the rest of the file is kept."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.edits.env_files import rewrite_variable
from hardener.facts.systemd_syntax import env_file_value, parse_env_file, split_value

WORD = st.text(alphabet="ab-=\"'\\$#; \t{}\r\n", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(before=st.sampled_from(["", "# site options\n", "A=1\n"]), quote=st.sampled_from(["", "'", '"']),
       old=st.lists(st.sampled_from(["--debug", "--iptables=false", "-H", "fd://"]), min_size=1, max_size=4),
       words=st.lists(WORD, max_size=4), after=st.sampled_from(["", "B=2\n", "# end\n"]))
def test_rewritten_variable_reads_back_as_the_words(before, quote, old, words, after):
    text = f"{before}DOCKER_OPTS={quote}{' '.join(old)}{quote}\n{after}"
    (assignment,) = [a for a in parse_env_file(text) if a.key == "DOCKER_OPTS"]
    rewritten = rewrite_variable(text, (assignment.start, assignment.end), "DOCKER_OPTS", words)
    (again,) = [a for a in parse_env_file(rewritten) if a.key == "DOCKER_OPTS"]
    assert split_value(again.value) == words
    assert rewritten.startswith(before) and rewritten.endswith(after)


def test_plain_words_keep_the_quotes_they_had():
    text = "DOCKER_OPTS='--dns 10.0.0.2 --iptables=false'\n"
    (assignment,) = parse_env_file(text)
    assert rewrite_variable(text, (assignment.start, assignment.end), "DOCKER_OPTS", ["--dns", "10.0.0.2"]) == \
        "DOCKER_OPTS='--dns 10.0.0.2'\n"


@pytest.mark.parametrize("text, assignments", [
    ("A=1\nB = two words  \n", [("A", "1", 1, 0, 3), ("B", "two words", 2, 4, 19)]),
    ("export X=\"q \\\" d\"\r\nY='s p'\n", [("export X", 'q " d', 1, 0, 17), ("Y", "s p", 2, 19, 26)]),
    ("# c\n; c\nK=v\\\ncont\nL=end", [("K", "vcont", 3, 8, 17), ("L", "end", 5, 18, 23)]),
    ('M="multi\nline"\nN=\\x tail \n', [("M", "multi\nline", 1, 0, 14), ("N", "x tail", 3, 15, 25)]),
    ("  KEY  =  val  ", [("KEY", "val", 1, 2, 15)]),
    ("E=\nF", [("E", "", 1, 0, 2)]),
    ('Q="unterminated', [("Q", "unterminated", 1, 0, 15)]),
    ("R=a\\", [("R", "a", 1, 0, 4)]),
    ('S="a\\\nb"\n', [("S", "ab", 1, 0, 8)]),
    ("T='x\\y'\n", [("T", "x\\y", 1, 0, 7)]),
    ("U=a b\\  \nV=1", [("U", "a b ", 1, 0, 8), ("V", "1", 2, 9, 12)]),
    # quoted and plain parts of one value join, whitespace between them dropped, inside them kept
    ('A="x"\'y\'"z"\n', [("A", "xyz", 1, 0, 11)]), ('B="x" y  z\n', [("B", "xy  z", 1, 0, 10)]),
    ("K='a'b\n", [("K", "ab", 1, 0, 6)]), ('D="x"\\y\n', [("D", "xy", 1, 0, 7)]), ("J= '' \n", [("J", "", 1, 0, 6)]),
    ('C="ab\\q\\r"\n', [("C", "ab\\q\\r", 1, 0, 10)]),  # in double quotes, a backslash before a plain character stays
    ("# E=1\nF=2\n", [("F", "2", 2, 6, 9)]), ("# a \\\nG=1\nH=2\n", [("H", "2", 3, 10, 13)]),  # an escaped newline goes on
    ("I=", [("I", "", 1, 0, 2)]),  # the end of the file ends an empty value
])
def test_assignments_with_where_they_are_written(text, assignments):
    """Each assignment's value as systemd reads it (tests/test_systemd_answers.py holds the values to systemd) and
    its line and span, which an edit replaces."""
    assert [tuple(assignment) for assignment in parse_env_file(text)] == assignments


@pytest.mark.parametrize("value, quote, written", [
    ("plain", "", "plain"), ("plain", '"', '"plain"'), ("a b", "", '"a b"'), ("a b", "'", "'a b'"), ("a b", '"', '"a b"'),
    ('x$y"z\\w`', "", '"x\\$y\\"z\\\\w\\`"'), ("", "", ""), ("", '"', '""'), ("tab\there", "'", '"tab\there"'),
    ("A-Z_0.9:/@+%=,", "", "A-Z_0.9:/@+%=,"), ("A B", "'", "'A B'"), ("A B", '"', '"A B"'), ("it's", "'", '"it\'s"'),
])
def test_a_value_is_written_as_it_reads_back(value, quote, written):
    assert env_file_value(value, quote) == written
    assert [assignment.value for assignment in parse_env_file(f"K={written}\n")] == [value]


def test_words_are_quoted_only_where_they_must_be_and_names_are_checked_as_systemd_checks_them():
    from hardener.facts.systemd_syntax import quote_words, split_value, valid_name

    assert quote_words(["X", "a b", ""]) == "X 'a b' ''"
    assert split_value(quote_words(["X", "a b", ""])) == ["X", "a b", ""]
    assert valid_name("a_b") and valid_name("_A1") and not valid_name("1a") and not valid_name("a-b")
