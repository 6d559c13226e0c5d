"""The create request a recreation sends, built from an inspect as the engine answers it (no engine here:
tests/test_recreate_options.py sends them to Docker 20.10 and 26)."""
import copy

import pytest

from hardener.facts.containers import Container
from hardener.host import Host
from hardener.planners.recreate import create_request, engine_made_mac

RUNNING = {  # docker inspect of a running container on Docker 26 (API 1.45), cut to what the request reads
    "Id": "a" * 64, "Name": "/web", "Image": "sha256:" + "b" * 64,
    "Config": {"Image": "busybox", "Hostname": "aaaaaaaaaaaa", "MacAddress": "", "Cmd": ["sleep", "100"]},
    "HostConfig": {"NetworkMode": "front", "Binds": None},
    "Mounts": [],
    "NetworkSettings": {"Networks": {
        "front": {"IPAMConfig": None, "Aliases": None, "MacAddress": "02:42:c6:12:07:02", "IPAddress": "198.18.7.2",
                  "NetworkID": "n1", "EndpointID": "e1", "Gateway": "198.18.7.1", "IPPrefixLen": 24, "DNSNames": ["web"]},
        "back": {"IPAMConfig": None, "Aliases": None, "MacAddress": "92:d0:c6:12:08:99", "IPAddress": "198.18.8.5",
                 "NetworkID": "n2", "EndpointID": "e2", "Gateway": "198.18.8.1", "IPPrefixLen": 24, "DNSNames": ["web"]}}},
}


def endpoints(inspect, api_version):
    request = create_request(Host("/"), Container(inspect), None, api_version=api_version)
    return {**request.body["NetworkingConfig"]["EndpointsConfig"], **dict(request.connect)}


def test_a_mac_the_bridge_driver_derived_from_the_address_is_made_anew_an_asked_one_kept():
    sent = endpoints(RUNNING, "1.45")
    assert "MacAddress" not in sent["front"], "02:42 and the address's octets: the engine's, made anew at the new address"
    assert sent["back"]["MacAddress"] == "92:d0:c6:12:08:99", "any other MAC was asked for: kept, per network"
    assert set(sent) == {"front", "back"}


def test_a_containers_own_mac_address_is_kept_even_where_it_looks_derived():
    own = copy.deepcopy(RUNNING)
    own["Config"]["MacAddress"] = "02:42:c6:12:07:02"
    assert endpoints(own, "1.45")["front"]["MacAddress"] == "02:42:c6:12:07:02"


def test_an_engine_older_than_api_1_44_is_sent_no_mac_per_network():
    assert all("MacAddress" not in endpoint for endpoint in endpoints(RUNNING, "1.41").values())
    assert all("MacAddress" not in endpoint for endpoint in endpoints(RUNNING, "1.43").values())
    assert endpoints(RUNNING, "1.44")["back"]["MacAddress"] == "92:d0:c6:12:08:99", "1.44 is the first that takes them"


@pytest.mark.parametrize("mode, networks", [
    ("host", {"host": {"NetworkID": "h", "EndpointID": "e"}}), ("none", {"none": {"NetworkID": "x", "EndpointID": "e"}}),
    ("default", {"host": {"NetworkID": "h", "EndpointID": "e"}}),  # host mode cleared: on the default bridge, asked for nothing
    ("container:" + "d" * 64, {"front": RUNNING["NetworkSettings"]["Networks"]["front"]}),  # an engine that lists them anyway
])
def test_a_container_on_the_hosts_network_none_or_anothers_asks_for_no_endpoint(mode, networks):
    inspect = copy.deepcopy(RUNNING)
    inspect["HostConfig"]["NetworkMode"] = mode
    inspect["NetworkSettings"]["Networks"] = networks
    assert endpoints(inspect, "1.45") == {}


def test_engine_made_mac_reads_the_four_octets():
    assert engine_made_mac({"MacAddress": "02:42:AC:11:00:02", "IPAddress": "172.17.0.2"})
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:03", "IPAddress": "172.17.0.2"})
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:02", "IPAddress": ""}), "a stopped container has no address"
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:02", "IPAddress": "garbage"})
    assert not engine_made_mac({"MacAddress": None, "IPAddress": "172.17.0.2"}) and not engine_made_mac({"IPAddress": "172.17.0.2"})
    assert not engine_made_mac({"MacAddress": 2, "IPAddress": "172.17.0.2"}), "an engine's garbage is no MAC"


