"""Every `docker run` option of this machine's docker CLI, classed; a container
per compatible group of the options the engine keeps, recreated by harden
(for container-no-new-privileges, which changes nothing else), and every
inspect field compared before and after but the adjusted one and the engine's
own (named below); then rolled back to the original. An option the table does
not class fails the test: a new CLI's new option must be looked at."""
import json
import os
import re
from pathlib import Path

import pytest

from docker_lab import engine_lab

pytestmark = pytest.mark.releases
lab = pytest.fixture(scope="module", name="lab")(engine_lab)

CLIENT = "client-only: the docker CLI acts on it, the engine never sees it"
EXCLUDED = "excluded by another option, or kept by harden only when named"
UNAVAILABLE = "needs hardware, a kernel feature or an engine newer than this machine's"
KEPT = "kept by the engine: in a group below"

CLASSES = {
    **dict.fromkeys(("attach", "detach", "detach-keys", "disable-content-trust", "help", "quiet", "sig-proxy", "pull", "cidfile",
                     "env-file", "label-file", "name", "platform", "use-api-socket"), CLIENT),
    # --rm: a container deleted by its own stop is recreated only when named (issue 21, part 2); --cpus excludes
    # --cpu-period and --cpu-quota (its own group would do, but 20.10 answers NanoCpus through them alike)
    **dict.fromkeys(("rm", "cpus"), EXCLUDED),
    **dict.fromkeys(("gpus", "cpu-rt-period", "cpu-rt-runtime", "device-read-bps", "device-read-iops", "device-write-bps",
                     "device-write-iops", "blkio-weight", "blkio-weight-device", "kernel-memory", "isolation", "cpu-count",
                     "cpu-percent", "io-maxbandwidth", "io-maxiops", "storage-opt"), UNAVAILABLE),
}
# Kept by an engine of API 1.44 (Docker 25) or later, in the groups below; unavailable on an older one (a CLI of
# 25 or later sends --mac-address per network, which 1.44 brought, and 20.10 takes neither annotations nor
# --health-start-interval).
NEWER_ENGINE = ("annotation", "health-start-interval", "ip6", "mac-address")


def newer_engine(lab) -> bool:
    return lab.api_version >= (1, 44)

RESOURCES = ["--cpu-shares", "512", "--cpuset-cpus", "0", "--cpuset-mems", "0", "--cpu-period", "100000", "--cpu-quota", "50000",
             "--memory", "64m", "--memory-swap", "128m", "--memory-reservation", "32m", "--memory-swappiness", "10",
             "--oom-kill-disable", "--oom-score-adj", "100", "--pids-limit", "50", "--shm-size", "32m",
             "--ulimit", "nofile=1024:2048", "--cgroup-parent", "hardener-test.slice", "--cgroupns", "private",
             "--device", "/dev/null:/dev/xnull:r", "--device-cgroup-rule", "c 1:3 r", "--runtime", "runc", "--privileged"]
IDENTITY = ["--env", "A=1", "--label", "x=y", "--user", "1000:1000", "--workdir", "/tmp", "--entrypoint", "/bin/sh",
            "--hostname", "h1", "--domainname", "example.com", "--stop-signal", "SIGINT", "--stop-timeout", "5", "--tty",
            "--interactive", "--init", "--group-add", "100", "--health-cmd", "true", "--health-interval", "30s",
            "--health-retries", "2", "--health-timeout", "5s", "--health-start-period", "1s", "--restart", "on-failure:3",
            "--read-only", "--tmpfs", "/run:size=1m", "--sysctl", "net.ipv4.ip_forward=1", "--dns", "192.0.2.53",
            "--dns-option", "ndots:2", "--dns-search", "example.com", "--add-host", "a:192.0.2.1", "--expose", "8080",
            "--publish", "127.0.0.1::80", "--publish-all", "--log-driver", "none", "--cap-add", "NET_ADMIN", "--cap-drop", "MKNOD",
            "--ipc", "shareable", "--volume", "/data", "--volume", "/tmp:/hosttmp:ro",
            "--volume-driver", "local", "--security-opt", "apparmor=unconfined",
            "--no-healthcheck"]
HOST = ["--pid", "host", "--uts", "host", "--userns", "host", "--network", "host", "--log-opt", "max-size=1m"]


