"""The create request a recreation sends, built from an inspect as the engine answers it (no engine here:
tests/test_recreate_options.py sends them to Docker 20.10 and 26)."""
import copy

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


def test_engine_made_mac_reads_the_four_octets():
    assert engine_made_mac({"MacAddress": "02:42:AC:11:00:02", "IPAddress": "172.17.0.2"})
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:03", "IPAddress": "172.17.0.2"})
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:02", "IPAddress": ""}), "a stopped container has no address"
    assert not engine_made_mac({"MacAddress": "02:42:ac:11:00:02", "IPAddress": "garbage"})


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
