"""CIS section 5 (and the image and sprawl items beside it) on the real dockerd
of this machine: a container for every failing setting it can make (created,
not run, where it cannot run one), clean ones beside them, the fixes applied
and rolled back. AppArmor, SELinux, a privileged exec and a swarm are not to be
had here: test_cis_documents.py has them."""
import json
import uuid

import pytest

from docker_lab import CountingProxy, counting_docker, engine_lab

SECTION_5 = ("no-added-capabilities,cap-drop-all,no-sshd,privileged-ports,open-ports,no-host-network,cpu-shares,bind-address,"
             "restart-policy,no-host-ipc,host-devices,container-ulimits,mount-propagation,no-host-uts,seccomp-default,exec-root,"
             "cgroup-usage,container-no-new-privileges,container-health,pids-limit,default-bridge,no-host-userns")
LOOP = ("sh", "-c", "while :; do sleep 1000; done")


pytestmark = pytest.mark.releases
lab = pytest.fixture(scope="module", name="lab")(engine_lab)


def clean_args(lab, network):
    """A container that meets every recommendation of section 5 this test reads."""
    return ["--read-only", "--memory", "64m", "--cpu-shares", "512", "--pids-limit", "100", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--restart", "on-failure:3", "--network", network,
            "--health-cmd", "true", "--health-interval", "1s"]


def without(args, *flags):
    """The clean arguments less these flags (and their values)."""
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in flags:
            skip = True
        else:
            kept.append(arg)
    return kept


@pytest.fixture(scope="module")
def zoo(lab, tmp_path_factory):
    network = lab.network()
    clean = clean_args(lab, network)
    shared = tmp_path_factory.mktemp("shared")
    made = {
        "clean": lab.container(*clean),
        "clean_stopped": lab.container(*clean, create=True),
        "local_port": lab.container(*clean, "--publish", "127.0.0.1::8080"),
        "every_address": lab.container(*clean, "--publish", "8081"),
        "low_port": lab.container(*clean, "--publish", "80:80", create=True),
        "ipc": lab.container(*clean, "--ipc", "host"),
        "uts": lab.container(*clean, "--uts", "host"),
        "userns": lab.container(*clean, "--userns", "host"),
        "hostnet": lab.container(*without(clean, "--network"), "--network", "host"),
        "bridge": lab.container(*without(clean, "--network")),
        "capadd": lab.container(*clean, "--cap-add", "NET_ADMIN"),
        "keepcaps": lab.container(*without(clean, "--cap-drop")),
        "seccomp": lab.container(*clean, "--security-opt", "seccomp=unconfined"),
        "device": lab.container(*clean, "--device", "/dev/null:/dev/xnull"),
        "ulimit": lab.container(*clean, "--ulimit", "nofile=100:200"),
        "cgroup": lab.container(*clean, "--cgroup-parent", f"/hardener-{lab.token}", create=True),
        "shared": lab.container(*clean, "--volume", f"{shared}:/x:rshared", create=True),
        "sshd": lab.container(*clean, command=("sh", "-c", "echo -n sshd > /proc/self/comm; while :; do sleep 1000; done")),
        "cpushares": lab.container(*without(clean, "--cpu-shares")),
        "pids": lab.container(*without(clean, "--pids-limit")),
        "always": lab.container(*without(clean, "--restart"), "--restart", "always"),
        "unlimited_retries": lab.container(*without(clean, "--restart"), "--restart", "on-failure"),
        "nnp": lab.container(*without(clean, "--security-opt")),
        "nohealth": lab.container(*without(clean, "--health-cmd", "--health-interval")),
        "unhealthy": lab.container(*without(clean, "--health-cmd"), "--health-cmd", "false", "--health-retries", "1"),
        "exec": lab.container(*clean),
    }
    lab.docker("exec", "--detach", made["exec"], "sleep", "600")  # runs as root: the image has no user
    return made


EXPECTED = {  # item: the zoo's containers it flags
    "no-host-ipc": {"ipc"}, "no-host-uts": {"uts"}, "no-host-userns": {"userns"}, "no-host-network": {"hostnet"},
    "no-added-capabilities": {"capadd"}, "cap-drop-all": {"keepcaps"}, "seccomp-default": {"seccomp"},
    "host-devices": {"device"}, "container-ulimits": {"ulimit"}, "cgroup-usage": {"cgroup"}, "mount-propagation": {"shared"},
    "no-sshd": {"sshd"}, "cpu-shares": {"cpushares"}, "pids-limit": {"pids"}, "restart-policy": {"always", "unlimited_retries"},
    "container-no-new-privileges": {"nnp"}, "container-health": {"nohealth", "unhealthy"}, "default-bridge": {"bridge"},
    "privileged-ports": {"low_port"}, "open-ports": {"local_port", "every_address", "low_port"},
    "bind-address": {"every_address", "low_port"}, "exec-root": {"exec"},
}


