"""Container items against a real dockerd: this machine's (Docker 20.10) and the trixie lab's (Docker 26)."""
import json
import os
import shlex
import time
import uuid
from pathlib import Path

import pytest

from hardener.host import Host, HostError

from docker_lab import CountingProxy, counting_docker, engine_lab, memory_readings

CONTAINER_ITEMS = "no-privileged,no-sensitive-mounts,memory-limit,readonly-rootfs,no-host-pid,no-docker-sock"


pytestmark = pytest.mark.releases
lab = pytest.fixture(scope="module", name="lab")(engine_lab)


@pytest.fixture(scope="module")
def zoo(lab):
    """One container for each bad setting, and clean ones."""
    etcd = lab.host_dir(f"/etcd-hardener-{lab.token}")  # /etcd... is not /etc
    volume = lab.volume()
    return {
        "hostpid": lab.container("--pid=host", "--read-only", "--memory", "64m"),
        "etc": lab.container("-v", "/etc:/x", "--read-only", "--memory", "64m"),
        "ssl": lab.container("-v", "/etc/ssl:/x:ro", "--read-only", "--memory", "64m"),
        "etcd": lab.container("-v", f"{etcd}:/x", "--read-only", "--memory", "64m"),
        "named": lab.container("-v", f"{volume}:/v", "--read-only", "--memory", "64m"),
        "sock": lab.container("-v", "/var/run/docker.sock:/var/run/docker.sock", "--read-only", "--memory", "64m"),
        "sockdir": lab.container("-v", "/var/run:/hostrun:ro", "--read-only", "--memory", "64m"),
        "unlimited": lab.container("--read-only"),
        "writable": lab.container("--memory", "64m"),
        "privileged": lab.container("--privileged", "--read-only", "--memory", "64m", create=True),
        "clean": lab.container("--read-only", "--memory", "64m"),
    }


def check(lab, tmp_path, *args, container=None):
    """harden check of the container items, for this session's containers (or the one named)."""
    result = lab.harden(tmp_path / "journal", "check", "--only", CONTAINER_ITEMS, "--container", container or f"label={lab.label}",
                         "--format", "json", *args)
    assert result.code in (0, 2), result
    return {item["id"]: item for item in result.json["items"]}


def failing(item):
    return {f["target"]: f for f in item["findings"] if f["status"] != "pass"}


def test_check_flags_exactly_the_bad_ones(lab, zoo, tmp_path):
    items = check(lab, tmp_path)
    assert set(failing(items["no-host-pid"])) == {zoo["hostpid"]}
    assert set(failing(items["no-privileged"])) == {zoo["privileged"]}
    assert set(failing(items["readonly-rootfs"])) == {zoo["writable"]}
    assert set(failing(items["memory-limit"])) == {zoo["unlimited"]}
    assert set(failing(items["no-docker-sock"])) == {zoo["sock"], zoo["sockdir"]}, "the socket's directory too"
    mounts = failing(items["no-sensitive-mounts"])
    assert set(mounts) == {zoo["etc"], zoo["ssl"]}, "not /etcd-…, not a named volume"
    assert (mounts[zoo["etc"]]["severity"], mounts[zoo["ssl"]]["severity"]) == ("high", "medium")
    assert mounts[zoo["etc"]]["evidence"]["mounts"] == "/etc -> /x (rw)"
    assert mounts[zoo["ssl"]]["evidence"]["mounts"] == "/etc/ssl -> /x (ro)"

    privileged = failing(items["no-privileged"])[zoo["privileged"]]
    assert privileged["status"] == "manual" and privileged["evidence"]["privileged"] is True
    assert privileged["evidence"]["image"] == f"hardener-test/busybox:{lab.token}"
    assert len(privileged["evidence"]["id"]) == 12 and privileged["evidence"]["running"] is False
    assert "--privileged" not in privileged["evidence"]["recreate_command"]
    assert failing(items["no-host-pid"])[zoo["hostpid"]]["evidence"]["pid_mode"] == "host"
    unlimited = failing(items["memory-limit"])[zoo["unlimited"]]
    assert unlimited["status"] == "manual" and unlimited["evidence"]["memory"] == "unlimited"
    assert "usage_bytes" not in unlimited["evidence"], "usage is read only where a configured limit needs it"


def test_container_option_narrows(lab, zoo, tmp_path):
    items = check(lab, tmp_path, container=zoo["hostpid"])
    assert set(failing(items["no-host-pid"])) == {zoo["hostpid"]}
    assert failing(items["no-privileged"]) == {} and items["no-privileged"]["status"] == "pass"