def groups(lab):
    """(name, options): each a container; the last ones join the first ones'. The network group's container is
    on a second network as well (connected after it was made: each endpoint's settings of its own)."""
    newer = newer_engine(lab)
    network = lab.network("--subnet", "198.18.7.0/24", *(("--ipv6", "--subnet", "fd00:7::/64") if newer else ()))
    second = lab.network("--subnet", "198.18.8.0/24")
    volume = lab.volume()
    made = {"resources": RESOURCES + (["--annotation", "org.example.team=web"] if newer else []),
            "identity": [option for option in IDENTITY if option != "--no-healthcheck"]
            + (["--health-start-interval", "2s"] if newer else []),
            # a tmpfs --mount stays out of what --volumes-from takes: 20.10 answers "no such volume" to that
            "unchecked": ["--no-healthcheck", "--volume", f"{volume}:/v:ro", "--mount", "type=tmpfs,target=/t,tmpfs-size=1048576",
                          "--volume", "/etc/ssl:/ssl:ro", "--volume", "/var/run/docker.sock:/docker.sock"],
            "host": HOST,
            "network": ["--network", network, "--ip", "198.18.7.9", "--network-alias", "db", "--link-local-ip", "169.254.7.7"]
            + (["--ip6", "fd00:7::9", "--mac-address", "02:42:c6:12:07:09"] if newer else [])}
    if newer:  # several networks at create, each with its own MAC address: API 1.44
        made["networks"] = ["--network", f"name={network},ip=198.18.7.19,alias=web,mac-address=02:42:c6:12:07:99",
                            "--network", f"name={second},ip=198.18.8.19,mac-address=92:d0:c6:12:08:99"]
    made["left"] = ["--network", second]  # then moved to the first network, and off its NetworkMode's
    names = {group: lab.container(*options, create=True) for group, options in made.items()}
    lab.docker("network", "connect", "--ip", "198.18.8.9", "--alias", "second", second, names["network"])
    lab.docker("network", "connect", network, names["left"])
    lab.docker("network", "disconnect", second, names["left"])
    made["joined"] = ["--network", f"container:{names['resources']}"]
    made["linked"] = ["--volumes-from", f"{names['identity']}:ro", "--link", f"{names['unchecked']}:peer"]
    for group in ("joined", "linked"):
        names[group] = lab.container(*made[group], create=True)
    return names, made


def cli_options(lab):
    text = lab.docker("run", "--help")
    return sorted(set(re.findall(r"^\s+(?:-\w, )?--([a-z0-9-]+)", text, re.MULTILINE)))


# The engine's own, made anew for each container; and the one field the item adjusts.
ENGINE_OWN = ("Id", "Created", "State", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "RestartCount", "GraphDriver",
              "MountLabel", "ProcessLabel", "ExecIDs", "SizeRw", "SizeRootFs", "NetworkSettings.SandboxID", "NetworkSettings.SandboxKey",
              "NetworkSettings.Ports")
