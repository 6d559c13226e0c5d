"""In a qemu VM with its own kernel: the audit item on a real auditd, and cgroup v2."""
import pytest

from docker_lab import memory_readings
from vm_lab import VM, build_image

ADMIN_RULES = "## site rules\n-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
FILES = ("/etc/audit/audit.rules", "/etc/audit/audit.rules.prev", "/etc/audit/rules.d/site.rules",
         "/etc/audit/rules.d/audit.rules", "/etc/audit/rules.d/hardener-docker.rules")


pytestmark = pytest.mark.releases  # auditd 3.0 on kernel 6.1 (bookworm), auditd 4.0 on kernel 6.12 (trixie)


@pytest.fixture(scope="module")
def vm(bundle, lab_release):
    with VM(build_image(lab_release), share=bundle.parent) as vm:
        vm.install_harden(bundle.name)
        vm.sh(f"printf '{ADMIN_RULES}' > /etc/audit/rules.d/site.rules && augenrules --load")
        vm.sh("echo '{\"log-level\": \"info\"}' > /etc/docker/daemon.json")
        yield vm


def snapshot(vm):
    return vm.sh(" ; ".join(f"stat -c '%n %U:%G %a' {path} 2>/dev/null && sha256sum {path} 2>/dev/null || echo missing {path}"
                            for path in FILES)).stdout


def kernel_watches(vm):
    return {line.split()[1] for line in vm.run("auditctl", "-l").stdout.splitlines() if line.startswith("-w ")}


def findings(vm):
    import json

    result = vm.harden("check", "--only", "audit-docker-files", "--format", "json")
    return {f["target"]: f["reason"] for f in json.loads(result.stdout)["items"][0]["findings"]}


def test_loaded_but_not_stored_and_stored_but_not_loaded(vm):
    vm.run("auditctl", "-w", "/var/lib/docker", "-p", "rwxa", "-k", "docker")
    vm.sh("echo '-w /etc/docker -p rwxa -k docker' > /etc/audit/rules.d/zz-pending.rules")
    try:
        reasons = findings(vm)
        assert reasons["/var/lib/docker"] == "lost_at_reboot"
        assert reasons["/etc/docker"] == "pending_reload"
        assert reasons["/usr/sbin/runc"] == "not_watched"
    finally:
        vm.run("auditctl", "-W", "/var/lib/docker", "-p", "rwxa", "-k", "docker")
        vm.run("rm", "/etc/audit/rules.d/zz-pending.rules")


def test_syscall_rules_that_watch_a_path_are_watches_stored_and_loaded(vm, lab_release):
    """1.1.x with CIS 1.8.0's own form of rule (-a exit,always -F path= -F perm=): the real auditd loads them, and
    harden counts them as watches in the files and in the kernel, whichever way auditctl -l lists them. A rule of
    some syscalls with perm=wa is narrow as auditctl 3.0 loads it, and a watch as 4.0 does (it adds perm='s syscalls)."""
    vm.sh("printf '%s\\n' '-a exit,always -F path=/usr/sbin/dockerd -F perm=war -k docker' "
          "'-a always,exit -F arch=b64 -F dir=/etc/docker -F perm=wa -k docker' "
          "'-a always,exit -F arch=b64 -S openat -F path=/usr/sbin/runc -k docker' "
          "'-a always,exit -F arch=b64 -S openat -F path=/var/lib/docker -F perm=wa -k docker' > /etc/audit/rules.d/cis.rules "
          "&& augenrules --load")
    try:
        listed = vm.run("auditctl", "-l").stdout
        assert "/usr/sbin/dockerd" in listed and "/etc/docker" in listed, listed
        reasons = findings(vm)
        assert reasons["/usr/sbin/dockerd"] == "compliant" and reasons["/etc/docker"] == "compliant", (reasons, listed)
        assert reasons["/usr/sbin/runc"] == "not_watched", "openat alone records no chmod"
        widened = next(line for line in listed.splitlines() if "path=/var/lib/docker" in line)
        assert ("chmod" in widened.split(" -S ")[1].split()[0].split(",")) is (lab_release == "trixie"), widened
        assert reasons["/var/lib/docker"] == ("compliant" if lab_release == "trixie" else "not_watched"), (reasons, widened)
        vm.run("auditctl", "-d", "exit,always", "-F", "path=/usr/sbin/dockerd", "-F", "perm=war", "-k", "docker")
        assert findings(vm)["/usr/sbin/dockerd"] == "pending_reload", "stored, not loaded"
        applied = vm.harden("apply", "--yes", "--only", "audit-docker-files")
        assert applied.returncode == 0 and "/usr/sbin/dockerd" in vm.run("auditctl", "-l").stdout, applied
        rolled = vm.harden("rollback", "--yes")
        assert rolled.returncode == 0, rolled
        assert "path=/usr/sbin/dockerd" not in vm.run("auditctl", "-l").stdout, "the rule it loaded is unloaded again"
    finally:
        vm.sh("rm /etc/audit/rules.d/cis.rules && augenrules --load")


