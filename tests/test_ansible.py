"""The collection hardener.docker, built and installed with ansible-galaxy: its
playbook across an inventory of three hosts on this machine (connection local,
each host's harden_root a fixture root), its module, ansible-doc and ansible-test
sanity."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml

import hosts

CHECKOUT = Path(__file__).parent.parent
COLLECTION = CHECKOUT / "ansible_collections/hardener/docker"
ANSIBLE_TEST = Path(os.environ.get("HARDENER_LAB_ANSIBLE_TEST", "/var/cache/hardener-lab/ansible-test"))
BIN = Path(sys.executable).parent
HARDEN = str(BIN / "harden")
ITEMS = ["file-permissions", "icc", "log-level", "iptables", "no-aufs"]


@pytest.fixture(scope="module")
def collections(tmp_path_factory):
    """The collection as users get it: built into a tarball, installed with ansible-galaxy."""
    work = tmp_path_factory.mktemp("collection")
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", COLLECTION, "--output-path", work], check=True,
                   capture_output=True)
    (tarball,) = work.glob("hardener-docker-*.tar.gz")
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--force", tarball, "-p", work / "installed"],
                   check=True, capture_output=True, env=ansible_env(work / "installed"))
    assert (work / "installed/ansible_collections/hardener/docker/plugins/modules/harden.py").exists()
    return work / "installed"


def ansible_env(collections, **extra):
    """Ansible finding collections where they are installed alone: the editable install puts this checkout,
    and its ansible_collections/, on sys.path."""
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
                ANSIBLE_NOCOLOR="1", **extra)


def inventory(tmp_path, roots, **extra):
    data = {"all": {"hosts": {name: {"harden_root": str(root)} for name, root in roots.items()},
                    "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                             "harden_install": False, "harden_executable": HARDEN, "harden_controller": HARDEN,
                             "harden_only": ITEMS, "harden_report_dir": str(tmp_path / "reports"), **extra}}}
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(data))
    return path  # the reports' directory is the play's to make


def playbook(collections, inventory_path, *args, mode="check", cwd=None, home=None):
    """ansible-playbook as a user runs it: from a directory of their own (an empty one unless `cwd`), which their shell
    names in PWD; with `home`, as sudo or cron runs it, with HOME and no PWD."""
    env = ansible_env(collections, ANSIBLE_LOCAL_TEMP=str(inventory_path.parent / "ansible-tmp"),
                      ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_STDOUT_CALLBACK="default", LANG="C.UTF-8")
    if cwd is None:
        cwd = inventory_path.parent / "where-the-user-is"
        cwd.mkdir(exist_ok=True)
    env = dict(env, PWD=str(cwd)) if home is None else dict({key: value for key, value in env.items() if key != "PWD"}, HOME=str(home))
    return subprocess.run([BIN / "ansible-playbook", "-i", str(inventory_path), "hardener.docker.harden",
                           "-e", f"harden_mode={mode}", *args], capture_output=True, text=True, env=env, timeout=600, cwd=cwd)


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


def test_check_dry_run_apply_again_and_rollback(tmp_path, fleet, collections):
    start = {name: hosts.snapshot(root) for name, root in fleet.items()}
    inv = inventory(tmp_path, fleet)

    check = playbook(collections, inv, "-e", "harden_format=sarif", mode="check")
    assert check.returncode == 0, check.stdout + check.stderr
    fleet_log = json.loads((tmp_path / "reports/fleet.sarif").read_text())
    assert sorted(run["properties"]["host"] for run in fleet_log["runs"]) == sorted(fleet)
    assert json.loads((tmp_path / "reports/sarif/debian-01.sarif").read_text())["runs"][0]["results"], "icc and the files fail there"
    assert {counts["changed"] for counts in recap(check.stdout).values()} == {0}, "reports kept on the controller change no host"
    reports = {path.stem: json.loads(path.read_text()) for path in (tmp_path / "reports").glob("*.json")}
    assert set(reports) == set(fleet)
    assert {item["status"] for item in reports["compliant-01"]["items"]} == {"pass"}
    assert {item["id"]: item["status"] for item in reports["debian-01"]["items"]}["icc"] == "fail"
    page = (tmp_path / "reports/fleet.html").read_text()
    assert all(name in page for name in fleet) and all(item in page for item in ITEMS)
    grid = page.split('<table id="grid-1" class="grid">')[1].split("</table>")[0]
    columns = re.findall(r'<th class="item">([\w-]+)</th>', grid)
    rows = {name: row for row in grid.split("<tr>")[1:] for name in fleet if f">{name}</a>" in row}
    cells = {name: dict(zip(columns, re.findall(r'<td class="(\w+)">[✓✗?!·]?</td>', row))) for name, row in rows.items()}
    assert cells["debian-01"]["icc"] == "fail" and set(cells["compliant-01"].values()) == {"pass"}
    assert set(cells["compliant-01"]) == set(columns), "a cell an item"

    preview = playbook(collections, inv, "--check", "--diff", mode="apply")
    assert preview.returncode == 0, preview.stdout
    assert '+    "icc": false' in preview.stdout, "the diff shows"
    assert changed(preview.stdout) == {"debian-01", "centos-01"}
    assert {name: hosts.snapshot(root) for name, root in fleet.items()} == start

    applied = playbook(collections, inv, mode="apply")
    assert applied.returncode == 0, applied.stdout
    assert changed(applied.stdout) == {"debian-01", "centos-01"}, "the compliant host never changes"
    assert {host: counts["changed"] for host, counts in recap(applied.stdout).items()} == {
        "debian-01": 1, "centos-01": 1, "compliant-01": 0}, "the recap's changed is harden's alone"
    run_id = json.loads((tmp_path / "reports/debian-01.json").read_text())["run_id"]
    again = playbook(collections, inv, mode="apply")
    assert again.returncode == 0 and changed(again.stdout) == set()

    # rollback under --check keeps the run it is given
    preview = playbook(collections, inv, "--check", "-v", "-e", f"harden_run_id={run_id}", "--limit", "debian-01", mode="rollback")
    assert preview.returncode == 0, preview.stdout
    assert re.search(r'"cmd": \[[^\]]*"rollback",\s*"--dry-run",\s*"' + run_id + '"', preview.stdout), preview.stdout
    assert json.loads((tmp_path / "reports/debian-01.json").read_text())["run_id"] == run_id

    rolled = playbook(collections, inv, mode="rollback")
    assert rolled.returncode == 0, rolled.stdout
    assert changed(rolled.stdout) == {"debian-01", "centos-01"}
    assert {name: hosts.snapshot(root) for name, root in fleet.items()} == start


def test_a_failing_host_stops_the_rollout_and_still_reports(tmp_path, make_root, collections):
    broken = make_root("debian")
    (broken / "etc/docker/daemon.json").write_text('{"icc": false,}\n')
    fleet = {"a-broken": broken, "b-debian": make_root("debian"), "c-centos": make_root("centos")}
    untouched = hosts.snapshot(fleet["b-debian"])
    result = playbook(collections, inventory(tmp_path, fleet, harden_format="junit", harden_fail_on="failing"), "-e", "harden_serial=1",
                      mode="apply")
    assert result.returncode != 0
    assert "not valid JSON" in result.stdout
    counts = recap(result.stdout)
    assert counts["a-broken"]["failed"] == 1 and "b-debian" not in counts, "the rollout stopped after the failing wave"
    assert hosts.snapshot(fleet["b-debian"]) == untouched
    report = json.loads((tmp_path / "reports/a-broken.json").read_text())
    assert "not valid JSON" in report["error"]
    assert "a-broken" in (tmp_path / "reports/fleet.html").read_text()
    for junit in ("junit/a-broken.xml", "fleet.xml"):  # harden_format: the reports as JUnit too, the error a test case's
        (suite,) = JUnitXml.fromfile(str(tmp_path / "reports" / junit))
        (case,) = [case for case in suite if case.name == "harden"]
        assert suite.name.startswith("a-broken") and "not valid JSON" in case.result[0].message


def test_a_format_harden_cannot_write_stops_the_play_before_anything_changes(tmp_path, make_root, collections):
    root = make_root("debian")
    before = hosts.snapshot(root)
    result = playbook(collections, inventory(tmp_path, {"web-01": root}, harden_format="xml"), mode="apply")
    assert result.returncode != 0 and "harden_format is junit or sarif (or unset), not xml" in result.stdout, result.stdout
    assert hosts.snapshot(root) == before and not (tmp_path / "reports").exists()


def test_harden_schedule_installs_the_timer_and_off_removes_it(tmp_path, make_root, collections):
    """In Chinese, so that the play reads what harden did from its JSON, not from its words."""
    root = make_root("debian")
    timer = root / "etc/systemd/system/harden-check.timer"

    def play(*args, **variables):
        return playbook(collections, inventory(tmp_path, {"web-01": root}, harden_lang="zh", **variables), *args)

    preview = play("--check", harden_schedule="6h")
    assert preview.returncode == 0 and not timer.exists(), preview.stdout
    assert recap(preview.stdout)["web-01"]["changed"] == 1, "shown as a change under --check"
    scheduled = play(harden_schedule="6h", harden_profile="cis")
    assert scheduled.returncode == 0 and "\nOnCalendar=*-*-* 00/6:00:00\n" in timer.read_text(), scheduled.stdout
    assert "--profile cis --lang zh" in (root / "etc/systemd/system/harden-check.service").read_text()
    again = play(harden_schedule="6h", harden_profile="cis")
    assert again.returncode == 0 and recap(again.stdout)["web-01"]["changed"] == 0
    hourly = play(harden_schedule="hourly", harden_profile="cis")
    assert hourly.returncode == 0 and "\nOnCalendar=hourly\n" in timer.read_text(), hourly.stdout  # replaced, not refused
    off = play(harden_schedule="off")
    assert off.returncode == 0 and not timer.exists() and recap(off.stdout)["web-01"]["changed"] == 1, off.stdout
    none_left = play(harden_schedule="off")
    assert none_left.returncode == 0 and recap(none_left.stdout)["web-01"]["changed"] == 0, "none left: nothing to do"


def test_the_playbook_passes_every_option_to_harden(tmp_path, make_root, collections):
    config = tmp_path / "config.toml"
    config.write_text('items = ["icc", "log-level"]\n')
    root = make_root("debian")
    inv = inventory(tmp_path, {"web-01": root}, harden_via="execstart", harden_live_restore=True, harden_recreate=True,
                    harden_no_restart=True, harden_containers=["web*", "label=tier=front"], harden_config=str(config),
                    harden_profile="cis", harden_fail_on="failing,high", harden_lang="zh")
    result = playbook(collections, inv, "-v", mode="dry-run")
    assert result.returncode == 0, result.stdout
    (cmd,) = [json.loads(found) for found in re.findall(r'"cmd": (\[[^\]]*\])', result.stdout) if '"apply"' in found]
    assert cmd[1:] == ["apply", "--dry-run", "--recreate", "--live-restore", "--no-restart", "--root", str(root),
                                   "--format", "json", "--only", ",".join(ITEMS), "--fail-on", "failing,high", "--container", "web*",
                                   "--container", "label=tier=front", "--profile", "cis",
                                   "--config", f"{root}/etc/hardener/config.toml", "--via", "execstart", "--lang", "zh"]
    report = json.loads((tmp_path / "reports/web-01.json").read_text())
    targets = {change["target"] for item in report["items"] for change in item["changes"]}
    assert any("docker.service.d" in target for target in targets), "--via execstart: the options go onto ExecStart"


def test_a_profile_file_on_the_controller_is_carried_to_each_host(tmp_path, make_root, collections):
    """harden_profile_src (the module's profile_src): the controller's examples/acme-docker.toml is read there and
    written by the module on the host into a directory of its own (root's, as harden wants a profile), and harden
    runs under it; no copy stays behind."""
    root = make_root("debian")
    inv = inventory(tmp_path, {"web-01": root}, harden_profile_src=str(CHECKOUT / "examples/acme-docker.toml"),
                    harden_only=["acme-daemon-json-0600", "acme-no-userland-proxy"])
    result = playbook(collections, inv, "-v", mode="dry-run")
    assert result.returncode == 0, result.stdout
    (cmd,) = [json.loads(found) for found in re.findall(r'"cmd": (\[[^\]]*\])', result.stdout) if '"apply"' in found]
    carried = cmd[cmd.index("--profile") + 1]
    assert carried.endswith("/profile.toml") and "/harden-profile-" in carried and not Path(carried).parent.exists(), carried
    report = json.loads((tmp_path / "reports/web-01.json").read_text())
    assert report["profile"] == "acme-docker" and [item["id"] for item in report["items"]] == ["acme-daemon-json-0600", "acme-no-userland-proxy"]
    both = inventory(tmp_path, {"web-01": root}, harden_profile="cis", harden_profile_src=str(CHECKOUT / "examples/acme-docker.toml"))
    refused = playbook(collections, both, mode="check")
    assert refused.returncode != 0 and "profile and profile_src name one profile two ways" in refused.stdout, refused.stdout


def test_the_module_s_command_line():
    spec = importlib.util.spec_from_file_location("harden_module", COLLECTION / "plugins/modules/harden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    params = dict(mode="rollback", run_id="20261129T101500Z-3f2a", root="/", executable="harden", only=None, skip=None, fail_on=None, profile=None,
                  containers=None, config=None, via=None, lang=None, recreate=False, live_restore=False, no_restart=False)
    assert module.command(params, check_mode=True)[0][1:4] == ["rollback", "--dry-run", "20261129T101500Z-3f2a"]
    assert module.command(params, check_mode=False)[0][1:4] == ["rollback", "--yes", "20261129T101500Z-3f2a"]
    check = dict(params, mode="check", recreate=True, live_restore=True)
    assert "--recreate" not in module.command(check, check_mode=False)[0], "apply's options go to apply alone"
    assert module.command(dict(check, lang="zh"), check_mode=False)[0][-2:] == ["--lang", "zh"]


def test_ansible_doc_prints_the_module(collections):
    shown = subprocess.run([BIN / "ansible-doc", "hardener.docker.harden"], capture_output=True, text=True,
                           env=ansible_env(collections))
    assert shown.returncode == 0, shown.stderr
    assert str(collections) in shown.stdout, "the installed collection's module"
    for option in ("mode", "profile", "recreate", "live_restore", "no_restart", "via", "containers", "config", "run_id", "EXAMPLES",
                   "RETURN"):
        assert option in shown.stdout, option


def test_ansible_test_sanity_passes(tmp_path):
    assert (ANSIBLE_TEST / "bin/ansible-test").exists(), f"{ANSIBLE_TEST}: scripts/setup-dev makes it"
    copy = tmp_path / "ansible_collections/hardener/docker"
    shutil.copytree(COLLECTION, copy, ignore=shutil.ignore_patterns("output", "__pycache__"))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    result = subprocess.run([ANSIBLE_TEST / "bin/ansible-test", "sanity", "--python", python, "--requirements"],
                            cwd=copy, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert 'Running sanity test "validate-modules"' in result.stdout + result.stderr


def test_installs_harden_from_its_bundle_into_a_clean_venv(tmp_path, make_root, bundle, collections):
    prefix = tmp_path / "target-venv"
    inv = inventory(tmp_path, {"fresh-01": make_root("centos")}, harden_install=True, harden_prefix=str(prefix),
                    harden_executable=str(prefix / "bin/harden"), harden_bundle=str(bundle),
                    harden_bundle_dir=str(tmp_path / "bundle-on-host"), harden_link="")
    result = playbook(collections, inv, mode="check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (prefix / "bin/harden").exists() and (tmp_path / "bundle-on-host" / bundle.name).exists()
    report = json.loads((tmp_path / "reports/fresh-01.json").read_text())
    assert report["command"] == "check" and report["items"]
    again = playbook(collections, inv, mode="check")
    assert "TASK [Install harden from the bundle" in again.stdout and "skipping: [fresh-01]" in again.stdout.split(
        "TASK [Install harden from the bundle")[1].split("TASK [")[0], "the same bundle is not installed again"


def test_a_first_run_from_an_empty_directory_keeps_its_reports_there(tmp_path, make_root, bundle, collections):
    """A new user's first run: harden installed on the host from the bundle by the play (into a prefix of the test's,
    not this machine's /opt), no report directory named, none made beforehand; the play makes harden-reports/ in
    the directory it is run from, with each host's report and the fleet page."""
    prefix = tmp_path / "target-venv"
    inv = inventory(tmp_path, {"web-01": make_root("debian")}, harden_install=True, harden_prefix=str(prefix),
                    harden_executable=str(prefix / "bin/harden"), harden_bundle=str(bundle),
                    harden_bundle_dir=str(tmp_path / "bundle-on-host"), harden_link="")
    data = json.loads(inv.read_text())
    del data["all"]["vars"]["harden_report_dir"]
    inv.write_text(json.dumps(data))
    empty = tmp_path / "empty"
    empty.mkdir()
    ran = playbook(collections, inv, cwd=empty)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert sorted(path.name for path in (empty / "harden-reports").iterdir()) == ["fleet.html", "web-01.json"]
    assert (prefix / "bin/harden").exists(), "installed by the play, from the bundle"
    home = tmp_path / "home"
    home.mkdir()
    by_sudo = playbook(collections, inv, cwd=empty, home=home)  # no PWD: sudo's reset environment, or cron's
    assert by_sudo.returncode == 0, by_sudo.stdout + by_sudo.stderr
    assert sorted(path.name for path in (home / "harden-reports").iterdir()) == ["fleet.html", "web-01.json"]


def test_check_mode_on_a_host_without_harden_installs_nothing(tmp_path, make_root, bundle, collections):
    """--check changes nothing on a fresh host: the bundle is not copied, harden not installed, and the preview, which
    needs the harden that is installed, is skipped and said to be; the report on the controller says why."""
    prefix = tmp_path / "target-venv"
    root = make_root("centos")
    start = hosts.snapshot(root)
    inv = inventory(tmp_path, {"fresh-01": root}, harden_install=True, harden_prefix=str(prefix),
                    harden_executable=str(prefix / "bin/harden"), harden_bundle=str(bundle),
                    harden_bundle_dir=str(tmp_path / "bundle-on-host"), harden_link="", harden_schedule="daily")
    checked = playbook(collections, inv, "--check", mode="apply")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"would install harden from {bundle.name}; preview skipped" in checked.stdout, checked.stdout
    assert not prefix.exists() and not (tmp_path / "bundle-on-host").exists() and hosts.snapshot(root) == start
    assert "skipping: [fresh-01]" in checked.stdout.split("TASK [Run harden")[1].split("TASK [")[0]
    report = json.loads((tmp_path / "reports/fresh-01.json").read_text())
    assert report["error"] == "harden is not on this host yet: --check would install it, and skipped the preview", report


def test_the_checkouts_playbook_runs_the_collections_play_from_its_directory(tmp_path):
    """playbooks/ at the top of the checkout: run there, its ansible.cfg finds the collection beside it (not
    through an installed copy or Python's path), and the play is the collection's, task for task."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    shipped = subprocess.run([BIN / "ansible-inventory", "-i", "inventory", "--list"], cwd=CHECKOUT / "playbooks", env=env,
                             capture_output=True, text=True)
    assert shipped.returncode == 0 and "docker_hosts" in json.loads(shipped.stdout)["all"]["children"], shipped.stderr
    listed = subprocess.run([BIN / "ansible-playbook", "-i", "localhost,", "harden.yml", "--list-tasks"], cwd=CHECKOUT / "playbooks",
                            env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    direct = subprocess.run([BIN / "ansible-playbook", "-i", "localhost,", str(COLLECTION / "playbooks/harden.yml"), "--list-tasks"],
                            cwd=tmp_path, env=dict(env, ANSIBLE_COLLECTIONS_PATH=str(CHECKOUT)), capture_output=True, text=True)
    assert direct.returncode == 0, direct.stderr
    assert listed.stdout.splitlines()[2:] == direct.stdout.splitlines()[2:] and "Install harden from its bundle" in listed.stdout