ENDPOINT_OWN = ("NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                "GlobalIPv6PrefixLen", "DNSNames")
ADJUSTED = ("HostConfig.SecurityOpt",)


def comparable(inspect):
    """An inspect without the engine's own fields and the adjusted one; a hostname the engine made from the id goes too.
    An anonymous volume is mounted in the new container by its name, the same volume with its data: Config.Volumes
    loses it and HostConfig.Binds gains NAME:DEST (with docker's mode "z" on the mount), which is that same thing."""
    found = json.loads(json.dumps(inspect))
    volumes = {mount["Name"]: mount["Destination"] for mount in found.get("Mounts") or [] if mount.get("Type") == "volume"}
    found["HostConfig"]["Binds"] = sorted(bind for bind in found["HostConfig"].get("Binds") or []
                                          if bind.split(":")[0] not in volumes or ":".join(bind.split(":")[:2]) != f"{bind.split(':')[0]}:{volumes[bind.split(':')[0]]}"
                                          or bind.split(":")[0] in _named(found)) or None
    for destination in volumes.values():
        (found["Config"].get("Volumes") or {}).pop(destination, None)
    found["Config"]["Volumes"] = found["Config"].get("Volumes") or None
    found["Mounts"] = sorted((dict(mount, Mode="") if mount.get("Type") == "volume" else mount for mount in found.get("Mounts") or []),
                             key=lambda mount: mount["Destination"])
    for dotted in ENGINE_OWN + ADJUSTED:
        *parents, key = dotted.split(".")
        holder = found
        for parent in parents:
            holder = holder.get(parent) or {}
        holder.pop(key, None)
    if inspect["Id"].startswith(found["Config"].get("Hostname") or "-"):
        found["Config"].pop("Hostname")
    for endpoint in (found.get("NetworkSettings", {}).get("Networks") or {}).values():
        for key in ENDPOINT_OWN:
            endpoint.pop(key, None)
        endpoint["Aliases"] = [alias for alias in endpoint.get("Aliases") or [] if alias != inspect["Id"][:12]] or None
    return found


def joined_by_name(lab, inspect):
    """container:ID as container:NAME, the name that id has now: a joiner joins the container of that name, old or new."""
    for key in ("NetworkMode", "IpcMode", "PidMode"):
        value = inspect["HostConfig"].get(key) or ""
        if value.startswith("container:"):
            inspect["HostConfig"][key] = "container:" + lab.docker("inspect", "--format", "{{.Name}}", value.partition(":")[2]).lstrip("/")
    return inspect


def _named(inspect):
    """The volumes a container names itself (not the anonymous ones the engine made for it)."""
    return {mount["Name"] for mount in inspect.get("Mounts") or [] if mount.get("Type") == "volume" and len(mount["Name"]) != 64}


def test_every_option_of_the_cli_is_classed(lab):
    in_groups = {option.lstrip("-") for options in (RESOURCES, IDENTITY, HOST) for option in options if option.startswith("--")}
    in_groups |= {"network", "ip", "network-alias", "link-local-ip", "volumes-from", "link", "publish", "volume", "mount"}
    in_groups |= set(NEWER_ENGINE) if newer_engine(lab) else set()
    unavailable = set() if newer_engine(lab) else set(NEWER_ENGINE)
    unclassed = [option for option in cli_options(lab) if option not in CLASSES and option not in in_groups | unavailable]
    assert not unclassed, f"class these docker run options (tests/test_recreate_options.py): {unclassed}"


def record_documents(lab, names):
    """The engine's inspect of each group's container and of its image, kept by engine version in the file
    HARDENER_RECORD_RECREATION names, for tests/test_recreation_cases.py to replay harden's recreation over."""
    path = Path(os.environ["HARDENER_RECORD_RECREATION"])
    recorded = json.loads(path.read_text()) if path.exists() else {}
    # and, only recorded: a running container, its ports published with -P and -p as the engine bound them, from an
    # image that exposes ports, has a volume, a health check, an entrypoint and a variable and a label of its own;
    # mounts of every form; capabilities and security options an item adjusts
    image = lab.commit(lab.container(create=True), "EXPOSE 8080 9090/udp", "ENV FROMIMAGE=1", "LABEL from.image=yes",
                       "VOLUME /cache", 'HEALTHCHECK --interval=5s CMD ["/bin/true", "a b"]', 'ENTRYPOINT ["/bin/sh", "-c"]',
                       'CMD ["sleep 3600"]')
    source = lab.host_dir(f"/tmp/hardener-{lab.token}-a,b")
    extra = {
        "running": lab.container("--publish-all", "--expose", "7070", "--publish", "80", "--label", "from.image=no",
                                 "--health-timeout", "3s", image=image, command=()),
        "mounts": lab.container(
            "--mount", f'type=bind,"source={source}",target=/b,readonly,bind-propagation=rshared',
            "--mount", "type=volume,target=/anonymous,volume-nocopy", "--mount", "type=tmpfs,target=/scratch,tmpfs-size=1048576,tmpfs-mode=1770",
            "--volume", "/tmp:/shared:rslave", "--volume", "/etc/ssl:/ssl:ro", "--volume", "/data", "--entrypoint", "/bin/echo",
            "--no-healthcheck", create=True, image=image, command=("a", "b")),
        "capabilities": lab.container("--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "CHOWN", "--cap-add", "cap_sys_time",
                                      "--security-opt", "no-new-privileges=false", "--security-opt", "seccomp=unconfined",
                                      "--security-opt", "label=disable", "--pid", "host", "--ipc", "host", "--read-only",
                                      "--tmpfs", "/tmp:size=1m", create=True),
    }
    containers = {group: lab.inspect(name) for group, name in {**names, **extra}.items()}
    images = {inspect["Image"]: json.loads(lab.docker("image", "inspect", inspect["Image"]))[0] for inspect in containers.values()}
    version = lab.docker("version", "--format", "{{.Server.Version}}")
    recorded[version] = {"api_version": lab.docker("version", "--format", "{{.Server.APIVersion}}"), "containers": containers,
                         "images": images}
    path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")


def test_a_recreation_keeps_everything_the_engine_knows_and_rolls_back(lab, tmp_path):
    names, made = groups(lab)
    if os.environ.get("HARDENER_RECORD_RECREATION"):
        record_documents(lab, names)
    before = {group: joined_by_name(lab, lab.inspect(name)) for group, name in names.items()}
    journal = tmp_path / "journal"
    chosen = [arg for name in names.values() for arg in ("--container", name)]
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", "container-no-new-privileges",
                          *chosen, "--format", "json")
    assert applied.code == 0, applied
    for group, name in names.items():
        lab.adopt(name)
        after = joined_by_name(lab, lab.inspect(name))
        assert after["Id"] != before[group]["Id"], group
        assert "no-new-privileges" in after["HostConfig"]["SecurityOpt"], group
        old, new = comparable(before[group]), comparable(after)
        differing = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
        details = {key: [(k, old[key].get(k), new[key].get(k)) for k in set(old[key]) | set(new[key]) if old[key].get(k) != new[key].get(k)]
                   if isinstance(old.get(key), dict) else (old.get(key), new.get(key)) for key in differing}
        assert not differing, f"{group} ({' '.join(made[group])}): {details}"
    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    for group, name in names.items():
        back = joined_by_name(lab, lab.inspect(name))
        assert back["Id"] == before[group]["Id"], group
        assert comparable(back) == comparable(before[group]), group
    assert all(lab.docker("ps", "--all", "--quiet", "--filter", f"name=^{name}-hardener-") == "" for name in names.values())


