"""harden on a live host with a real systemd and dockerd: installed offline
from a wheelhouse, finding docker.service through systemctl."""
import pytest


@pytest.fixture
def lab(systemd_lab):
    return systemd_lab


def test_live_file_permissions_through_systemctl(lab):
    assert "FragmentPath=/lib/systemd/system/docker.service" in lab.run("systemctl", "show", "-p", "FragmentPath", "docker.service").stdout
    lab.run("chmod", "664", "/lib/systemd/system/docker.service")
    lab.run("chown", "root:docker", "/lib/systemd/system/docker.socket")
    before = lab.run("stat", "-c", "%U:%G %a", "/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket").stdout

    preview = lab.harden("--dry-run", "--only", "file-permissions")
    assert preview.returncode == 2, preview
    assert "/lib/systemd/system/docker.service: owner/mode root:root 0664 -> root:root 0644" in preview.stdout
    assert "/lib/systemd/system/docker.socket: owner/mode root:docker 0644 -> root:root 0644" in preview.stdout

    applied = lab.harden("apply", "--yes", "--only", "file-permissions")
    assert applied.returncode == 0, applied
    assert lab.harden("check", "--only", "file-permissions").returncode == 0
    assert lab.run("journalctl", "-t", "harden", "--no-pager", check=False).stdout.count("item file-permissions") >= 2, \
        "every change is in the system log"

    rolled = lab.harden("rollback", "--yes")
    assert rolled.returncode == 0, rolled
    assert lab.run("stat", "-c", "%U:%G %a", "/lib/systemd/system/docker.service", "/lib/systemd/system/docker.socket").stdout == before