def test_bind_sources_are_judged_where_the_kernel_mounted_them(lab, tmp_path):
    """5.6 on a merged-/usr host: /sbin is /usr/sbin; a link (of anyone's) to / is /; a link to the socket is the
    socket (5.32). The finding shows both paths, and the recreation drops those mounts."""
    assert lab.path("/sbin").is_symlink(), "the engine's host is merged-/usr"
    links = lab.host_dir(f"/tmp/hardener-{lab.token}-links")
    here = lab.path(links)
    (here / "root").symlink_to("/")
    (here / "sock").symlink_to("/var/run/docker.sock")
    os.lchown(here / "root", 65534, 65534)  # a user's link: the kernel follows it for dockerd all the same
    sbin = lab.container("-v", "/sbin:/x:ro", "--read-only", "--memory", "64m")
    to_root = lab.container("-v", f"{links}/root:/host:ro", "--read-only", "--memory", "64m")
    to_sock = lab.container("-v", f"{links}/sock:/s", "--read-only", "--memory", "64m")
    items = check(lab, tmp_path)
    mounts = failing(items["no-sensitive-mounts"])
    assert set(mounts) & {sbin, to_root, to_sock} == {sbin, to_root}, mounts
    assert mounts[sbin]["evidence"]["mounts"] == "/sbin (/usr/sbin) -> /x (ro)"
    assert mounts[to_root]["evidence"]["mounts"] == f"{links}/root (/) -> /host (ro)"
    assert to_sock in failing(items["no-docker-sock"])
    pid = lab.docker("inspect", "--format", "{{.State.Pid}}", sbin)
    assert lab.path(f"/proc/{pid}/root/x/dockerd").is_file(), "the kernel mounted /usr/sbin there"

    (here / "moved").symlink_to("/etc")
    moved = lab.container("-v", f"{links}/moved:/m", "--read-only", "--memory", "64m")
    (here / "moved").unlink()
    (here / "moved").symlink_to(f"{links}/root/tmp")  # the link leads elsewhere now; /etc stays mounted
    mounts = failing(check(lab, tmp_path, container=moved)["no-sensitive-mounts"])
    assert mounts[moved]["evidence"]["mounts"] == f"{links}/moved (/tmp, /etc) -> /m (rw)", "what the kernel mounted"

    (here / "sock-moved").symlink_to("/var/run/docker.sock")
    os.lchown(here / "sock-moved", 65534, 65534)
    sock_moved = lab.container("-v", f"{links}/sock-moved:/s", "--read-only", "--memory", "64m")
    (here / "sock-moved").unlink()
    (here / "sock-moved").symlink_to(f"{links}/root/tmp")  # the user's link leads elsewhere now; the socket stays mounted
    sockets = failing(check(lab, tmp_path, container=sock_moved)["no-docker-sock"])
    assert sockets[sock_moved]["evidence"]["mounts"] == f"{links}/sock-moved (/tmp, /run/docker.sock) -> /s (rw)", sockets

    maker = lab.container(command=("sh", "-c", "mkdir /var && ln -s /run /var/run"))
    lab.docker("wait", maker)
    with_var_run = lab.commit(maker)  # an image whose /var/run leads to /run, as Debian's and Alpine's do
    (here / "sock-run").symlink_to("/var/run/docker.sock")
    os.lchown(here / "sock-run", 65534, 65534)
    via_run = lab.container("-v", f"{links}/sock-run:/var/run/docker.sock", "--memory", "64m", image=with_var_run)
    (here / "sock-run").unlink()
    (here / "sock-run").symlink_to(f"{links}/root/tmp")  # runc mounted the socket at /run/docker.sock, as the image leads
    sockets = failing(check(lab, tmp_path, container=via_run)["no-docker-sock"])
    assert sockets[via_run]["evidence"]["mounts"] == f"{links}/sock-run (/tmp, /run/docker.sock) -> /var/run/docker.sock (rw)", sockets
    for name in (sbin, to_root, to_sock, moved, sock_moved, maker, via_run):
        lab.docker("rm", "--force", name)


def test_the_socket_of_the_engine_harden_reads_is_a_docker_socket(lab, tmp_path):
    """5.32: harden reads the engine through DOCKER_HOST's socket (a proxy here, as a socket-proxy deployment has):
    a container that mounts that socket reaches the engine, and fails as one mounting docker.sock does."""
    directory = lab.host_dir(f"/tmp/hardener-{lab.token}-proxy")
    proxy = CountingProxy(lab.path(directory) / "engine.sock", target=str(lab.socket))
    mounting = lab.container("-v", f"{directory}/engine.sock:/engine.sock", "--read-only", "--memory", "64m")
    try:
        checked = lab.harden(tmp_path / "journal", "check", "--only", "no-docker-sock", "--container", mounting, "--format", "json",
                             env={"DOCKER_HOST": f"unix://{directory}/engine.sock"})
        assert checked.code == 2, checked
        (finding,) = checked.json["items"][0]["findings"]
        assert finding["reason"] == "docker_sock" and f"{directory}/engine.sock" in finding["evidence"]["mounts"], finding
        assert proxy.requests, "harden read the engine through it"
    finally:
        proxy.close()
        lab.docker("rm", "--force", mounting)


def test_recreate_command_keeps_what_the_container_was_made_with(lab, tmp_path):
    volume = lab.volume()
    name = lab.container("-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", f"{volume}:/named", "-v", "/data",
                         "--restart", "always", "-e", "APP=1", "-p", "127.0.0.1:18080:80", "--memory", "64m",
                         "--read-only", "--tmpfs", "/cache:size=1m", "--cap-drop", "NET_RAW",
                         command=("sh", "-c", "sleep 3600"))
    anonymous = next(m["Name"] for m in lab.inspect(name)["Mounts"] if m["Destination"] == "/data")
    items = check(lab, tmp_path, container=name)
    command = failing(items["no-docker-sock"])[name]["evidence"]["recreate_command"]
    assert "docker.sock" not in command
    # --cap-drop as the engine holds it: 20.10 says CAP_NET_RAW, 26 NET_RAW
    for part in (f"--name {name}", "--restart always", "--env APP=1", "--publish 127.0.0.1:18080:80",
                 f"--volume {volume}:/named", f"--volume {anonymous}:/data", "--tmpfs /cache:size=1m",
                 "--read-only", f"--cap-drop {lab.inspect(name)['HostConfig']['CapDrop'][0]}", "--memory 67108864", f"hardener-test/busybox:{lab.token} sh -c 'sleep 3600'"):
        assert part in command, part
    assert "IMAGEVAR" not in command, "the image's own environment is not repeated"