IMAGE = {"Id": "sha256:" + "b" * 64, "RepoTags": ["shop/web:1"],
         "Config": {"Env": ["PATH=/usr/bin", "MODE=image"], "Labels": {"vendor": "shop", "tier": "image"},
                    "Cmd": ["serve"], "Entrypoint": None, "WorkingDir": "/srv", "User": "1000",
                    "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}}}}
FROM_IMAGE = {"Id": "c" * 64, "Name": "/shop", "Image": IMAGE["Id"],
              "Config": {"Image": "shop/web:1", "Hostname": "cccccccccccc", "Env": ["PATH=/usr/bin", "MODE=image", "OWN=1"],
                         "Labels": {"vendor": "shop", "tier": "own"}, "Cmd": ["serve"], "WorkingDir": "/srv", "User": "1000",
                         "ExposedPorts": {"80/tcp": {}, "9000/tcp": {}}, "Volumes": {"/data": {}}},
              "HostConfig": {"NetworkMode": "bridge", "Binds": None}, "Mounts": [],
              "NetworkSettings": {"Networks": {"bridge": {"NetworkID": "n0", "IPAddress": "172.17.0.2"}}}}


def test_what_the_image_gives_is_left_to_it_and_the_containers_own_is_kept():
    """inspect shows the image's Config merged with the container's: the request carries only the container's own
    (a label or variable it set over the image's stays), so the new container takes the rest from its image."""
    body = create_request(Host("/"), Container(FROM_IMAGE), IMAGE).body
    assert body["Env"] == ["OWN=1"] and body["Labels"] == {"tier": "own"}
    assert body["ExposedPorts"] == {"9000/tcp": {}} and body["Volumes"] is None
    assert body["Cmd"] is None and "WorkingDir" not in body and "User" not in body and "Hostname" not in body
    assert body["Image"] == "shop/web:1"


def test_an_image_whose_tag_has_moved_is_asked_for_by_its_id():
    """shop/web:1 now names another image: the new container is made from the image the old one ran, by its id."""
    moved = dict(IMAGE, RepoTags=[])
    assert create_request(Host("/"), Container(FROM_IMAGE), moved).body["Image"] == IMAGE["Id"]
    assert create_request(Host("/"), Container(FROM_IMAGE), None).body["Image"] == IMAGE["Id"], "an image gone since"


def test_adjustments_add_up_field_by_field_the_first_address_winning():
    from hardener.planners.recreate import Adjust

    first = Adjust(clear=frozenset({"Privileged"}), drop_mounts=("docker-socket",), drop_security_opts=frozenset({"seccomp=unconfined"}),
                   add_security_opts=("no-new-privileges",), private_propagation=True, bind_address="192.0.2.1")
    second = Adjust(clear=frozenset({"PidMode"}), drop_mounts=("system-directory",), drop_security_opts=frozenset({"label=disable"}),
                    add_security_opts=("no-new-privileges", "apparmor=docker-default"), read_only=True, cap_drop_all=True,
                    bind_address="192.0.2.2", drop_added_capabilities=True)
    assert first + second == Adjust(frozenset({"Privileged", "PidMode"}), ("docker-socket", "system-directory"),
                                    frozenset({"seccomp=unconfined", "label=disable"}), ("no-new-privileges", "apparmor=docker-default"),
                                    True, True, True, "192.0.2.1", True)
    assert (second + first).bind_address == "192.0.2.2" and (second + first).drop_mounts == ("system-directory", "docker-socket")
    assert (Adjust() + second).bind_address == "192.0.2.2" and Adjust() + Adjust() == Adjust()
    assert (first + Adjust()).private_propagation and (Adjust() + first).private_propagation


def test_what_an_adjustment_keeps_and_the_capabilities_it_leaves():
    from hardener.planners.recreate import Adjust

    clearing = Adjust(clear=frozenset({"Privileged", "PidMode"}))
    assert not clearing.keeps({"Privileged": True}, "Privileged") and clearing.keeps({"Privileged": False}, "Privileged")
    assert clearing.keeps({"PidMode": "container:db"}, "PidMode") and not clearing.keeps({"PidMode": "host"}, "PidMode")
    assert clearing.keeps({"IpcMode": "host"}, "IpcMode"), "not a key it clears"
    added = {"CapAdd": ["NET_ADMIN", "CHOWN", "cap_sys_time", "net_bind_service"]}
    assert Adjust().capabilities_added(added) == ["NET_ADMIN", "CHOWN", "cap_sys_time", "net_bind_service"]
    assert Adjust(drop_added_capabilities=True).capabilities_added(added) == ["CHOWN", "net_bind_service"]
    assert Adjust(drop_added_capabilities=True).capabilities_added({"CapAdd": None}) == []


# -- the docker run a finding shows, branch by branch --------------------------------------------------------------

SHOWN_IMAGE_ID = "sha256:" + "e" * 64
SHOWN_IMAGE = {"Id": SHOWN_IMAGE_ID, "RepoTags": ["busybox"], "Config": {"Cmd": ["sh"], "User": "nobody", "WorkingDir": "/srv",
                                                                "StopSignal": "SIGQUIT", "Healthcheck": {"Test": ["CMD", "true"]},
                                                                "Shell": ["/bin/ash", "-c"], "ArgsEscaped": True}}


EMPTY_HOST = []  # a host with nothing in it: only the mounts asked for are judged


@pytest.fixture(autouse=True, scope="module")
def empty_host(tmp_path_factory):
    EMPTY_HOST.append(Host(str(tmp_path_factory.mktemp("empty"))))
    yield
    EMPTY_HOST.clear()


def shown(config=None, settings=None, adjust=None, running=False, mounts=()):
    from hardener.planners.recreate import Adjust, run_command

    inspect = {"Id": "f" * 64, "Name": "/web", "Image": SHOWN_IMAGE_ID, "State": {"Running": running},
               "Config": dict({"Image": "busybox", "Hostname": "ffffffffffff", "Cmd": ["sh"]}, **(config or {})),
               "HostConfig": dict({"NetworkMode": "default"}, **(settings or {})), "Mounts": list(mounts),
               "NetworkSettings": {"Networks": {}}}
    command = run_command(EMPTY_HOST[0], Container(inspect), SHOWN_IMAGE, adjust or Adjust())
    assert command[:2] == (["docker", "run"] if running else ["docker", "create"])
    return command[command.index("web") + 1:]


def test_the_shown_command_of_a_plain_container_is_its_name_and_image():
    assert shown() == ["busybox"]
    assert shown(running=True) == ["busybox"]


@pytest.mark.parametrize("policy, flags", [
    ({"Name": "always"}, ["--restart", "always"]),
    ({"Name": "unless-stopped", "MaximumRetryCount": 0}, ["--restart", "unless-stopped"]),
    ({"Name": "on-failure", "MaximumRetryCount": 0}, ["--restart", "on-failure"]),
    ({"Name": "on-failure", "MaximumRetryCount": 3}, ["--restart", "on-failure:3"]),
    ({"Name": "always", "MaximumRetryCount": 3}, ["--restart", "always"]),
    ({"Name": "no"}, []), ({"Name": ""}, []), ({}, []),
])
def test_a_restart_policy_as_docker_run_takes_it(policy, flags):
    assert shown(settings={"RestartPolicy": policy}) == flags + ["busybox"]


@pytest.mark.parametrize("settings, flags", [
    ({}, ["--hostname", "web1"]), ({"UTSMode": "host"}, ["--uts", "host"]), ({"NetworkMode": "host"}, ["--network", "host"]),
])
def test_a_hostname_of_its_own_unless_the_host_s_is_shared(settings, flags):
    assert shown(config={"Hostname": "web1"}, settings=settings) == flags + ["busybox"]


def test_what_the_image_gives_is_not_repeated_and_what_differs_is():
    same = {"User": "nobody", "WorkingDir": "/srv", "StopSignal": "SIGQUIT", "Healthcheck": {"Test": ["CMD", "true"]}}
    assert shown(config=same) == ["busybox"]
    other = {"User": "1000", "WorkingDir": "/app", "StopSignal": "SIGINT", "Healthcheck": {"Test": ["CMD", "false", "x y"]}}
    assert shown(config=other) == ["--user", "1000", "--workdir", "/app", "--stop-signal", "SIGINT", "--health-cmd", "false 'x y'", "busybox"]


def test_cpus_an_entrypoint_and_its_arguments():
    assert shown(settings={"NanoCpus": 1500000000}) == ["--cpus", "1.5", "busybox"]
    assert shown(config={"Entrypoint": ["/bin/sh", "-c", "-e"], "Cmd": ["echo hi"]}) == [
        "--entrypoint", "/bin/sh", "busybox", "-c", "-e", "echo hi"]
    assert shown(config={"Entrypoint": [], "Cmd": ["sh"]}) == ["busybox"]
    assert shown(config={"Cmd": ["sleep", "1"]}) == ["busybox", "sleep", "1"]


@pytest.mark.parametrize("settings, kept", [
    ({}, True), ({"IpcMode": "host"}, False), ({"PidMode": "host"}, False), ({"Privileged": True}, False),
    ({"IpcMode": "private", "PidMode": "container:db"}, True),
])
def test_label_disable_is_left_to_docker_where_it_adds_it_itself(settings, kept):
    options = [arg for pair in zip(*[iter(shown(settings=dict(settings, SecurityOpt=["label=disable", "apparmor=x"])))] * 2)
               for arg in pair if pair[0] == "--security-opt"]
    assert options == (["--security-opt", "label=disable"] if kept else []) + ["--security-opt", "apparmor=x"]


def test_links_devices_logs_and_a_seccomp_profile_shown_as_docker_run_takes_them():
    import hashlib

    from hardener.planners.recreate import Adjust, seccomp_profiles

    profile = '{"defaultAction": "SCMP_ACT_ERRNO", "comment": "a=b"}'  # an = inside the profile
    settings = {"Links": ["/db:/web/database"], "Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/x", "CgroupPermissions": ""}],
                "LogConfig": {"Type": "", "Config": {"max-size": "1m"}}, "SecurityOpt": [f"seccomp={profile}"]}
    saved = f"/var/lib/hardener/seccomp/web-{hashlib.sha256(profile.encode()).hexdigest()[:12]}.json"
    assert shown(settings=settings) == ["--security-opt", f"seccomp={saved}", "--link", "db:database", "--device", "/dev/null:/dev/x:rwm",
                                        "--log-driver", "json-file", "--log-opt", "max-size=1m", "busybox"]
    container = Container({"Name": "/web", "HostConfig": settings})
    assert seccomp_profiles(container) == {saved: profile}
    assert seccomp_profiles(Container({"Name": "/web", "HostConfig": {"SecurityOpt": ["seccomp=unconfined", "seccomp:{}"]}})) == {
        f"/var/lib/hardener/seccomp/web-{hashlib.sha256(b'{}').hexdigest()[:12]}.json": "{}"}
    for own in ("no-new-privileges=true", "no-new-privileges"):  # had already, either way: not added again
        assert shown(settings=dict(settings, SecurityOpt=[own]), adjust=Adjust(add_security_opts=("no-new-privileges",))).count(
            "--security-opt") == 1


