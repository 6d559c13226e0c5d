"""The dockerd configuration reader, in process, over fixture roots: daemon.json's types as dockerd's struct takes
them, the sockets docker.socket hands dockerd, and what a running dockerd got (its /proc, under a root a tree of
files like any other: its command line, when it started, and whether daemon.json changed since)."""
import json
import os
import time

import pytest

from hardener.facts.dockerd_config import (DaemonJsonError, DockerdConfig, Flag, activation_addresses, check_types, config_from,
                                           config_of, dockerd_config, listen_address, live_restore_on, load_daemon_json,
                                           running_config, running_from, running_of)
from hardener.facts.systemd import Command, Part, Word, load_unit
from hardener.host import Host, HostError


def write(root, path, text, mode=0o644):
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode() if isinstance(text, str) else text)
    os.chmod(target, mode)
    return target


@pytest.fixture
def root(make_root):
    return make_root("debian", compliant=True)


@pytest.fixture
def host(root):
    return Host(str(root))


# -- daemon.json's types ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key, value, found, wanted", [
    ("icc", "false", "a string", "a boolean (true or false)"),
    ("icc", 0, "an integer", "a boolean (true or false)"),
    ("log-level", True, "a boolean (true or false)", "a string"),
    ("log-level", ["info"], "a list of strings", "a string"),
    ("mtu", "1500", "a string", "an integer"),
    ("mtu", 1500.5, "a number", "an integer"),
    ("hosts", "unix:///run/docker.sock", "a string", "a list of strings"),
    ("hosts", ["unix:///run/docker.sock", 1], "a list", "a list of strings"),
    ("log-opts", ["max-size=1m"], "a list of strings", "an object"),
    ("labels", {"a": "b"}, "an object", "a list of strings"),
    ("shutdown-timeout", False, "a boolean (true or false)", "an integer"),
])
def test_a_member_of_the_wrong_type_is_said_as_dockerd_would_refuse_it(host, key, value, found, wanted):
    with pytest.raises(DaemonJsonError) as raised:
        check_types(host, "/etc/docker/daemon.json", {"debug": True, key: value})
    shown = f"/etc/docker/daemon.json (in {host.root})"
    assert str(raised.value) == (f'{shown}: "{key}" is {found} ({json.dumps(value)}), but dockerd wants {wanted}; '
                                 "dockerd will not start with this file")
    assert (raised.value.reason, raised.value.target) == ("daemon_json_type", key)
    assert raised.value.evidence == {"path": shown, "key": key, "found": found, "value": json.dumps(value), "wanted": wanted}


def test_every_member_is_judged_past_those_harden_does_not_know():
    with pytest.raises(DaemonJsonError, match='"icc" is a string'):
        check_types(Host("/"), "/etc/docker/daemon.json", {"features": {"x": True}, "mtu": None, "icc": "false"})


@pytest.mark.parametrize("settings", [
    {"icc": False, "log-level": "info", "mtu": 1500, "hosts": [], "log-opts": {}, "labels": ["a=b"]},
    {"icc": None, "mtu": None},  # null: dockerd leaves the default
    {"unknown-to-harden": 1.5, "features": {"buildkit": True}},
])
def test_members_of_their_types_and_unknown_members_pass(host, settings):
    check_types(host, "/etc/docker/daemon.json", settings)


def test_daemon_json_is_read_in_file_order_and_its_faults_are_said(root, host):
    write(root, "/etc/docker/daemon.json", '{"log-level": "info", "icc": false, "debug": true}')
    text, settings = load_daemon_json(host, "/etc/docker/daemon.json")
    assert text == '{"log-level": "info", "icc": false, "debug": true}' and list(settings) == ["log-level", "icc", "debug"]
    write(root, "/etc/docker/daemon.json", "  \n")
    assert load_daemon_json(host, "/etc/docker/daemon.json") == ("  \n", {})
    assert load_daemon_json(host, "/etc/docker/none.json") == (None, {})
    write(root, "/etc/docker/daemon.json", '["icc"]')
    with pytest.raises(DaemonJsonError) as raised:
        load_daemon_json(host, "/etc/docker/daemon.json")
    assert str(raised.value) == f"/etc/docker/daemon.json (in {root}): not a JSON object; dockerd will not start with it either"
    assert (raised.value.reason, raised.value.target) == ("daemon_json_not_object", "/etc/docker/daemon.json")
    assert raised.value.evidence == {"path": f"/etc/docker/daemon.json (in {root})"}
    write(root, "/etc/docker/daemon.json", '{\n "icc": false,,\n}')
    with pytest.raises(DaemonJsonError) as raised:
        load_daemon_json(host, "/etc/docker/daemon.json")
    assert str(raised.value) == (f"/etc/docker/daemon.json (in {root}):2:15: not valid JSON: Expecting property name enclosed in "
                                 "double quotes; dockerd will not start with it either")
    assert (raised.value.reason, raised.value.target) == ("daemon_json_invalid", "/etc/docker/daemon.json")
    assert raised.value.evidence == {"path": f"/etc/docker/daemon.json (in {root})", "line": 2, "column": 15,
                                     "error": "Expecting property name enclosed in double quotes"}
    write(root, "/etc/docker/daemon.json", '{"icc": "no"}')
    with pytest.raises(DaemonJsonError) as raised:
        load_daemon_json(host, "/etc/docker/daemon.json")
    assert str(raised.value) == (f'/etc/docker/daemon.json (in {root}): "icc" is a string ("no"), but dockerd wants a boolean '
                                 "(true or false); dockerd will not start with this file")


