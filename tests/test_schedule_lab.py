"""harden schedule under a real systemd and dockerd (the systemd lab): the timer enabled and started, its service
run by systemd in its sandbox judging as a check by hand does, a change between two runs logged as exactly its
lines, and rollback (schedule --off) taking timer and service away."""
import json
import time

STATUS = {"pass": "pass", "fail": "fail", "manual": "manual", "not_applicable": "n/a", "waived": "waived", "error": "error"}

import pytest

pytestmark = pytest.mark.releases


def reports(lab):
    listing = lab.run("sh", "-c", "ls /var/lib/hardener/reports 2>/dev/null || true").stdout.split()
    return sorted(name for name in listing if name.endswith(".json"))


def run_service(lab, before):
    """Start the check's service as its timer would, and wait for its report."""
    lab.run("systemctl", "start", "harden-check.service", timeout=300)  # oneshot: returns when the check has ended
    deadline = time.monotonic() + 60
    while len(reports(lab)) == before:
        assert time.monotonic() < deadline, lab.run("journalctl", "-u", "harden-check.service", "--no-pager", check=False).stdout
        time.sleep(0.5)
    result = lab.run("systemctl", "show", "-p", "Result", "-p", "ExecMainStatus", "harden-check.service").stdout
    assert "Result=success" in result, result
    return json.loads(lab.path(f"/var/lib/hardener/reports/{reports(lab)[-1]}").read_text())


def test_the_timer_runs_the_sandboxed_check_and_rollback_removes_it(systemd_lab):
    lab = systemd_lab
    lab.run("sh", "-c", "[ -e /etc/docker/daemon.json ] || echo '{}' > /etc/docker/daemon.json; chmod 644 /etc/docker/daemon.json")
    scheduled = lab.harden("schedule", "--every", "hourly", "--profile", "cis", "--yes")
    assert scheduled.returncode == 0, scheduled
    assert lab.run("systemctl", "is-enabled", "harden-check.timer").stdout.strip() == "enabled"
    assert lab.run("systemctl", "is-active", "harden-check.timer").stdout.strip() == "active"
    assert "OnCalendar=hourly" in lab.run("systemctl", "cat", "harden-check.timer").stdout
    verify = lab.run("systemd-analyze", "verify", "/etc/systemd/system/harden-check.service", "/etc/systemd/system/harden-check.timer",
                     check=False)
    assert verify.returncode == 0 and "harden-check" not in verify.stderr, verify

    first = run_service(lab, 0)
    by_hand = json.loads(lab.harden("check", "--profile", "cis", "--format", "json").stdout)
    assert {entry["id"]: entry["status"] for entry in first["recommendations"]} == \
        {entry["id"]: entry["status"] for entry in by_hand["recommendations"]}, "the sandbox keeps what the check needs"
    assert not any(item["status"] == "error" for item in first["items"]), [item for item in first["items"] if item["status"] == "error"]

    # between two runs: a mode loosened, and a container made --privileged (from an image of the lab's busybox)
    lab.run("chmod", "666", "/etc/docker/daemon.json")
    lab.run("sh", "-c", "set -e; d=$(mktemp -d); mkdir $d/bin; cp /bin/busybox $d/bin/sh; tar -C $d -c . | docker import - lab/sh:1 >/dev/null; "
                        "docker create --privileged --name privileged-web lab/sh:1 /bin/sh >/dev/null", timeout=300)
    second = run_service(lab, 1)
    before = {entry["id"]: entry["status"] for entry in first["recommendations"]}
    statuses = {entry["id"]: entry["status"] for entry in second["recommendations"]}
    assert statuses["3.18"] == "fail" and statuses["5.5"] in ("fail", "manual")  # manual: harden recreates it only when asked
    said = lab.run("journalctl", "-u", "harden-check.service", "-t", "harden", "-o", "cat", "--no-pager").stdout.splitlines()
    assert said[0] == "first scheduled report of profile cis: its baseline", said
    assert "3.18: pass -> fail: /etc/docker/daemon.json (config-file-permissions)" in said
    assert f"5.5: {STATUS[before['5.5']]} -> {STATUS[statuses['5.5']]}: privileged-web (no-privileged)" in said, said
    assert [line.split(":")[0] for line in said[1:]] == [ref for ref in statuses if statuses[ref] != before.get(ref)], \
        "exactly a line per reference whose status changed, in the profile's order"

    # the timer turned off by hand is drift from what the schedule's run left
    steady = lab.harden("drift", "--format", "json")
    assert steady.returncode == 0 and json.loads(steady.stdout)["drift"] == [], steady
    lab.run("systemctl", "disable", "--now", "harden-check.timer")
    drifted = lab.harden("drift", "--format", "json")
    assert drifted.returncode == 2, drifted
    units = [entry for entry in json.loads(drifted.stdout)["drift"] if entry["kind"] == "unit"]
    assert units == [{"run": units[0]["run"], "items": ["schedule"], "refs": [], "target": "unit harden-check.timer", "kind": "unit",
                      "lines": ["harden-check.timer is disabled now, not enabled as harden left it",
                                "harden-check.timer is inactive now, not active as harden left it"]}], units

    off = lab.harden("schedule", "--off", "--yes")
    assert off.returncode == 0, off
    assert lab.run("systemctl", "is-enabled", "harden-check.timer", check=False).returncode != 0
    assert not lab.path("/etc/systemd/system/harden-check.timer").exists() and not lab.path("/etc/systemd/system/harden-check.service").exists()
    assert "harden-check.timer" not in lab.run("systemctl", "list-timers", "--all", "--no-pager").stdout
