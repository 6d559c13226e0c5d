"""The daemon recommendations of the cis profile (CIS 2.x) on fixture roots: each
passing, failing and where a text match would be fooled; the fixes go through
the dockerd planner, in daemon.json or on ExecStart."""
import json

import pytest

from conftest import run_harden

DROP_IN = "etc/systemd/system/docker.service.d/10-site.conf"


def host(make_root, daemon_json=None, flags=""):
    root = make_root("debian", compliant=True)
    if daemon_json is not None:
        (root / "etc/docker/daemon.json").write_text(json.dumps(daemon_json) + "\n")
    if flags:
        (root / DROP_IN).parent.mkdir(parents=True, exist_ok=True)
        (root / DROP_IN).write_text(f"[Service]\n# ExecStart=/usr/bin/dockerd --experimental\nExecStart=\n"
                                    f"ExecStart=/usr/sbin/dockerd -H fd:// {flags}\n")
    return root


def item(root, item_id, codes=(0, 2)):
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", item_id, "--format", "json")
    assert result.code in codes, result
    (found,) = result.json["items"]
    return found


def finding(root, item_id):
    found = item(root, item_id)
    return found["findings"][0]["status"], found["findings"][0]["reason"]


@pytest.mark.parametrize("item_id, passing, failing, status", [
    ("experimental", {}, {"experimental": True}, "fail"),
    ("live-restore", {"live-restore": True}, {"labels": ["live-restore=true"]}, "fail"),
    ("daemon-no-new-privileges", {"no-new-privileges": True}, {}, "fail"),
    ("userland-proxy", {"userland-proxy": False}, {"labels": ["userland-proxy=false"]}, "fail"),
    ("insecure-registries", {"registry-mirrors": ["http://10.0.0.5:5000"]}, {"insecure-registries": ["10.0.0.5:5000"]}, "fail"),
    ("no-devicemapper", {"storage-driver": "overlay2"}, {"storage-driver": "devicemapper"}, "manual"),
    ("userns-remap", {"userns-remap": "default"}, {"labels": ["userns-remap=default"]}, "manual"),
    ("authorization-plugin", {"authorization-plugins": ["opa-docker-authz"]}, {}, "manual"),
    ("remote-logging", {"log-driver": "syslog", "log-opts": {"syslog-address": "udp://10.0.0.9:514"}},
     {"log-driver": "syslog", "log-opts": {"syslog-address": "unix:///dev/log"}}, "manual"),
    ("cgroup-parent", {}, {"cgroup-parent": "/docker-jobs"}, "manual"),
    ("base-device-size", {"storage-opts": ["overlay2.size=10G"]}, {"storage-opts": ["dm.basesize=20G"]}, "manual"),
    ("seccomp-profile", {"seccomp-profile": "/etc/docker/seccomp.json"}, {"seccomp-profile": "unconfined"}, "manual"),
])
def test_pass_and_fail_in_daemon_json(make_root, item_id, passing, failing, status):
    assert finding(host(make_root, passing), item_id)[0] == "pass"
    assert finding(host(make_root, failing), item_id)[0] == status


def test_flags_count_and_a_flag_in_a_comment_does_not(make_root):
    assert finding(host(make_root, {}, flags=""), "experimental")[0] == "pass"
    root = host(make_root, {}, flags="--experimental")
    assert finding(root, "experimental") == ("fail", "option_value")
    assert finding(host(make_root, {}, flags="--insecure-registry=10.1.1.1:5000"), "insecure-registries")[0] == "fail"


def test_a_value_of_the_wrong_type_is_an_error_not_a_pass(make_root):
    root = host(make_root, {"live-restore": "yes"})
    found = item(root, "live-restore", codes=(1,))
    assert found["status"] == "error" and "dockerd wants a boolean" in found["findings"][0]["message"]


def test_automatic_fixes_go_in_one_daemon_json_edit(make_root):
    root = host(make_root, {"experimental": True, "log-level": "info"})
    result = run_harden("--dry-run", "--root", root, "--profile", "cis", "--only", "experimental,live-restore", "--format", "json")
    changes = [change for found in result.json["items"] for change in found["changes"]]
    (write,) = changes
    assert write["target"] == "/etc/docker/daemon.json"
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "experimental,live-restore")
    assert applied.code == 0, applied
    assert json.loads((root / "etc/docker/daemon.json").read_text()) == {"log-level": "info", "live-restore": True}
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert json.loads((root / "etc/docker/daemon.json").read_text()) == {"experimental": True, "log-level": "info"}