def test_a_user_s_daemon_json_is_read_only_while_it_is_theirs(root, host):
    write(root, "/home/admin/.config/docker/daemon.json", '{"icc": false}')
    for path in ("home/admin", "home/admin/.config", "home/admin/.config/docker", "home/admin/.config/docker/daemon.json"):
        os.chown(root / path, 1000, 1000)
    assert load_daemon_json(host, "/home/admin/.config/docker/daemon.json", 1000) == ('{"icc": false}', {"icc": False})
    os.chown(root / "home/admin/.config/docker/daemon.json", 0, 0)
    with pytest.raises(HostError):
        load_daemon_json(host, "/home/admin/.config/docker/daemon.json", 1000)
    assert load_daemon_json(host, "/home/admin/.config/docker/daemon.json") == ('{"icc": false}', {"icc": False})


# -- what the unit gives ---------------------------------------------------------------------------------------------


def config(flags=(), json_settings=None, command=None):
    return DockerdConfig("/lib/systemd/system/docker.service", command, tuple(Flag(name, value, ()) for name, value in flags),
                         "/etc/docker/daemon.json", None, json_settings or {})


def test_the_last_flag_given_wins_and_a_flag_not_given_is_none():
    found = config([("log-level", "info"), ("icc", "false"), ("log-level", "debug")])
    assert found.flag("log-level").value == "debug" and found.flag("debug") is None


def test_conflicts_are_the_options_set_both_ways_by_their_json_names():
    found = config([("log-level", "info"), ("host", "fd://"), ("label", "a=b"), ("icc", "false")],
                   {"log-level": "debug", "hosts": ["unix:///run/docker.sock"], "labels": ["c=d"], "debug": True})
    assert found.conflicts() == ["host", "label", "log-level"]
    assert config([("host", "fd://")], {"host": "x"}).conflicts() == []


def command(*texts):
    words = [Word(text, "/lib/systemd/system/docker.service", 12) for text in texts]
    return Command(tuple(Part(word.text, (word,)) for word in words), "", None)


@pytest.mark.parametrize("argv, runs", [
    (("/usr/sbin/dockerd", "-H", "fd://"), True),
    (("dockerd-current",), True),
    (("/usr/bin/dockerd-rootless.sh",), True),
    (("/etc/init.d/docker", "start"), False),
    (("dockerd", "--debug"), True),  # a bare name, which systemd finds on its PATH
    (("/usr/sbin/dockerd.sh",), False),
    ((), False),
])
def test_whether_a_unit_runs_dockerd_itself(argv, runs):
    assert config(command=command(*argv) if argv else None).runs_dockerd is runs
    assert config(command=command(*argv)).runs_dockerd is runs


def test_the_words_that_are_neither_a_flag_nor_its_value_are_arguments(root, host):
    write(root, "/etc/systemd/system/docker.service.d/args.conf",
          "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd first --iptables false -H fd:// stray\n")
    found = dockerd_config(host)
    assert [word.text for word in found.arguments()] == ["first", "false", "stray"]
    assert config(command=command("/etc/init.d/docker", "start")).arguments() == []


def test_a_host_without_docker_service_has_no_dockerd_configuration(tmp_path):
    assert dockerd_config(Host(str(tmp_path))) is None