def test_mounts_tmpfs_and_network_shown_as_docker_run_takes_them():
    from hardener.planners.recreate import Adjust

    shared = [{"Type": "bind", "Source": "/srv", "Destination": "/srv", "RW": True, "Propagation": "rshared"}]
    assert shown(mounts=shared) == ["--volume", "/srv:/srv:rshared", "busybox"]
    assert shown(mounts=shared, adjust=Adjust(private_propagation=True)) == ["--volume", "/srv:/srv", "busybox"]
    unmounted = [{"Type": "tmpfs", "Target": "/scratch"}, {"Type": "volume", "Target": "/v"}]  # specs the engine lists no mount for
    assert shown(settings={"Mounts": unmounted}) == ["--mount", "type=tmpfs,target=/scratch", "--mount", "type=volume,target=/v", "busybox"]
    assert shown(adjust=Adjust(read_only=True)) == ["--tmpfs", "/run", "--tmpfs", "/tmp", "--read-only", "busybox"]
    assert shown(settings={"Tmpfs": {"/tmp": "size=64m"}}, adjust=Adjust(read_only=True)) == [
        "--tmpfs", "/run", "--tmpfs", "/tmp:size=64m", "--read-only", "busybox"], "its own /tmp kept"
    assert shown(settings={"NetworkMode": None}) == ["busybox"], "no network mode said: the default bridge"
    for nano_cpus, cpus in ((1_500_000_000, "1.5"), (2_000_000_000, "2"), (1_234_567_891, "1.234567891")):  # exactly
        assert shown(settings={"NanoCpus": nano_cpus}) == ["--cpus", cpus, "busybox"]


