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
    for directive in ("ProtectSystem=strict", "StateDirectory=hardener/reports", "NoNewPrivileges=yes", "TimeoutStartSec=30min",
                      "SuccessExitStatus=2", "SyslogIdentifier=harden", "ProtectHome=read-only"):
        assert f"\n{directive}\n" in service
    assert "ReadWritePaths" not in service, "no metrics directory in the config: nothing else writable"
    timer = unit(root, TIMER)
    assert "\nOnCalendar=*-*-* 00/6:00:00\n" in timer and "\nPersistent=true\n" in timer and "\nRandomizedDelaySec=5min\n" in timer
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


@pytest.mark.parametrize("every, calendar, delay", [("hourly", "hourly", "5min"), ("daily", "daily", "15min"),
                                                    ("1h", "*-*-* 00/1:00:00", "5min"), ("15min", "*:00/15", "15s"),
                                                    ("Mon..Fri *-*-* 03:30", "Mon..Fri *-*-* 03:30", "15min")])
def test_every_is_what_systemd_reads_and_the_spread_a_quarter_of_it_at_most(make_root, every, calendar, delay):
    root = make_root("debian")
    assert run_harden("schedule", "--root", root, "--every", every, "--yes").code == 0
    assert f"\nOnCalendar={calendar}\n" in unit(root, TIMER) and f"\nRandomizedDelaySec={delay}\n" in unit(root, TIMER)
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
    assert kept["command"] == "check" and kept["profile"] == "cis" and kept["baseline_sha256"]
    validate(kept, "report.schema.json")
    assert scheduled(root, "--profile", "cis").out == "", "nothing changed, nothing said"

    os.chmod(root / "etc/docker", 0o755)  # 3.6 passes now
    (root / "etc/docker/daemon.json").chmod(0o666)  # 3.18 fails now
    changed = scheduled(root, "--profile", "cis").out.splitlines()
    assert "3.6: fail -> pass: /etc/docker (file-permissions)" in changed
    assert "3.18: pass -> fail: /etc/docker/daemon.json (config-file-permissions)" in changed and len(changed) == 2, changed
    (root / "usr/lib/systemd/system/docker.service").chmod(0o644)  # 3.2 passes: docker.service, of its three files
    passing = [entry for entry in json.loads(reports(root)[-1].read_text())["recommendations"] if entry["id"] == "3.2"]
    assert len(passing[0]["findings"]) == 3, "the other two passed all along"
    assert scheduled(root, "--profile", "cis").out == "3.2: fail -> pass: /lib/systemd/system/docker.service (file-permissions)\n", \
        "what was fixed, not every file that passes"
    (root / "usr/lib/systemd/system/docker.service").chmod(0o664)
    assert scheduled(root, "--profile", "cis").out == "3.2: pass -> fail: /lib/systemd/system/docker.service (file-permissions)\n"
    os.chmod(root / "etc/docker", 0o777)
    assert scheduled(root, "--profile", "cis", "--lang", "zh").out == "3.6: 通过 -> 不合规: /etc/docker (file-permissions)\n"
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
    metrics = root / "var/lib/prometheus/node-exporter/harden.prom"
    metrics.write_text("# an old one, unreadable to the collector\n")
    metrics.chmod(0o600)
    assert scheduled(root).code == 2
    assert oct(metrics.stat().st_mode & 0o777) == "0o644" and (metrics.stat().st_uid, metrics.stat().st_gid) == (0, 0)
    checked = subprocess.run([PROMTOOL, "check", "metrics"], stdin=metrics.open("rb"), capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked
    assert os.listdir(metrics.parent) == ["harden.prom"]


@pytest.mark.parametrize("config, says", [("[schedule]\nkeep = 0\n", "keep is how many reports are kept"),
                                           ('[schedule]\nmetrics_dir = "textfile"\n', "metrics_dir is a directory's absolute path"),
                                           ("[schedule]\nkept = 3\n", "unknown key 'kept' in [schedule]"),
                                           ("schedule = 3\n", "schedule is a table")])
def test_a_bad_schedule_table_is_one_line_with_its_line(make_root, config, says):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text("\n" + config)
    refused = scheduled(root)
    assert refused.code == 1 and says in refused.err and "config.toml:" in refused.err and refused.err.count("\n") == 1, refused


def test_a_path_systemd_would_read_as_more_than_a_word_is_quoted_or_refused(make_root, tmp_path):
    """A profile's path is a word of ExecStart=: quotes, backslashes, $ and % escaped as systemd reads them; a line
    break (which would start an ExecStart= of its own, run as root) refused, nothing written."""
    root = make_root("debian")
    odd = tmp_path / 'my "profiles" $HOME %n \\ x.toml'
    odd.write_text('name = "odd"\ntitle = { en = "Odd", zh = "怪" }\nextends = "cis"\n')
    assert run_harden("schedule", "--root", root, "--profile", odd, "--yes").code == 0
    line = next(line for line in unit(root, SERVICE).splitlines() if line.startswith("ExecStart="))
    escaped = str(odd).replace("%", "%%").replace("$", "$$").replace("\\", "\\\\").replace('"', '\\"')
    assert line.endswith(f' check --scheduled --profile "{escaped}"'), line
    assert run_harden("schedule", "--off", "--root", root, "--yes").code == 0
    forged = tmp_path / 'a"\nExecStart=\nExecStart=sh -c id\n#.toml'
    forged.write_text('name = "x"\ntitle = { en = "X", zh = "X" }\nextends = "cis"\n')
    refused = run_harden("schedule", "--root", root, "--profile", forged, "--yes")
    assert refused.code == 1 and "line break" in refused.err and refused.err.count("\n") == 1, refused
    assert not (root / SERVICE).exists()


def test_what_a_schedule_does_not_take_is_refused(make_root):
    root = make_root("debian")
    for args, says in ((("--only", "icc"), "not --only"), (("--fail-on", "high"), "not --fail-on"), (("--output", "x.json"), "not --output")):
        refused = run_harden("schedule", "--root", root, "--yes", *args)
        assert refused.code == 1 and says in refused.err, refused
    for args in (("--format", "json"), ("--metrics", "/tmp/x.prom")):
        assert scheduled(root, *args).code == 1
    assert not (root / "etc/systemd/system").exists() and not (root / "var/lib/hardener/reports").exists()


def test_a_play_tells_what_schedule_did_from_its_json_in_either_language_and_a_person_reads_it_in_theirs(make_root, tmp_path):
    """--format json says whether anything changed and names the two refusals a play acts on (another schedule in
    place: replace it; none in place for --off: nothing to do), whatever the language the lines are in."""
    root = make_root("debian")

    def schedule(*args):
        return run_harden("schedule", "--root", root, "--yes", "--lang", "zh", *args)

    preview = schedule("--dry-run", "--format", "json")
    assert preview.code == 0 and preview.json["dry_run"] is True and "+OnCalendar=daily" in preview.json["changes"], preview
    made = schedule("--format", "json")
    assert made.code == 0 and made.json["changed"] is True and made.json["calendar"] == "daily" and made.json["enabled"] is False
    assert made.json["run_id"] == run_harden("history", "--root", root, "--format", "json").json["runs"][0]["id"]
    in_place = schedule("--format", "json")
    assert in_place.code == 0 and in_place.json["changed"] is False, in_place
    other = schedule("--every", "weekly", "--format", "json")
    assert other.code == 1 and other.json == {"command": "schedule", "changed": False, "refused": "another_in_place"}, other
    assert other.err.startswith("harden：错误：已有另一个计划（/etc/systemd/system/harden-check.timer）") and other.err.count("\n") == 1
    assert "\nOnCalendar=daily\n" in unit(root, TIMER)
    timer = unit(root, TIMER)
    (root / TIMER).write_text(timer + "# a colleague's line\n")
    refused = schedule("--off", "--format", "json")
    assert refused.code == 4 and refused.out == "" and "# a colleague's line" in refused.err, "JSON or nothing on standard output"
    (root / TIMER).write_text(timer)
    off = schedule("--off", "--format", "json")
    assert off.code == 0 and off.json["changed"] is True and not (root / TIMER).exists(), off
    for page in ("html", "junit", "sarif"):  # refused before a schedule is made, not after
        wrong = run_harden("schedule", "--root", root, "--yes", "--format", page)
        assert wrong.code == 1 and f"--format {page} is for check" in wrong.err and not (root / TIMER).exists(), wrong
    none = schedule("--off", "--format", "json")
    assert none.code == 1 and none.json["refused"] == "none_in_place" and "当前没有 harden 安装的定时检查" in none.err, none
    forged = tmp_path / "a\nb.toml"  # a profile whose name would end the service's ExecStart= line
    forged.write_text('name = "x"\ntitle = { en = "X", zh = "X" }\nextends = "cis"\n')
    for args, says in ((("--every", "7 min"), "不是 systemd 接受的日历表达式"), (("--every", "%H"), "--every 接受 minutely"),
                       (("--only", "icc"), "不接受 --only"), (("--profile", forged), "含控制字符或换行")):
        refused = schedule(*args)
        assert refused.code == 1 and says in refused.err and refused.err.count("\n") == 1 and refused.out == "", refused
    assert not (root / TIMER).exists()


def test_prune_keeps_the_run_of_a_schedule_in_place(make_root):
    root = make_root("debian")
    assert run_harden("schedule", "--root", root, "--yes").code == 0
    assert run_harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    assert run_harden("history", "--root", root, "--prune", "0").code == 0
    runs = run_harden("history", "--root", root, "--format", "json").json["runs"]
    assert [run["items"] for run in runs] == [["schedule"]], "the apply's run is forgotten, the schedule's kept"
    assert run_harden("schedule", "--off", "--root", root, "--yes").code == 0 and not (root / TIMER).exists()


def test_a_scheduled_check_survives_odd_files_among_its_reports_and_sees_a_profile_edited_in_place(make_root, tmp_path):
    root = make_root("debian")
    profile = tmp_path / "site.toml"
    profile.write_text('name = "site"\ntitle = { en = "Site", zh = "站点" }\nextends = "cis"\n')
    assert scheduled(root, "--profile", profile).code == 2
    reports_dir = root / "var/lib/hardener/reports"
    (reports_dir / "29991231T000000.000000Z.json").write_text(json.dumps({"recommendations": [{"id": ["x"], "status": ["y"]}]}))
    (reports_dir / "20000101T000000.000000Z.json").mkdir()  # not a file: neither read nor rotated
    (reports_dir / "notes.json").write_text("{}")
    again = scheduled(root, "--profile", profile)
    assert again.code == 2 and again.out == "" and again.err == "", again
    names = sorted(path.name for path in reports_dir.iterdir())
    assert "29991231T000000.000000Z.json" not in names, "a report dated after this run is not the last one, nor kept"
    assert "20000101T000000.000000Z.json" in names and "notes.json" in names
    profile.write_text('name = "site"\ntitle = { en = "Site", zh = "站点" }\nextends = "cis"\n[[entry]]\nitem = "icc"\nseverity = "high"\n')
    assert scheduled(root, "--profile", profile).out.startswith("the profile or the config changed since the last report")


@pytest.mark.parametrize("directory", ["/", "/etc", "/var/lib", "/srv/my metrics", "/srv/$x", "/srv/%n"])
def test_a_metrics_dir_the_sandbox_would_open_wide_or_misread_is_refused(make_root, directory):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text(f"[schedule]\nmetrics_dir = {json.dumps(directory)}\n")
    refused = run_harden("schedule", "--root", root, "--yes")
    assert refused.code == 1 and "metrics_dir is a directory's absolute path" in refused.err, refused


def test_a_linked_metrics_dir_is_refused_and_a_metrics_dir_added_later_is_said_not_fatal(make_root):
    root = make_root("debian")
    (root / "srv/real").mkdir(parents=True)
    (root / "srv/link").symlink_to("/srv/real")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text('[schedule]\nmetrics_dir = "/srv/link"\n')
    refused = run_harden("schedule", "--root", root, "--yes")
    assert refused.code == 1 and "is a link" in refused.err, refused
    (root / "etc/hardener/config.toml").write_text('[schedule]\nmetrics_dir = "/srv/real"\n')
    assert run_harden("schedule", "--root", root, "--yes").code == 0
    assert "\nReadWritePaths=-/srv/real\n" in unit(root, SERVICE)


def test_a_timer_is_refused_where_it_would_run_as_root_code_another_user_can_change(tmp_path):
    """harden run from a copy of a user's (their virtual environment, say): the timer would run as root whatever the
    user puts there, so schedule refuses it, here on the live host with --dry-run (which changes nothing); a module
    under a directory others can write (not sticky) is refused too. Run from root's own files, the preview is made."""
    import shutil
    import sys
    from pathlib import Path

    checkout = Path(__file__).resolve().parent.parent
    users = tmp_path / "venv-of-a-user"
    shutil.copytree(checkout / "hardener", users / "hardener", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(checkout / "templates", users / "templates")
    for directory, _, files in os.walk(users):
        for name in [directory, *(os.path.join(directory, file) for file in files)]:
            os.chown(name, 1000, 1000)

    def schedule(pythonpath):
        return subprocess.run([sys.executable, "-m", "hardener", "schedule", "--dry-run"], cwd=tmp_path, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(pythonpath), "LANG": "C.UTF-8"}, timeout=120)

    refused = schedule(users)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused
    assert f"the timer would run as root {users}" in refused.stderr and "someone other than root can change it" in refused.stderr, \
        refused.stderr
    for directory, _, files in os.walk(users):
        for name in [directory, *(os.path.join(directory, file) for file in files)]:
            os.chown(name, 0, 0)
    for mode in (0o777, 0o1777):  # root's files, in a directory Python imports from that anyone can add a module to
        users.chmod(mode)
        refused = schedule(users)
        assert refused.returncode == 1 and f"the timer would run as root {users}, which is root:root {mode:04o}" in refused.stderr, \
            refused.stderr
    users.chmod(0o755)
    above = tmp_path / "shared"
    above.mkdir()
    above.chmod(0o1777)  # sticky, above: others cannot replace what root put there
    users.rename(above / users.name)
    other = schedule(above / users.name)  # root's alone now; but the timer, without PYTHONPATH, would import another harden
    assert other.returncode == 1 and other.stderr.count("\n") == 1, other
    assert (f"-m hardener would run the harden in {installed_harden()}, not this one in {above / users.name / 'hardener'}"
            in other.stderr), other.stderr
    previewed = subprocess.run([sys.executable, "-m", "hardener", "schedule", "--dry-run"], cwd=tmp_path, capture_output=True,
                               text=True, env={**os.environ, "LANG": "C.UTF-8"}, timeout=120)
    assert previewed.returncode == 0 and "harden-check.timer" in previewed.stdout, previewed

    venv = tmp_path / "venv"  # the interpreter the unit names: a user's link, which they can point at a program of theirs
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(sys.executable)
    os.chown(venv / "bin/python", 1000, 1000, follow_symlinks=False)
    importable = os.pathsep.join([str(checkout), *(path for path in sys.path if path.endswith("site-packages"))])
    linked = subprocess.run([str(venv / "bin/python"), "-m", "hardener", "schedule", "--dry-run"], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "LANG": "C.UTF-8", "PYTHONPATH": importable}, timeout=120)
    assert linked.returncode == 1 and f"the timer would run as root {venv}/bin/python, which is " in linked.stderr, linked.stderr