def test_when_named_items_wait_to_be_named(make_root):
    root = host(make_root, {"insecure-registries": ["10.0.0.5:5000"]})
    whole = run_harden("--dry-run", "--root", root, "--profile", "cis", "--format", "json").json
    by_id = {found["id"]: found for found in whole["items"]}
    for item_id in ("insecure-registries", "daemon-no-new-privileges", "userland-proxy"):
        assert (by_id[item_id]["status"], by_id[item_id]["reason"]) == ("manual", "apply_only_when_named")
    assert by_id["live-restore"]["status"] == "fail" and by_id["experimental"]["status"] == "pass"
    named = run_harden("--dry-run", "--root", root, "--profile", "cis", "--only", "insecure-registries", "--format", "json").json
    (found,) = named["items"]
    assert found["status"] == "fail" and "Pulls from and pushes to these registries fail" in " ".join(found["notes"])


def test_live_restore_stays_in_daemon_json_with_execstart(make_root):
    root = host(make_root, {}, flags="--experimental")
    result = run_harden("--dry-run", "--root", root, "--profile", "cis", "--only", "experimental,live-restore,userland-proxy",
                        "--via", "execstart", "--format", "json")
    changes = {change["target"]: change for found in result.json["items"] for change in found["changes"]}
    assert '+{"live-restore": true}' in changes["/etc/docker/daemon.json"]["diff"], "a reload reads only daemon.json"
    drop_in = changes[f"/{DROP_IN}"]["diff"]
    assert "--userland-proxy=false" in drop_in and "+ExecStart=/usr/sbin/dockerd -H fd:// --userland-proxy=false" in drop_in


def test_tls_on_tcp_sockets(make_root):
    assert finding(host(make_root, {}), "tls-auth")[0] == "not_applicable"
    assert finding(host(make_root, {}, flags="-H tcp://0.0.0.0:2375"), "tls-auth") == ("manual", "tcp_without_tls")
    verified = host(make_root, {"tlsverify": True, "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem",
                                "tlskey": "/etc/docker/key.pem"}, flags="-H tcp://0.0.0.0:2376")
    assert finding(verified, "tls-auth")[0] == "pass"
    both = host(make_root, {"hosts": ["tcp://0.0.0.0:2376"]})
    assert finding(both, "tls-auth") == ("manual", "flag_and_json"), "hosts in daemon.json with -H fd://: dockerd refuses to start"


def test_every_section_2_recommendation_has_its_item():
    listed = run_harden("list", "--profile", "cis", "--format", "json").json["recommendations"]
    section_2 = {r["cis"]: r["items"] for r in listed if r["cis"].startswith("2.")}
    assert len(section_2) == 19 and all(len(items) == 1 for items in section_2.values()), section_2


SOCKET_DROP_IN = "etc/systemd/system/docker.socket.d/listen.conf"


@pytest.mark.parametrize("listen, served", [
    ("ListenStream=0.0.0.0:2375", "tcp://0.0.0.0:2375"),
    ("ListenStream=2375", "tcp://*:2375"),  # a port alone: every address
    ("ListenStream=[::]:2375", "tcp://[::]:2375"),
    ("ListenStream=\nListenStream=192.0.2.7:2375", "tcp://192.0.2.7:2375"),  # the empty one resets the unit's path
    ("ListenStream=vsock:2:2375", "vsock://2:2375"),
])
def test_tcp_sockets_docker_socket_hands_over_are_served(make_root, listen, served):
    """2.8 with -H fd://: dockerd serves what docker.socket listens on, which a drop-in can make TCP."""
    root = host(make_root, {})
    (root / SOCKET_DROP_IN).parent.mkdir(parents=True)
    (root / SOCKET_DROP_IN).write_text(f"[Socket]\n{listen}\n")
    found = item(root, "tls-auth")["findings"][0]
    assert (found["status"], found["reason"]) == ("manual", "tcp_without_tls"), found
    assert served in found["evidence"]["addresses"].split(", ")
    assert f"/{SOCKET_DROP_IN}:" in found["evidence"]["where"], found


def test_the_unix_socket_docker_socket_hands_over_is_no_tcp(make_root):
    assert finding(host(make_root, {}), "tls-auth") == ("not_applicable", "no_tcp")
    root = host(make_root, {})
    (root / SOCKET_DROP_IN).parent.mkdir(parents=True)
    (root / SOCKET_DROP_IN).write_text("[Socket]\nListenStream=0.0.0.0:2375\nListenStream=\nListenStream=/run/docker.sock\n")
    assert finding(root, "tls-auth") == ("not_applicable", "no_tcp"), "the empty ListenStream= took the TCP one out"


