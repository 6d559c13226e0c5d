"""dockerd's configuration read from fixture roots: units, drop-ins, environment files, daemon.json."""
import pytest

from conftest import run_harden

from hardener.facts.dockerd_config import DaemonJsonError, dockerd_config, go_bool, parse_flags
from hardener.facts.systemd import Word, drop_in_files, parse_unit
from hardener.facts.systemd_syntax import SyntaxFault, parse_exec
from hardener.host import Host, HostError


def write(root, path, text):
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def words(*texts):
    return [Word(text, "/x", 1) for text in texts]


def flags_of(config):
    return [(flag.name, flag.value) for flag in config.flags]


def test_stock_debian_unit(make_root):
    config = dockerd_config(Host(str(make_root("debian", compliant=True))))
    assert config.unit_file == "/lib/systemd/system/docker.service"
    assert config.command.argv == ["/usr/sbin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"]
    assert flags_of(config) == [("host", "fd://"), ("containerd", "/run/containerd/containerd.sock")]
    assert config.json == {"icc": False, "log-level": "info", "registry-mirrors": ["https://mirror.example.cn"]}


def test_docker_opts_from_the_environment_file_remember_where_they_were_written(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/default/docker", '# local\nDOCKER_OPTS="--iptables=false  --log-level=debug"\n')
    config = dockerd_config(Host(str(root)))
    assert flags_of(config)[-2:] == [("iptables", "false"), ("log-level", "debug")]
    word = config.flag("iptables").words[0]
    assert (word.path, word.line, word.variable) == ("/etc/default/docker", 2, "DOCKER_OPTS")


def test_rhel_options_and_dockerd_current(make_root):
    root = make_root("centos", compliant=True)
    unit = root / "usr/lib/systemd/system/docker.service"
    unit.write_text(unit.read_text().replace(
        "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
        "EnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd-current \\\n"
        "          --add-runtime docker-runc=/usr/libexec/docker/docker-runc-current \\\n          $OPTIONS"))
    write(root, "/etc/sysconfig/docker", "# /etc/sysconfig/docker\nOPTIONS='--selinux-enabled --log-driver=journald -s aufs'\n")
    config = dockerd_config(Host(str(root)))
    assert flags_of(config) == [("add-runtime", "docker-runc=/usr/libexec/docker/docker-runc-current"),
                                ("selinux-enabled", "true"), ("log-driver", "journald"), ("storage-driver", "aufs")]


def test_continuations_quotes_and_variables(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service.d/10-site.conf",
          "[Service]\n"
          'Environment="EXTRA=--label=a b" OPTS="--icc=false -l debug"\n'
          "ExecStart=\n"
          "ExecStart=-/usr/sbin/dockerd \\\n"
          "# a comment inside the continuation\n"
          "    --label \"x y\" --label='c#d' \\\n"
          "    ${EXTRA} $OPTS $UNSET --data-root=$$HOME\n")
    config = dockerd_config(Host(str(root)))
    assert config.command.prefixes == "-"
    assert config.command.argv == ["/usr/sbin/dockerd", "--label", "x y", "--label=c#d", "--label=a b",
                                   "--icc=false", "-l", "debug", "--data-root=$HOME"]
    assert config.command.setting.line == 4
    assert config.flag("log-level").value == "debug"
    assert config.flag("icc").words[0].variable == "OPTS"


def test_drop_ins_in_file_name_order_and_etc_hides_usr_lib(make_root):
    root = make_root("centos", compliant=True)
    write(root, "/usr/lib/systemd/system/docker.service.d/50-vendor.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --vendor\n")
    write(root, "/usr/lib/systemd/system/docker.service.d/override.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --hidden\n")
    write(root, "/etc/systemd/system/docker.service.d/override.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --debug\n")
    write(root, "/etc/systemd/system/docker.service.d/hardener.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --icc=false\n")
    write(root, "/etc/systemd/system/docker.service.d/notes.txt", "[Service]\nExecStart=/usr/bin/nothing\n")
    host = Host(str(root))
    assert drop_in_files(host, "docker.service") == [
        "/usr/lib/systemd/system/docker.service.d/50-vendor.conf",
        "/etc/systemd/system/docker.service.d/hardener.conf",
        "/etc/systemd/system/docker.service.d/override.conf",
    ]
    assert dockerd_config(host).command.argv == ["/usr/bin/dockerd", "--debug"], "override.conf sorts after hardener.conf"


def test_drop_ins_of_the_unit_its_prefixes_and_its_type_as_systemd_orders_them(make_root):
    """As systemd takes them (systemd.unit(5), src/shared/dropin.c): on each directory of the search path in turn,
    the unit's own directory then its prefixes' (foo-.service.d); after all of those, its type's (service.d) on each;
    a name in the first of those hides the same name further on; all in file-name order."""
    root = make_root("debian", compliant=True)
    write(root, "/usr/lib/systemd/system/service.d/10-all.conf", "[Service]\nEnvironment=ALL=1\n")
    write(root, "/usr/lib/systemd/system/service.d/20-hidden.conf", "[Service]\nEnvironment=TYPE=1\n")
    write(root, "/etc/systemd/system/service.d/30-etc.conf", "[Service]\nEnvironment=ETC=1\n")
    write(root, "/usr/lib/systemd/system/docker.service.d/20-hidden.conf", "[Service]\nEnvironment=OWN=1\n")
    write(root, "/etc/systemd/system/socket.d/40-sockets.conf", "[Socket]\nSocketMode=0666\n")
    write(root, "/etc/systemd/system/foo-.service.d/50-prefix.conf", "[Service]\nEnvironment=PREFIX=1\n")
    write(root, "/etc/systemd/system/foo-bar-.service.d/50-prefix.conf", "[Service]\nEnvironment=LONGER=1\n")
    host = Host(str(root))
    assert drop_in_files(host, "docker.service") == [
        "/lib/systemd/system/service.d/10-all.conf",
        "/lib/systemd/system/docker.service.d/20-hidden.conf",
        "/etc/systemd/system/service.d/30-etc.conf",
    ]
    assert drop_in_files(host, "docker.socket") == ["/etc/systemd/system/socket.d/40-sockets.conf"]
    assert drop_in_files(host, "foo-bar-baz.service")[-1] == "/etc/systemd/system/foo-bar-.service.d/50-prefix.conf"
    assert drop_in_files(host, "foo-x.service")[-1] == "/etc/systemd/system/foo-.service.d/50-prefix.conf"
    assert drop_in_files(host, "foo.service")[-1] == "/etc/systemd/system/service.d/30-etc.conf"
    write(root, "/etc/systemd/system/service.d/25-x.conf", "[Service]\nEnvironment=TYPE_IN_ETC=1\n")
    write(root, "/usr/lib/systemd/system/docker.service.d/25-x.conf", "[Service]\nEnvironment=OWN_IN_USR=1\n")
    assert "/lib/systemd/system/docker.service.d/25-x.conf" in drop_in_files(host, "docker.service"), \
        "the unit's own name in /usr/lib hides the type's in /etc"
    write(root, "/usr/lib/systemd/system/foo-x.service.d/50-prefix.conf", "[Service]\nEnvironment=OWN_IN_USR=1\n")
    assert drop_in_files(host, "foo-x.service")[-1] == "/etc/systemd/system/foo-.service.d/50-prefix.conf", \
        "a prefix's in /etc hides the unit's own in /usr/lib"


def test_full_override_in_etc(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/systemd/system/docker.service", "[Service]\nExecStart=/usr/sbin/dockerd --iptables=false\n")
    config = dockerd_config(Host(str(root)))
    assert config.unit_file == "/etc/systemd/system/docker.service" and flags_of(config) == [("iptables", "false")]


def test_merged_usr_drop_ins_are_read_once(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/usr/lib/systemd/system/docker.service.d/a.conf", "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -D\n")
    assert drop_in_files(Host(str(root)), "docker.service") == ["/lib/systemd/system/docker.service.d/a.conf"]


def test_missing_environment_files(make_root):
    root = make_root("debian", compliant=True)
    (root / "etc/default/docker").unlink()
    assert dockerd_config(Host(str(root))).command is not None, "EnvironmentFile=- is optional"
    write(root, "/etc/systemd/system/docker.service.d/env.conf", "[Service]\nEnvironmentFile=/etc/docker/env\n")
    with pytest.raises(HostError, match="/etc/docker/env, named by EnvironmentFile= in .*env.conf:2, does not exist") as raised:
        dockerd_config(Host(str(root)))
    assert (raised.value.reason, raised.value.evidence["path"]) == ("unit_no_environment_file", "/etc/docker/env")
    zh = run_harden("check", "--root", root, "--only", "icc", "--lang", "zh").out
    assert "env.conf:2 中 EnvironmentFile= 指定的 /etc/docker/env 不存在；该服务无法启动" in zh, zh


@pytest.mark.parametrize("args, parsed", [
    (["-D"], [("debug", "true", "-D")]),
    (["--debug", "-l", "info"], [("debug", "true", "--debug"), ("log-level", "info", "-l info")]),
    (["-ldebug", "--log-level", "warn"], [("log-level", "debug", "-ldebug"), ("log-level", "warn", "--log-level warn")]),
    (["--icc=false", "--iptables=false", "--icc", "-s", "aufs"],
     [("icc", "false", "--icc=false"), ("iptables", "false", "--iptables=false"), ("icc", "true", "--icc"), ("storage-driver", "aufs", "-s aufs")]),
    (["--storage-driver=aufs", "-H", "unix:///x.sock", "--graph", "/data"],
     [("storage-driver", "aufs", "--storage-driver=aufs"), ("host", "unix:///x.sock", "-H unix:///x.sock"), ("data-root", "/data", "--graph /data")]),
    (["-D=false", "-H=tcp://1.2.3.4:2375"], [("debug", "false", "-D=false"), ("host", "tcp://1.2.3.4:2375", "-H=tcp://1.2.3.4:2375")]),
    # grouped shorthands: booleans first, the last one takes the rest of the word or the next word
    (["-Dl", "info"], [("debug", "true", "-Dl"), ("log-level", "info", "-Dl info")]),
    (["-Dlinfo", "-DG=docker"], [("debug", "true", "-Dlinfo"), ("log-level", "info", "-Dlinfo"), ("debug", "true", "-DG=docker"),
                                 ("group", "docker", "-DG=docker")]),
    # booleans by Go's ParseBool, given with "=" only
    (["-D=t", "--iptables=0", "--icc=F", "--live-restore=1", "--userland-proxy=FALSE", "--ip-forward=maybe"],
     [("debug", "true", "-D=t"), ("iptables", "false", "--iptables=0"), ("icc", "false", "--icc=F"), ("live-restore", "true", "--live-restore=1"),
      ("userland-proxy", "false", "--userland-proxy=FALSE"), ("ip-forward", "maybe", "--ip-forward=maybe")]),
    (["--iptables", "false"], [("iptables", "true", "--iptables")]),
    # not flags: an argument, a lone dash
    (["dockerd", "-", "-D"], [("debug", "true", "-D")]),
    # a value flag takes the next word whatever it is, and at the end has none
    (["--label", "-x=1", "-l"], [("label", "-x=1", "--label -x=1"), ("log-level", "", "-l")]),
    # a flag this reader does not know (a newer dockerd's) is a boolean where a flag follows it, else takes the next word
    (["--new-switch", "-D", "--new-option", "value", "-x", "--new-last"],
     [("new-switch", "true", "--new-switch"), ("debug", "true", "-D"), ("new-option", "value", "--new-option value"),
      ("x", "true", "-x"), ("new-last", "", "--new-last")]),
])
def test_flag_forms(args, parsed):
    assert [(flag.name, flag.value, " ".join(word.text for word in flag.words)) for flag in parse_flags(words(*args))] == parsed


@pytest.mark.parametrize("written, read", [*((value, "true") for value in ("1", "t", "T", "TRUE", "true", "True")),
                                           *((value, "false") for value in ("0", "f", "F", "FALSE", "false", "False")),
                                           ("yes", "yes"), ("", ""), ("tRUE", "tRUE")])
def test_booleans_are_read_by_go_rules(written, read):
    assert go_bool(written) == read


def test_daemon_json_empty_invalid_linked_and_conflicting(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/docker/daemon.json", "")
    assert dockerd_config(Host(str(root))).json == {}
    write(root, "/etc/docker/daemon.json", '{\n  "icc": false,\n  "log-level": "info",\n}\n')
    with pytest.raises(DaemonJsonError, match=r"daemon.json \(in .*\):4:1: not valid JSON"):
        dockerd_config(Host(str(root)))
    (root / "etc/docker/daemon.json").unlink()
    write(root, "/srv/config/daemon.json", '{"log-level": "debug", "debug": true}')
    (root / "etc/docker/daemon.json").symlink_to("/srv/config/daemon.json")
    write(root, "/etc/default/docker", 'DOCKER_OPTS="--log-level=info"\n')
    config = dockerd_config(Host(str(root)))
    assert config.json == {"log-level": "debug", "debug": True}
    assert config.conflicts() == ["log-level"]


def test_config_file_flag_moves_daemon_json(make_root):
    root = make_root("debian", compliant=True)
    write(root, "/etc/default/docker", 'DOCKER_OPTS="--config-file /etc/docker/prod.json"\n')
    write(root, "/etc/docker/prod.json", '{"icc": false}')
    config = dockerd_config(Host(str(root)))
    assert (config.json_path, config.json) == ("/etc/docker/prod.json", {"icc": False})


def test_unit_syntax_errors_name_the_line():
    with pytest.raises(HostError, match=r"/u:3: not a \[Section\], a comment or a KEY=VALUE line inside a section: .nonsense."):
        parse_unit("[Service]\nType=notify\nnonsense\n", "/u")
    with pytest.raises(SyntaxFault, match="unbalanced quoting"):
        parse_exec('/usr/sbin/dockerd --label "a b')


def test_the_unix_sockets_a_dockerd_listens_on_are_read_from_the_kernels_tables(tmp_path):
    """Its descriptors' socket inodes, looked up in its network namespace's unix table; dockerd's own sockets in its
    exec-root (metrics, libnetwork) serve no Engine API and are no Docker socket to mount."""
    import os

    from hardener.facts.dockerd_process import _internal, listening_sockets
    from hardener.host import Host

    fds = tmp_path / "proc/4242/fd"
    fds.mkdir(parents=True)
    for number, target in enumerate(("socket:[111]", "socket:[222]", "/dev/null", "socket:[333]", "socket:[444]")):
        os.symlink(target, fds / str(number))
    (tmp_path / "proc/4242/net").mkdir()
    (tmp_path / "proc/4242/net/unix").write_text(
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 111 /run/user/1000/docker.sock\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 222 /run/docker/metrics.sock\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 333 @/containerd-shim/abc.sock\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 555 /run/other.sock\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 444\n")
    found = listening_sockets(Host(str(tmp_path)), 4242)
    assert found == ["/run/user/1000/docker.sock", "/run/docker/metrics.sock"], "not another process's, nor an abstract one"
    assert [path for path in found if not _internal(path)] == ["/run/user/1000/docker.sock"]


def test_one_systemctl_show_of_several_units_is_parted_in_the_order_asked():
    """systemctl show's answer for two units (as systemd 252 and 257 give it: a block each, an empty line between,
    a unit not found too)."""
    from hardener.facts.units import properties_by_unit

    answer = ("LoadState=loaded\nFragmentPath=/lib/systemd/system/docker.service\n\n"
              "LoadState=not-found\nFragmentPath=\n")
    assert properties_by_unit(answer, ("docker.service", "docker.socket")) == {
        "docker.service": {"LoadState": "loaded", "FragmentPath": "/lib/systemd/system/docker.service"},
        "docker.socket": {"LoadState": "not-found", "FragmentPath": ""}}
    assert properties_by_unit("", ("docker.service",)) == {}


@pytest.mark.parametrize("value, commands", [
    ("/usr/bin/dockerd -H fd:// ; /bin/echo a\tb ",
     [("", True, [("/usr/bin/dockerd", "/usr/bin/dockerd", 0), ("-H", "-H", 17), ("fd://", "fd://", 20)]),
      ("", True, [("/bin/echo", "/bin/echo", 28), ("a", "a", 38), ("b", "b", 40)])]),
    ("/bin/x ;\t \t/bin/y", [("", True, [("/bin/x", "/bin/x", 0)]), ("", True, [("/bin/y", "/bin/y", 11)])]),
    ("-/bin/true \\; x \\;", [("-", True, [("/bin/true", "-/bin/true", 0), (";", "\\;", 11), ("x", "x", 14), (";", "\\;", 16)])]),
    ("/bin/x \\;\t\tz", [("", True, [("/bin/x", "/bin/x", 0), (";", "\\;", 7), ("z", "z", 11)])]),
    ("/bin/x \\;y z", [("", True, [("/bin/x", "/bin/x", 0), ("\\;y", "\\;y", 7), ("z", "z", 11)])]),
    ("/bin/x a\\; b", [("", True, [("/bin/x", "/bin/x", 0), ("a\\;", "a\\;", 7), ("b", "b", 11)])]),
    ("@/usr/bin/dockerd dockerd -D", [("@", True, [("dockerd", "dockerd", 18), ("-D", "-D", 26)])]),
    (":+/bin/x $A", [(":+", False, [("/bin/x", ":+/bin/x", 0), ("$A", "$A", 9)])]),
    ("/bin/a;b ; !/bin/c", [("", True, [("/bin/a;b", "/bin/a;b", 0)]), ("!", True, [("/bin/c", "!/bin/c", 11)])]),
    ('true  "a b"  ', [("", True, [("true", "true", 0), ("a b", '"a b"', 6)])]),
    (" ; /bin/x;", [("", True, [("/bin/x;", "/bin/x;", 3)])]),
    ("/bin/x ;", [("", True, [("/bin/x", "/bin/x", 0)])]),
    ("/bin/x ;; /bin/y", [("", True, [("/bin/x", "/bin/x", 0), (";;", ";;", 7), ("/bin/y", "/bin/y", 10)])]),
    ('"/opt/my app/run" -x', [("", True, [("/opt/my app/run", '"/opt/my app/run"', 0), ("-x", "-x", 18)])]),  # a space is no special character
    ("/usr/bin/Xvfb :1", [("", True, [("/usr/bin/Xvfb", "/usr/bin/Xvfb", 0), (":1", ":1", 14)])]),
    ("/bin/x\xa0 -D", [("", True, [("/bin/x\xa0", "/bin/x\xa0", 0), ("-D", "-D", 8)])]),  # systemd's whitespace only: no NBSP
    ("/bin/x a\x0b b", [("", True, [("/bin/x", "/bin/x", 0), ("a\x0b", "a\x0b", 7), ("b", "b", 10)])]),  # \v is no separator
    # a command with "-" that systemd cannot read ends the value there: the commands before it stay
    ("-rel/x ; /bin/y", []),
    ("/bin/y ; -/bin/x \"unterminated", [("", True, [("/bin/y", "/bin/y", 0)])]),
    # the rest refuse the unit, saying why
    ("/bin/x ; rel/x", "neither a valid executable name nor an absolute path: 'rel/x'"),
    ("bin/x", "neither a valid executable name nor an absolute path: 'bin/x'"),
    ("..", "neither a valid executable name nor an absolute path: '..'"),
    (".", "neither a valid executable name nor an absolute path: '.'"),
    ("/bin/x \"unterminated", "unbalanced quoting in '/bin/x \"unterminated'"),
    ('""', "empty path in command line '\"\"'"),
    ("/bin/", "executable path specifies a directory: '/bin/'"),
    ("/bin/\\x01", "executable path contains special characters: '/bin/\\x01'"),
    ("@/bin/x", "empty executable name or zeroeth argument in '@/bin/x'"),
])
def test_exec_values_word_by_word(value, commands):
    """parse_exec's words as written (raw, where) besides as systemd reads them: harden edits a unit's flags in place."""
    if isinstance(commands, str):
        with pytest.raises(SyntaxFault) as raised:
            parse_exec(value)
        assert str(raised.value) == commands
        return
    assert [(command.prefixes, command.substitute, [tuple(word) for word in command.words]) for command in parse_exec(value)] == commands
