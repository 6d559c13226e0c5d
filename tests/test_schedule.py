"""harden schedule and check --scheduled on fixture roots: the timer and service written from templates/ as a run
of their own (rollback and --off remove them), --every as systemd reads it, and what a scheduled check keeps and says.
The real systemd running them: tests/test_schedule_lab.py."""
import fcntl
import json
import os
import subprocess

import pytest

from conftest import run_harden
from test_metrics import PROMTOOL
from test_schemas import validate

SERVICE, TIMER = "etc/systemd/system/harden-check.service", "etc/systemd/system/harden-check.timer"


def unit(root, path):
    return (root / path).read_text()


def test_schedule_writes_the_timer_and_service_as_a_run_that_rollback_and_off_undo(make_root, tmp_path):
    root = make_root("debian")
    profile = tmp_path / "my profiles/acme docker.toml"  # a path systemd must be given quoted
    profile.parent.mkdir()
    profile.write_text('name = "acme"\ntitle = { en = "ACME", zh = "ACME" }\nextends = "cis"\n')
    preview = run_harden("schedule", "--root", root, "--every", "6h", "--profile", profile, "--dry-run")
    assert preview.code == 0 and "+OnCalendar=*-*-* 00/6:00:00" in preview.out and not (root / TIMER).exists(), preview
    scheduled = run_harden("schedule", "--root", root, "--every", "6h", "--profile", profile, "--lang", "zh", "--yes")
    assert scheduled.code == 0 and "在 --root 下只写入定时器，不启用。" in scheduled.out, scheduled
    service = unit(root, SERVICE)
    assert f'check --scheduled --profile "{profile}" --lang zh\n' in service
    for directive in ("ProtectSystem=strict", "StateDirectory=hardener/reports", "PrivateTmp=yes", "NoNewPrivileges=yes",
                      "SuccessExitStatus=2", "SyslogIdentifier=harden"):
        assert f"\n{directive}\n" in service
    assert "ReadWritePaths" not in service, "no metrics directory in the config: nothing else writable"
    timer = unit(root, TIMER)
    assert "\nOnCalendar=*-*-* 00/6:00:00\n" in timer and "\nPersistent=true\n" in timer and "\nRandomizedDelaySec=" in timer
    assert oct((root / SERVICE).stat().st_mode & 0o777) == "0o644"
    history = run_harden("history", "--root", root, "--format", "json").json["runs"]
    assert [(run["items"], run["state"]) for run in history] == [(["schedule"], "applied")]

    again = run_harden("schedule", "--root", root, "--every", "6h", "--profile", profile, "--lang", "zh", "--yes")
    assert again.code == 0 and "计划已就位" in again.out, again
    other = run_harden("schedule", "--root", root, "--every", "daily", "--yes")
    assert other.code == 1 and "harden schedule --off first" in other.err and unit(root, TIMER) == timer

    off = run_harden("schedule", "--off", "--root", root, "--yes")
    assert off.code == 0 and not (root / TIMER).exists() and not (root / SERVICE).exists(), off
    assert run_harden("schedule", "--off", "--root", root, "--yes").code == 1, "nothing left to remove"
    assert run_harden("schedule", "--root", root, "--yes").code == 0
    assert "\nOnCalendar=daily\n" in unit(root, TIMER)
    assert run_harden("rollback", "--yes", "--root", root).code == 0 and not (root / TIMER).exists(), "rollback undoes it too"


@pytest.mark.parametrize("every, calendar", [("hourly", "hourly"), ("daily", "daily"), ("1h", "*-*-* 00/1:00:00"),
                                             ("15min", "*:00/15"), ("Mon..Fri *-*-* 03:30", "Mon..Fri *-*-* 03:30")])
def test_every_is_what_systemd_reads(make_root, every, calendar):
    root = make_root("debian")
    assert run_harden("schedule", "--root", root, "--every", every, "--yes").code == 0
    assert f"\nOnCalendar={calendar}\n" in unit(root, TIMER)
    normalized = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True)
    assert normalized.returncode == 0, normalized.stderr