def test_changed_fields_name_each_field_a_request_changes_hostconfig_and_networks_by_their_members():
    from hardener.planners.recreate import changed_fields

    before = {"Image": "a", "HostConfig": {"Privileged": True, "Memory": 0}, "NetworkingConfig": {"EndpointsConfig": {"x": {}}}}
    after = {"Image": "b", "HostConfig": {"Privileged": False, "Memory": 0}, "NetworkingConfig": {"EndpointsConfig": {"y": {}}},
             "Env": ["A=1"], "Labels": {"a": "1"}}
    assert changed_fields(before, after) == ('Env: null -> ["A=1"]', "HostConfig.Privileged: true -> false", 'Image: "a" -> "b"',
                                              'Labels: null -> {"a": "1"}', 'NetworkingConfig.EndpointsConfig: {"x": {}} -> {"y": {}}')


def test_volumes_ports_and_networks_shown_as_docker_run_takes_them():
    from hardener.planners.recreate import network_connections

    assert shown(mounts=[{"Type": "volume", "Name": "v", "Destination": "/d"}]) == ["--volume", "v:/d", "busybox"], "RW unsaid: rw"
    assert shown(mounts=[{"Type": "bind", "Source": "/s", "Destination": "/s", "RW": False, "Propagation": "rslave"}]) == [
        "--volume", "/s:/s:ro,rslave", "busybox"]
    ports = {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "53/udp": [{"HostIp": "::1", "HostPort": "53"}], "90": [{}]}
    assert shown(settings={"PortBindings": ports}) == ["--publish", "[::1]:53:53/udp", "--publish", "8080:80", "--publish", "90", "busybox"]
    networks = {"bridge": {"NetworkID": "n0"}, "front": {"NetworkID": "n1"}}
    container = Container({"Name": "/web", "Id": "f" * 64, "Config": {}, "HostConfig": {"NetworkMode": None},
                           "NetworkSettings": {"Networks": networks}})
    assert network_connections(container) == [["docker", "network", "connect", "front", "web"]], "no mode said: run on the bridge"