KEPT = ("IpcMode", "UTSMode", "UsernsMode", "ShmSize", "CpusetCpus", "CpuQuota", "MemoryReservation", "OomScoreAdj",
        "SecurityOpt", "Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "GroupAdd", "Devices", "Ulimits", "Sysctls", "LogConfig",
        "Init", "CapDrop", "PidsLimit", "CpuShares")


def test_a_newline_in_a_label_or_a_variable_cannot_forge_a_line_of_the_report(lab, tmp_path):
    """A label or an environment value with a newline, shown in the docker run line a manual finding gives: escaped as
    \\n, so it cannot print a line of its own ("[pass] ..."); JSON keeps the value as it is."""
    forged = "x\n[pass] no-privileged  all containers pass"
    name = lab.container("--label", f"note={forged}", "--env", f"GREETING={forged}", create=True)
    checked = lab.harden(tmp_path / "journal", "check", "--profile", "cis", "--only", "readonly-rootfs", "--container", name)
    assert checked.code == 2, checked
    assert not [line for line in checked.out.splitlines() if line.startswith("[pass]")], checked.out
    assert checked.out.count("x\\n[pass] no-privileged  all containers pass") == 2, checked.out
    as_json = lab.harden(tmp_path / "journal", "check", "--profile", "cis", "--only", "readonly-rootfs", "--container", name,
                         "--format", "json")
    assert forged in as_json.json["items"][0]["findings"][0]["evidence"]["recreate_command"]


def test_a_recreation_keeps_every_setting_but_the_one_it_fixes(lab, tmp_path):
    """The recreate command, run by dockerd itself: the new container's settings are the old one's, but for read-only."""
    name = lab.container("--ipc", "host", "--uts", "host", "--userns", "host", "--shm-size", "128m", "--cpuset-cpus", "0",
                         "--cpu-quota", "50000", "--memory-reservation", "32m", "--oom-score-adj", "100",
                         "--security-opt", "no-new-privileges", "--dns", "10.0.0.2", "--dns-search", "example.cn",
                         "--dns-option", "ndots:2", "--add-host", "db:10.0.0.3", "--group-add", "123",
                         "--device", "/dev/null:/dev/xnull:rw", "--ulimit", "nofile=1024:2048", "--log-opt", "max-size=10m",
                         "--init", "--tty", "--interactive", "--stop-timeout", "20", "--cap-drop", "NET_RAW",
                         "--pids-limit", "100", "--cpu-shares", "512", "--sysctl", "net.ipv4.ip_unprivileged_port_start=0",
                         "--health-cmd", "test -e /tmp || exit 1", "--health-interval", "30s", "--health-retries", "4",
                         "--health-start-period", "1.5s", "--domainname", "example.cn",
                         "--mount", "type=tmpfs,target=/scratch,tmpfs-size=1048576,tmpfs-mode=1770",
                         "--mount", f"type=bind,source={lab.host_dir(f'/tmp/hardener-{lab.token}-bind')},target=/b,readonly,bind-propagation=rslave",
                         "--mount", "type=volume,target=/anonymous,volume-nocopy",
                         create=True)
    items = check(lab, tmp_path, container=name)
    command = failing(items["readonly-rootfs"])[name]["evidence"]["recreate_command"]
    copy = f"{name}-copy"
    args = shlex.split(command)
    assert args[:4] == ["docker", "create", "--name", name], "it was created, not run: so is its copy"
    created = lab.docker("create", "--name", copy, *args[4:])
    lab.containers.append(created)
    old, new = lab.inspect(name), lab.inspect(copy)
    for key in KEPT:
        assert new["HostConfig"].get(key) == old["HostConfig"].get(key), key
    assert (new["Config"]["Tty"], new["Config"]["OpenStdin"], new["Config"]["StopTimeout"]) == (True, True, 20)
    mounts = lambda found: sorted((m["Type"], m["Destination"], m.get("Name"), m["RW"], m.get("Propagation")) for m in found["Mounts"])  # noqa: E731
    assert mounts(new) == mounts(old) and len(old["Mounts"]) == 3, "the anonymous volume by its name, not a new one"
    specs = lambda found: [{k: v for k, v in spec.items() if k != "Source" or spec["Type"] != "volume"} for spec in found["HostConfig"]["Mounts"]]  # noqa: E731
    assert specs(new) == specs(old), "tmpfs size and mode, propagation, readonly, nocopy"
    assert new["Config"]["Healthcheck"] == old["Config"]["Healthcheck"] and new["Config"]["Domainname"] == "example.cn"
    database = lab.container()
    linked = lab.container("--link", f"{database}:db")
    shown = failing(check(lab, tmp_path, container=linked)["readonly-rootfs"])[linked]["evidence"]["recreate_command"]
    assert f"--link {database}:db" in shown, "a legacy link, by the name it had"
    lab.containers.append(lab.docker("create", "--name", f"{linked}-copy", *shlex.split(shown)[5:]))
    links = lambda found: [(link.split(":")[0], link.rsplit("/", 1)[-1]) for link in found["HostConfig"]["Links"]]  # noqa: E731
    assert links(lab.inspect(f"{linked}-copy")) == links(lab.inspect(linked)) == [(f"/{database}", "db")]
    unchecked = lab.container("--no-healthcheck", create=True)
    assert "--no-healthcheck" in failing(check(lab, tmp_path, container=unchecked)["readonly-rootfs"])[unchecked]["evidence"]["recreate_command"]
    assert new["HostConfig"]["ReadonlyRootfs"] is True and old["HostConfig"]["ReadonlyRootfs"] is False
    published = lab.container("--publish-all", "--expose", "9090", "--log-driver", "none", create=True)
    shown = failing(check(lab, tmp_path, container=published)["readonly-rootfs"])[published]["evidence"]["recreate_command"]
    lab.containers.append(lab.docker("create", "--name", f"{published}-copy", *shlex.split(shown)[4:]))
    old, new = lab.inspect(published), lab.inspect(f"{published}-copy")
    assert new["HostConfig"]["PublishAllPorts"] is True and new["Config"]["ExposedPorts"] == old["Config"]["ExposedPorts"]
    assert new["HostConfig"]["LogConfig"] == old["HostConfig"]["LogConfig"] == {"Type": "none", "Config": {}}


