"""CIS section 1 in the cis profile: Docker's data root on its own partition, the
docker group's members, the host's hardening and Docker's version."""
import json
import subprocess

from conftest import run_harden


def finding(root, item_id):
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", item_id, "--format", "json")
    assert result.code in (0, 2), result
    (item,) = result.json["items"]
    return item["findings"][0]


def test_data_root_partition_from_the_fstab_under_root(make_root):
    root = make_root("debian", compliant=True)
    assert finding(root, "docker-partition")["reason"] == "shared_partition"
    (root / "etc/fstab").write_text("# /var/lib/docker was on / once\nUUID=abc / ext4 defaults 0 1\n"
                                    "/dev/vg0/docker /var/lib/docker xfs defaults 0 2\n")
    found = finding(root, "docker-partition")
    assert (found["status"], found["evidence"]["device"]) == ("pass", "/dev/vg0/docker")
    (root / "etc/docker/daemon.json").write_text(json.dumps({"data-root": "/srv/docker"}))
    moved = finding(root, "docker-partition")
    assert (moved["status"], moved["target"]) == ("manual", "/srv/docker"), "the data root dockerd is given"


def test_data_root_partition_live_is_what_the_mount_table_says(tmp_path):
    """Live, the mount table decides. In mount namespaces of the test's own: /var/lib/docker with a loop-mounted ext4
    of its own passes, naming the loop device; without one (unmounted there where this machine has one) it is manual."""
    import sys

    from conftest import harden_env

    image = tmp_path / "docker.img"
    subprocess.run(["truncate", "-s", "8M", image], check=True)
    subprocess.run(["mkfs.ext4", "-q", image], check=True)

    def checked(setup):
        argv = [sys.executable, "-m", "hardener", "check", "--profile", "cis", "--only", "docker-partition", "--format", "json"]
        completed = subprocess.run(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", f'{setup} && exec "$@"', "sh",
                                    *argv], capture_output=True, text=True, env=harden_env(None), timeout=120)
        (item,) = json.loads(completed.stdout)["items"]
        return item["findings"][0]

    own = checked(f"mount -o loop {image} /var/lib/docker")
    assert (own["status"], own["target"]) == ("pass", "/var/lib/docker"), own
    assert own["evidence"]["device"].startswith("/dev/loop") and own["evidence"]["where"] == "/proc/self/mounts", own
    shared = checked("{ ! mountpoint -q /var/lib/docker || umount -l /var/lib/docker; }")
    assert (shared["status"], shared["reason"]) == ("manual", "shared_partition"), shared


def test_docker_group_members_listed(make_root):
    root = make_root("debian", compliant=True)
    group, passwd = root / "etc/group", root / "etc/passwd"
    group.write_text("root:x:0:\ndocker:x:998:alice,bob\n")
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\ncarol:x:1003:998::/home/carol:/bin/bash\n")
    found = finding(root, "docker-group")
    assert (found["status"], found["evidence"]["members"]) == ("manual", "alice, bob, carol"), "carol's primary group too"
    group.write_text("root:x:0:\ndocker:x:998:\n")
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    assert (finding(root, "docker-group")["status"], finding(root, "docker-group")["reason"]) == ("pass", "no_members")
    group.write_text("root:x:0:\ndockerd:x:997:eve\n")
    assert finding(root, "docker-group")["reason"] == "no_group", "a group named dockerd is not docker"


def test_host_and_version_are_manual_with_what_is_known(make_root):
    root = make_root("debian", compliant=True)
    assert finding(root, "host-hardened")["status"] == "manual"
    version = finding(root, "docker-version")
    assert version["status"] == "manual" and version["evidence"]["path"] == "/usr/sbin/dockerd"


def test_the_version_of_the_live_dockerd_is_shown():
    import shutil

    dockerd = shutil.which("dockerd")
    result = run_harden("check", "--profile", "cis", "--only", "docker-version", "--format", "json")
    (item,) = result.json["items"]
    found = item["findings"][0]
    if dockerd is None:
        assert found["status"] == "not_applicable"
    else:
        shown = subprocess.run([dockerd, "--version"], capture_output=True, text=True).stdout.strip()
        assert (found["status"], found["evidence"]["version"]) == ("manual", shown)