LOOP = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done")  # stops at once


def test_containers_that_join_a_recreated_one_are_recreated_after_it_and_keep_running(lab, tmp_path):
    """--network, --pid and --ipc container:X, --volumes-from X and --link X: recreating X alone would leave
    them joined to the original kept aside (dead, for namespaces); they are recreated after it, joined to the
    new X, and all run; rollback gives back each original, running, joined as before."""
    shared = lab.container("--ipc", "shareable", command=LOOP)
    joiners = {"network": lab.container("--network", f"container:{shared}", command=LOOP),
               "pid": lab.container("--pid", f"container:{shared}", "--ipc", f"container:{shared}", "--read-only", command=LOOP),
               "volumes": lab.container("--volumes-from", shared, "--read-only", command=LOOP),
               "link": lab.container("--link", f"{shared}:db", "--read-only", command=LOOP)}
    before = {name: lab.inspect(name)["Id"] for name in [shared, *joiners.values()]}
    journal = tmp_path / "journal"
    preview = lab.harden(journal, "apply", "--dry-run", "--recreate", "--only", "readonly-rootfs", "--container", shared)
    assert f"{joiners['network']} joins {shared} (--network container:): it is recreated after it" in preview.out, preview.out
    assert f"{joiners['pid']} joins {shared} (--ipc container:): it is recreated after it, joined to the new {shared}, and " \
           "stopped with it meanwhile" in preview.out, "the outage of the --pid (and --ipc) joiner is said too"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", shared, "--format", "json")
    assert applied.code == 0, applied
    new_shared = lab.adopt(shared)
    for how, name in joiners.items():
        lab.adopt(name)
        found = lab.inspect(name)
        assert found["Id"] != before[name] and found["State"]["Running"], (how, found["State"])
    assert lab.inspect(joiners["network"])["HostConfig"]["NetworkMode"] == f"container:{new_shared}"
    assert lab.inspect(joiners["pid"])["HostConfig"]["PidMode"] == f"container:{new_shared}"
    assert lab.inspect(shared)["HostConfig"]["ReadonlyRootfs"] and lab.inspect(shared)["HostConfig"]["IpcMode"] == "shareable"
    address = lab.inspect(shared)["NetworkSettings"]["IPAddress"]
    assert f"{address}\tdb " in lab.docker("exec", joiners["link"], "cat", "/etc/hosts"), "the link leads to the new one"
    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    for name, container_id in before.items():
        found = lab.inspect(name)
        assert found["Id"] == container_id and found["State"]["Running"], (name, found["State"])


