"""icc, log-level, iptables, no-aufs on fixture roots: the files are the truth
under --root, and every change lands where the setting was written."""
import shutil
import subprocess

import pytest

import hosts
from hardener.engine import Selection, evaluate
from hardener.fixes import all_fixes
from hardener.options import Options
from hardener.host import Host
from hardener.model import RestartService, Status, WriteFile

DAEMON = ("icc", "log-level", "iptables", "no-aufs")
DEFAULT_OPTS = "/etc/default/docker"


def evaluate_daemon(root, items=DAEMON):
    selection = Selection(fixes=tuple(f for f in all_fixes() if f.id in items), named=frozenset())
    return {result.fix.id: result for result in evaluate(Host(str(root)), selection, Options())}


def planned_files(results):
    files = {}
    for result in results.values():
        for change in result.changes:
            assert isinstance(change, WriteFile), "no restart under --root"
            assert files.get(change.path, change.content) == change.content, "items share one edit of a file"
            files[change.path] = change.content
    return files


def write(root, path, text):
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def test_no_daemon_json_gets_one_with_icc_off(make_root):
    root = make_root("debian", compliant=True)
    (root / "etc/docker/daemon.json").unlink()
    results = evaluate_daemon(root)
    assert (results["icc"].status, results["icc"].reason) == (Status.FAIL, "icc_enabled")
    assert results["icc"].findings[0].evidence == {"option": "icc", "value": "true", "where": "default"}
    assert {item: r.status for item, r in results.items()} == {
        "icc": Status.FAIL, "log-level": Status.PASS, "iptables": Status.PASS, "no-aufs": Status.PASS}
    assert planned_files(results) == {"/etc/docker/daemon.json": '{\n    "icc": false\n}\n'}
    assert any("--link" in note.en for note in results["icc"].notes), "the plan says what icc=false stops"


def test_debug_in_daemon_json_is_taken_out_and_the_rest_kept(make_root):
    results = evaluate_daemon(make_root("debian"))  # daemon.json: debug true, no icc
    assert (results["log-level"].status, results["log-level"].reason) == (Status.FAIL, "debug_on")
    assert planned_files(results) == {"/etc/docker/daemon.json":
        '{\n    "registry-mirrors": ["https://mirror.example.cn"],\n    "icc": false,\n    "log-level": "info"\n}\n'}


def test_flags_in_docker_opts_are_removed_from_that_variable(make_root):
    root = make_root("debian", compliant=True)
    original = (root / "etc/default/docker").read_text()
    write(root, DEFAULT_OPTS, original + 'DOCKER_OPTS="--dns 10.0.0.2 --iptables=false --log-level=debug"\n')
    results = evaluate_daemon(root)
    assert results["iptables"].findings[0].evidence["where"] == f"{DEFAULT_OPTS}:13 $DOCKER_OPTS"
    assert results["log-level"].reason == "flag_and_json", "daemon.json says log-level too: dockerd would refuse to start"
    files = planned_files(results)
    assert files[DEFAULT_OPTS] == original + 'DOCKER_OPTS="--dns 10.0.0.2"\n'
    assert set(files) == {DEFAULT_OPTS}, "daemon.json already says icc false, log-level info"


def test_flags_in_a_drop_in_are_removed_there(make_root):
    root = make_root("centos", compliant=True)
    drop_in = "/etc/systemd/system/docker.service.d/override.conf"
    write(root, drop_in, "# ours\n[Service]\nLimitNOFILE=65536\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// \\\n"
                         "   --iptables=false --label \"team=a b\" -D\n")
    files = planned_files(evaluate_daemon(root))
    assert files[drop_in] == ('# ours\n[Service]\nLimitNOFILE=65536\nExecStart=\n'
                              'ExecStart=/usr/bin/dockerd -H fd:// --label "team=a b"\n')
    assert set(files) == {drop_in}


def test_flags_in_the_package_unit_are_overridden_by_a_drop_in(make_root):
    root = make_root("centos", compliant=True)
    unit = root / "usr/lib/systemd/system/docker.service"
    unit.write_text(unit.read_text().replace("--containerd=/run/containerd/containerd.sock",
                                             "--containerd=/run/containerd/containerd.sock --iptables=false"))
    files = planned_files(evaluate_daemon(root))
    drop_in = files["/etc/systemd/system/docker.service.d/zz-hardener.conf"]
    assert "ExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n" in drop_in
    assert drop_in.startswith("# Written by harden") and "pins this command line" in drop_in
    assert "/usr/lib/systemd/system/docker.service" not in files