@pytest.mark.parametrize("every", ["every tuesday", "7min", "25h", "daily\nOnCalendar=minutely", "%H:00"])
def test_an_every_systemd_would_not_take_is_one_line_and_changes_nothing(make_root, every):
    root = make_root("debian")
    refused = run_harden("schedule", "--root", root, "--every", every, "--yes")
    assert refused.code == 1 and refused.err.count("\n") == 1 and "--every" in refused.err, refused
    assert not (root / "etc/systemd/system").exists() and not (root / "var/lib/hardener").exists()


def scheduled(root, *args):
    return run_harden("check", "--root", root, "--scheduled", *args)


def reports(root):
    return sorted((root / "var/lib/hardener/reports").iterdir())


def test_a_scheduled_check_keeps_its_reports_and_says_what_changed(make_root):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text("[schedule]\nkeep = 3\n")
    first = scheduled(root, "--profile", "cis")
    assert first.code == 2 and first.out == "first scheduled report of profile cis: its baseline\n", first
    assert oct((root / "var/lib/hardener/reports").stat().st_mode & 0o777) == "0o700"
    (only,) = reports(root)
    assert oct(only.stat().st_mode & 0o777) == "0o600"
    kept = json.loads(only.read_text())
    assert kept["command"] == "check" and kept["profile"] == "cis" and kept["config_sha256"]
    validate(kept, "report.schema.json")
    assert scheduled(root, "--profile", "cis").out == "", "nothing changed, nothing said"

    os.chmod(root / "etc/docker", 0o755)  # 3.6 passes now
    (root / "etc/docker/daemon.json").chmod(0o666)  # 3.18 fails now
    changed = scheduled(root, "--profile", "cis").out.splitlines()
    assert "3.6: fail -> pass: /etc/docker (file-permissions)" in changed
    assert "3.18: pass -> fail: /etc/docker/daemon.json (config-file-permissions)" in changed and len(changed) == 2, changed
    os.chmod(root / "etc/docker", 0o777)
    assert scheduled(root, "--profile", "cis", "--lang", "zh").out == "3.6: 通过 -> 不合规: /etc/docker (file-permissions)\n"
    scheduled(root, "--profile", "cis")
    assert len(reports(root)) == 3, "keep = 3"

    assert scheduled(root, "--profile", "aliyun").out.startswith("the profile or the config changed since the last report")
    (root / "etc/hardener/config.toml").write_text("sprawl_days = 10\n[schedule]\nkeep = 3\n")
    assert scheduled(root, "--profile", "aliyun").out.startswith("the profile or the config changed since the last report")


def test_a_scheduled_check_waits_for_no_apply_and_writes_metrics_where_the_config_says(make_root):
    root = make_root("debian")
    (root / "var/lib/hardener").mkdir(parents=True, mode=0o700)
    with open(root / "var/lib/hardener/lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        skipped = scheduled(root)
    assert skipped.code == 0 and "skipped: an apply or rollback of harden's is running" in skipped.out
    assert not (root / "var/lib/hardener/reports").exists()

    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text('[schedule]\nmetrics_dir = "/var/lib/prometheus/node-exporter"\n')
    assert scheduled(root).code == 2, "no such directory: no metrics, and the check runs"
    (root / "var/lib/prometheus/node-exporter").mkdir(parents=True)
    assert scheduled(root).code == 2
    metrics = root / "var/lib/prometheus/node-exporter/harden.prom"
    assert oct(metrics.stat().st_mode & 0o777) == "0o644"
    checked = subprocess.run([PROMTOOL, "check", "metrics"], stdin=metrics.open("rb"), capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked
    assert os.listdir(metrics.parent) == ["harden.prom"]


@pytest.mark.parametrize("config, says", [("[schedule]\nkeep = 0\n", "keep is how many reports are kept"),
                                           ('[schedule]\nmetrics_dir = "textfile"\n', "metrics_dir is an absolute path"),
                                           ("[schedule]\nkept = 3\n", "unknown key 'kept' in [schedule]"),
                                           ("schedule = 3\n", "schedule is a table")])
def test_a_bad_schedule_table_is_one_line_with_its_line(make_root, config, says):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text("\n" + config)
    refused = scheduled(root)
    assert refused.code == 1 and says in refused.err and "config.toml:" in refused.err and refused.err.count("\n") == 1, refused
