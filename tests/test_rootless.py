"""Rootless Docker on fixture roots: each user's own dockerd (its user unit and
~/.config/docker/daemon.json) found and judged with the daemon rules, its
findings named by the user, its fixes written where that dockerd reads them,
owned by the user, and rolled back."""
import json
import os

import pytest

import hosts
from conftest import run_harden
from hardener.host import Host, HostError

UNIT = "[Unit]\nDescription=Docker Application Container Engine (Rootless)\n\n[Service]\n" \
       "Environment=PATH=/usr/bin:/sbin:/usr/sbin\nExecStart=/usr/bin/dockerd-rootless.sh {flags}\nExecReload=/bin/kill -s HUP $MAINPID\n" \
       "Restart=always\nType=notify\nNotifyAccess=all\n\n[Install]\nWantedBy=default.target\n"


def rootless_host(make_root, flags="", daemon_json=None, user="admin", home="/home/admin", uid=1000):
    root = make_root("debian", compliant=True)
    unit = root / home.lstrip("/") / ".config/systemd/user/docker.service"
    unit.parent.mkdir(parents=True)
    unit.write_text(UNIT.format(flags=flags))
    for directory in (root / home.lstrip("/"), root / home.lstrip("/") / ".config", unit.parent.parent, unit.parent):
        os.chown(directory, uid, uid)
    os.chown(unit, uid, uid)
    if daemon_json is not None:
        config = root / home.lstrip("/") / ".config/docker/daemon.json"
        config.parent.mkdir()
        config.write_text(json.dumps(daemon_json) + "\n")
        for path in (config.parent, config):  # the user's own, as the user writes it
            os.chown(path, uid, uid)
    return root


def check(root, only):
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", only, "--format", "json")
    assert result.code in (0, 2), result
    return {item["id"]: {f["target"]: (f["status"], f["reason"]) for f in item["findings"]} for item in result.json["items"]}


def test_each_rootless_daemon_is_judged_and_named_by_its_user(make_root):
    root = rootless_host(make_root, flags="--experimental", daemon_json={"icc": False, "log-level": "debug"})
    found = check(root, "icc,log-level,experimental,userns-remap")
    assert found["icc"] == {"icc": ("pass", "compliant"), "icc (rootless, admin)": ("pass", "compliant")}
    assert found["log-level"]["log-level (rootless, admin)"] == ("fail", "log_level")
    assert found["log-level"]["log-level"] == ("pass", "compliant"), "the system's dockerd is another"
    assert found["experimental"]["experimental (rootless, admin)"] == ("fail", "option_value")
    assert list(found["userns-remap"]) == ["userns-remap"], "a rootless dockerd is in a user namespace already"


def test_no_rootless_unit_no_rootless_findings(make_root):
    root = make_root("debian", compliant=True)
    (root / "home/admin/.config/docker").mkdir(parents=True)
    (root / "home/admin/.config/docker/daemon.json").write_text('{"icc": true}\n')
    assert list(check(root, "icc")["icc"]) == ["icc"]


def test_the_fix_goes_where_the_rootless_dockerd_reads_it_owned_by_its_user(make_root):
    root = rootless_host(make_root, flags="--experimental")
    start = hosts.snapshot(root)
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "icc,experimental", "--format", "json")
    assert applied.code == 0, applied
    config = root / "home/admin/.config/docker/daemon.json"
    assert json.loads(config.read_text()) == {"icc": False}
    assert (config.stat().st_uid, config.stat().st_gid, config.parent.stat().st_uid) == (1000, 1000, 1000), "the user's, not root's"
    unit = (root / "home/admin/.config/systemd/user/docker.service").read_text()
    assert "ExecStart=/usr/bin/dockerd-rootless.sh\n" in unit.replace(" \n", "\n") and os.stat(root / "home/admin/.config/systemd/user/docker.service").st_uid == 1000
    assert not (root / "etc/systemd/system/docker.service.d/zz-hardener.conf").exists(), "the system's units are not touched"
    found = check(root, "icc,experimental")
    assert all(status == "pass" for item in found.values() for status, _ in item.values()), found
    rolled = run_harden("rollback", "--yes", "--root", root)
    assert rolled.code == 0, rolled
    assert hosts.snapshot(root) == start