def test_a_drop_in_anywhere_on_systemds_search_path_counts_and_one_made_anew_is_overridden_not_edited(make_root):
    """`systemctl set-property` writes drop-ins to /etc/systemd/system.control, ahead of /etc/systemd/system; a
    generator's are made anew at each daemon-reload, so the fix is a drop-in of ours over them, theirs left as it is."""
    root = make_root("centos", compliant=True)
    control = "/etc/systemd/system.control/docker.service.d/50-flags.conf"
    write(root, control, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    results = evaluate_daemon(root)
    assert results["iptables"].status is Status.FAIL, results["iptables"]
    assert planned_files(results)[control] == "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n"

    generated = make_root("centos", compliant=True)
    remade = "/run/systemd/generator/docker.service.d/50-flags.conf"
    write(generated, remade, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    files = planned_files(evaluate_daemon(generated))
    assert remade not in files, files
    assert "ExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n" in files["/etc/systemd/system/docker.service.d/zz-hardener.conf"]


def test_a_drop_in_every_service_takes_counts_and_is_overridden_not_edited(make_root):
    """service.d/ (systemd.unit(5)'s drop-ins of a unit type) is read for docker.service as systemd reads it; a flag
    there is fixed by a drop-in of ours, as editing it would change every service."""
    root = make_root("centos", compliant=True)
    shared = "/etc/systemd/system/service.d/50-flags.conf"
    write(root, shared, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    results = evaluate_daemon(root)
    assert results["iptables"].status is Status.FAIL, results["iptables"]
    files = planned_files(results)
    assert shared not in files, files
    assert "ExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n" in files["/etc/systemd/system/docker.service.d/zz-hardener.conf"]

    read_last = make_root("centos", compliant=True)  # one systemd reads after harden's zz-hardener.conf: ours would not win
    write(read_last, "/etc/systemd/system/service.d/zzz-flags.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    results = evaluate_daemon(read_last)
    assert results["iptables"].status is Status.ERROR and not results["iptables"].changes, results["iptables"]
    said = results["iptables"].findings[0].evidence["message"]
    assert said.startswith("/etc/systemd/system/service.d/zzz-flags.conf:3 (in ") and "so its ExecStart= would still be the one run; " \
        "change it there by hand" in said, said


def test_option_both_as_flag_and_in_daemon_json_is_resolved(make_root):
    root = make_root("debian", compliant=True)
    write(root, DEFAULT_OPTS, 'DOCKER_OPTS="--log-level=info"\n')
    results = evaluate_daemon(root)
    assert (results["log-level"].status, results["log-level"].reason) == (Status.FAIL, "flag_and_json")
    assert planned_files(results) == {DEFAULT_OPTS: 'DOCKER_OPTS=""\n'}


def test_icc_with_iptables_off_fixes_iptables_too(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", '{"iptables": false}')
    results = evaluate_daemon(root, items=("icc",))
    assert planned_files(results) == {"/etc/docker/daemon.json": '{"icc": false}'}
    assert any("iptables" in note.en for note in results["icc"].notes)


def test_aufs_configured_but_empty_is_removed_and_in_use_is_manual(make_root):
    root = make_root("debian", compliant=True)
    write(root, DEFAULT_OPTS, 'DOCKER_OPTS="-s aufs"\n')
    results = evaluate_daemon(root, items=("no-aufs",))
    assert (results["no-aufs"].status, results["no-aufs"].reason) == (Status.FAIL, "aufs_configured")
    assert planned_files(results) == {DEFAULT_OPTS: 'DOCKER_OPTS=""\n'}
    write(root, "/var/lib/docker/aufs/diff/3f2a/etc/hostname", "x\n")
    results = evaluate_daemon(root, items=("no-aufs",))
    assert (results["no-aufs"].status, results["no-aufs"].reason) == (Status.MANUAL, "aufs_in_use")
    assert results["no-aufs"].changes == ()


def test_invalid_daemon_json_is_one_line_and_changes_nothing(make_root, harden):
    root = make_root("debian")
    write(root, "/etc/docker/daemon.json", '{\n  "icc": false,\n}\n')
    start = hosts.snapshot(root)
    result = harden("apply", "--yes", "--root", root)
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert "daemon.json" in result.err and ":3:1: not valid JSON" in result.err
    zh = harden("check", "--root", root, "--lang", "zh").out
    assert "daemon.json (in " in zh and ":3:1：不是有效的 JSON（" in zh and "not valid JSON" not in zh, zh
    assert hosts.snapshot(root) == start


def test_without_docker_not_applicable(make_root):
    results = evaluate_daemon(make_root(layout=hosts.without_docker()))
    assert {r.status for r in results.values()} == {Status.NOT_APPLICABLE}


def test_live_plan_ends_with_one_restart(make_root):
    """Not under --root: a Host on the live root would restart; the combined plan says so once."""
    from hardener.planners.dockerd import DockerdOption, plan_options
    from hardener.facts.dockerd_config import dockerd_config

    root = make_root("debian")
    host = Host(str(root))
    host.live = True  # what the planner sees on a live host; nothing is run here
    changes = plan_options(host, dockerd_config(host), [DockerdOption(json_set={"icc": False}), DockerdOption(json_remove=("debug",))],
                           ("icc", "log-level"))
    assert [type(c) for c in changes] == [WriteFile, RestartService]
    assert changes[-1] == RestartService("docker", "docker.service", reload_units=False, items=("icc", "log-level"))


def evaluate_via_execstart(root, items=DAEMON):
    selection = Selection(fixes=tuple(f for f in all_fixes() if f.id in items), named=frozenset())
    return {r.fix.id: r for r in evaluate(Host(str(root)), selection, Options(via="execstart"))}


def test_via_execstart_over_the_package_unit_writes_a_drop_in(make_root):
    files = planned_files(evaluate_via_execstart(make_root("debian")))  # daemon.json: debug true
    drop_in = files["/etc/systemd/system/docker.service.d/zz-hardener.conf"]
    assert ("ExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS "
            "--icc=false --log-level=info\n") in drop_in
    assert "pins this command line" in drop_in
    assert files["/etc/docker/daemon.json"] == '{\n    "registry-mirrors": ["https://mirror.example.cn"]\n}\n', \
        "debug goes, and nothing is set twice"


def test_via_execstart_edits_an_existing_override(make_root):
    root = make_root("centos", compliant=True)
    override = "/etc/systemd/system/docker.service.d/override.conf"
    write(root, override, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -D\n")
    write(root, "/etc/docker/daemon.json", '{"registry-mirrors": ["https://m"]}\n')
    files = planned_files(evaluate_via_execstart(root))
    assert files == {override: "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --icc=false --log-level=info\n"}


def test_daemon_options_in_the_config(make_root, harden):
    root = make_root("debian")
    write(root, "/etc/hardener/config.toml", 'daemon_options = "execstart"\n')
    preview = harden("--dry-run", "--root", root, "--only", "icc")
    assert "+ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS --icc=false" in preview.out
    write(root, "/etc/hardener/config.toml", 'daemon_options = "flags"\n')
    assert "daemon_options is one of daemon-json, execstart" in harden("check", "--root", root).err


def test_a_drop_in_directory_harden_makes_is_gone_after_rollback(make_root, harden):
    root = make_root("debian")
    assert not (root / "etc/systemd/system/docker.service.d").exists()
    start = hosts.snapshot(root)
    applied = harden("apply", "--yes", "--root", root, "--via", "execstart", "--only", "icc,log-level")
    assert applied.code == 0, applied
    assert (root / "etc/systemd/system/docker.service.d/zz-hardener.conf").exists()
    assert harden("check", "--root", root, "--only", "icc,log-level").code == 0
    assert harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def test_daemon_json_that_is_a_link_is_edited_where_it_leads(make_root, harden):
    root = make_root("debian")
    target = root / "srv/config/daemon.json"
    target.parent.mkdir(parents=True)
    (root / "etc/docker/daemon.json").rename(target)
    (root / "etc/docker/daemon.json").symlink_to("/srv/config/daemon.json")
    start = hosts.snapshot(root)
    assert harden("apply", "--yes", "--root", root, "--only", "icc,log-level").code == 0
    assert (root / "etc/docker/daemon.json").is_symlink()
    assert '"icc": false' in target.read_text()
    assert harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def test_flags_in_a_full_override_unit_are_removed_there(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service", "[Unit]\nDescription=ours\n[Service]\nExecStart=/usr/sbin/dockerd -H fd:// --iptables=false\n")
    files = planned_files(evaluate_daemon(root))
    assert files == {"/etc/systemd/system/docker.service": "[Unit]\nDescription=ours\n[Service]\nExecStart=/usr/sbin/dockerd -H fd://\n"}


# -- what dockerd or systemd would refuse is never a pass ------------------------

WRONG_TYPES = [  # (daemon.json, the key, what dockerd wants)
    ('{"icc": "false"}', "icc", "a boolean (true or false)"),
    ('{"iptables": "false"}', "iptables", "a boolean (true or false)"),
    ('{"debug": "true"}', "debug", "a boolean (true or false)"),
    ('{"live-restore": 1}', "live-restore", "a boolean (true or false)"),
    ('{"log-level": true}', "log-level", "a string"),
    ('{"icc": false, "mtu": 1.5}', "mtu", "an integer"),
]


@pytest.mark.parametrize("text, key, wanted", WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_an_error_never_a_pass(make_root, harden, text, key, wanted):
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", text + "\n")
    start = hosts.snapshot(root)
    results = evaluate_daemon(root)
    for result in results.values():
        assert (result.status, result.reason) == (Status.ERROR, "daemon_json_type"), result
        assert result.findings[0].evidence["key"] == key and result.findings[0].evidence["wanted"] == wanted
    check = harden("check", "--root", root, "--only", ",".join(DAEMON))
    assert check.code == 1 and "[pass]" not in check.out, check
    assert "dockerd will not start with this file" in check.out
    zh = harden("check", "--root", root, "--only", ",".join(DAEMON), "--lang", "zh").out
    assert f'"{key}" 为' in zh and "dockerd 无法以此文件启动" in zh and "wants" not in zh and " a " not in zh, zh
    applied = harden("apply", "--yes", "--root", root, "--only", ",".join(DAEMON))
    assert applied.code == 1 and applied.err.count("\n") == 1 and "Traceback" not in applied.err, applied
    assert hosts.snapshot(root) == start


@pytest.mark.parametrize("text, key, wanted", WRONG_TYPES)
def test_dockerd_itself_refuses_those_values(tmp_path, text, key, wanted):
    """The real dockerd of this machine, in namespaces of its own, on a config of its own:
    it must stop at the configuration, before it starts anything."""
    config = tmp_path / "daemon.json"
    config.write_text(text)
    command = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", shutil.which("dockerd"),
               "--config-file", str(config), "--data-root", str(tmp_path / "data"), "--exec-root", str(tmp_path / "exec"),
               "--pidfile", str(tmp_path / "pid"), "-H", f"unix://{tmp_path}/sock"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()  # --kill-child takes dockerd with it
            process.wait()
    assert process.returncode != 0
    assert f"Config.{key} of type" in output, output


def test_null_is_accepted_as_dockerd_accepts_it(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", '{"icc": false, "log-level": null}\n')
    assert evaluate_daemon(root)["icc"].status is Status.PASS


@pytest.mark.parametrize("drop_in, reason", [
    ("[Service]\nExecStart=/usr/sbin/dockerd --iptables=false\n", "unit_many_exec_start"),
    ("[Service]\nExecStart=\n", "unit_no_exec_start"),
])
def test_a_unit_systemd_refuses_is_an_error_with_file_and_line(make_root, harden, drop_in, reason):
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service.d/override.conf", drop_in)
    start = hosts.snapshot(root)
    results = evaluate_daemon(root)
    for result in results.values():
        assert (result.status, result.reason) == (Status.ERROR, reason), result
        assert result.findings[0].evidence["where"] == "/etc/systemd/system/docker.service.d/override.conf:2"
    check = harden("check", "--root", root, "--all")
    assert check.code == 1 and "systemd refuses to start it" in check.out and "Traceback" not in check.err, check
    assert "[pass] file-permissions" in check.out, "the other items go on"
    assert hosts.snapshot(root) == start


def test_an_empty_drop_in_is_a_unit_with_no_assignments(make_root, harden):
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service.d/override.conf", "")
    results = evaluate_daemon(root)
    assert {r.status for r in results.values()} == {Status.PASS}
    assert harden("check", "--root", root, "--only", ",".join(DAEMON)).code == 0


def test_a_masked_unit_is_not_applicable_whatever_the_root_has_at_dev_null(make_root, harden):
    root = make_root("debian", compliant=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system/docker.service").symlink_to("/dev/null")
    assert not (root / "dev/null").exists()
    results = evaluate_daemon(root)
    assert {(r.status, r.reason) for r in results.values()} == {(Status.NOT_APPLICABLE, "masked")}
    check = harden("check", "--root", root, "--format", "json", "--only", ",".join(DAEMON + ("file-permissions",)))
    assert check.code == 0, check
    permissions = next(item for item in check.json["items"] if item["id"] == "file-permissions")
    assert {"target": "docker.service", "reason": "masked"}.items() <= permissions["findings"][0].items()


def test_a_quoted_value_that_spans_lines_is_read_as_systemd_reads_it(make_root, harden):
    """systemd keeps reading a double-quoted value across newlines: dockerd gets --iptables=false."""
    root = make_root("debian", compliant=True)
    write(root, DEFAULT_OPTS, 'DOCKER_OPTS="--debug\n  --iptables=false"\n')
    results = evaluate_daemon(root)
    assert (results["iptables"].status, results["iptables"].reason) == (Status.FAIL, "iptables_disabled")
    assert results["iptables"].findings[0].evidence["where"] == f"{DEFAULT_OPTS}:1 $DOCKER_OPTS"
    assert harden("apply", "--yes", "--root", root, "--only", ",".join(DAEMON)).code == 0
    assert (root / DEFAULT_OPTS.lstrip("/")).read_text() == 'DOCKER_OPTS=""\n', "the whole assignment, both lines, rewritten"
    assert harden("check", "--root", root, "--only", ",".join(DAEMON)).code == 0


@pytest.mark.parametrize("flags, item, status", [
    ("--iptables=0", "iptables", Status.FAIL), ("--iptables=f", "iptables", Status.FAIL),   # were false passes
    ("--debug=t", "log-level", Status.FAIL), ("-Dl info", "log-level", Status.FAIL),
    ("-l info", "log-level", Status.PASS), ("-linfo", "log-level", Status.PASS), ("-l=info", "log-level", Status.PASS),
    ("--icc=f", "icc", Status.PASS), ("--icc=FALSE", "icc", Status.PASS), ("--icc=1", "icc", Status.FAIL),  # were false failures
    ("--debug=0", "log-level", Status.PASS), ("-D=false", "log-level", Status.PASS),
])
def test_boolean_flags_are_read_as_pflag_and_go_read_them(make_root, flags, item, status):
    """dockerd's booleans by Go's ParseBool (1 t T TRUE true True / 0 f F FALSE false False), and shorthands
    grouped as pflag groups them (-Dl info is -D, then -l info)."""
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", "{}\n")
    write(root, "/etc/systemd/system/docker.service.d/flags.conf",
          f"[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// {flags}\n")
    assert evaluate_daemon(root, (item,))[item].status is status


@pytest.mark.parametrize("flags", ["-DG docker", "-Dsoverlay2"])
def test_a_flag_grouped_with_others_is_not_taken_out_with_them(make_root, flags):
    """Taking out -D of `-DG docker` would take out -G and leave `docker` as an argument dockerd refuses:
    the finding is manual and says where, and apply changes nothing there."""
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service.d/flags.conf", f"[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// {flags}\n")
    result = evaluate_daemon(root, ("log-level",))["log-level"]
    assert result.status is Status.MANUAL and result.findings[0].reason == "flag_grouped" and result.changes == (), result


DOCKERD = "/usr/sbin/dockerd"


@pytest.mark.parametrize("flags", ["--iptables false", "--debug false", "-D false", "--icc=false stray"])
def test_a_word_that_is_no_flag_is_a_unit_dockerd_will_not_start_with(make_root, flags, tmp_path):
    """`--iptables false` is --iptables, then an argument: this machine's dockerd refuses it ("accepts no
    argument(s)", before it reads anything else); every daemon item says so, none passes, apply changes nothing."""
    import subprocess

    refused = subprocess.run([DOCKERD, *flags.split(), "--data-root", str(tmp_path / "data"), "--pidfile", str(tmp_path / "pid"),
                              "-H", f"unix://{tmp_path}/sock"], capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0 and "accepts no argument" in refused.stderr + refused.stdout, refused
    assert not (tmp_path / "data").exists(), "it stopped before it did anything"
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service.d/flags.conf", f"[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// {flags}\n")
    results = evaluate_daemon(root, ("iptables", "log-level", "icc"))
    for item, result in results.items():
        assert result.status is Status.MANUAL and result.changes == (), (item, result)
        finding = result.findings[0]
        assert finding.reason == "not_an_option" and finding.evidence["word"] == flags.split()[-1], (item, finding)
        assert finding.evidence["in_unit"] == "/etc/systemd/system/docker.service.d/flags.conf:3", finding


def test_flags_with_their_values_leave_no_argument(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", "{}\n")
    write(root, "/etc/systemd/system/docker.service.d/flags.conf",
          "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --ip-forward-no-drop -H fd:// --log-level info -l info "
          "--a-newer-boolean --iptables=true -G docker\n")  # a boolean harden does not know takes not the flag after it
    assert all(result.status is Status.PASS for result in evaluate_daemon(root, ("iptables", "log-level")).values())