def test_a_recreation_keeps_the_networks_aliases_and_addresses(lab, tmp_path):
    front = lab.network("--subnet", "172.31.251.0/24")
    back = lab.network()
    name = lab.container("--network", front, "--network-alias", "web", "--ip", "172.31.251.10", "-v", "/var/run/docker.sock:/s")
    lab.docker("network", "connect", "--alias", "api", back, name)
    before = lab.inspect(name)["NetworkSettings"]["Networks"]
    shown = failing(check(lab, tmp_path, container=name)["no-docker-sock"])[name]["evidence"]["recreate_command"]
    assert f"--network {front} --network-alias web --ip 172.31.251.10" in shown and f"docker network connect --alias api {back} {name}" in shown

    applied = lab.harden(tmp_path / "journal", "apply", "--yes", "--recreate", "--only", "no-docker-sock", "--container", name)
    assert applied.code == 0, applied
    lab.adopt(name)
    after = lab.inspect(name)["NetworkSettings"]["Networks"]
    assert set(after) == set(before) == {front, back}
    short = lab.inspect(name)["Id"][:12]
    assert [a for a in after[front]["Aliases"] if a != short] == ["web"] and after[front]["IPAddress"] == "172.31.251.10"
    assert [a for a in after[back]["Aliases"] if a != short] == ["api"]
    assert lab.harden(tmp_path / "journal", "rollback", "--yes").code == 0
    assert lab.inspect(name)["NetworkSettings"]["Networks"].keys() == before.keys()


def test_orchestrated_containers_are_fixed_in_their_definition(lab, tmp_path):
    name = lab.container("--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=web",
                         "--label", "com.docker.compose.project.config_files=/srv/shop/docker-compose.yml", "--pid=host")
    result = lab.harden(tmp_path / "journal", "check", "--only", "no-host-pid", "--container", name)
    assert "defined by compose shop web /srv/shop/docker-compose.yml: change it there" in result.out
    finding = failing(check(lab, tmp_path, container=name)["no-host-pid"])[name]
    assert finding["evidence"]["managed_by"] == "compose" and "recreate_command" not in finding["evidence"]


def test_container_waivers(lab, zoo, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f"[[waivers]]\nitem = 'no-host-pid'\ncontainer = '{zoo['hostpid']}'\nreason = 'node exporter'\n"
                      f"[[waivers]]\nitem = 'readonly-rootfs'\nlabel = '{lab.label}'\nreason = 'legacy app'\nexpires = 2020-01-01\n")
    items = check(lab, tmp_path, "--config", config)
    waived = failing(items["no-host-pid"])[zoo["hostpid"]]
    assert (waived["status"], waived["reason"], waived["evidence"]["waiver"]) == ("waived", "host_pid", "node exporter")
    assert "shares the host's processes" in waived["message"], "a waived finding still says what is wrong"
    assert check(lab, tmp_path, "--config", config, container=zoo["hostpid"])["no-host-pid"]["status"] == "waived"
    assert failing(items["readonly-rootfs"])[zoo["writable"]]["status"] == "manual", "expired"
    assert any("expired on 2020-01-01" in note for note in items["readonly-rootfs"]["notes"])


def test_memory_limit_applied_live_and_rolled_back(lab, tmp_path):
    name = lab.container()
    config = tmp_path / "config.toml"
    config.write_text("[memory_limit]\ndefault = '1g'\n[[memory_limit.overrides]]\n"
                      f"container = '{name}'\nlimit = '256m'\n")
    journal = tmp_path / "journal"
    preview = lab.harden(journal, "apply", "--dry-run", "--only", "memory-limit", "--container", name, "--config", config)
    assert f"container {name}: run docker update --memory 268435456 --memory-swap 268435456" in preview.out
    assert "Docker cannot remove a memory limit: rollback sets the host's total memory" in preview.out
    started = lab.inspect(name)["State"]["StartedAt"]

    applied = lab.harden(journal, "apply", "--yes", "--only", "memory-limit", "--container", name, "--config", config)
    assert applied.code == 0, applied
    after = lab.inspect(name)
    assert (after["HostConfig"]["Memory"], after["HostConfig"]["MemorySwap"]) == (256 * 2 ** 20, 256 * 2 ** 20)
    assert after["State"]["Running"] and after["State"]["StartedAt"] == started, "updated live, not restarted"

    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    assert f"container {name}: Docker cannot remove a memory limit: rollback sets the host's total memory" in rolled.out
    total = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1]) * 1024
    back = lab.inspect(name)["HostConfig"]
    assert (back["Memory"], back["MemorySwap"]) == (total, -1)
    assert not Path("/var/lib/hardener").exists() or (tmp_path / "journal/hardener").exists()