DPKG_STATUS = ("Package: docker-ce\nStatus: deinstall ok config-files\nVersion: 5:19.03.15~3-0~debian-buster\n\n"
               "Package: docker.io\nStatus: install ok installed\nPriority: optional\nVersion: {version}\n"
               "Description: Linux container runtime\n Docker complements kernel namespacing\n")


@pytest.mark.parametrize("data, installed, item_id, expected", [
    (["aufs/diff/0123"], None, "no-aufs", ("manual", "aufs_in_use")),  # the release unknown: the older rules
    (["aufs/diff/0123"], "20.10.24+dfsg1-1+b3", "no-aufs", ("manual", "aufs_in_use")),  # 20.10 takes the prior driver's data
    (["aufs/diff/0123"], "26.1.5+dfsg1-9+b9", "no-aufs", ("pass", "compliant")),  # 24+ have no aufs: its data is not seen
    (["devicemapper/metadata/base"], "20.10.24+dfsg1-1+b3", "no-devicemapper", ("manual", "devicemapper")),
    (["devicemapper/metadata/base"], "25.0.0-1", "no-devicemapper", ("pass", "compliant")),
    (["overlay2/l/ABC"], None, "no-aufs", ("pass", "compliant")),
    (["aufs/diff/0123", "overlay2/l/ABC"], "20.10.24+dfsg1-1+b3", "no-aufs", ("manual", "several_drivers")),  # refuses to choose
    (["aufs/diff/0123", "overlay2/l/ABC"], "20.10.24+dfsg1-1+b3", "no-devicemapper", ("pass", "compliant")),
    (["aufs/diff/0123", "overlay2/l/ABC"], "26.1.5+dfsg1-9+b9", "no-aufs", ("pass", "compliant")),
])
def test_with_no_driver_configured_the_one_whose_data_is_there_is_judged(make_root, data, installed, item_id, expected):
    """2.6 and 2.7: nothing configures storage-driver, and the data root holds a prior driver's data, judged by the
    rules of the engine release dpkg has installed (test_daemon_lab runs both releases' dockerd on it)."""
    root = host(make_root, {})
    for path in data:
        (root / "var/lib/docker" / path).mkdir(parents=True)
    if installed:
        (root / "var/lib/dpkg").mkdir(parents=True, exist_ok=True)
        (root / "var/lib/dpkg/status").write_text(DPKG_STATUS.format(version=installed))
    found = item(root, item_id)["findings"][0]
    assert (found["status"], found["reason"]) == expected, found
    if expected[1] == "several_drivers":
        assert found["evidence"]["where"] == "the data in /var/lib/docker: aufs, overlay2", found
    elif expected[0] == "manual":
        assert found["evidence"]["where"] == f"the data in /var/lib/docker/{data[0].split('/')[0]}", found


def test_the_engine_release_from_this_machines_dockerd_and_dpkg():
    import subprocess

    from hardener.facts.engine_version import PACKAGES, from_dockerd_version
    from hardener.facts.packages import installed_release

    said = subprocess.run(["dockerd", "--version"], capture_output=True, text=True, check=True).stdout
    with open("/var/lib/dpkg/status") as status:
        installed = installed_release(status.read(), PACKAGES)
    assert installed is not None and installed >= (20, 10) and from_dockerd_version(said) == installed, (said, installed)


def test_what_answers_the_engine_api_plainly_now_is_a_finding_whatever_the_files_say():
    """2.8 on a configuration that asks for TLS (or that dockerd would refuse), while the running dockerd answers
    over plain HTTP (facts.dockerd_process.plain_api_addresses): the answer is the finding."""
    from hardener.facts.dockerd_config import DockerdConfig
    from hardener.fixes.tls_auth import TlsAuth
    from hardener.host import Host
    from hardener.options import Options

    answering = ("tcp://0.0.0.0:2375",)
    for json_settings in ({"tlsverify": True, "tlscacert": "/ca.pem"}, {"hosts": ["tcp://0.0.0.0:2375"]}, {}):
        config = DockerdConfig(None, None, (), "/etc/docker/daemon.json", json.dumps(json_settings), json_settings, plain_api=answering)
        finding, intent = TlsAuth(Options()).judge(Host("/"), config)
        assert (finding.status.value, finding.reason, finding.evidence["answers_without_tls"]) == \
            ("manual", "answers_without_tls", "tcp://0.0.0.0:2375"), (json_settings, finding)
        assert intent is None