def installed_harden() -> str:
    """The directory of the harden this interpreter finds in /, without PYTHONPATH, as the timer would run it (the
    checkout scripts/setup-dev installed into the suite's venv)."""
    import sys

    from hardener.schedule import FIND_HARDENER

    found = subprocess.run([sys.executable, "-c", FIND_HARDENER], cwd="/", capture_output=True, text=True, check=True,
                           env={"PATH": os.defpath})
    return os.path.dirname(os.path.realpath(found.stdout.strip()))


def test_a_timer_is_refused_where_its_interpreter_would_not_find_harden(tmp_path):
    """The timer starts `python -m hardener` in /, without PYTHONPATH: an interpreter harden is not installed for (a
    bare venv here) is refused in one line that names it; the harden installed for the suite's interpreter, run as
    the timer would find it, passes its own check."""
    import sys

    from hardener.schedule import ScheduleError, timer_runs_this_harden

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=120)
    with pytest.raises(ScheduleError) as raised:
        timer_runs_this_harden(str(tmp_path / "bare/bin/python"))
    said = raised.value.said("en")
    assert said.startswith(f"[schedule] the timer's {tmp_path}/bare/bin/python -m hardener would not find harden (") and \
        "No module named 'hardener'" in said and "\n" not in said, said
    installed = subprocess.run([sys.executable, "-c", "from hardener.schedule import timer_runs_this_harden as check; check()"],
                               cwd="/", capture_output=True, text=True, env={"PATH": os.defpath}, timeout=120)
    assert installed.returncode == 0, installed
