"""The playbook across an inventory of three hosts on this machine (connection
local, each host's harden_root a fixture root)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import hosts

CHECKOUT = Path(__file__).parent.parent
PLAYBOOK = CHECKOUT / "playbooks/harden.yml"
HARDEN = str(Path(sys.executable).parent / "harden")
ITEMS = ["file-permissions", "icc", "log-level", "iptables", "no-aufs"]


def inventory(tmp_path, roots, **extra):
    data = {"all": {"hosts": {name: {"harden_root": str(root)} for name, root in roots.items()},
                    "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                             "harden_install": False, "harden_executable": HARDEN, "harden_controller": HARDEN,
                             "harden_only": ITEMS, "harden_report_dir": str(tmp_path / "reports"), **extra}}}
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(data))
    (tmp_path / "reports").mkdir(exist_ok=True)
    return path


def playbook(inventory_path, *args, mode="check"):
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(inventory_path.parent / "ansible-tmp"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_STDOUT_CALLBACK="default", LANG="C.UTF-8")
    ansible = str(Path(sys.executable).parent / "ansible-playbook")
    return subprocess.run([ansible, "-i", str(inventory_path), str(PLAYBOOK), "-e", f"harden_mode={mode}", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def recap(output):
    return {host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
            for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.MULTILINE)}


def changed(output):
    """Hosts whose harden task changed something."""
    return set(re.findall(r"^changed: \[([^\]]+)\]", output.split("TASK [Run harden")[1].split("TASK [")[0], re.MULTILINE))


@pytest.fixture
def fleet(make_root):
    return {"debian-01": make_root("debian"), "centos-01": make_root("centos"),
            "compliant-01": make_root("debian", compliant=True)}


def test_check_dry_run_apply_again_and_rollback(tmp_path, fleet):
    start = {name: hosts.snapshot(root) for name, root in fleet.items()}
    inv = inventory(tmp_path, fleet)

    check = playbook(inv, mode="check")
    assert check.returncode == 0, check.stdout + check.stderr
    reports = {path.stem: json.loads(path.read_text()) for path in (tmp_path / "reports").glob("*.json")}
    assert set(reports) == set(fleet)
    assert {item["status"] for item in reports["compliant-01"]["items"]} == {"pass"}
    assert {item["id"]: item["status"] for item in reports["debian-01"]["items"]}["icc"] == "fail"
    page = (tmp_path / "reports/fleet.html").read_text()
    assert all(name in page for name in fleet) and all(item in page for item in ITEMS)
    rows = {name: row for row in page.split("<tr>")[1:] for name in fleet if f">{name}</a>" in row}
    assert re.findall(r'<td class="(\w+)"><a href="#host-\d+-icc"', rows["debian-01"]) == ["fail"]
    assert set(re.findall(r'<td class="(\w+)"><a href="#host-\d+-', rows["compliant-01"])) == {"pass"}

    preview = playbook(inv, "--check", "--diff", mode="apply")
    assert preview.returncode == 0, preview.stdout
    assert '+    "icc": false' in preview.stdout, "the diff shows"
    assert changed(preview.stdout) == {"debian-01", "centos-01"}
    assert {name: hosts.snapshot(root) for name, root in fleet.items()} == start

    applied = playbook(inv, mode="apply")
    assert applied.returncode == 0, applied.stdout
    assert changed(applied.stdout) == {"debian-01", "centos-01"}, "the compliant host never changes"
    again = playbook(inv, mode="apply")
    assert again.returncode == 0 and changed(again.stdout) == set()

    rolled = playbook(inv, mode="rollback")
    assert rolled.returncode == 0, rolled.stdout
    assert changed(rolled.stdout) == {"debian-01", "centos-01"}
    assert {name: hosts.snapshot(root) for name, root in fleet.items()} == start


def test_a_failing_host_stops_the_rollout_and_still_reports(tmp_path, make_root):
    broken = make_root("debian")
    (broken / "etc/docker/daemon.json").write_text('{"icc": false,}\n')
    fleet = {"a-broken": broken, "b-debian": make_root("debian"), "c-centos": make_root("centos")}
    untouched = hosts.snapshot(fleet["b-debian"])
    result = playbook(inventory(tmp_path, fleet), "-e", "harden_serial=1", mode="apply")
    assert result.returncode != 0
    assert "not valid JSON" in result.stdout
    counts = recap(result.stdout)
    assert counts["a-broken"]["failed"] == 1 and "b-debian" not in counts, "the rollout stopped after the failing wave"
    assert hosts.snapshot(fleet["b-debian"]) == untouched
    report = json.loads((tmp_path / "reports/a-broken.json").read_text())
    assert "not valid JSON" in report["error"]
    assert "a-broken" in (tmp_path / "reports/fleet.html").read_text()


def test_installs_harden_from_a_wheelhouse_into_a_clean_venv(tmp_path, make_root):
    prefix = tmp_path / "target-venv"
    wheels_on_target = tmp_path / "target-wheels"
    inv = inventory(tmp_path, {"fresh-01": make_root("centos")}, harden_install=True, harden_prefix=str(prefix),
                    harden_executable=str(prefix / "bin/harden"), harden_source=str(CHECKOUT), harden_wheel_dir=str(wheels_on_target))
    result = playbook(inv, mode="check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (prefix / "bin/harden").exists()
    wheels = {path.name.split("-")[0].lower() for path in wheels_on_target.glob("*.whl")}
    assert {"hardener", "click", "jinja2", "markupsafe", "sh", "cffi", "python_augeas"} <= wheels
    assert list(wheels_on_target.glob("python_augeas-*-abi3-*.whl")), "one python-augeas wheel for every Python 3"
    report = json.loads((tmp_path / "reports/fresh-01.json").read_text())
    assert report["command"] == "check" and report["items"]
