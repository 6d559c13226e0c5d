"""The built-in profiles find what tests/fixtures/verdicts.json records on every fixture root: a guard for moving
items and profiles around (verdicts, not the report's format). A change meant to alter a verdict records them anew
with scripts/record-verdicts, and the file's diff shows what moved."""
import json

import hosts


def test_the_built_in_profiles_find_what_is_recorded(tmp_path):
    recorded = json.loads(hosts.VERDICTS.read_text())
    found = hosts.verdicts(tmp_path)
    assert found.keys() == recorded.keys()
    moved = {f"{root} {item}": (recorded[root].get(item), found[root].get(item))
             for root in found for item in found[root].keys() | recorded[root].keys() if found[root].get(item) != recorded[root].get(item)}
    assert not moved, f"verdicts moved (if meant, run scripts/record-verdicts): {moved}"
    assert {status for items in found.values() for findings in items.values() for _, status, _, _ in findings} >= {
        "pass", "fail", "manual", "not_applicable"}, "the roots exercise every verdict"
