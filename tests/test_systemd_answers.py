"""harden reads ExecStart= and environment files as systemd does, without a lab: systemd's own answers to the
corpus of tests/test_systemd_corpus.py (the argv it ran, or its refusal), recorded from the lab's systemd 252
and 257 in tests/fixtures/systemd-answers.json, which that lab test checks are still systemd's."""
import json

import pytest

from systemd_cases import ANSWERS, argv_of, harden_view

RECORDED = json.loads(ANSWERS.read_text())


def test_the_recording_holds_both_answers():
    assert len(RECORDED) >= 400
    assert sum(entry["systemd"] == "refused" for entry in RECORDED) >= 20, "refusals"
    assert sum(isinstance(entry["systemd"], list) for entry in RECORDED) >= 300, "commands run"


@pytest.mark.parametrize("number", range(0, len(RECORDED), 50))
def test_harden_reads_each_case_as_systemd_did(tmp_path, number):
    wrong = []
    for index, entry in enumerate(RECORDED[number:number + 50], start=number):
        case_id = f"c{index:04d}"
        harden, _ = harden_view(tmp_path, entry["case"], case_id)
        if harden != argv_of(entry["systemd"]):
            wrong.append((entry["case"], entry["systemd"], harden))
    assert not wrong, wrong[:3]


# extract_first_word() and cunescape(), case by case: each as systemd's src/basic/extract-word.c and escape.c read it
# (the corpus above holds the reader to systemd's own answers; these hold each branch to one)
@pytest.mark.parametrize("text, flags, expected", [
    ("   a b", {}, ("a", 5)),  # leading whitespace skipped, the word's trailing whitespace eaten
    ("'ab", {"relax": True}, ("ab", 3)),  # an unclosed quote, relaxed: the word so far
    ("ab\\", {"relax": True, "cunescape": False}, ("ab", 3)),  # a trailing backslash, relaxed: dropped
    ("ab\\", {"cunescape_relax": True}, ("ab\\", 3)),  # kept verbatim where escapes are relaxed
    ("'ab\\", {"relax": True, "cunescape_relax": True}, ("ab\\", 4)),
    ("\\q", {"cunescape_relax": True}, ("\\q", 2)),  # an unknown escape kept as written
    ("\\ue000", {}, ("\ue000", 6)),  # the first code point after the surrogates is itself
    ("\\101\\x41", {}, ("AA", 8)),
])
def test_a_word_is_read_as_systemd_reads_it(text, flags, expected):
    from hardener.facts.systemd_syntax import extract_word

    arguments = dict({"unquote": True, "cunescape": True, "relax": False}, **flags)
    assert extract_word(text, 0, **arguments) == expected


@pytest.mark.parametrize("text, flags, fault", [
    ("ab\\", {}, "a backslash ends the line"),
    ("'ab\\", {}, "unbalanced quoting"),
    ("'ab", {}, "unbalanced quoting"),
    ("\\q", {}, "invalid escape sequence"),
    ("\\x4", {}, "invalid escape sequence"),  # \x takes two hex digits, not what is left
    ("\\xX1", {}, "invalid escape sequence"),
    ("\\1X2", {}, "invalid escape sequence"),  # three octal digits
    ("\\x00", {}, "invalid escape sequence"),
])
def test_what_systemd_refuses_in_a_word_is_said_as_it_says_it(text, flags, fault):
    from hardener.facts.systemd_syntax import SyntaxFault, extract_word

    with pytest.raises(SyntaxFault) as raised:
        extract_word(text, 0, **dict({"unquote": True, "cunescape": True, "relax": False}, **flags))
    assert str(raised.value) == fault
