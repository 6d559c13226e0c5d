"""harden's recreation replayed, without an engine, over `docker inspect` documents recorded from real ones.

tests/fixtures/recreation-documents.json holds, by engine version (this machine's Docker 20.10 and the trixie
lab's Docker 26), the inspect of the containers tests/test_recreate_options.py makes with every option the
engine keeps, and of their image. There, harden's recreation of each of them is sent to that engine and the new
container compared with the original field by field. Here the same documents go through every adjustment an item
makes, and what harden builds (the create request, the `docker run` a finding shows, what it says changed) is
held to tests/fixtures/recreation-expected.json, read and kept with the change that alters it:

    HARDENER_RECORD_RECREATION=$PWD/tests/fixtures/recreation-documents.json \\
        pytest tests/test_recreate_options.py -k keeps_everything --lab-release both    # the engines' documents
    HARDENER_RECORD_RECREATION_EXPECTED=1 pytest tests/test_recreation_cases.py         # harden's answers
"""
import json
import os
import socket
from pathlib import Path

import pytest

from hardener.facts.containers import CLEARABLE, Container
from hardener.host import Host
from hardener.planners.recreate import (Adjust, changed_fields, create_request, network_connections, run_command,
                                        seccomp_profiles, shell_line)

FIXTURES = Path(__file__).parent / "fixtures"
DOCUMENTS = json.loads((FIXTURES / "recreation-documents.json").read_text())
EXPECTED = FIXTURES / "recreation-expected.json"

ADJUSTS = {
    "none": Adjust(),
    **{f"clear-{key}": Adjust(clear=frozenset({key})) for key in CLEARABLE},
    "drop-system-directories": Adjust(drop_mounts=("system-directory",)),
    "drop-docker-socket": Adjust(drop_mounts=("docker-socket",)),
    "no-new-privileges": Adjust(drop_security_opts=frozenset({"no-new-privileges=false"}), add_security_opts=("no-new-privileges",)),
    "confined": Adjust(drop_security_opts=frozenset({"apparmor=unconfined", "seccomp=unconfined", "label=disable"})),
    "private-propagation": Adjust(private_propagation=True),
    "read-only": Adjust(read_only=True),
    "cap-drop-all": Adjust(cap_drop_all=True),
    "bind-address": Adjust(bind_address="192.0.2.7"),
    "bind-address-v6": Adjust(bind_address="2001:db8::7"),
    "drop-added-capabilities": Adjust(drop_added_capabilities=True),
}
ADJUSTS["every"] = sum(ADJUSTS.values(), Adjust())
# what the memory-limit, cpu-shares, pids-limit and restart-policy items set live, carried by a recreation
OVERRIDES = {"Memory": 268435456, "MemorySwap": 268435456, "CpuShares": 512, "PidsLimit": 100,
             "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5}}

CASES = sorted((version, group) for version, recorded in DOCUMENTS.items() for group in recorded["containers"])


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A host with a Docker socket and a system directory where the recorded containers bind them."""
    root = tmp_path_factory.mktemp("host")
    (root / "etc/ssl").mkdir(parents=True)
    (root / "var/run").mkdir(parents=True)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(root / "var/run/docker.sock"))
    yield Host(str(root))
    listener.close()


def answers(host, version, group):
    recorded = DOCUMENTS[version]
    container = Container(recorded["containers"][group])
    image = recorded["images"].get(container.image_id)
    api = recorded["api_version"]
    as_it_was = create_request(host, container, image, api_version=api)
    found = {"connections": network_connections(container), "seccomp_profiles": seccomp_profiles(container)}
    for name, adjust in [*ADJUSTS.items(), ("overrides", Adjust())]:
        overrides = OVERRIDES if name == "overrides" else {}
        request = create_request(host, container, image, adjust, overrides, api_version=api)
        command = run_command(host, container, image, adjust, overrides)
        found[name] = {"changed": list(changed_fields(as_it_was.body, request.body)), "run": command,
                       "connect": [list(pair) for pair in request.connect], "disconnect": list(request.disconnect)}
    found["none"].update(name=as_it_was.name, body=as_it_was.body, shell=shell_line(found["none"]["run"]))  # the rest: what changes
    return json.loads(json.dumps(found))


@pytest.mark.parametrize("version, group", CASES)
def test_a_recreation_is_built_as_recorded(host, version, group):
    found = answers(host, version, group)
    recorded = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    if os.environ.get("HARDENER_RECORD_RECREATION_EXPECTED"):
        recorded.setdefault(version, {})[group] = found
        EXPECTED.write_text(json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    stale = {(engine, name) for engine in recorded for name in recorded[engine]} - set(CASES)
    assert not stale, f"answers of containers no longer recorded: {sorted(stale)}"
    assert group in recorded.get(version, {}), f"{version} {group}: no answers recorded for it: record them"
    expected = recorded[version][group]
    assert sorted(found) == sorted(expected), "an adjustment added or taken away: record the answers again"
    for name in expected:
        assert found[name] == expected[name], f"{version} {group}: {name}"


@pytest.mark.parametrize("version, group", CASES)
def test_the_live_settings_an_item_carries_are_the_only_change(host, version, group):
    found = answers(host, version, group)
    original = DOCUMENTS[version]["containers"][group]["HostConfig"]
    assert found["overrides"]["changed"] == [
        f"HostConfig.{key}: {json.dumps(original.get(key), sort_keys=True)} -> {json.dumps(value, sort_keys=True)}"
        for key, value in sorted(OVERRIDES.items()) if original.get(key) != value]