def test_a_rootless_restart_goes_through_the_users_manager(make_root):
    from hardener.model import RestartService
    from hardener.services import handler

    docker = handler("docker")
    change = RestartService("docker", "docker.service", reload_units=True, user="admin")
    assert docker.commands(change) == [("systemctl", "--user", "-M", "admin@", "daemon-reload"),
                                       ("systemctl", "--user", "-M", "admin@", "restart", "docker.service")]
    assert docker.undo(change)[-1] == ("systemctl", "--user", "-M", "admin@", "restart", "docker.service")


def test_the_rootless_daemon_json_is_its_users_with_a_safe_mode(make_root):
    root = rootless_host(make_root, daemon_json={"icc": False})
    config = root / "home/admin/.config/docker/daemon.json"
    os.chown(config, 1000, 1000)
    config.chmod(0o666)
    found = check(root, "config-file-permissions")["config-file-permissions"]
    assert found["/home/admin/.config/docker/daemon.json"] == ("fail", "too_permissive")
    assert run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions").code == 0
    info = config.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (1000, 1000, 0o644), "only the excess bits go; the user keeps it"
    os.chown(config, 1000, 0)
    assert check(root, "config-file-permissions")["config-file-permissions"]["/home/admin/.config/docker/daemon.json"] == ("fail", "wrong_owner")
    assert run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "config-file-permissions").code == 0
    assert (config.stat().st_uid, config.stat().st_gid) == (1000, 1000), "given the user's group: the file is the user's"


def test_section_3_on_a_rootless_dockerd_its_unit_config_directory_certificates_and_tls_files(make_root):
    certs = "/home/admin/.config/docker/tls"
    root = rootless_host(make_root, daemon_json={"tlscacert": f"{certs}/ca.pem", "tlscert": f"{certs}/cert.pem", "tlskey": f"{certs}/key.pem"})
    home = root / "home/admin"
    registry = home / ".config/docker/certs.d/registry.example:5000"
    registry.mkdir(parents=True)
    (home / ".config/docker/tls").mkdir()
    # ~/.config/docker set-group-id, not writable by others: the files in it stay the user's alone (test_root_safety.py)
    files = {home / ".config/systemd/user/docker.service": 0o664, home / ".config/docker": 0o2755, registry / "ca.crt": 0o644,
             home / ".config/docker/tls/ca.pem": 0o444, home / ".config/docker/tls/cert.pem": 0o644, home / ".config/docker/tls/key.pem": 0o600}
    for path, mode in files.items():
        path.touch()
        os.chown(path, 1000, 1000)
        path.chmod(mode)
    start = hosts.snapshot(root)
    found = check(root, "file-permissions,config-file-permissions")
    assert found["file-permissions"]["/home/admin/.config/systemd/user/docker.service"] == ("fail", "too_permissive")
    assert found["file-permissions"]["/home/admin/.config/docker"] == ("fail", "too_permissive")
    assert found["file-permissions"]["/lib/systemd/system/docker.service"] == ("pass", "compliant"), "the system's beside"
    rootless = found["config-file-permissions"]
    assert rootless["/home/admin/.config/docker/certs.d/registry.example:5000/ca.crt"] == ("fail", "too_permissive")
    assert (rootless[f"{certs}/ca.pem"], rootless[f"{certs}/cert.pem"], rootless[f"{certs}/key.pem"]) == \
        (("pass", "compliant"), ("fail", "too_permissive"), ("fail", "too_permissive"))
    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions")
    assert "admin's rootless dockerd: /home/admin/.config/systemd/user/docker.service is admin:admin 0664" in text.out, text.out

    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "file-permissions,config-file-permissions")
    assert applied.code == 0, applied
    wanted = {home / ".config/systemd/user/docker.service": 0o644, home / ".config/docker": 0o755, registry / "ca.crt": 0o444,
              home / ".config/docker/tls/ca.pem": 0o444, home / ".config/docker/tls/cert.pem": 0o444, home / ".config/docker/tls/key.pem": 0o400}
    assert {path: (path.stat().st_uid, path.stat().st_mode & 0o7777) for path in wanted} == {path: (1000, mode) for path, mode in wanted.items()}
    found = check(root, "file-permissions,config-file-permissions")
    assert all(status != "fail" for item in found.values() for status, _ in item.values()), found
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