def test_an_entrypoint_cleared_over_the_images_is_shown_cleared():
    from hardener.planners.recreate import Adjust, run_command

    image = dict(SHOWN_IMAGE, Config=dict(SHOWN_IMAGE["Config"], Entrypoint=["/entry", "--flag"]))
    inspect = {"Id": "f" * 64, "Name": "/web", "Image": SHOWN_IMAGE_ID, "State": {"Running": False},
               "Config": {"Image": "busybox", "Hostname": "ffffffffffff", "Entrypoint": None, "Cmd": ["sh"]},
               "HostConfig": {"NetworkMode": "default"}, "Mounts": [], "NetworkSettings": {"Networks": {}}}
    command = run_command(EMPTY_HOST[0], Container(inspect), image, Adjust())
    assert command[command.index("web") + 1:] == ["--entrypoint", "", "busybox", "sh"]


def test_a_log_driver_shown_only_where_it_is_not_dockerds_built_in_default():
    assert shown(settings={"LogConfig": {"Type": "", "Config": {}}}) == ["busybox"]
    assert shown(settings={"LogConfig": {"Type": "json-file", "Config": None}}) == ["busybox"]
    assert shown(settings={"LogConfig": {"Type": "journald", "Config": None}}) == ["--log-driver", "journald", "busybox"]


