"""check --metrics: the Prometheus text format, checked by promtool (Debian's prometheus package, set up by
scripts/setup-dev; the client library's parser is lenient) and read back against the JSON report."""
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import run_harden

PROMTOOL = Path(os.environ.get("HARDENER_LAB_PROMTOOL", "/var/cache/hardener-lab/promtool/usr/bin/promtool"))
EXAMPLE = Path(__file__).parent.parent / "examples"
SAMPLE = re.compile(r'(?P<name>[a-z_]+)\{(?P<labels>.*)\} (?P<value>\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def promtool_check(path: Path) -> None:
    checked = subprocess.run([PROMTOOL, "check", "metrics"], stdin=path.open("rb"), capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip() and not checked.stderr.strip(), checked


def samples(path: Path):
    found = {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        match = SAMPLE.fullmatch(line)
        assert match, line
        labels = {key: re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), value)
                  for key, value in LABEL.findall(match["labels"])}
        found[(match["name"], tuple(sorted(labels.items())))] = float(match["value"])
    return found


def value(found, name, **labels):
    return found[(name, tuple(sorted(labels.items())))]


@pytest.mark.parametrize("profile", ["cis", "acme"])
def test_metrics_are_promtools_and_say_what_the_report_says(make_root, tmp_path, profile):
    root = make_root("debian")
    chosen = str(EXAMPLE / "acme-docker.toml") if profile == "acme" else profile
    assert run_harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    os.chmod(root / "etc/docker", 0o775)  # drift
    (tmp_path / "textfile").mkdir()
    metrics = tmp_path / "textfile/harden.prom"
    metrics.write_text("stale\n")
    started = time.time()
    result = run_harden("check", "--root", root, "--profile", chosen, "--format", "json", "--metrics", metrics)
    assert result.code == 2, result
    document = result.json
    promtool_check(metrics)
    assert oct(metrics.stat().st_mode & 0o777) == "0o644", "a collector that is not root reads it"
    assert [path.name for path in metrics.parent.iterdir()] == ["harden.prom"], "no temporary file left"
    found = samples(metrics)
    name = document["profile"]
    for entry in document["recommendations"]:
        assert value(found, "harden_reference_status", profile=name, ref=entry["id"], status=entry["status"]) == 1
        assert sum(value(found, "harden_reference_status", profile=name, ref=entry["id"], status=status)
                   for status in ("pass", "fail", "manual", "not_applicable", "waived", "error")) == 1
    for status in ("fail", "manual", "error"):
        assert value(found, "harden_items", profile=name, status=status) == sum(item["status"] == status for item in document["items"])
    high_failing = sum(finding["status"] == "fail" and finding["severity"] == "high" for item in document["items"] for finding in item["findings"])
    assert value(found, "harden_findings", profile=name, severity="high", status="fail") == high_failing > 0
    assert value(found, "harden_drift", profile=name) == len(document["drift"]) == 1
    assert started - 1 <= value(found, "harden_last_run_timestamp_seconds", profile=name) <= time.time() + 1
    from hardener import __version__
    assert document["version"] == __version__ and value(found, "harden_info", profile=name, version=__version__) == 1


def test_a_reference_with_quotes_and_backslashes_is_escaped(make_root, tmp_path):
    profile = tmp_path / "odd.toml"
    profile.write_text('name = "odd"\ntitle = { en = "Odd", zh = "怪" }\nextends = "cis"\n'
                       '[[entry]]\nitem = "icc"\nref = \'ACME "7" \\ x\'\n')
    metrics = tmp_path / "odd.prom"
    assert run_harden("check", "--root", make_root("debian"), "--profile", profile, "--only", "icc", "--metrics", metrics).code == 2
    promtool_check(metrics)
    assert value(samples(metrics), "harden_reference_status", profile="odd", ref='ACME "7" \\ x', status="fail") == 1


def test_a_metrics_file_harden_cannot_write_is_one_line_and_the_old_one_stays(make_root, tmp_path):
    root = make_root("debian")
    missing = run_harden("check", "--root", root, "--metrics", tmp_path / "nowhere/harden.prom")
    assert missing.code == 1 and missing.err.count("\n") == 1 and "cannot write" in missing.err, missing
    assert "--metrics was given an empty value" in run_harden("check", "--root", root, "--metrics", "").err
    kept = tmp_path / "kept"
    (kept / "harden.prom").mkdir(parents=True)  # the rename fails: the temporary file goes, what was there stays
    refused = run_harden("check", "--root", root, "--metrics", kept / "harden.prom")
    assert refused.code == 1 and refused.err.count("\n") == 1 and "cannot write" in refused.err, refused
    assert [path.name for path in kept.iterdir()] == ["harden.prom"] and (kept / "harden.prom").is_dir()
