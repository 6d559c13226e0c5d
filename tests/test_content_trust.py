"""content-trust on fixture roots: how login shells really end up with the variable."""
import pytest

import hosts
from hardener.engine import Selection, evaluate
from hardener.options import Options
from hardener.fixes.content_trust import OUR_SCRIPT, ContentTrust
from hardener.host import Host
from hardener.model import Status, WriteFile


def result_for(root, named=True):
    selection = Selection(fixes=(ContentTrust,), named=frozenset({"content-trust"} if named else ()))
    return evaluate(Host(str(root)), selection, Options())[0]


@pytest.mark.parametrize("kind", ["debian", "centos"])
def test_unset_fails_and_plans_our_script_from_the_template(make_root, kind):
    result = result_for(make_root(kind))
    assert result.status is Status.FAIL
    assert result.reason == "not_set"
    (change,) = result.changes
    assert isinstance(change, WriteFile) and change.path == OUR_SCRIPT
    assert "export DOCKER_CONTENT_TRUST=1\n" in change.content
    assert change.content.startswith("# Written by harden")


@pytest.mark.parametrize("files, status, reason, where", [
    ({"etc/environment": "DOCKER_CONTENT_TRUST=1\n"}, Status.PASS, "compliant", "/etc/environment:1"),
    ({"etc/environment": 'DOCKER_CONTENT_TRUST="true"\n'}, Status.PASS, "compliant", "/etc/environment:1"),
    ({"etc/profile.d/docker.sh": "# trust\nexport DOCKER_CONTENT_TRUST=1 # on\n"}, Status.PASS, "compliant", "/etc/profile.d/docker.sh:2"),
    # a later =0 wins over an earlier =1, in the order a login shell reads them
    ({"etc/environment": "DOCKER_CONTENT_TRUST=1\n", "etc/profile.d/a.sh": "export DOCKER_CONTENT_TRUST=0\n"},
     Status.FAIL, "disabled", "/etc/profile.d/a.sh:1"),
    ({"etc/profile.d/a.sh": "export DOCKER_CONTENT_TRUST=0\n", "etc/profile.d/b.sh": "export DOCKER_CONTENT_TRUST=1\n"},
     Status.PASS, "compliant", "/etc/profile.d/b.sh:1"),
    ({"etc/profile.d/a.sh": "export DOCKER_CONTENT_TRUST=1\n", "etc/profile.d/b.sh": "unset DOCKER_CONTENT_TRUST\n"},
     Status.FAIL, "disabled", "/etc/profile.d/b.sh:1"),
    ({"etc/profile.d/a.sh": "export DOCKER_CONTENT_TRUST=False\n"}, Status.FAIL, "disabled", "/etc/profile.d/a.sh:1"),
    # only *.sh files are sourced
    ({"etc/profile.d/docker.csh": "setenv DOCKER_CONTENT_TRUST=1\n"}, Status.FAIL, "not_set", None),
    # set after ours would be: harden cannot win by adding a file
    ({"etc/profile.d/zzz-site.sh": "export DOCKER_CONTENT_TRUST=0\n"}, Status.MANUAL, "disabled_later", "/etc/profile.d/zzz-site.sh:1"),
])
def test_login_shell_order(make_root, files, status, reason, where):
    root = make_root("debian", compliant=True)
    for path, text in files.items():
        (root / path).write_text(text)
    result = result_for(root)
    assert (result.status, result.reason) == (status, reason)
    if where:
        assert result.findings[0].evidence["set_in"] == where


def test_profile_setting_after_the_profile_d_loop_is_manual(make_root):
    root = make_root("centos", compliant=True)
    (root / "etc/profile.d/docker.sh").write_text("export DOCKER_CONTENT_TRUST=1\n")
    with open(root / "etc/profile", "a") as profile:
        profile.write("export DOCKER_CONTENT_TRUST=0\n")
    result = result_for(root)
    assert (result.status, result.reason) == (Status.MANUAL, "disabled_later")
    assert result.changes == ()


def test_profile_setting_before_the_loop_is_overridden_by_our_script(make_root):
    root = make_root("debian", compliant=True)
    text = (root / "etc/profile").read_text()
    (root / "etc/profile").write_text("export DOCKER_CONTENT_TRUST=0\n" + text)
    result = result_for(root)
    assert result.status is Status.FAIL and result.changes


def test_without_docker_client_not_applicable(make_root):
    result = result_for(make_root(layout=hosts.without_docker()))
    assert result.status is Status.NOT_APPLICABLE


def test_not_named_is_manual_with_its_impact(make_root):
    result = result_for(make_root("debian"), named=False)
    assert (result.status, result.reason) == (Status.MANUAL, "apply_only_when_named")
    assert result.changes == ()
    notes = " ".join(note("en") for note in result.notes)
    assert "Alibaba Cloud ACR" in notes and "2026-12-08" in notes and "harden apply --only content-trust" in notes
    assert "阿里云 ACR" in " ".join(note("zh") for note in result.notes)