def test_rules_loaded_stored_audited_and_rolled_back(vm):
    start = snapshot(vm)
    assert {"/etc/passwd", "/etc/shadow"} <= kernel_watches(vm)
    assert vm.harden("check", "--only", "audit-docker-files").returncode == 2

    applied = vm.harden("apply", "--yes", "--only", "audit-docker-files", "--format", "json")
    assert applied.returncode == 0, applied
    watched = kernel_watches(vm)
    for path in ("/etc/docker", "/etc/docker/daemon.json", "/var/lib/docker", "/usr/sbin/dockerd", "/usr/sbin/runc",
                 "/usr/lib/systemd/system/docker.service"):
        assert path in watched, path
    assert {"/etc/passwd", "/etc/shadow"} <= watched, "the admin's rules stay loaded"
    assert "-w /etc/docker -p rwxa -k docker" in vm.run("cat", "/etc/audit/audit.rules").stdout, "compiled by augenrules"

    vm.sh("echo ' ' >> /etc/docker/daemon.json")
    assert "daemon.json" in vm.run("ausearch", "-k", "docker", "-i", check=False).stdout
    assert vm.harden("check", "--only", "audit-docker-files").returncode == 0
    import json

    cis = json.loads(vm.harden("check", "--profile", "cis", "--only", "audit-docker-files", "--format", "json").stdout)
    answered = {}
    for finding in cis["items"][0]["findings"]:
        for number in finding["cis"]:
            answered.setdefault(number, set()).add(finding["status"])
    assert all("pass" in answered[number] for number in ("1.1.3", "1.1.5", "1.1.6", "1.1.7", "1.1.9", "1.1.11", "1.1.18")), answered
    assert set().union(*answered.values()) <= {"pass", "not_applicable"}, "the CIS 1.8.0 list, loaded in the kernel"

    restarted = vm.sh("service auditd restart", check=False)
    if restarted.returncode != 0:  # RefuseManualStop: reload the stored rules as a boot would
        vm.sh("auditctl -D >/dev/null && augenrules --load")
    assert "/etc/docker" in kernel_watches(vm), "the rules survive a restart of auditd"

    rolled = vm.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    watched = kernel_watches(vm)
    assert "/etc/docker" not in watched and "/var/lib/docker" not in watched
    assert {"/etc/passwd", "/etc/shadow"} <= watched
    assert snapshot(vm) == start


FILL = ("dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null; head -c 30000000 /dev/zero | tr '\\0' x > /tmp/x; "
        "cat /tmp/x > /dev/null; while :; do sleep 1000; done")  # 48 MB of shared memory, which no cache accounting takes off


def test_memory_usage_read_from_the_cgroup_v2_as_docker_stats_counts_it(vm):
    """The VM's own kernel mounts cgroup v2 alone (this machine runs v1): a container holding memory and cache, its usage
    read by harden from the v2 cgroup (memory.current less inactive_file), within 1 % of docker stats', and the
    memory-limit item refusing a configured limit below it."""
    import json

    assert vm.run("stat", "-f", "-c", "%T", "/sys/fs/cgroup").stdout.strip() == "cgroup2fs"
    vm.sh("systemctl start docker && mkdir -p /tmp/image/bin /tmp/image/tmp && cp /bin/busybox /tmp/image/bin/ && "
          "for applet in sh sleep dd head tr cat; do ln -s busybox /tmp/image/bin/$applet; done && "
          "tar -C /tmp/image -c . | docker import - vm/busybox >/dev/null")
    vm.run("docker", "run", "--detach", "--name", "filler", "vm/busybox", "sh", "-c", FILL)
    before, theirs, after, _ = memory_readings(lambda code, *args: vm.run("/opt/hardener/bin/python", "-c", code, *args).stdout,
                                               "filler", at_least=40 * 2 ** 20)
    assert min(before, after) - 0.01 * theirs <= theirs <= max(before, after) + 0.01 * theirs, (before, after, theirs)
    vm.sh("printf '[memory_limit]\\ndefault = \"32m\"\\n' > /tmp/harden.toml")
    checked = vm.harden("check", "--only", "memory-limit", "--container", "filler", "--config", "/tmp/harden.toml", "--format", "json")
    (finding,) = json.loads(checked.stdout)["items"][0]["findings"]
    assert finding["reason"] == "limit_below_usage", finding
    assert abs(finding["evidence"]["usage_bytes"] - after) <= 0.01 * theirs, (finding, after)
    vm.run("docker", "rm", "--force", "filler")
