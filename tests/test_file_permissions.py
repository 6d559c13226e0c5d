"""file-permissions on fixture roots: compliant, failing, not applicable."""
import os

import pytest

import hosts
from hardener.engine import Selection, evaluate
from hardener.options import Options

ITEM = ("file-permissions",)
from hardener.fixes.file_permissions import FilePermissions
from hardener.host import Host
from hardener.model import SetOwnerMode, Status


def result_for(root):
    selection = Selection(fixes=(FilePermissions,), named=frozenset())
    return evaluate(Host(str(root)), selection, Options())[0]


@pytest.mark.parametrize("kind, unit_dir", [("debian", "/lib/systemd/system"), ("centos", "/usr/lib/systemd/system")])
def test_compliant_host_passes(make_root, kind, unit_dir):
    result = result_for(make_root(kind, compliant=True))
    assert result.status is Status.PASS
    runs = ["/etc/default/docker", "/usr/sbin/dockerd"] if kind == "debian" else ["/usr/bin/dockerd"]
    assert [f.target for f in result.findings] == [f"{unit_dir}/docker.service", f"{unit_dir}/docker.socket", "/etc/docker", *runs]
    assert [f.cis for f in result.findings] == [("3.1", "3.2"), ("3.3", "3.4"), ("3.5", "3.6")] + [("3.1", "3.2")] * len(runs), \
        "owner and mode, per file; what docker.service runs as root (its environment file, dockerd) with its unit"
    assert result.changes == ()


@pytest.mark.parametrize("kind, unit_dir", [("debian", "/lib/systemd/system"), ("centos", "/usr/lib/systemd/system")])
def test_failing_host_plans_owner_and_mode(make_root, kind, unit_dir):
    result = result_for(make_root(kind))
    assert result.status is Status.FAIL
    by_target = {f.target: f for f in result.findings}
    assert by_target[f"{unit_dir}/docker.service"].reason == "too_permissive"
    assert by_target[f"{unit_dir}/docker.service"].evidence["mode"] == "0664"
    assert by_target[f"{unit_dir}/docker.socket"].reason == "wrong_owner"
    assert by_target[f"{unit_dir}/docker.socket"].evidence["owner"] == "admin:root"
    assert by_target["/etc/docker"].evidence["mode"] == "0777"
    assert set(result.changes) == {
        SetOwnerMode(f"{unit_dir}/docker.service", 0, 0, 0o644, items=ITEM),
        SetOwnerMode(f"{unit_dir}/docker.socket", 0, 0, 0o644, items=ITEM),
        SetOwnerMode("/etc/docker", 0, 0, 0o755, items=ITEM),
    }


@pytest.mark.parametrize("mode, status, fixed", [
    (0o600, Status.PASS, None),
    (0o644, Status.PASS, None),
    (0o400, Status.PASS, None),
    (0o664, Status.FAIL, 0o644),
    (0o477, Status.FAIL, 0o444),  # only the excess goes; the owner's stricter bits stay
    (0o4644, Status.FAIL, 0o644),
])
def test_permission_bits_not_numbers(make_root, mode, status, fixed):
    root = make_root("centos", compliant=True)
    os.chmod(root / "usr/lib/systemd/system/docker.service", mode)
    result = result_for(root)
    assert result.status is status
    if fixed is not None:
        assert result.changes == (SetOwnerMode("/usr/lib/systemd/system/docker.service", 0, 0, fixed, items=ITEM),)


def test_override_in_etc_is_the_unit_that_counts(make_root):
    root = make_root("debian", compliant=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    override = root / "etc/systemd/system/docker.service"
    override.write_text(hosts.fixture("units/debian-docker.service"))
    os.chmod(override, 0o666)
    result = result_for(root)
    assert result.findings[0].target == "/etc/systemd/system/docker.service"
    assert result.status is Status.FAIL


def test_no_docker_is_not_applicable(make_root):
    result = result_for(make_root(layout=hosts.without_docker()))
    assert result.status is Status.NOT_APPLICABLE
    assert {f.reason for f in result.findings} == {"not_installed"}
    assert result.changes == ()


def test_socket_missing_is_not_applicable_for_that_file_only(make_root):
    root = make_root("centos")
    (root / "usr/lib/systemd/system/docker.socket").unlink()
    result = result_for(root)
    statuses = {f.target: f.status for f in result.findings}
    assert statuses["docker.socket"] is Status.NOT_APPLICABLE
    assert result.status is Status.FAIL
