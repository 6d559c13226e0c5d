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