def test_an_unit_that_runs_something_else_gives_no_flags_and_the_default_daemon_json(root, host):
    write(root, "/etc/systemd/system/docker.service", "[Service]\nExecStart=/etc/init.d/docker start --config-file /x.json\n")
    found = dockerd_config(host)
    assert (found.flags, found.json_path, found.json) == ((), "/etc/docker/daemon.json", {
        "icc": False, "log-level": "info", "registry-mirrors": ["https://mirror.example.cn"]})
    assert found.unit_file == "/etc/systemd/system/docker.service"


def test_a_config_file_flag_names_the_daemon_json_read(root, host):
    write(root, "/etc/default/docker", 'DOCKER_OPTS="--config-file=/srv/d.json --config-file /srv/e.json"\n')
    write(root, "/srv/d.json", '{"debug": true}')
    write(root, "/srv/e.json", '{"icc": true}')
    found = dockerd_config(host)
    assert (found.json_path, found.json, found.json_text) == ("/srv/e.json", {"icc": True}, '{"icc": true}')  # as pflag: the last


def test_config_from_a_user_s_unit_reads_only_their_own_daemon_json(root, host):
    write(root, "/home/admin/.config/systemd/user/docker.service", "[Service]\nExecStart=/usr/bin/dockerd-rootless.sh --debug\n")
    write(root, "/home/admin/.config/docker/daemon.json", '{"icc": false}')
    for path in ("home/admin", "home/admin/.config", "home/admin/.config/docker", "home/admin/.config/docker/daemon.json",
                 "home/admin/.config/systemd", "home/admin/.config/systemd/user",
                 "home/admin/.config/systemd/user/docker.service"):
        os.chown(root / path, 1000, 1000)
    unit = load_unit(host, "docker.service", ["/home/admin/.config/systemd/user"], user=1000)
    found = config_from(host, unit, "/home/admin/.config/docker/daemon.json")
    assert (found.user, found.json, [(flag.name, flag.value) for flag in found.flags]) == (1000, {"icc": False}, [("debug", "true")])
    os.chown(root / "home/admin/.config/docker/daemon.json", 0, 0)
    with pytest.raises(HostError) as raised:
        config_from(host, unit, "/home/admin/.config/docker/daemon.json")
    assert str(raised.value) == (f"admin's rootless dockerd names /home/admin/.config/docker/daemon.json (in {root}), which is not "
                                 "admin's alone (/home/admin/.config/docker/daemon.json is root:root 0644); harden neither reads nor "
                                 "changes it")


# -- docker.socket ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, address", [
    ("/run/docker.sock", "unix:///run/docker.sock"),
    ("%t/docker.sock", "unix:///run/docker.sock"),
    ("/run/100%%.sock", "unix:///run/100%.sock"),
    ("@docker", "unix://@docker"),
    ("vsock:2:2375", "vsock://2:2375"),
    ("2375", "tcp://*:2375"),
    (" 2375 ", "tcp://*:2375"),
    ("0.0.0.0:2375", "tcp://0.0.0.0:2375"),
    ("[::]:2375", "tcp://[::]:2375"),
    ("127.0.0.1:2376", "tcp://127.0.0.1:2376"),
])
def test_a_listen_stream_value_as_the_address_dockerd_serves(value, address):
    assert listen_address(value) == address


def test_the_sockets_docker_socket_hands_dockerd_and_where_each_is_written(root, host):
    assert activation_addresses(host) == (("unix:///run/docker.sock", "/lib/systemd/system/docker.socket:7"),)
    write(root, "/etc/systemd/system/docker.socket.d/tcp.conf", "[Socket]\nListenStream=\nListenStream=2375\nListenStream=[::1]:2376\n")
    assert activation_addresses(host) == (("unix:///run/docker.sock", "/lib/systemd/system/docker.socket:7"),), \
        "the unit is read once a run"
    host.forget_facts()  # as apply does after each change
    assert activation_addresses(host) == (("tcp://*:2375", "/etc/systemd/system/docker.socket.d/tcp.conf:3"),
                                          ("tcp://[::1]:2376", "/etc/systemd/system/docker.socket.d/tcp.conf:4"))
    assert dockerd_config(host).activation == activation_addresses(host)
    os.unlink(root / "usr/lib/systemd/system/docker.socket")
    host.forget_facts()
    assert activation_addresses(host) == ()