def test_a_container_joined_by_one_harden_cannot_recreate_is_left_as_it_is_with_a_manual_finding(lab, tmp_path):
    """X is joined (--network container:X) by a container compose defines: recreating X would leave that one dead, and
    harden does not recreate what compose defines. X is left as it is, its finding manual, saying why; another
    container of the same item is fixed in the same run."""
    joined, alone = lab.container(command=LOOP), lab.container(command=LOOP)
    joiner = lab.container("--network", f"container:{joined}", "--label", "com.docker.compose.project=shop",
                           "--label", "com.docker.compose.service=web", command=LOOP)
    before = {name: lab.inspect(name)["Id"] for name in (joined, alone, joiner)}
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", joined,
                         "--container", alone, "--format", "json")
    assert applied.code == 2, applied
    (item,) = applied.json["items"]
    assert {f["target"]: f["status"] for f in item["findings"] if f["status"] != "pass"} == {joined: "manual"}, item["findings"]
    assert any(f"{joined} is left as it is: {joiner} joins it (--network container:) and cannot be recreated with it "
               "(defined by compose)" in note for note in item["notes"]), item["notes"]
    lab.adopt(alone)
    assert lab.inspect(joined)["Id"] == before[joined] and lab.inspect(joiner)["Id"] == before[joiner]
    assert lab.inspect(joiner)["State"]["Running"] and lab.inspect(alone)["Id"] != before[alone]
    assert lab.inspect(alone)["HostConfig"]["ReadonlyRootfs"] and not lab.inspect(joined)["HostConfig"]["ReadonlyRootfs"]


def test_a_container_started_with_rm_is_recreated_only_when_named_and_comes_back_from_its_record(lab, tmp_path):
    """--rm: the container's own stop deletes it, so it cannot be kept aside. Unnamed, harden leaves it running and
    says how to name it; named, it is removed (its volumes kept) and created anew, and rollback creates the original
    again from the configuration the journal recorded: running, --rm, its volume's data there, a new id."""
    name = lab.container("--rm", "--volume", "/data", "--env", "KEEP=1", command=LOOP)
    lab.docker("exec", name, "sh", "-c", "echo precious > /data/value")
    original = lab.inspect(name)
    journal = tmp_path / "journal"
    unnamed = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", name, "--format", "json")
    assert unnamed.code == 2, unnamed
    (item,) = unnamed.json["items"]
    assert any(f"harden apply --recreate --recreate-autoremove {name}" in note for note in item["notes"]), item["notes"]
    assert [(f["target"], f["status"]) for f in item["findings"]] == [(name, "manual")], "left to a person: a manual finding"
    assert lab.inspect(name)["Id"] == original["Id"] and lab.inspect(name)["State"]["Running"], "left as it was"

    restart = lab.harden(journal, "--dry-run", "--only", "icc")
    assert f"and deletes those of them started with --rm, {name}" in restart.out, restart.out

    named = lab.harden(journal, "apply", "--yes", "--recreate", "--recreate-autoremove", name, "--only", "readonly-rootfs",
                        "--container", name, "--format", "json")
    assert named.code == 0, named
    lab.adopt(name)
    new = lab.inspect(name)
    assert new["Id"] != original["Id"] and new["State"]["Running"] and new["HostConfig"]["ReadonlyRootfs"]
    assert new["HostConfig"]["AutoRemove"] and "KEEP=1" in new["Config"]["Env"]
    assert lab.docker("exec", name, "cat", "/data/value") == "precious", "its volume kept"
    history = lab.harden(journal, "history", "--format", "json").json["runs"][-1]
    assert history["state"] == "applied" and history["recorded"] == [name]
    assert f"created again from its recorded configuration by rollback, without its writable layer: {name}" in \
        lab.harden(journal, "history").out

    preview = lab.harden(journal, "rollback", "--dry-run")
    assert f"container {name}: create it again from its recorded configuration" in preview.out, preview.out
    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    back = lab.inspect(name)
    lab.adopt(name)
    assert back["Id"] not in (original["Id"], new["Id"]) and back["State"]["Running"], back["State"]
    assert back["HostConfig"]["AutoRemove"] and not back["HostConfig"]["ReadonlyRootfs"] and "KEEP=1" in back["Config"]["Env"]
    assert lab.docker("exec", name, "cat", "/data/value") == "precious"
    assert "without the old one's writable layer" in rolled.out, rolled.out