def test_a_profiles_parameters_set_the_limits_and_the_hosts_config_wins(lab, tmp_path):
    """A profile entry's parameters = { default = "192m" } (memory-limit) and { default = 64 } (pids-limit) are applied
    live; a host whose config sets [memory_limit] default keeps its own, over the profile's."""
    name = lab.container()
    profile = tmp_path / "site.toml"
    profile.write_text('name = "site"\ntitle = { en = "Site", zh = "站点" }\nextends = "cis"\n\n'
                       '[[entry]]\nitem = "memory-limit"\nparameters = { default = "192m" }\n\n'
                       '[[entry]]\nitem = "pids-limit"\n[entry.parameters]\ndefault = 64\n')
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--profile", profile, "--only", "memory-limit,pids-limit", "--container", name)
    assert applied.code == 0, applied
    settings = lab.inspect(name)["HostConfig"]
    assert (settings["Memory"], settings["PidsLimit"]) == (192 * 2 ** 20, 64), settings
    assert lab.harden(journal, "rollback", "--yes").code == 0
    config = tmp_path / "config.toml"
    config.write_text("[memory_limit]\ndefault = '320m'\n")
    other = lab.container()
    preview = lab.harden(journal, "--dry-run", "--profile", profile, "--config", config, "--only", "memory-limit", "--container", other)
    assert f"container {other}: run docker update --memory {320 * 2 ** 20} " in preview.out, preview.out


def test_limit_below_usage_is_refused(lab, tmp_path):
    # the loop keeps the shell (and its 30 MB) alive: a last command would be exec'd
    name = lab.container(command=("sh", "-c", "x=$(head -c 30000000 /dev/zero | tr '\\0' a); while :; do sleep 1000; done"))
    config = tmp_path / "config.toml"
    config.write_text("[memory_limit]\ndefault = '8m'\n")
    for _ in range(30):  # until the shell holds its 30 MB
        items = check(lab, tmp_path, "--config", config, container=name)
        finding = failing(items["memory-limit"])[name]
        if finding["evidence"]["usage_bytes"] > 8 * 2 ** 20:
            break
    assert (finding["status"], finding["reason"]) == ("manual", "limit_below_usage")
    assert items["memory-limit"]["changes"] == []