def test_a_users_link_is_not_followed_to_a_file_that_is_not_theirs(make_root):
    root = rootless_host(make_root)
    secret = root / "etc/secret"
    secret.write_text('{"icc": true}\n')
    secret.chmod(0o640)
    config = root / "home/admin/.config/docker/daemon.json"
    config.parent.mkdir()
    os.chown(config.parent, 1000, 1000)
    config.symlink_to("/etc/secret")
    os.chown(config, 1000, 1000, follow_symlinks=False)
    system = root / "etc/docker/daemon.json"
    system.write_text('{"icc": true}\n')
    checked = run_harden("check", "--root", root, "--profile", "cis", "--only", "icc,config-file-permissions", "--format", "json")
    findings = {f["target"]: f for item in checked.json["items"] for f in item["findings"]}
    for target in ("icc (rootless, admin)", "files (rootless, admin)"):
        assert findings[target]["status"] == "manual", findings[target]
        assert "leads through a link of uid 1000 to /etc/secret, which uid 1000 does not own" in findings[target]["message"]
    assert findings["icc"]["status"] == "fail", "one user's files do not stop the system's dockerd from being judged"
    secret_before = hosts.snapshot(root)["etc/secret"]
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "icc,config-file-permissions")
    assert applied.code == 2, applied  # the user's two findings remain, for a person
    assert json.loads(system.read_text()) == {"icc": False}, "nor from being fixed"
    assert hosts.snapshot(root)["etc/secret"] == secret_before and secret.stat().st_mode & 0o777 == 0o640

    own = root / "home/admin/dotfiles/daemon.json"  # the user's own file, through the user's own link: read as theirs
    own.parent.mkdir()
    own.write_text('{"icc": true}\n')
    for path in (own.parent, own):
        os.chown(path, 1000, 1000)
    config.unlink()
    config.symlink_to("../../dotfiles/daemon.json")
    os.chown(config, 1000, 1000, follow_symlinks=False)
    assert check(root, "icc")["icc"]["icc (rootless, admin)"] == ("fail", "icc_enabled")


USERS_JSON = "/home/admin/.config/docker/daemon.json"


def swap_for_link(root, target="../../../../etc/secret"):
    """The user's move: their daemon.json made a link (theirs) to a file of root's (relative, so that it leads there
    in the tree too)."""
    config = root / USERS_JSON.lstrip("/")
    config.rename(config.with_name("kept.json"))
    config.symlink_to(target)
    os.chown(config, 1000, 1000, follow_symlinks=False)


def test_a_users_file_swapped_for_a_link_after_it_was_examined_is_not_read(make_root, monkeypatch):
    """The race a user could run against harden reading their file: examined, then swapped for a link to root's
    secret before harden reads it for a diff or a backup (or between the two looks state() takes). Every read of a
    file harden changed for a user goes through descriptors and is refused; the secret reaches neither a report nor
    a file of the user's."""
    from hardener import drift
    from hardener.journal import Journal

    root = rootless_host(make_root, daemon_json={"icc": True})
    (root / "etc/secret").write_text("root-only-SECRET\n")
    (root / "etc/secret").chmod(0o600)
    assert run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "icc").code == 0
    config = root / USERS_JSON.lstrip("/")
    config.write_text('{"icc": false, "x": 1}\n')  # the user's own change since: drift, shown as a diff

    class Racing(Host):
        armed = False

        def state(self, path, *user):
            found = super().state(path, *user)
            self.armed = path == USERS_JSON
            return found

        def resolve(self, path, follow_final=True):
            resolved = super().resolve(path, follow_final)
            if self.armed and path == USERS_JSON:  # the swap, just after the file was examined and its path resolved
                self.armed = False
                swap_for_link(root)
            return resolved

    host = Racing(str(root))
    found = drift.drifted_files(host, drift.baseline(Journal(host)))
    lines = [line for drifted in found for line in drifted.lines]
    assert not any("SECRET" in line for line in lines), lines
    assert any("harden does not follow a user's link to another's file" in line for line in lines), lines

    config.unlink()
    config.with_name("kept.json").rename(config)
    real_lstat = os.lstat

    def racing_lstat(path, *args, **kwargs):  # the swap between state()'s look at the name and its read of the file
        found = real_lstat(path, *args, **kwargs)
        if str(path) == str(config) and not config.is_symlink():
            swap_for_link(root)
        return found

    monkeypatch.setattr(os, "lstat", racing_lstat)
    with pytest.raises(HostError, match="is a link now, not admin's file; it was not read"):
        Host(str(root)).state(USERS_JSON, 1000)


