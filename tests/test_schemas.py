"""The JSON documents validate against the schemas in schemas/ (the public interface)."""
import json
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = Path(__file__).parent.parent / "schemas"


def validate(document, name):
    jsonschema.validate(document, json.loads((SCHEMAS / name).read_text()))


@pytest.mark.parametrize("command", [["check"], ["--dry-run"], ["apply", "--yes", "--via", "execstart"]])
@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_reports_validate(make_root, harden, command, kind):
    root = make_root(kind)
    result = harden(*command, "--root", root, "--format", "json", "--only",
                    "icc,log-level,iptables,no-aufs,file-permissions,content-trust,memory-limit")
    validate(result.json, "report.schema.json")


def test_history_validates(make_root, harden):
    root = make_root("debian")
    harden("apply", "--yes", "--root", root)
    harden("rollback", "--yes", "--root", root)
    harden("apply", "--yes", "--root", root, "--only", "file-permissions")
    validate(harden("history", "--root", root, "--format", "json").json, "history.schema.json")


def test_a_bad_document_is_caught():
    with pytest.raises(jsonschema.ValidationError):
        validate({"command": "check", "host": "h", "root": "/", "run_id": None, "changed": False, "items": [
            {"id": "icc", "status": "broken"}], "summary": {}}, "report.schema.json")