def test_engine_not_answering_or_missing(lab, tmp_path):
    down = lab.harden(tmp_path / "journal", "check", "--only", "no-privileged,content-trust", "--format", "json",
                       env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    items = {item["id"]: item for item in down.json["items"]}
    assert down.code == 1
    assert items["no-privileged"]["status"] == "error" and "Docker engine does not answer" in items["no-privileged"]["findings"][0]["message"]
    assert items["content-trust"]["status"] != "error", "the rest of the run goes on"

    no_docker = tmp_path / "bin"
    no_docker.mkdir()
    without_cli = lab.harden(tmp_path / "journal", "check", "--only", "no-privileged", "--container", f"label={lab.label}",
                              "--format", "json", env={"PATH": f"{no_docker}:/usr/sbin:/sbin"})
    assert without_cli.json["items"][0]["status"] != "error", "reads need the engine's socket, not the docker command"


def test_no_engine_and_no_docker_is_not_installed(tmp_path, monkeypatch):
    import hosts
    from hardener.facts.containers import all_containers
    from hardener.facts.engine import NoEngine
    from hardener.host import Host

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    for layout, reason in ((hosts.without_docker(), "not_installed"), (hosts.debian_docker_io(), "engine_unreachable")):
        host = Host(str(hosts.build(tmp_path / reason, layout)))
        host.live = True  # read as a live host would be; its engine is the socket named above, which nothing serves
        with pytest.raises(NoEngine) as raised:
            all_containers(host)
        assert raised.value.reason == reason


def test_reads_are_one_listing_one_inspect_per_container_and_per_image_and_no_docker_process(lab, tmp_path):
    token = uuid.uuid4().hex[:6]
    for count in (2, 200):
        label = f"hardener.batch={token}-{count}"
        for _ in range(count):
            lab.container("--label", label, "--privileged", create=True)
        shim = counting_docker(tmp_path / f"shim{count}")
        proxy = CountingProxy(tmp_path / f"engine{count}.sock", target=str(lab.socket))
        try:
            result = lab.harden(tmp_path / "journal", "check", "--only", CONTAINER_ITEMS, "--container", f"label={label}",
                                 "--format", "json", path_prefix=shim, env={"DOCKER_HOST": f"unix://{proxy.path}"})
        finally:
            proxy.close()
        privileged = next(item for item in result.json["items"] if item["id"] == "no-privileged")
        assert len([f for f in privileged["findings"] if f["status"] == "manual"]) == count
        assert not (shim / "calls").exists(), "no docker process for reads"
        listings = [r for r in proxy.requests if r.startswith("/containers/json")]
        inspects = [r for r in proxy.requests if r.startswith("/containers/") and r.endswith("/json") and r not in listings]
        image_reads = [r for r in proxy.requests if r.startswith("/images/")]
        assert len(listings) == 1, proxy.requests
        assert len(inspects) == len(set(inspects)) == count, "one inspect per chosen container, no request per item"
        assert len(image_reads) == len(set(image_reads)), "at most one per image"
        assert len(proxy.requests) == len(listings) + len(inspects) + len(image_reads), proxy.requests
        engine_version = "/v" + lab.docker("version", "--format", "{{.Server.APIVersion}}")
        assert proxy.versions == [""] + [engine_version] * (len(proxy.versions) - 1), \
            "the first request at the engine's own version, the rest at the version it answered with"


def test_memory_usage_from_the_cgroup_is_what_docker_stats_says(lab):
    """A container holding page cache: the usage harden reads from its cgroup, without the inactive file cache,
    within 1 % of docker stats'."""
    name = lab.container(command=("sh", "-c", "dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null; "
                                              "head -c 30000000 /dev/zero | tr '\\0' x > /tmp/x; cat /tmp/fill /tmp/x > /dev/null; "
                                              "while :; do sleep 1000; done"))
    before, theirs, after, cache = memory_readings(lab.site.python, name, at_least=50 * 2 ** 20)
    assert cache > 50 * 2 ** 20, "page cache held"
    assert min(before, after) - 0.01 * theirs <= theirs <= max(before, after) + 0.01 * theirs, (before, after, theirs)


def test_recreate_without_the_socket_and_roll_back(lab, tmp_path):
    name = lab.container("-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/data", "--restart", "always",
                         command=("sh", "-c", "while :; do sleep 1000; done"))
    lab.docker("exec", name, "sh", "-c", "echo precious > /data/value && echo layer > /marker")
    original = lab.inspect(name)
    volume = next(m["Name"] for m in original["Mounts"] if m["Destination"] == "/data")
    journal = tmp_path / "journal"

    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-docker-sock", "--container", name, "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    run_id = applied.json["run_id"]
    new = lab.inspect(name)
    assert new["Id"] != original["Id"] and new["State"]["Running"]
    assert all("docker.sock" not in m["Source"] for m in new["Mounts"])
    assert [m["Name"] for m in new["Mounts"] if m["Destination"] == "/data"] == [volume]
    assert lab.docker("exec", name, "cat", "/data/value") == "precious"
    kept = lab.inspect(original["Id"])
    assert kept["Name"] == f"/{name}-hardener-{run_id}"
    assert kept["HostConfig"]["RestartPolicy"]["Name"] == "no" and not kept["State"]["Running"]

    if lab.site.ours:
        lab.site.restart()
        assert not lab.inspect(original["Id"])["State"]["Running"], "the kept original stays down"

    rolled = lab.harden(journal, "rollback", "--yes")
    assert rolled.code == 0, rolled
    back = lab.inspect(name)
    assert back["Id"] == original["Id"] and back["State"]["Running"]
    assert back["HostConfig"]["RestartPolicy"]["Name"] == "always"
    assert lab.docker("exec", name, "cat", "/marker") == "layer", "the original's writable layer is as it was"
    assert lab.docker("ps", "--all", "--quiet", "--filter", f"id={new['Id']}") == "", "the new container is gone"


def test_a_rollback_killed_after_its_last_undo_loses_no_container_when_run_again(lab, tmp_path):
    """Killed between recording its last step undone and recording itself finished, a rollback leaves its run
    "rolling_back" with every step undone; run again, it must not undo them again: the new container's removal is
    `docker rm --force NAME`, and NAME is the original's again (the docker CLI says yes to removing what is not there)."""
    name = lab.container("-v", "/var/run/docker.sock:/var/run/docker.sock", "--restart", "always",
                         command=("sh", "-c", "while :; do sleep 1000; done"))
    original = lab.inspect(name)["Id"]
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-docker-sock", "--container", name, "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    assert lab.harden(journal, "rollback", "--yes").code == 0
    run_json = journal / "hardener/runs" / applied.json["run_id"] / "run.json"
    record = json.loads(run_json.read_text())
    run_json.write_text(json.dumps(dict(record, state="rolling_back", finished=None)))  # as the kill left it

    again = lab.harden(journal, "rollback", "--yes", "--format", "json")
    assert again.code == 0, again
    back = lab.inspect(name)
    assert back["Id"] == original and back["State"]["Running"], "the original is there, running"
    assert json.loads(run_json.read_text())["state"] == "rolled_back"

    # killed earlier: the original renamed back (and not started yet), the rename's undone record not made
    steps = run_json.parent / "steps.jsonl"
    records = [json.loads(line) for line in steps.read_text().splitlines()]
    (rename,) = [r["step"] for r in records if r["event"] == "begin" and r["command"][:2] == ["docker", "rename"]]
    kept = [r for r in records if not (r["event"] == "undone" and r["step"] <= rename)]
    steps.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept))
    lab.docker("stop", "--time", "1", original)
    run_json.write_text(json.dumps(dict(record, state="rolling_back", finished=None)))
    resumed = lab.harden(journal, "rollback", "--yes")
    assert resumed.code == 0, resumed
    back = lab.inspect(name)
    assert (back["Id"], back["Name"], back["State"]["Running"]) == (original, f"/{name}", True)
    undone = {r["step"] for r in map(json.loads, steps.read_text().splitlines()) if r["event"] == "undone"}
    assert undone == {r["step"] for r in records if r["event"] == "begin"}


def test_one_recreation_for_every_item_that_fails_on_a_container(lab, tmp_path):
    name = lab.container("--pid=host", command=("sh", "-c", "while :; do sleep 1000; done"))
    journal = tmp_path / "journal"
    preview = lab.harden(journal, "apply", "--dry-run", "--recreate", "--only", "no-host-pid,readonly-rootfs", "--container", name)
    assert preview.out.count(f"container {name}: create again through the Engine API") == 1, "one recreation, shown once"
    assert '  HostConfig.PidMode: "host" -> ""' in preview.out and "  HostConfig.ReadonlyRootfs: false -> true" in preview.out, preview.out
    assert "for readonly-rootfs, no-host-pid:" in preview.out and "changed together with readonly-rootfs" in preview.out
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-host-pid,readonly-rootfs",
                          "--container", name, "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    new = lab.inspect(name)["HostConfig"]
    assert new["PidMode"] != "host" and new["ReadonlyRootfs"] is True and set(new["Tmpfs"]) == {"/tmp", "/run"}
    history = lab.harden(journal, "history", "--format", "json").json
    assert history["runs"][-1]["changes"] == 3, "stop, rename, run: once"
    assert lab.harden(journal, "rollback", "--yes").code == 0
    assert lab.inspect(name)["HostConfig"]["PidMode"] == "host"


