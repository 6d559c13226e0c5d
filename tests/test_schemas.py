"""The JSON documents validate against the schemas in schemas/ (the public interface)."""
import json
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = Path(__file__).parent.parent / "schemas"


def validate(document, name):
    """Against schemas/NAME, whose references to the others (report.schema.json#/$defs/...) are resolved among them."""
    from referencing import Registry, Resource

    schemas = {path.name: json.loads(path.read_text()) for path in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    jsonschema.Draft202012Validator(schemas[name], registry=registry).validate(document)


ITEMS = ["icc", "log-level", "iptables", "no-aufs", "file-permissions", "content-trust", "memory-limit"]


@pytest.mark.parametrize("command, code", [(["check"], 2), (["--dry-run"], 2), (["apply", "--yes", "--via", "execstart"], 0)])
@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_reports_validate(make_root, harden, command, code, kind):
    """A failing host's report (apply's, once it fixed what it could: exit 0) has every item asked for, in order,
    failing ones among them, and validates."""
    root = make_root(kind)
    result = harden(*command, "--root", root, "--format", "json", "--only", ",".join(ITEMS))
    assert result.code == code, result
    assert [item["id"] for item in result.json["items"]] == ITEMS
    summary = result.json["summary"]
    assert result.json["changed"] is (command[0] == "apply")
    assert (summary["failing"] == 0) if command[0] == "apply" else (summary["failing"] > 0), summary
    validate(result.json, "report.schema.json")


def test_history_validates(make_root, harden):
    """Three runs, the first rolled back: each recorded, and the history validates."""
    root = make_root("debian")
    assert harden("apply", "--yes", "--root", root).code == 2, "manual items remain"
    assert harden("rollback", "--yes", "--root", root).code == 0
    assert harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    history = harden("history", "--root", root, "--format", "json").json
    assert [run["state"] for run in history["runs"]] == ["rolled_back", "applied"], history
    assert history["runs"][-1]["items"] == ["file-permissions"]
    validate(history, "history.schema.json")


def test_a_bad_document_is_caught():
    with pytest.raises(jsonschema.ValidationError):
        validate({"command": "check", "host": "h", "root": "/", "run_id": None, "changed": False, "items": [
            {"id": "icc", "status": "broken"}], "summary": {}}, "report.schema.json")


def test_the_json_report_has_a_line_for_each_item_and_each_recommendation(make_root, harden):
    """The report's lists (items, recommendations) give an entry a line, each whole JSON: grep and diff read them."""
    root = make_root("debian")
    result = harden("check", "--root", root, "--format", "json", "--only", ",".join(ITEMS))
    lines = result.out.splitlines()
    items = lines[lines.index('  "items": [') + 1:lines.index('  "items": [') + 1 + len(ITEMS)]
    assert [json.loads(line.strip().rstrip(","))["id"] for line in items] == ITEMS
    start = lines.index('  "recommendations": [') + 1
    recommendations = [json.loads(line.strip().rstrip(",")) for line in lines[start:start + len(result.json["recommendations"])]]
    assert recommendations == result.json["recommendations"] and recommendations
    assert json.loads(result.out) == result.json