# -- what a running dockerd got --------------------------------------------------------------------------------------


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def running(root, pid=4321, argv=("/usr/sbin/dockerd", "-H", "fd://", "--debug"), started_ago=100.0):
    """A dockerd's /proc under the root: its command line, and a start `started_ago` seconds since, by the clock
    ticks since boot in its stat and the boot's age in /proc/uptime."""
    write(root, f"/proc/{pid}/cmdline", b"\0".join(arg.encode() for arg in argv) + b"\0")
    uptime = 5000.0
    start_ticks = int((uptime - started_ago) * CLOCK_TICKS)
    fields = ["S"] + ["0"] * 18 + [str(start_ticks)] + ["0"] * 10
    write(root, f"/proc/{pid}/stat", f"{pid} (dockerd) {' '.join(fields)}\n")
    write(root, "/proc/uptime", f"{uptime:.2f} 9000.00\n")
    return pid


def aged(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_running_dockerd_s_command_line_and_the_daemon_json_it_loaded(root, host):
    pid = running(root)
    aged(root / "etc/docker/daemon.json", 200)
    found = running_from(host, pid, "/etc/docker/daemon.json")
    assert [(flag.name, flag.value) for flag in found.flags] == [("host", "fd://"), ("debug", "true")]
    assert found.flags[0].words == (Word("-H", f"/proc/{pid}/cmdline", 0), Word("fd://", f"/proc/{pid}/cmdline", 0))
    assert (found.unit_file, found.command, found.json_path, found.json_known, found.user, found.plain_api) == (
        None, None, "/etc/docker/daemon.json", True, None, ())
    assert found.json == {"icc": False, "log-level": "info", "registry-mirrors": ["https://mirror.example.cn"]}
    assert found.json_text == (root / "etc/docker/daemon.json").read_text()


def test_a_daemon_json_changed_since_dockerd_started_is_not_known_to_be_what_it_loaded(root, host):
    pid = running(root, started_ago=100.0)
    aged(root / "etc/docker/daemon.json", 50)
    found = running_from(host, pid, "/etc/docker/daemon.json")
    assert (found.json_known, found.json) == (False, {})
    assert found.json_text == (root / "etc/docker/daemon.json").read_text()
    os.unlink(root / f"proc/{pid}/stat")  # when it started is not known: neither is what it loaded
    aged(root / "etc/docker/daemon.json", 200)
    assert running_from(host, pid, "/etc/docker/daemon.json").json_known is False
    os.unlink(root / "etc/docker/daemon.json")  # no file: nothing to have changed
    assert running_from(host, pid, "/etc/docker/daemon.json").json_known is True


def test_the_config_file_a_running_dockerd_was_given(root, host):
    pid = running(root, argv=("dockerd", "--config-file", "/srv/first.json", "--config-file", "/srv/daemon.json"))
    write(root, "/srv/daemon.json", '{"live-restore": true}')
    aged(root / "srv/daemon.json", 300)
    found = running_from(host, pid, "/etc/docker/daemon.json")
    assert (found.json_path, found.json) == ("/srv/daemon.json", {"live-restore": True})


def test_a_command_line_that_is_not_utf8_is_read_as_far_as_it_is(root, host):
    pid = running(root)
    write(root, f"/proc/{pid}/cmdline", b"dockerd\0--label\0caf\xc3\0--debug\0")
    assert [(flag.name, flag.value) for flag in running_from(host, pid, "/etc/docker/daemon.json").flags] == [
        ("label", "caf\ufffd"), ("debug", "true")]


def test_the_addresses_a_running_dockerd_serves_without_tls_are_its_own(root, host, monkeypatch):
    import hardener.facts.dockerd_config as reader

    asked = []
    monkeypatch.setattr(reader, "plain_api_addresses", lambda host_, pid: asked.append((host_, pid)) or ("tcp://0.0.0.0:2375",))
    pid = running(root)
    assert running_from(host, pid, "/etc/docker/daemon.json").plain_api == ("tcp://0.0.0.0:2375",) and asked == [(host, pid)]


def test_a_dockerd_gone_or_without_a_command_line_gives_nothing(root, host):
    assert running_from(host, 4321, "/etc/docker/daemon.json") is None
    write(root, "/proc/4321/cmdline", b"")
    assert running_from(host, 4321, "/etc/docker/daemon.json") is None
    write(root, "/proc/4321/cmdline", b"\0\0")
    assert running_from(host, 4321, "/etc/docker/daemon.json") is None
    (root / "proc/4321/cmdline").unlink()
    (root / "proc/4321/cmdline").mkdir()
    assert running_from(host, 4321, "/etc/docker/daemon.json") is None


def test_a_user_s_running_dockerd_reads_only_their_own_daemon_json(root, host):
    pid = running(root, argv=("dockerd", "--config-file", "/home/admin/d.json"))
    write(root, "/home/admin/d.json", '{"icc": false}')
    os.chown(root / "home/admin", 1000, 1000)
    with pytest.raises(HostError) as raised:
        running_from(host, pid, "/etc/docker/daemon.json", user=1000)
    assert str(raised.value) == (f"admin's rootless dockerd names /home/admin/d.json (in {root}), which is not admin's alone "
                                 "(/home/admin/d.json is root:root 0644); harden neither reads nor changes it")
    os.chown(root / "home/admin/d.json", 1000, 1000)
    assert running_from(host, pid, "/etc/docker/daemon.json", user=1000).user == 1000


class LiveTree(Host):
    """A tree read as the live host is: the running dockerd asked of its /run/docker.pid and /proc."""

    def __init__(self, root):
        super().__init__(str(root))
        self.live = True


def test_the_running_dockerd_is_the_one_its_pid_file_names(root, monkeypatch):
    import hardener.facts.dockerd_config as reader

    monkeypatch.setattr(reader, "plain_api_addresses", lambda host, pid: ())
    live = LiveTree(root)
    assert running_config(live) is None, "no pid file"
    pid = running(root, pid=777, argv=("/usr/sbin/dockerd", "-H", "fd://", "--live-restore"))
    write(root, "/run/docker.pid", "777\n")
    aged(root / "etc/docker/daemon.json", 300)
    found = running_config(live)
    assert [(flag.name, flag.value) for flag in found.flags] == [("host", "fd://"), ("live-restore", "true")]
    assert found.flags[0].words[0].path == f"/proc/{pid}/cmdline" and found.json["icc"] is False
    assert found.activation == (("unix:///run/docker.sock", "/lib/systemd/system/docker.socket:7"),)
    assert running_of(live) is running_of(live) and running_of(live).flag("live-restore").value == "true"


def test_the_next_start_s_configuration_beside_the_addresses_the_running_dockerd_serves(root, monkeypatch):
    import hardener.facts.dockerd_config as reader

    asked = []
    monkeypatch.setattr(reader, "plain_api_addresses", lambda host, pid: asked.append(pid) or ("tcp://0.0.0.0:2375",))
    live = LiveTree(root)
    assert dockerd_config(live).plain_api == () and asked == [], "no dockerd runs: nothing asked"
    running(root, pid=777)
    write(root, "/run/docker.pid", "777\n")
    assert dockerd_config(live).plain_api == ("tcp://0.0.0.0:2375",) and asked == [777]
    assert dockerd_config(Host(str(root))).plain_api == () and asked == [777], "under --root nothing runs"


def test_under_a_root_no_dockerd_runs_and_each_fact_is_read_once(root, host):
    running(root)
    write(root, "/run/docker.pid", "4321\n")
    assert running_config(host) is None and running_of(host) is None
    first = config_of(host)
    write(root, "/etc/docker/daemon.json", '{"debug": true}')
    assert config_of(host) is first and dockerd_config(host).json == {"debug": True}


@pytest.mark.parametrize("running_settings, configured, on", [
    (None, None, False),
    (config([("live-restore", "true")]), None, True),
    (config(json_settings={"live-restore": True}), None, True),
    (config(json_settings={"live-restore": False}), config(json_settings={"live-restore": True}), True),
    (None, config(json_settings={"live-restore": True}), True),
    (None, config([("live-restore", "false")], {"live-restore": True}), False),
    (config([("live-restore", "True")]), None, True),
    (config(json_settings={"live-restore": "true"}), None, True),
    (config(), config(), False),
])
def test_live_restore_is_on_where_the_running_dockerd_or_the_next_one_has_it(running_settings, configured, on):
    assert live_restore_on(running_settings, configured) is on


def test_every_json_type_a_finding_names_is_said_in_chinese():
    """The types daemon.json's members have and dockerd wants are harden's own words, said in the report's language."""
    from hardener.facts.dockerd_config import JSON_TYPES, _json_type
    from hardener.i18n import OWN_VALUES

    named = set(JSON_TYPES.values()) | {_json_type(value) for value in (True, 1, "s", ["a"], [1], {}, 1.5)}
    assert named <= set(OWN_VALUES), named - set(OWN_VALUES)