def test_recreation_carries_the_memory_limit_and_kept_aside_containers_are_harden_s(lab, tmp_path):
    etc = lab.container("--volume", "/etc:/host-etc:ro", command=("sh", "-c", "while :; do sleep 1000; done"))
    writable = lab.container(command=("sh", "-c", "while :; do sleep 1000; done"))
    config = tmp_path / "config.toml"
    config.write_text("[memory_limit]\ndefault = '256m'\n")
    journal = tmp_path / "journal"
    items = "no-sensitive-mounts,readonly-rootfs,memory-limit"
    originals = {name: lab.inspect(name)["Id"] for name in (etc, writable)}
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", items, "--container", etc, "--container", writable,
                          "--config", config, "--format", "json")
    assert applied.code == 0, applied
    for name in (etc, writable):
        lab.adopt(name)
        new = lab.inspect(name)
        assert new["Id"] != originals[name]
        assert (new["HostConfig"]["Memory"], new["HostConfig"]["MemorySwap"]) == (256 * 2 ** 20, 256 * 2 ** 20), \
            "the recreated container has the limit, not the one kept aside"
        memory = next(item for item in applied.json["items"] if item["id"] == "memory-limit")
        assert not any(c["command"][:2] == ["docker", "update"] for c in memory["changes"]), "no docker update of the old one"
    for name in (etc, writable):
        check = lab.harden(journal, "check", "--only", items, "--container", name, "--config", config)
        assert check.code == 0, check
    ours = ("--container", f"{etc}*", "--container", f"{writable}*")  # the kept-aside ones' names start so too
    everything = lab.harden(journal, "check", "--only", items, "--config", config, *ours, "--format", "json").json
    targets = {f["target"] for item in everything["items"] for f in item["findings"]}
    assert not any("-hardener-" in target for target in targets), "kept-aside containers are not the host's findings"
    runs = lab.harden(journal, "history", "--format", "json").json["runs"]
    run_id = runs[-1]["id"]
    assert sorted(runs[-1]["keeps"]) == sorted(f"{name}-hardener-{run_id}" for name in (etc, writable))
    assert f"keeps aside for rollback: {etc}-hardener-{run_id}" in lab.harden(journal, "history").out
    pruned = lab.harden(journal, "history", "--prune", "0")
    assert pruned.code == 0, pruned
    for name in (etc, writable):
        assert lab.docker("ps", "--all", "--quiet", "--filter", f"id={originals[name]}") == "", "pruned with its run"


def test_a_custom_seccomp_profile_is_passed_again_as_the_engine_holds_it(lab, tmp_path):
    """Docker keeps a custom seccomp profile only as its content: the create request passes that content again
    (the engine takes it there, where `docker run` would want a file), and harden writes no file for it."""
    profile = tmp_path / "profile.json"
    profile.write_text('{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [{"names": ["mknod"], "action": "SCMP_ACT_ERRNO"}]\n}\n')
    name = lab.container("--security-opt", f"seccomp={profile}", command=("sh", "-c", "while :; do sleep 1000; done"))
    original = lab.inspect(name)
    journal = tmp_path / "journal"
    preview = lab.harden(journal, "apply", "--dry-run", "--recreate", "--only", "readonly-rootfs", "--container", name).out
    assert "SecurityOpt" not in preview, "the profile is not a change"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "readonly-rootfs", "--container", name)
    assert applied.code == 0, applied
    lab.adopt(name)
    new = lab.inspect(name)
    assert new["Id"] != original["Id"] and new["State"]["Running"] and new["HostConfig"]["ReadonlyRootfs"] is True
    assert new["HostConfig"]["SecurityOpt"] == original["HostConfig"]["SecurityOpt"], "the same profile, as dockerd holds it"
    assert not (journal / "hardener/seccomp").exists(), "no file of harden's"
    assert lab.harden(journal, "rollback", "--yes").code == 0
    assert lab.inspect(name)["Id"] == original["Id"]


class SystemctlScripted(Host):
    """This machine with its systemctl scripted: docker is not restarted, and its containers are the engine's own.
    `on_restart` does at the restart what dockerd would (start a stopped container whose policy is always, say)."""

    def __init__(self, on_restart=lambda: None):
        super().__init__("/")
        self.asked = []
        self.on_restart = on_restart

    def run(self, program, *args, timeout=None):
        assert program == "systemctl", (program, args)
        self.asked.append(args)
        if args[0] == "restart":
            self.on_restart()
        return ""