def test_rollback_force_and_prune_get_a_run_out_of_the_way_whatever_became_of_its_containers(lab, tmp_path):
    name = lab.container("--read-only", "--pid", "host", command=LOOP)
    container_id = lab.inspect(name)["Id"]
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-host-pid", "--container", name, "--format", "json")
    assert applied.code == 0, applied
    run_id = applied.json["run_id"]
    lab.adopt(name)
    lab.docker("rm", "--force", f"{name}-hardener-{run_id}")  # the original kept aside, removed by someone
    new_id = lab.inspect(name)["Id"]
    refused = lab.harden(journal, "rollback", "--yes")
    assert refused.code == 4 and "kept aside is gone" in refused.err and f"{name}-hardener-{run_id}) is gone" in refused.out, refused
    assert lab.inspect(name)["Id"] == new_id and lab.inspect(name)["State"]["Running"], "nothing done: the new one runs"
    preview = lab.harden(journal, "rollback", "--dry-run", run_id)
    assert f"container {name}: the original it replaced" in preview.out and "docker rm" not in preview.out, preview
    forced = lab.harden(journal, "rollback", "--yes", "--force", run_id)
    assert forced.code == 5, forced
    assert f"container {name}: the original it replaced ({name}-hardener-{run_id}) is gone; rollback keeps the container in its place" \
        in forced.out, forced
    assert lab.inspect(name)["Id"] == new_id and lab.inspect(name)["State"]["Running"], \
        "the container in the original's place is kept: removing it would leave none"
    assert container_id != new_id
    incomplete = lab.harden(journal, "history", "--format", "json").json["runs"][-1]
    assert incomplete["state"] == "rollback_incomplete" and any("is gone" in what for what in incomplete["unrestored"])
    assert "not restored: container " in lab.harden(journal, "history").out
    pruned = lab.harden(journal, "history", "--prune", "0")
    assert pruned.code == 0, pruned
    again = lab.harden(journal, "apply", "--yes", "--only", "no-host-pid")
    assert again.code in (0, 2) and "did not finish" not in again.err, "a later apply is not refused"


def test_a_forced_rollback_keeps_a_joiner_of_a_container_whose_original_is_gone(lab, tmp_path):
    """y joins x's network; both are recreated; x's original, kept aside, is removed by someone: rollback is refused,
    and forced it keeps x and y as they run now (y's original would come back joined to nothing)."""
    x = lab.container("--pid", "host", command=LOOP)
    y = lab.container("--network", f"container:{x}", command=LOOP)
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-host-pid", "--container", x, "--format", "json")
    assert applied.code == 0, applied
    run_id = applied.json["run_id"]
    new = {name: lab.adopt(name) for name in (x, y)}
    lab.docker("rm", "--force", f"{x}-hardener-{run_id}")
    assert lab.harden(journal, "rollback", "--yes").code == 4
    forced = lab.harden(journal, "rollback", "--yes", "--force", run_id, "--lang", "zh")
    assert forced.code == 5, forced
    assert f"未恢复：container {y}：它加入了 {x}，而其原容器已不存在；回滚保持其现状" in forced.out, forced
    assert f"未恢复：container {x}：被它替换的原容器（{x}-hardener-{run_id}）已不存在" in forced.out, forced
    for name in (x, y):
        assert lab.inspect(name)["Id"] == new[name] and lab.inspect(name)["State"]["Running"], name