@pytest.mark.parametrize("health, flags", [
    ({"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}, ["--health-cmd", "curl -f http://localhost/ || exit 1"]),
    ({"Test": ["CMD", "curl", "-f", "http://localhost/a b"]}, ["--health-cmd", "curl -f 'http://localhost/a b'"]),
    ({"Test": ["NONE"]}, ["--no-healthcheck"]),
    ({"Test": ["CMD"], "Retries": 3}, ["--health-retries", "3"]),
    ({"Interval": 30_000_000_000, "Timeout": 1_500_000_000, "StartPeriod": 60_000_000_000},
     ["--health-interval", "30s", "--health-timeout", "1.5s", "--health-start-period", "60s"]),
    ({"Interval": 1_000_005_000, "Timeout": 250_000_000, "StartPeriod": 1}, ["--health-interval", "1.000005s",
                                                                          "--health-timeout", "0.25s", "--health-start-period", "0.000000001s"]),
])
def test_a_health_check_of_its_own_shown_as_docker_run_takes_it(health, flags):
    assert shown(config={"Healthcheck": health}) == flags + ["busybox"]


def test_a_mount_given_with_mount_is_dropped_by_its_kind():
    from hardener.planners.recreate import Adjust

    socket = {"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}
    mounts = [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/s", "RW": True, "Propagation": "rprivate"}]
    assert shown(settings={"Mounts": [socket]}, mounts=mounts) == ["--mount", "type=bind,source=/var/run/docker.sock,target=/s", "busybox"]
    assert shown(settings={"Mounts": [socket]}, mounts=mounts, adjust=Adjust(drop_mounts=("docker-socket",))) == ["busybox"]


# -- the create request, branch by branch ---------------------------------------------------------------------------


def requested(config=None, settings=None, adjust=None, mounts=(), api_version="1.41", networks=None, bound=None):
    """The request for a stopped container; with `bound` (NetworkSettings.Ports), for a running one that bound those."""
    from hardener.planners.recreate import Adjust

    inspect = {"Id": "f" * 64, "Name": "/web", "Image": SHOWN_IMAGE_ID, "State": {"Running": bound is not None},
               "Config": dict({"Image": "busybox", "Hostname": "ffffffffffff", "Cmd": ["sh"]}, **(config or {})),
               "HostConfig": dict({"NetworkMode": "default"}, **(settings or {})), "Mounts": list(mounts),
               "NetworkSettings": {"Networks": networks or {}, "Ports": bound or {}}}
    return create_request(EMPTY_HOST[0], Container(inspect), SHOWN_IMAGE, adjust or Adjust(), api_version=api_version)


@pytest.mark.parametrize("hostname, settings, kept", [
    ("ffffffffffff", {}, False), ("web1", {}, True), ("web1", {"NetworkMode": "host"}, False), ("web1", {"UTSMode": "host"}, False),
    ("web1", {"NetworkMode": "bridge", "UTSMode": ""}, True),
])
def test_a_hostname_the_engine_made_or_the_host_gives_is_made_anew(hostname, settings, kept):
    body = requested(config={"Hostname": hostname}, settings=settings).body
    assert body.get("Hostname") == (hostname if kept else None) and ("Hostname" in body) is kept


def test_an_inspect_without_a_network_mode_or_hostname_is_on_the_default_bridge_and_left_as_it_was():
    """An engine that leaves NetworkMode out means the default bridge (asked for at create, before API 1.44 too); one
    on the host's network with no hostname has none to drop; and the inspect the request is made from is not changed."""
    bridge = {"bridge": {"NetworkID": "n0", "EndpointID": "e0", "IPAddress": "172.17.0.2", "Aliases": ["db"]}}
    request = requested(settings={"NetworkMode": None}, networks=bridge)
    assert request.body["NetworkingConfig"]["EndpointsConfig"] == {"bridge": {"Aliases": ["db"]}}
    assert request.connect == ()
    on_host = copy.deepcopy(RUNNING)
    del on_host["Config"]["Hostname"]
    on_host["HostConfig"]["NetworkMode"], on_host["NetworkSettings"]["Networks"] = "host", {"host": {}}
    assert "Hostname" not in create_request(Host("/"), Container(on_host), None).body
    inspect = dict(copy.deepcopy(FROM_IMAGE), State={"Running": True})
    inspect["HostConfig"].update({"Binds": ["/srv:/srv:rshared"], "CapAdd": ["NET_ADMIN"], "PortBindings": {"80/tcp": [{"HostIp": ""}]}})
    inspect["Config"]["Volumes"]["/cache"] = {}  # an anonymous volume of its own, beside its image's
    inspect["Mounts"] = [{"Type": "volume", "Name": "v" * 64, "Source": "/var/lib/docker/volumes/v", "Destination": "/data"},
                         {"Type": "volume", "Name": "w" * 64, "Source": "/var/lib/docker/volumes/w", "Destination": "/cache"}]
    before = copy.deepcopy(inspect)
    from hardener.planners.recreate import Adjust

    create_request(Host("/"), Container(inspect), IMAGE, Adjust(private_propagation=True, bind_address="192.0.2.1",
                                                                  drop_added_capabilities=True))
    assert inspect == before


def test_a_memory_limit_without_swap_is_sent_with_swap_0_and_links_as_a_create_takes_them():
    assert requested(settings={"Memory": 67108864}).body["HostConfig"]["MemorySwap"] == 0
    assert requested(settings={"Memory": 67108864, "MemorySwap": 134217728}).body["HostConfig"]["MemorySwap"] == 134217728
    assert "MemorySwap" not in requested().body["HostConfig"]
    assert requested(settings={"Links": ["/db:/web/database", "/cache:/web/cache"]}).body["HostConfig"]["Links"] == ["db:database", "cache:cache"]
    assert requested(settings={"Links": ["/Xdb:/web/X"]}).body["HostConfig"]["Links"] == ["Xdb:X"], "only the slash goes"


def test_binds_dropped_by_their_destination_and_their_shared_propagation_made_private():
    from hardener.planners.recreate import Adjust

    binds = ["/etc/ssl:/ssl:ro", "/srv:/srv:ro,rshared", "/data:/data:shared", "/x:/x", "/y:/y:rslave"]
    mounts = [{"Type": "bind", "Source": "/etc/ssl", "Destination": "/ssl", "RW": False}]
    assert requested(settings={"Binds": binds}, mounts=mounts, adjust=Adjust(drop_mounts=("system-directory",))).body["HostConfig"]["Binds"] == binds[1:]
    assert requested(settings={"Binds": binds}, adjust=Adjust(private_propagation=True)).body["HostConfig"]["Binds"] == [
        "/etc/ssl:/ssl:ro", "/srv:/srv:ro", "/data:/data", "/x:/x", "/y:/y:rslave"]
    several = ["/srv:/srv:ro,z,rshared", "/odd"]  # an engine's bind without a destination is passed on as it is
    assert requested(settings={"Binds": several}, adjust=Adjust(private_propagation=True)).body["HostConfig"]["Binds"] == [
        "/srv:/srv:ro,z", "/odd"]
    specs = [{"Type": "bind", "Source": "/srv", "Target": "/srv", "BindOptions": {"Propagation": "rshared"}},
             {"Type": "bind", "Source": "/d", "Target": "/d", "BindOptions": {"Propagation": "shared", "NonRecursive": True}},
             {"Type": "bind", "Source": "/e", "Target": "/e", "BindOptions": {"Propagation": "rslave"}}]
    sent = requested(settings={"Mounts": specs}, adjust=Adjust(private_propagation=True)).body["HostConfig"]["Mounts"]
    assert [spec.get("BindOptions") for spec in sent] == [None, {"NonRecursive": True}, {"Propagation": "rslave"}]
    socket = [{"Type": "bind", "Source": "/var/run/docker.sock", "Target": "/s"}]
    socket_mount = [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/s", "RW": True}]
    assert requested(settings={"Mounts": socket + specs[2:]}, mounts=socket_mount,
                     adjust=Adjust(drop_mounts=("docker-socket",))).body["HostConfig"]["Mounts"] == specs[2:]


def test_published_ports_bound_to_every_address_are_bound_to_the_one_asked():
    from hardener.planners.recreate import Adjust

    ports = {"80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
             "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}]}
    sent = requested(settings={"PortBindings": ports}, adjust=Adjust(bind_address="192.0.2.7")).body["HostConfig"]
    assert sent["PortBindings"] == {"80/tcp": [{"HostIp": "192.0.2.7", "HostPort": "8080"}], "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}]}
    assert sent["PublishAllPorts"] is False
    assert requested(settings={"PortBindings": ports}).body["HostConfig"]["PortBindings"] == ports


def test_a_running_containers_ports_keep_the_host_ports_they_have_when_bound_to_the_address():
    """-p 80 (a random host port) and -P: the new container asks for the port its clients use now, not another
    random one; a fixed one and one bound to an address of its own are kept as they are."""
    from hardener.planners.recreate import Adjust

    asked = {"80/tcp": [{"HostIp": "", "HostPort": ""}], "443/tcp": [{"HostIp": "", "HostPort": "8443"}],
             "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}]}
    bound = {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}, {"HostIp": "::", "HostPort": "49153"}],
             "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8443"}, {"HostIp": "::", "HostPort": "8443"}],
             "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}], "9000/tcp": None}
    sent = requested(settings={"PortBindings": asked}, bound=bound, adjust=Adjust(bind_address="192.0.2.7")).body["HostConfig"]
    assert sent["PortBindings"] == {"80/tcp": [{"HostIp": "192.0.2.7", "HostPort": "49153"}],
                                    "443/tcp": [{"HostIp": "192.0.2.7", "HostPort": "8443"}],
                                    "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}]}


def test_a_mount_spec_of_a_volume_with_its_driver_options_and_labels_and_a_quote():
    from hardener.planners.recreate import _mount_spec

    spec = {"Type": "volume", "Source": "data", "Target": "/d", "ReadOnly": True,
            "VolumeOptions": {"NoCopy": True, "Labels": {"team": "web", "b": "2"},
                              "DriverConfig": {"Name": "local", "Options": {"type": "tmpfs", "o": "size=1m,uid=1000"}}}}
    assert _mount_spec(spec, {}, False) == ('type=volume,source=data,target=/d,readonly,volume-nocopy,volume-driver=local,'
                                            '"volume-opt=o=size=1m,uid=1000",volume-opt=type=tmpfs,volume-label=b=2,volume-label=team=web')
    assert _mount_spec({"Target": "/a", "Source": 'say "hi"'}, {"Name": "ignored"}, False) == 'type=volume,"source=say ""hi""",target=/a'
    assert _mount_spec({"Type": "volume", "Target": "/anon"}, {"Name": "abc123"}, False) == "type=volume,source=abc123,target=/anon"
    assert _mount_spec({"Type": "tmpfs", "Target": "/t"}, {"Name": "not-a-source"}, False) == "type=tmpfs,target=/t"


def test_every_network_goes_at_create_from_api_1_44():
    networks = {"front": {"Aliases": ["w"], "NetworkID": "n1"}, "back": {"NetworkID": "n2"}}
    for version, at_create in (("1.43", ["front"]), ("1.44", ["back", "front"]), ("1.45", ["back", "front"])):
        request = requested(settings={"NetworkMode": "front"}, networks=networks, api_version=version)
        assert sorted(request.body["NetworkingConfig"]["EndpointsConfig"]) == at_create, version
        assert sorted(name for name, _ in request.connect) == sorted(set(networks) - set(at_create)), version


@pytest.mark.parametrize("settings, sent", [
    ({}, ["label=disable", "apparmor=x"]), ({"IpcMode": "host"}, ["apparmor=x"]), ({"PidMode": "host"}, ["apparmor=x"]),
    ({"Privileged": True}, ["apparmor=x"]), ({"IpcMode": "private"}, ["label=disable", "apparmor=x"]),
])
def test_the_request_leaves_label_disable_to_docker_where_it_adds_it_itself(settings, sent):
    assert requested(settings=dict(settings, SecurityOpt=["label=disable", "apparmor=x"])).body["HostConfig"]["SecurityOpt"] == sent


def test_what_the_image_gives_is_left_to_it_in_the_request():
    image_gives = {"User": "nobody", "WorkingDir": "/srv", "StopSignal": "SIGQUIT", "Healthcheck": {"Test": ["CMD", "true"]},
                   "Shell": ["/bin/ash", "-c"], "ArgsEscaped": True}
    body = requested(config=image_gives).body
    assert not set(image_gives) & set(body)
    own = {"User": "1000", "WorkingDir": "/app", "StopSignal": "SIGINT", "Healthcheck": {"Test": ["NONE"]}, "Shell": ["/bin/bash", "-c"]}
    assert {key: requested(config=own).body.get(key) for key in own} == own


def test_a_network_left_since_is_left_again_and_none_host_or_a_container_s_are_not_networks():
    from hardener.planners.recreate import _left

    def left(mode, networks):
        return _left(Container({"HostConfig": {"NetworkMode": mode}, "NetworkSettings": {"Networks": networks}}), mode)

    assert left("front", {"back": {"NetworkID": "b1"}}) == ("front",)
    assert left("front", {"front": {"NetworkID": "f1"}}) == ()
    assert left("f1234", {"front": {"NetworkID": "f1234567"}}) == (), "NetworkMode may name the network by its id"
    assert left("f9", {"front": {"NetworkID": None}}) == ("f9",)
    assert left("X", {"front": {}}) == ("X",), "a one-letter network, left: an endpoint without an id names none"
    for mode in ("host", "none", "container:db"):
        assert left(mode, {}) == (), mode
    assert left("front", None) == ()


def test_an_anonymous_volume_is_mounted_again_by_its_name_as_it_was():
    mounts = [{"Type": "volume", "Name": "v1", "Destination": "/data", "RW": True},
              {"Type": "volume", "Name": "v2", "Destination": "/cache", "RW": False},
              {"Type": "volume", "Name": "v3", "Destination": "/named"},
              {"Type": "volume", "Name": "v4", "Destination": "/spec"},
              {"Type": "bind", "Source": "/srv", "Destination": "/srv", "RW": True},
              {"Type": "volume", "Name": "", "Destination": "/nameless"}]
    settings = {"Binds": ["v3:/named", "/srv:/srv"], "Mounts": [{"Type": "volume", "Target": "/spec"}]}
    body = requested(config={"Volumes": {"/data": {}, "/cache": {}, "/image": {}}}, settings=settings, mounts=mounts).body
    assert body["HostConfig"]["Binds"] == ["v3:/named", "/srv:/srv", "v1:/data", "v2:/cache:ro"]
    assert body["HostConfig"]["Mounts"] == [{"Type": "volume", "Target": "/spec", "Source": "v4"}]
    assert body["Volumes"] == {"/image": {}}
    assert requested(config={"Volumes": {"/data": {}}}, mounts=mounts[:1]).body["Volumes"] is None
    unsaid = [{"Type": "volume", "Name": "v5", "Destination": "/logs"}]  # an engine that leaves RW out: read-write, its default
    assert requested(mounts=unsaid).body["HostConfig"]["Binds"] == ["v5:/logs"]