def test_containers_that_ran_before_a_docker_restart_must_run_after_it(lab, monkeypatch):
    """After a restart of docker the containers that ran before run again (one that is gone, as a --rm container is
    with its stop, is not asked for), read and started through the Engine API; one that does not keep running makes
    the restart fail, so the run is undone rather than reported done."""
    import hardener.services.docker as docker_service

    monkeypatch.setenv("DOCKER_HOST", f"unix://{lab.socket}")
    loop = ("sh", "-c", "while :; do sleep 1000; done")
    running, stopped, dying = lab.container(command=loop), lab.container(command=loop), lab.container(create=True, command=("false",))
    lab.docker("stop", "--time", "0", stopped)
    ids = {name: lab.inspect(name)["Id"] for name in (running, stopped, dying)}
    removed = "0" * 64
    host = SystemctlScripted()
    docker_service.Daemon(host).restart("docker.service", {"running": [ids[running], ids[stopped], removed]})
    assert host.asked == [("reset-failed", "docker.service"), ("restart", "docker.service")]
    assert lab.inspect(stopped)["State"]["Running"] and lab.inspect(running)["State"]["Running"]
    with pytest.raises(HostError, match=f"do not run after it: {ids[dying][:12]}$"):
        docker_service.Daemon(host).restart("docker.service", {"running": [ids[running], ids[dying]]})
    assert lab.inspect(dying)["State"]["StartedAt"] != "0001-01-01T00:00:00Z", "started, and found not running after"
    gone = lab.network()
    refusing = lab.container("--network", gone, create=True, command=loop)
    lab.docker("network", "rm", gone)  # its start is refused: the network is not found
    lab.docker("stop", "--time", "0", stopped)
    with pytest.raises(HostError, match="cannot be started"):
        docker_service.Daemon(host).restart("docker.service", {"running": [lab.inspect(refusing)["Id"], ids[stopped]]})
    assert lab.inspect(stopped)["State"]["Running"], "one that will not start keeps no other down"


def test_a_docker_restart_leaves_the_containers_as_they_were_stopped_running_and_healthy(lab, monkeypatch):
    """What a restart of docker did to the containers is put back or said: one stopped by hand whose policy is
    `always` (which dockerd starts again at its start) is stopped again; one that crash-loops under its policy after
    the restart, or that was healthy and is not, makes the restart fail (and so the run be undone)."""
    import hardener.services.docker as docker_service

    monkeypatch.setenv("DOCKER_HOST", f"unix://{lab.socket}")
    loop = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done")
    stopped_always = lab.container("--restart", "always", command=loop)
    lab.docker("stop", "--time", "1", stopped_always)
    steady = lab.container("--restart", "always", command=loop)
    daemon = docker_service.Daemon(SystemctlScripted(on_restart=lambda: lab.docker("start", stopped_always)))
    before = daemon.states()
    ids = {name: lab.inspect(name)["Id"] for name in (stopped_always, steady)}
    assert ids[stopped_always] in before["stopped"] and ids[steady] in before["running"]
    daemon.restart("docker.service", before)
    assert not lab.inspect(stopped_always)["State"]["Running"] and lab.inspect(steady)["State"]["Running"]

    looping = lab.container("--restart", "always", command=("sh", "-c", "test -f /tmp/crash && exit 1; sleep 1000"))
    before = docker_service.Daemon(SystemctlScripted()).states()
    crash = lambda: (lab.docker("exec", looping, "touch", "/tmp/crash"), lab.docker("kill", looping))  # noqa: E731
    with pytest.raises(HostError, match=f"do not keep running after it .*{lab.inspect(looping)['Id'][:12]}"):
        docker_service.Daemon(SystemctlScripted(on_restart=crash)).restart("docker.service", before)
    lab.docker("stop", "--time", "1", looping)

    health = ("--health-cmd", "test -f /tmp/ready", "--health-interval", "1s", "--health-retries", "1", "--health-timeout", "1s")
    checked = lab.container(*health, command=("sh", "-c", "touch /tmp/ready; trap 'exit 0' TERM; while :; do sleep 1000 & wait $!; done"))
    deadline = time.monotonic() + 60
    while (lab.inspect(checked)["State"].get("Health") or {}).get("Status") != "healthy" and time.monotonic() < deadline:
        time.sleep(0.5)
    before = docker_service.Daemon(SystemctlScripted()).states()
    assert before["healthy"].get(lab.inspect(checked)["Id"]), before
    sicken = lambda: lab.docker("exec", checked, "rm", "/tmp/ready")  # noqa: E731
    with pytest.raises(HostError, match="was healthy before the restart of docker and is unhealthy after it"):
        docker_service.Daemon(SystemctlScripted(on_restart=sicken)).restart("docker.service", before)


def test_drift_of_a_container_recreated_or_removed_by_hand(lab, tmp_path):
    """harden drift judges a container harden recreated by the items it was recreated for: run again by hand with
    --pid=host it has drifted (what fails, said), removed it has too; check shows it and keeps its exit code."""
    loop = ("sh", "-c", "while :; do sleep 1000; done")
    name = lab.container("--pid=host", command=loop)
    journal = tmp_path / "journal"
    applied = lab.harden(journal, "apply", "--yes", "--recreate", "--only", "no-host-pid", "--container", name, "--format", "json")
    assert applied.code == 0, applied
    lab.adopt(name)
    clean = lab.harden(journal, "drift", "--format", "json")
    assert (clean.code, clean.json["drift"], clean.json["drift_notes"]) == (0, [], []), clean

    lab.docker("rm", "--force", name)
    lab.container("--pid=host", "--name", name, command=loop)
    found = lab.harden(journal, "drift", "--format", "json")
    assert found.code == 2, found
    (entry,) = found.json["drift"]
    assert (entry["target"], entry["kind"], entry["run"], entry["items"]) == (f"container {name}", "container", applied.json["run_id"],
                                                                               ["no-host-pid"])
    assert entry["lines"] == [f"no-host-pid: {name} (hardener-test/busybox:{lab.token}) shares the host's processes (--pid=host)"]
    checked = lab.harden(journal, "check", "--only", "no-privileged", "--container", name, "--format", "json")
    assert checked.code == 0 and [e["target"] for e in checked.json["drift"]] == [f"container {name}"]

    lab.docker("rm", "--force", name)
    gone = lab.harden(journal, "drift")
    assert gone.code == 2 and f"container {name} was removed since" in gone.out, gone