def wait_healthy(lab, name):
    import time

    for _ in range(60):
        if (lab.inspect(name)["State"].get("Health") or {}).get("Status") == "healthy":
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} never became healthy")


def test_a_recreated_container_must_be_as_it_was_running_and_healthy_or_the_run_is_undone(lab, tmp_path):
    health = ("--health-cmd", "test -f /tmp/ready", "--health-interval", "1s", "--health-retries", "1", "--health-timeout", "1s")
    fine = lab.container(*health, command=("sh", "-c", "touch /tmp/ready; trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done"))
    made_ready = lab.container(*health, command=LOOP)
    lab.docker("exec", made_ready, "touch", "/tmp/ready")  # healthy only through its writable layer, which a new one lacks
    for name in (fine, made_ready):
        wait_healthy(lab, name)
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", fine)
    assert applied.code == 0, applied
    lab.adopt(fine)
    assert (lab.inspect(fine)["State"]["Health"] or {})["Status"] == "healthy"
    original = lab.inspect(made_ready)["Id"]
    failed = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", made_ready)
    assert failed.code == 3, failed
    assert "the original was healthy, the new one is unhealthy" in failed.err, failed.err
    back = lab.inspect(made_ready)
    assert back["Id"] == original and back["State"]["Running"], "undone: the original runs again"


def test_a_recreated_container_that_stops_or_restarts_makes_the_run_fail_and_be_undone(lab, tmp_path):
    """One that writes to its root file system at start: read-only, it exits (no restart policy) or is restarted
    by the engine again and again (--restart always). Neither is as it was: exit 3, and the original runs again."""
    writes = ("sh", "-c", "touch /written || exit 3; trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done")
    dies, loops = lab.container(command=writes), lab.container("--restart", "always", command=writes)
    journal = tmp_path / "journal"
    for name, says in ((dies, "does not run"), (loops, "restarted")):
        original = lab.inspect(name)["Id"]
        failed = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", name)
        assert failed.code == 3 and says in failed.err, (name, failed)
        back = lab.inspect(name)
        assert back["Id"] == original and back["State"]["Running"] and not back["HostConfig"]["ReadonlyRootfs"], back["State"]
        assert [line for line in lab.docker("ps", "--all", "--filter", f"label=hardener.test={lab.token}",
                                            "--format", "{{.Names}}").splitlines() if line.startswith(name)] == [name], \
            "the new one is removed again"


def test_the_wait_for_health_is_as_long_as_the_containers_own_check_can_take_to_decide(lab):
    from hardener.facts.containers import Container
    from hardener.planners.containers import healthy_within

    slow = lab.container("--health-cmd", "true", "--health-interval", "1s", "--health-timeout", "2s", "--health-retries", "4",
                         "--health-start-period", "300s", command=LOOP)
    wait_healthy(lab, slow)
    assert healthy_within(Container(lab.inspect(slow))) == 300 + 5 * (1 + 2) + 10
    lab.docker("stop", "--time", "1", slow)
    assert healthy_within(Container(lab.inspect(slow))) == 0, "a container not running healthy is not waited for"


def test_a_default_capability_added_back_after_cap_drop_all_is_no_addition_and_stays(lab, tmp_path):
    """CIS's own remediation for 5.4 (--cap-drop ALL --cap-add NET_BIND_SERVICE) passes; where a container adds one
    beyond Docker's default set too, the recreation takes out that one and keeps the one the application needs."""
    remediated = lab.container("--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", command=LOOP)
    beyond = lab.container("--cap-drop", "ALL", "--cap-add", "net_bind_service", "--cap-add", "CAP_NET_ADMIN", command=LOOP)
    kept = [cap for cap in lab.inspect(beyond)["HostConfig"]["CapAdd"] if "ADMIN" not in cap.upper()]
    journal = tmp_path / "journal"
    checked = lab.harden(journal, "check", "--profile", "cis", "--only", "no-added-capabilities", "--container", remediated,
                          "--container", beyond, "--format", "json")
    findings = {f["target"]: (f["status"], f["evidence"].get("cap_add")) for f in checked.json["items"][0]["findings"]}
    assert findings == {beyond: ("manual", "NET_ADMIN")}, findings  # manual: recreated only with --recreate
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", "no-added-capabilities",
                          "--container", beyond)
    assert applied.code == 0, applied
    lab.adopt(beyond)
    settings = lab.inspect(beyond)["HostConfig"]
    assert settings["CapAdd"] == kept and len(kept) == 1 and settings["CapDrop"] == ["ALL"], settings
    assert lab.harden(journal, "rollback", "--yes").code == 0


