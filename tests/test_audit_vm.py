"""audit-docker-files with a real kernel and auditd, in a qemu VM."""
import pytest

from vm_lab import VM, build_image

ADMIN_RULES = "## site rules\n-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
FILES = ("/etc/audit/audit.rules", "/etc/audit/audit.rules.prev", "/etc/audit/rules.d/site.rules",
         "/etc/audit/rules.d/audit.rules", "/etc/audit/rules.d/hardener-docker.rules")


@pytest.fixture(scope="module")
def vm(bundle):
    with VM(build_image(), share=bundle.parent) as vm:
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