def test_every_look_at_a_users_file_through_a_run_is_made_as_that_user(make_root):
    """Detection, the plan, apply (its room check, the state it records, the backup), drift and rollback each examine
    and read a file harden changes for a user only as that user (descriptors, their file alone), never by its path."""
    from hardener import drift, engine
    from hardener.config import Config
    from hardener.fixes import all_fixes
    from hardener.journal import Journal
    from hardener.options import Options

    from hardener import report

    root = rootless_host(make_root, flags="--log-level=debug", daemon_json={"icc": True})
    users_unit = "/home/admin/.config/systemd/user/docker.service"
    looks = []

    class Recording(Host):
        def state(self, path, user=None):
            looks.append(("state", path, user))
            return super().state(path, user)

        def read_bytes(self, path, user=None):
            looks.append(("read", path, user))
            return super().read_bytes(path, user)

    host = Recording(str(root))
    selection = engine.Selection(fixes=tuple(fix for fix in all_fixes() if fix.id in ("icc", "log-level")), named=frozenset())
    results = engine.evaluate(host, selection, Options(config=Config()))
    planned = [report.describe_change(host, change, "en") for result in results for change in result.changes]  # the preview's diffs
    assert {change["target"] for change in planned} >= {USERS_JSON, users_unit}, planned
    journal = Journal(host)
    with journal.lock():
        engine.apply(host, journal, results)
    (root / USERS_JSON.lstrip("/")).write_text('{"icc": false, "x": 1}\n')  # the user's change since
    assert drift.drifted_files(host, drift.baseline(Journal(host)))
    run = engine.run_to_roll_back(journal, None)
    assert engine.rollback_preview(host, run)
    with journal.lock():
        engine.rollback(host, journal, run, force=True)
    on_users_files = [look for look in looks if look[1] in (USERS_JSON, users_unit)]
    assert {(kind, path) for kind, path, _ in on_users_files} == {(kind, path) for kind in ("state", "read") for path in (USERS_JSON, users_unit)}, looks
    assert all(user == 1000 for _, _, user in on_users_files), on_users_files


def test_a_users_file_made_a_link_or_a_directory_since_is_said_and_stops_no_check_nor_a_forced_rollback(make_root):
    """A file a run changed for a user, which the user then replaced (a link to root's file, a directory): a check
    and its drift still report, a rollback is refused, and forced it restores everything else and says what it could
    not; nothing is read through the link."""
    root = rootless_host(make_root, daemon_json={"icc": True})
    (root / "etc/secret").write_text("root-only-SECRET\n")
    (root / "etc/secret").chmod(0o600)
    system = root / "etc/docker/daemon.json"
    system.write_text('{"icc": true}\n')
    before = system.read_text()
    assert run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "icc").code == 0
    assert system.read_text() != before
    swap_for_link(root)
    checked = run_harden("check", "--root", root, "--profile", "cis", "--only", "icc", "--format", "json")
    assert checked.code in (0, 2) and "SECRET" not in checked.out, checked
    assert [entry["target"] for entry in checked.json["drift"]] == [USERS_JSON], checked.json["drift"]
    preview = run_harden("rollback", "--dry-run", "--root", root)
    assert preview.code == 0 and "is a link now, not admin's file" in preview.out and "SECRET" not in preview.out, preview
    assert run_harden("rollback", "--yes", "--root", root).code == 4
    forced = run_harden("rollback", "--yes", "--force", "--root", root)
    assert forced.code == 5 and f"not restored: {USERS_JSON}" in forced.out, forced
    assert system.read_text() == before, "the system's file is restored all the same"
    assert (root / "etc/secret").read_text() == "root-only-SECRET\n"

    blocked = rootless_host(make_root, daemon_json={"icc": True})  # the user's directory where harden makes its temporary file
    (blocked / "etc/docker/daemon.json").write_text('{"icc": true}\n')
    assert run_harden("apply", "--yes", "--root", blocked, "--profile", "cis", "--only", "icc").code == 0
    temp = blocked / "home/admin/.config/docker/.daemon.json.hardener-tmp"
    temp.mkdir()
    os.chown(temp, 1000, 1000)
    forced = run_harden("rollback", "--yes", "--force", "--root", blocked)
    assert forced.code == 5 and f"not restored: {USERS_JSON}" in forced.out, forced
    assert (blocked / "etc/docker/daemon.json").read_text() == '{"icc": true}\n' and temp.is_dir(), "the rest restored; theirs left"

    other = rootless_host(make_root, daemon_json={"icc": True})
    assert run_harden("apply", "--yes", "--root", other, "--profile", "cis", "--only", "icc").code == 0
    config = other / USERS_JSON.lstrip("/")
    config.unlink()
    config.mkdir()
    os.chown(config, 1000, 1000)
    checked = run_harden("check", "--root", other, "--profile", "cis", "--only", "icc", "--format", "json")
    assert checked.code in (0, 2), checked
    drifted = {entry["target"]: entry for entry in checked.json["drift"]}
    assert f"{USERS_JSON}: not a regular file now" in drifted[USERS_JSON]["lines"], drifted