def cis_check(lab, tmp_path, *args, only=SECTION_5, selector=None):
    result = lab.harden(tmp_path / "journal", "check", "--profile", "cis", "--only", only, "--container",
                         selector or f"label={lab.label}", "--format", "json", *args)
    assert result.code in (0, 2), result
    return {item["id"]: item for item in result.json["items"]}


def test_check_flags_exactly_the_bad_containers_per_recommendation(lab, zoo, tmp_path):
    import time

    deadline = time.monotonic() + 30
    while lab.inspect(zoo["unhealthy"])["State"]["Health"]["Status"] != "unhealthy" and time.monotonic() < deadline:
        time.sleep(0.5)
    names = {name: key for key, name in zoo.items()}
    items = cis_check(lab, tmp_path)
    for item, expected in EXPECTED.items():
        flagged = {names[f["target"]] for f in items[item]["findings"] if f["status"] != "pass" and f["target"] in names}
        assert flagged == expected, item
    assert [f["cis"] for f in items["cap-drop-all"]["findings"]] == [["5.4"]]
    health = {names[f["target"]]: f["reason"] for f in items["container-health"]["findings"]}
    assert health == {"nohealth": "no_healthcheck", "unhealthy": "unhealthy"}
    sshd = next(f for f in items["no-sshd"]["findings"])
    assert sshd["evidence"]["pids"].isdigit()
    assert items["restart-policy"]["status"] == "fail", "named: apply would set it"
    assert items["no-host-network"]["status"] == "manual", "recreated only with --recreate"
    exec_finding = next(f for f in items["exec-root"]["findings"])
    assert "sleep 600" in exec_finding["evidence"]["execs"]
    low = next(f for f in items["bind-address"]["findings"] if f["target"] == zoo["low_port"])
    assert low["evidence"]["ports"] == "*:80->80/tcp"


def test_images_and_sprawl_name_the_containers(lab, zoo, tmp_path):
    items = cis_check(lab, tmp_path, only="image-user,image-healthcheck,container-sprawl")
    ours = f"hardener-test/busybox:{lab.token}"
    user = next(f for f in items["image-user"]["findings"] if f["target"] == ours)
    assert user["reason"] == "runs_as_root" and zoo["clean"] in user["evidence"]["containers"].split(", ")
    assert next(f for f in items["image-healthcheck"]["findings"] if f["target"] == ours)["reason"] == "no_healthcheck"
    assert items["container-sprawl"]["status"] == "pass", "created a minute ago is not sprawl"
    config = tmp_path / "sprawl.toml"
    config.write_text("sprawl_days = 1\n")
    assert cis_check(lab, tmp_path, "--config", config, only="container-sprawl")["container-sprawl"]["status"] == "pass"


def test_a_container_run_as_root_from_an_image_that_names_a_user_is_flagged(lab, tmp_path):
    """4.1 per container (CIS's audit reads Config.User): -u 0 over an image's USER 1000 runs as root, and its process
    is uid 0; without -u it runs as 1000 and passes. The image that names a user passes."""
    image = lab.commit(lab.container(create=True), "USER 1000")
    as_root = lab.container("--user", "0", image=image)
    as_image = lab.container(image=image)
    found = {f["target"]: f for f in cis_check(lab, tmp_path, only="image-user")["image-user"]["findings"]}
    assert found[as_root]["reason"] == "container_runs_as_root", found
    assert found[as_root]["evidence"]["how"] == "Config.User 0, its process runs as uid 0", found[as_root]
    assert as_image not in found and f"hardener-test/commit-0:{lab.token}" not in found, found
    for name in (as_root, as_image):
        lab.docker("rm", "--force", name)


def test_a_container_failing_five_is_recreated_once_and_rolled_back(lab, tmp_path):
    network = lab.network()
    name = lab.container(*without(clean_args(lab, network), "--cap-drop", "--security-opt"), "--ipc", "host", "--uts", "host",
                         "--cap-add", "NET_ADMIN", "--security-opt", "seccomp=unconfined", command=LOOP)
    original = lab.inspect(name)
    five = "no-host-ipc,no-host-uts,no-added-capabilities,seccomp-default,container-no-new-privileges"
    before = cis_check(lab, tmp_path, only=five, selector=name)
    assert all(item["status"] == "manual" for item in before.values()), before
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", five, "--container", name,
                          "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    new = lab.inspect(name)
    assert new["Id"] != original["Id"] and new["State"]["Running"]
    runs = lab.harden(journal, "history", "--format", "json").json["runs"]
    assert runs[-1]["changes"] == 4, "stop, rename, restart policy set aside, run: one recreation for five items"
    after = cis_check(lab, tmp_path, only=five, selector=name)
    assert all(item["status"] == "pass" for item in after.values()), after
    settings = new["HostConfig"]
    assert settings["SecurityOpt"] == ["no-new-privileges"] and not settings["CapAdd"] and settings["IpcMode"] != "host"
    assert (settings["NetworkMode"], settings["PidsLimit"], settings["CpuShares"]) == (network, 100, 512), "the rest is kept"

    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    back = lab.inspect(name)
    assert back["Id"] == original["Id"] and back["State"]["Running"]
    assert back["HostConfig"] == original["HostConfig"], "the original, as it was"