def test_no_new_privileges_is_the_containers_own_as_dockerd_and_the_kernel_read_it(lab, tmp_path):
    """5.26: `no-new-privileges=1` (Go's ParseBool) is set, `no-new-privileges=false` an opt-out; the kernel's
    NoNewPrivs of the running process agrees with both."""
    ones = lab.container("--security-opt", "no-new-privileges=1", command=LOOP)
    opted_out = lab.container("--security-opt", "no-new-privileges=false", command=LOOP)
    for name, flag in ((ones, "1"), (opted_out, "0")):
        pid = lab.inspect(name)["State"]["Pid"]
        assert f"NoNewPrivs:\t{flag}" in lab.path(f"/proc/{pid}/status").read_text(), name
    journal = tmp_path / "journal"
    checked = lab.harden(journal, "check", "--profile", "cis", "--only", "container-no-new-privileges", "--container", ones,
                          "--container", opted_out, "--format", "json")
    findings = {f["target"]: (f["status"], f["evidence"].get("opted_out")) for f in checked.json["items"][0]["findings"]}
    assert findings == {opted_out: ("manual", True)}, findings
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", "container-no-new-privileges",
                          "--container", opted_out)
    assert applied.code == 0, applied
    lab.adopt(opted_out)
    assert lab.inspect(opted_out)["HostConfig"]["SecurityOpt"] == ["no-new-privileges"]
    assert lab.harden(journal, "rollback", "--yes").code == 0


def test_ports_published_with_P_are_judged_as_bound_and_kept_on_the_bind_address(lab, tmp_path):
    """5.9 and 5.14: -P publishes the exposed ports on every address with PortBindings empty; what the engine bound
    (or, stopped, will bind) is judged. The bind-address recreation carries them explicitly, bound to the configured
    address, each keeping the host port it has now."""
    running = lab.container("-P", "--expose", "80", command=LOOP)
    stopped = lab.container("-P", "--expose", "81", create=True)
    bound = lab.inspect(running)["NetworkSettings"]["Ports"]["80/tcp"]
    host_port = bound[0]["HostPort"]
    # 20.10 may give the IPv6 binding a port of its own (0.0.0.0:32769 and [::]:32770): each host port stays
    host_ports = list(dict.fromkeys(binding["HostPort"] for binding in bound))
    journal = tmp_path / "journal"
    config = tmp_path / "config.toml"
    config.write_text('bind_address = "127.0.0.1"\n')
    checked = lab.harden(journal, "check", "--profile", "cis", "--only", "open-ports,bind-address", "--container", running,
                          "--container", stopped, "--config", config, "--format", "json")
    found = {(item["id"], f["target"]): f["evidence"].get("ports") for item in checked.json["items"] for f in item["findings"]}
    assert f"0.0.0.0:{host_port}->80/tcp" in found[("open-ports", running)] and "*:?->81/tcp" == found[("open-ports", stopped)], found
    assert found[("bind-address", running)] and found[("bind-address", stopped)] == "*:?->81/tcp", found
    applied = lab.harden(journal, "apply", "--yes", "--profile", "cis", "--recreate", "--only", "bind-address",
                          "--container", running, "--container", stopped, "--config", config)
    assert applied.code == 0, applied
    for name in (running, stopped):
        lab.adopt(name)
    new = lab.inspect(running)
    assert new["HostConfig"]["PublishAllPorts"] is False
    assert sorted(new["NetworkSettings"]["Ports"]["80/tcp"], key=lambda binding: binding["HostPort"]) == \
        [{"HostIp": "127.0.0.1", "HostPort": port} for port in sorted(host_ports)], (bound, new["NetworkSettings"]["Ports"])
    assert lab.inspect(stopped)["HostConfig"]["PortBindings"] == {"81/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    assert lab.harden(journal, "rollback", "--yes").code == 0
    assert lab.inspect(running)["HostConfig"]["PublishAllPorts"] is True
