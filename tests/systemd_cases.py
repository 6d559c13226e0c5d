"""The corpus cases of tests/test_systemd_corpus.py: the unit and environment file of a case, harden's view of
what systemd runs, and systemd's answers recorded in tests/fixtures/systemd-answers.json (by the lab test, with
HARDENER_RECORD_SYSTEMD_ANSWERS naming the file), which tests/test_systemd_answers.py holds harden to."""
from __future__ import annotations

import json
import os
from pathlib import Path

from hardener.facts.systemd import exec_start, load_unit
from hardener.host import Host, HostError

RECORDER = "/usr/local/bin/argv-recorder"
ANSWERS = Path(__file__).parent / "fixtures" / "systemd-answers.json"


def unit_text(case: dict, case_id: str) -> str:
    ending = "\r\n" if case["crlf"] else "\n"
    lines = ["[Unit]", "Description=corpus case", "[Service]", "Type=exec", f"EnvironmentFile=/etc/corpus/{case_id}.env",
             f"ExecStart={RECORDER} {case_id} {case['exec']}"]
    return ending.join(lines) + ending


def harden_view(tmp_root: Path, case: dict, case_id: str):
    """What harden says systemd will run: the recorded argv, or "refused"."""
    (tmp_root / "etc/systemd/system").mkdir(parents=True, exist_ok=True)
    (tmp_root / "etc/corpus").mkdir(parents=True, exist_ok=True)
    (tmp_root / f"etc/systemd/system/corpus-{case_id}.service").write_bytes(unit_text(case, case_id).encode())
    (tmp_root / f"etc/corpus/{case_id}.env").write_bytes(case["env"].encode())
    host = Host(str(tmp_root))
    try:
        command = exec_start(host, load_unit(host, f"corpus-{case_id}.service"))
    except HostError as error:
        return "refused", str(error)
    argv = [os.fsencode(word) for word in command.argv]
    assert argv[:2] == [RECORDER.encode(), case_id.encode()], argv
    return argv[2:], ""


def answer_of(systemd) -> object:
    """systemd's answer as JSON holds it: "refused", the argv (bytes as os.fsdecode gives them), or what went wrong."""
    return [os.fsdecode(word) for word in systemd] if isinstance(systemd, list) else systemd


def argv_of(answer) -> object:
    return [os.fsencode(word) for word in answer] if isinstance(answer, list) else answer


def case_key(case: dict) -> str:
    """One text per case, whatever the order of its members: the recording holds each case once."""
    return json.dumps(case, sort_keys=True)