def test_the_users_whole_unit_search_path_counts_as_their_manager_reads_it(make_root):
    """A drop-in in ~/.config/systemd/user.control (ahead of ~/.config/systemd/user on the user manager's search path)
    that points the user's dockerd at another daemon.json: judged as dockerd would run, not passed on the file the
    default names. A docker.service in ~/.local/share/systemd/user alone is a rootless dockerd too."""
    root = rootless_host(make_root, daemon_json={"icc": False})
    home = root / "home/admin"
    control = home / ".config/systemd/user.control/docker.service.d"
    control.mkdir(parents=True)
    (control / "override.conf").write_text("[Service]\nExecStart=\n"
                                           "ExecStart=/usr/bin/dockerd-rootless.sh --config-file=/home/admin/.config/docker/real.json\n")
    (home / ".config/docker/real.json").write_text('{"icc": true}\n')
    for path in (control.parent, control, control / "override.conf", home / ".config/docker/real.json"):
        os.chown(path, 1000, 1000)
    assert check(root, "icc")["icc"]["icc (rootless, admin)"] == ("fail", "icc_enabled")

    hiding = rootless_host(make_root, daemon_json={"icc": True})  # a link of theirs to root's units, to be left out unsaid
    control = hiding / "home/admin/.config/systemd/user.control"
    control.symlink_to("/etc/systemd")
    os.chown(control, 1000, 1000, follow_symlinks=False)
    found = check(hiding, "icc")["icc"]
    assert found["icc (rootless, admin)"][0] == "manual", found

    elsewhere = make_root("debian", compliant=True)
    unit = elsewhere / "home/admin/.local/share/systemd/user/docker.service"
    unit.parent.mkdir(parents=True)
    unit.write_text(UNIT.format(flags="--experimental"))
    for path in (elsewhere / "home/admin", *unit.parents[:4], unit):
        os.chown(path, 1000, 1000)
    assert check(elsewhere, "experimental")["experimental"]["experimental (rootless, admin)"] == ("fail", "option_value")


def test_non_root_daemon_names_the_rootless_users(make_root):
    root = rootless_host(make_root)
    result = run_harden("check", "--root", root, "--profile", "cis", "--only", "non-root-daemon")
    assert "the system dockerd runs as root; users with a rootless dockerd: admin" in result.out


def test_a_directory_swapped_for_a_link_after_it_was_judged_stops_the_write(tmp_path):
    """The race a user could run against harden (root) writing in the user's home: ~/.config/docker swapped for
    a link to a root directory between the moment harden resolves the path and the moment it writes."""
    root = tmp_path / "root"
    user_dir, system_dir = root / "home/admin/.config/docker", root / "etc/cron.d"
    for directory in (user_dir, system_dir):
        directory.mkdir(parents=True)
    (user_dir / "daemon.json").write_text("{}\n")
    (system_dir / "daemon.json").write_text("root's\n")
    os.chown(user_dir, 1000, 1000)

    class Racing(Host):
        armed = False

        def _parent(self, path, user=None, verb="write"):
            self.armed = True
            return super()._parent(path, user, verb)

        def resolve(self, path, follow_final=True):
            resolved = super().resolve(path, follow_final)
            if self.armed:  # the user's swap, just after the look that comes right before the write
                self.armed = False
                user_dir.rename(user_dir.with_name("moved"))
                user_dir.symlink_to("/etc/cron.d")
                os.chown(user_dir, 1000, 1000, follow_symlinks=False)
            return resolved

    host = Racing(str(root))
    for change, said in ((lambda: host.write_file("/home/admin/.config/docker/daemon.json", b'{"icc": false}\n'), "write; nothing was written"),
                         (lambda: host.set_owner_mode("/home/admin/.config/docker/daemon.json", 1000, 1000, 0o777), "write; nothing was written"),
                         (lambda: host.remove_file("/home/admin/.config/docker/daemon.json"), "remove; nothing was removed")):
        with pytest.raises(HostError, match=rf"daemon\.json \(in .*\): docker is not a directory harden can enter \(a link or a file "
                                            rf"there now\) while harden was about to {said} there$"):
            change()
        user_dir.unlink()
        user_dir.with_name("moved").rename(user_dir)
    assert (system_dir / "daemon.json").read_text() == "root's\n" and (system_dir / "daemon.json").stat().st_mode & 0o777 == 0o644
    assert sorted(os.listdir(system_dir)) == ["daemon.json"], "no temporary file there either"