def test_live_updates_applied_and_rolled_back(lab, tmp_path):
    network = lab.network()
    name = lab.container(*without(clean_args(lab, network), "--cpu-shares", "--pids-limit", "--restart"), "--restart", "always",
                         command=LOOP)
    original = lab.inspect(name)
    config = tmp_path / "config.toml"
    config.write_text("[cpu_shares]\ndefault = 256\n[pids_limit]\ndefault = 64\n[[pids_limit.overrides]]\n"
                      "container = 'nothing-*'\nlimit = 10\n")
    journal = tmp_path / "journal"
    items = "cpu-shares,pids-limit,restart-policy"
    preview = lab.harden(journal, "apply", "--dry-run", "--profile", "cis", "--only", items, "--container", name, "--config", config)
    assert preview.out.count(f"container {name}: run docker update") == 1, preview.out
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--only", items, "--container", name,
                          "--config", config, "--format", "json")
    assert applied.code == 0, applied
    settings = lab.inspect(name)["HostConfig"]
    assert (settings["CpuShares"], settings["PidsLimit"], settings["RestartPolicy"]) == (
        256, 64, {"Name": "on-failure", "MaximumRetryCount": 5})
    assert lab.inspect(name)["Id"] == original["Id"] and lab.inspect(name)["State"]["Running"], "live, not recreated"
    assert all(item["status"] == "pass" for item in cis_check(lab, tmp_path, "--config", config, only=items, selector=name).values())
    changes = [change for item in applied.json["items"] for change in item["changes"]]
    assert changes and "1024, the default weight" in changes[0]["caveat"]

    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    settings = lab.inspect(name)["HostConfig"]
    assert settings["RestartPolicy"] == {"Name": "always", "MaximumRetryCount": 0}
    assert settings["CpuShares"] == 1024 and not settings["PidsLimit"], "no CPU weight of its own, no PIDs limit, as before"
    assert lab.inspect(name)["State"]["Running"]


def test_cis_reads_are_one_listing_one_inspect_per_container_and_image(lab, tmp_path):
    token = uuid.uuid4().hex[:6]
    for count in (2, 200):
        label = f"hardener.batch={token}-{count}"
        for _ in range(count):
            lab.container("--label", label, "--cap-add", "NET_ADMIN", create=True)
        shim = counting_docker(tmp_path / f"shim{count}")
        proxy = CountingProxy(tmp_path / f"engine{count}.sock", target=str(lab.socket))
        try:
            result = lab.harden(tmp_path / "journal", "check", "--profile", "cis", "--container", f"label={label}",
                                 "--format", "json", path_prefix=shim, env={"DOCKER_HOST": f"unix://{proxy.path}"})
        finally:
            proxy.close()
        assert result.code == 2, result
        capabilities = next(item for item in result.json["items"] if item["id"] == "no-added-capabilities")
        assert len([f for f in capabilities["findings"] if f["status"] == "manual"]) == count
        assert not (shim / "calls").exists(), "no docker process for reads"
        requests = proxy.requests
        listings = [r for r in requests if r.startswith("/containers/json")]
        inspects = [r for r in requests if r.startswith("/containers/") and r not in listings]
        images = json.loads(lab.docker("image", "ls", "--quiet", "--no-trunc", "--format", "{{json .ID}}").replace("\n", ",").join("[]"))
        image_reads = [r for r in requests if r.startswith("/images/") and r != "/images/json?all=0"]
        assert len(listings) == 1 and len(inspects) == len(set(inspects)) == count, requests
        assert len(image_reads) == len(set(image_reads)) <= 2 * len(images), "one inspect and one history per image at most"
        others = [r for r in requests if r not in listings + inspects + image_reads]
        assert sorted(r.split("?")[0] for r in others) == ["/events", "/images/json", "/info"], others


def test_a_stopped_container_is_recreated_stopped_with_private_propagation_and_bound_ports(lab, tmp_path):
    shared = lab.host_dir(f"/tmp/hardener-{lab.token}-shared")
    name = lab.container("--volume", f"{shared}:/x:rshared", "--publish", "18083:80", create=True)
    original = lab.inspect(name)
    config = tmp_path / "config.toml"
    config.write_text('bind_address = "127.0.0.1"\n')
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", "mount-propagation,bind-address",
                          "--container", name, "--config", config, "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    new = lab.inspect(name)
    assert new["Id"] != original["Id"] and new["State"]["Status"] == "created", "stopped as it was: created, not run"
    assert [m["Propagation"] for m in new["Mounts"]] == ["rprivate"]
    assert new["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18083"}]}
    assert lab.harden(journal, "rollback", "--yes").code == 0
    back = lab.inspect(name)
    assert back["Id"] == original["Id"] and back["State"]["Status"] == "created"