def test_a_directory_made_for_a_user_is_removed_only_while_it_is_theirs(tmp_path):
    """Rollback removes the directories it made for a user's file, while each is theirs: not through a link of theirs
    (resolve() refuses it), not a link put in its place, not a directory of root's (a link of root's leads there)."""
    home = tmp_path / "home/admin"
    (home / ".config").mkdir(parents=True)
    (tmp_path / "etc/ssl").mkdir(parents=True)
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n")
    for path in (home, home / ".config"):
        os.chown(path, 1000, 1000)
    host = Host(str(tmp_path))
    (home / ".config/theirs").symlink_to("/etc")
    os.lchown(home / ".config/theirs", 1000, 1000)
    (home / ".config/docker").symlink_to("/etc/ssl")
    os.lchown(home / ".config/docker", 1000, 1000)
    (home / ".config/roots").symlink_to("/etc")
    refusals = {
        "/home/admin/.config/theirs/ssl": f"/home/admin/.config/theirs/ssl (in {tmp_path}) leads through a link of uid 1000 to "
                                          "/etc/ssl, which uid 1000 does not own; harden does not follow a user's link to another's file",
        "/home/admin/.config/docker": f"/home/admin/.config/docker (in {tmp_path}) is a symbolic link where a directory was expected; "
                                      "harden does not write through links",
        "/home/admin/.config/roots/ssl": f"/home/admin/.config/roots/ssl (in {tmp_path}) is root:root now, not admin's; "
                                         "nothing was changed there",
    }
    for path, refusal in refusals.items():
        with pytest.raises(HostError) as raised:
            host.remove_dir(path, user=1000)
        assert str(raised.value) == refusal
    assert (tmp_path / "etc/ssl").is_dir()
    (home / ".config/docker").unlink()
    (home / ".config/docker").mkdir()
    os.chown(home / ".config/docker", 1000, 1000)
    host.remove_dir("/home/admin/.config/docker", user=1000)
    assert not (home / ".config/docker").exists()


def test_a_users_broken_daemon_json_is_theirs_to_mend_and_the_system_is_fixed_all_the_same(make_root):
    root = rootless_host(make_root, daemon_json={"icc": "no"})  # dockerd refuses a string for icc
    system = root / "etc/docker/daemon.json"
    system.write_text('{"icc": true}\n')
    checked = run_harden("check", "--root", root, "--profile", "cis", "--only", "icc,log-level", "--format", "json", "--lang", "zh")
    findings = {f["target"]: f for item in checked.json["items"] for f in item["findings"]}
    assert findings["icc (rootless, admin)"]["status"] == "manual"
    assert findings["icc (rootless, admin)"]["message"].startswith("admin 的 rootless dockerd：/home/admin/.config/docker/daemon.json")
    assert "dockerd 无法以此文件启动" in findings["icc (rootless, admin)"]["message"], "the reason's own words, in Chinese"
    applied = run_harden("apply", "--yes", "--root", root, "--profile", "cis", "--only", "icc,log-level")
    assert applied.code == 2, applied
    assert json.loads(system.read_text()) == {"icc": False}
    assert json.loads((root / "home/admin/.config/docker/daemon.json").read_text()) == {"icc": "no"}, "the user's, untouched"


def test_a_users_words_reach_the_administrators_terminal_without_their_control_characters(make_root):
    """A rootless daemon.json is the user's to write: an escape sequence in it is shown, not obeyed."""
    root = rootless_host(make_root, daemon_json={"log-level": "\u001b]0;pwned\u0007\u001b[2J"})
    shown = run_harden("check", "--root", root, "--profile", "cis", "--only", "log-level")
    assert "\x1b" not in shown.out and "\x07" not in shown.out, shown.out
    assert "log level is \\x1b]0;pwned\\x07\\x1b[2J" in shown.out, shown.out
    document = run_harden("check", "--root", root, "--profile", "cis", "--only", "log-level", "--format", "json").json
    finding = next(f for f in document["items"][0]["findings"] if f["target"] == "log-level (rootless, admin)")
    assert "\x1b]0;pwned\x07" in finding["message"], "JSON carries the words as they are, escaped its own way"


def users_tree(tmp_path):
    """A root with admin's (1000) and guest's (1001) homes, for the Host's guard of a user's files."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n"
                                         "guest:x:1001:1001::/home/guest:/bin/sh\n")
    (tmp_path / "etc/group").write_text("root:x:0:\nadmin:x:1000:\nguest:x:1001:\n")
    for user, uid in (("admin", 1000), ("guest", 1001)):
        (tmp_path / "home" / user).mkdir(parents=True)
        os.chown(tmp_path / "home" / user, uid, uid)
    return Host(str(tmp_path))


def sticky_tmp(root):
    """The root's /tmp, as every host has it: anyone's to write in, sticky."""
    shared = root / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


def test_a_users_link_is_followed_only_to_what_every_link_owner_owns(tmp_path):
    host = users_tree(tmp_path)
    (tmp_path / "Xfile").write_text("admin's")  # a name that starts as a stripped character would
    os.chown(tmp_path / "Xfile", 1000, 1000)
    (tmp_path / "home/admin/to-x").symlink_to("/Xfile")
    os.lchown(tmp_path / "home/admin/to-x", 1000, 1000)
    assert host.resolve("/home/admin/to-x") == "/Xfile"
    (tmp_path / "home/guest/to-admin").symlink_to("/home/admin/to-x")
    os.lchown(tmp_path / "home/guest/to-admin", 1001, 1001)
    with pytest.raises(HostError) as raised:
        host.resolve("/home/guest/to-admin")
    assert str(raised.value) == (f"/home/guest/to-admin (in {tmp_path}) leads through a link of uid 1000 and uid 1001 to /Xfile, "
                                 "which uid 1000 and uid 1001 does not own; harden does not follow a user's link to another's file")
    (tmp_path / "home/admin/nowhere").symlink_to("/no/such/dir/file")
    os.lchown(tmp_path / "home/admin/nowhere", 1000, 1000)
    with pytest.raises(HostError) as raised:
        host.resolve("/home/admin/nowhere")
    assert str(raised.value).endswith("leads through a link of uid 1000 to /no/such/dir/file, which uid 1000 does not own; "
                                      "harden does not follow a user's link to another's file")
    (tmp_path / "home/admin/by-daemon").symlink_to("/Xfile")  # a system user's (uid 1) link is a user's link too
    os.lchown(tmp_path / "home/admin/by-daemon", 1, 1)
    with pytest.raises(HostError, match="leads through a link of uid 1 to /Xfile, which uid 1 does not own"):
        host.resolve("/home/admin/by-daemon")
    assert host.real_path("/Xfile") == tmp_path / "Xfile", "only the leading slash goes"
    with pytest.raises(HostError, match=r"\(/home/admin/a+: File name too long\)"):  # a name the kernel refuses, with why
        host.check_users_file("/home/admin/" + "a" * 300, 1000)


def test_a_users_file_is_removed_only_while_it_is_theirs_and_root_s_as_root_asks(tmp_path):
    host = users_tree(tmp_path)
    own = tmp_path / "home/admin/daemon.json"
    own.write_text("{}")
    os.chown(own, 1000, 1000)
    host.remove_file("/home/admin/daemon.json", user=1000)
    assert not own.exists()
    host.remove_file("/home/admin/daemon.json", user=1000)  # gone already: nothing to do
    theirs = tmp_path / "home/admin/guest.json"
    theirs.write_text("{}")
    os.chown(theirs, 1001, 1001)
    with pytest.raises(HostError) as raised:
        host.remove_file("/home/admin/guest.json", user=1000)
    assert str(raised.value) == f"/home/admin/guest.json (in {tmp_path}) is guest:guest now, not admin's; nothing was changed there"
    host.remove_file("/home/admin/guest.json")  # root's own removal, not a user's
    assert not theirs.exists()
    (tmp_path / "home/admin/link").symlink_to("/etc/passwd")
    with pytest.raises(HostError) as raised:
        host.remove_file("/home/admin/link")
    assert str(raised.value) == (f"/home/admin/link (in {tmp_path}) is a symbolic link where a file was expected; "
                                 "harden does not write through links")
    (tmp_path / "home/admin/dir").mkdir()
    with pytest.raises(HostError) as raised:
        host.remove_file("/home/admin/dir")
    assert str(raised.value) == f"cannot remove /home/admin/dir (in {tmp_path}): Is a directory"
    shared = sticky_tmp(tmp_path)
    (shared / "admin.json").write_text("{}")
    os.chown(shared / "admin.json", 1000, 1000)
    with pytest.raises(HostError) as raised:
        host.remove_file("/tmp/admin.json", user=1000)
    assert str(raised.value) == (f"/tmp/admin.json (in {tmp_path}): /tmp is root:root 1777, which others than admin and root can "
                                 "change; nothing was removed there")


def test_a_directory_is_removed_where_it_is_empty_and_said_where_it_cannot_be(tmp_path):
    host = users_tree(tmp_path)
    (tmp_path / "srv/full").mkdir(parents=True)
    (tmp_path / "srv/full/kept").write_text("")
    host.remove_dir("/srv/full")
    host.remove_dir("/srv/none")
    assert (tmp_path / "srv/full/kept").exists()
    (tmp_path / "srv/file").write_text("")
    with pytest.raises(HostError) as raised:
        host.remove_dir("/srv/file")
    assert str(raised.value) == f"cannot remove /srv/file (in {tmp_path}): Not a directory"
    shared = sticky_tmp(tmp_path)
    (shared / "made").mkdir()
    os.chown(shared / "made", 1000, 1000)
    with pytest.raises(HostError) as raised:
        host.remove_dir("/tmp/made", user=1000)
    assert str(raised.value) == (f"/tmp/made (in {tmp_path}): /tmp is root:root 1777, which others than admin and root can "
                                 "change; nothing was removed there")
    assert (shared / "made").is_dir()


def test_the_guard_names_what_stops_it_and_the_trees_own_root_is_judged_too(tmp_path):
    """What the guard of a user's files says, whole: the finding a user's rootless unit gets (its message, target
    and evidence), a directory of the tree that others can change (its own root included), a file the path goes
    through, and the root itself, which is no file."""
    host = users_tree(tmp_path)
    (tmp_path / "etc/shadow").write_text("")
    (tmp_path / "etc/shadow").chmod(0o640)
    shown = f"/etc/shadow (in {tmp_path})"
    with pytest.raises(HostError) as raised:
        host.check_users_file("/etc/shadow", 1000)
    assert str(raised.value) == (f"admin's rootless dockerd names {shown}, which is not admin's alone (/etc/shadow is root:root 0640); "
                                 "harden neither reads nor changes it")
    assert (raised.value.reason, raised.value.target) == ("not_users", "/etc/shadow")
    assert raised.value.evidence == {"path": shown, "user": "admin", "blocker": "/etc/shadow is root:root 0640"}
    assert host.users_file_problem("/home/admin/x", 1000) is None

    os.chmod(tmp_path, 0o777)  # the tree's own root: anyone's to change
    try:
        assert host.users_file_problem("/home/admin/x", 1000) == "/ is root:root 0777"
        with pytest.raises(HostError) as raised:
            host.write_file("/home/admin/x", b"x", user=1000)
        assert str(raised.value) == (f"/home/admin/x (in {tmp_path}): / is root:root 0777, which others than admin and root "
                                     "can change; nothing was written there")
    finally:
        os.chmod(tmp_path, 0o755)
    (tmp_path / "home/admin/plain").write_text("")
    os.chown(tmp_path / "home/admin/plain", 1000, 1000)
    with pytest.raises(HostError) as raised:
        host.write_file("/home/admin/plain/x", b"x")
    assert str(raised.value) == (f"/home/admin/plain/x (in {tmp_path}): plain is not a directory harden can enter (a link or a "
                                 "file there now) while harden was about to write; nothing was written there")
    with pytest.raises(HostError) as raised:
        host.write_file("/", b"x")
    assert str(raised.value) == f"/ (in {tmp_path}): not a file harden can write"
    long = "/home/admin/" + "a" * 300 + "/x"  # a directory the kernel will not open: said with why
    with pytest.raises(HostError) as raised:
        host.write_file(long, b"x")
    assert str(raised.value) == f"cannot read {long} (in {tmp_path}): File name too long", "the look before the write"
    with pytest.raises(HostError) as raised:  # a directory that is not there: nothing to remove, said with why
        host.remove_file("/none/dir/x")
    assert str(raised.value) == f"cannot remove /none/dir/x (in {tmp_path}): No such file or directory"
    assert not (tmp_path / "x").exists()
