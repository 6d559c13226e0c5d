"""The rule each planner merges the items' intents by: compatible wants combine (the strictest mode), incompatible
ones stop planning with an error naming both items and both values. Intents are plain data: two readings of one
host give equal intents, and printing one shows what it wants."""
from hardener.fixes import all_fixes
from hardener.host import Host
from hardener.model import SetOwnerMode
from hardener.options import Options
from hardener.planners import plan
from hardener.planners.dockerd import DockerdOption, FlagDrop
from hardener.planners.files import OwnerMode


def test_two_values_of_one_daemon_option_are_an_error_naming_both(make_root):
    host = Host(str(make_root("debian")))
    wanted = [("log-level", DockerdOption(drop=(FlagDrop("debug"),), json_set={"log-level": "info"})),
              ("acme-quiet", DockerdOption(json_set={"log-level": "warn"})),
              ("icc", DockerdOption(json_set={"icc": False}))]
    planned, errors = plan(host, wanted, Options())
    assert set(errors) == {"log-level", "acme-quiet"}, "the two, not every daemon item"
    assert str(errors["acme-quiet"]) == ("log-level and acme-quiet want dockerd's log-level two ways (\"info\" and \"warn\"); "
                                         "leave one of them out (--skip) or change the profile")
    assert [change.items for change in planned.changes if change.path == "/etc/docker/daemon.json"] == [("icc",)], "the others are planned"
    _, errors = plan(host, [("a", DockerdOption(json_set={"iptables": True})), ("b", DockerdOption(json_remove=("iptables",)))], Options())
    assert "a and b want dockerd's iptables two ways (true and removed)" in str(errors["a"])
    planned, errors = plan(host, [("a", DockerdOption(json_set={"icc": False})), ("b", DockerdOption(json_set={"icc": False}))], Options())
    assert not errors and planned.changes, "the same value twice agrees"


def test_modes_combine_to_the_strictest_and_two_owners_are_an_error(make_root):
    host = Host(str(make_root("debian")))
    planned, errors = plan(host, [("a", OwnerMode("/etc/docker/daemon.json", 0, 0, 0o644)),
                                  ("b", OwnerMode("/etc/docker/daemon.json", 0, 0, 0o600))], Options())
    assert not errors and planned.changes == [SetOwnerMode("/etc/docker/daemon.json", 0, 0, 0o600, items=("a", "b"))]
    planned, errors = plan(host, [("a", OwnerMode("/home/admin/.config/docker/daemon.json", 1000, 1000, 0o640, user=1000)),
                                  ("b", OwnerMode("/home/admin/.config/docker/daemon.json", 1000, 1000, 0o604, user=1000))], Options())
    assert not errors and planned.changes == [SetOwnerMode("/home/admin/.config/docker/daemon.json", 1000, 1000, 0o600, user=1000,
                                                           items=("a", "b"))], "a user's file stays guarded as the user's"
    _, errors = plan(host, [("a", OwnerMode("/etc/docker/daemon.json", 0, 0, 0o644)),
                            ("b", OwnerMode("/etc/docker/daemon.json", 1000, 0, 0o644))], Options())
    assert "a and b want /etc/docker/daemon.json" in str(errors["b"]) and "owned two ways (root:root and admin:root)" in str(errors["b"])


def test_intents_are_plain_data(make_root):
    """No closures: what an item wants compares equal from one reading of the host to the next, and says itself."""
    root = make_root("debian")
    fixes = [fix for fix in all_fixes() if fix.id in ("log-level", "no-aufs", "icc", "file-permissions")]
    first = [fix().detect(Host(str(root))).intents for fix in fixes]
    assert first == [fix().detect(Host(str(root))).intents for fix in fixes] and sum(map(len, first)) >= 3
    shown = repr(first)
    assert "FlagDrop(name='debug', value=None)" in shown and "json_set={'log-level': 'info'}" in shown, shown


def test_a_created_file_takes_the_strictest_mode_wanted_for_it_and_an_existing_one_none(make_root):
    """CreatedMode bounds the mode of a file a change creates, the strictest of those wanted, whatever their order; a
    file that is there keeps its own mode (SetOwnerMode is what changes that)."""
    from hardener.planners.files import CreatedMode

    root = make_root("debian", compliant=True)
    (root / "etc/docker/daemon.json").unlink()
    host = Host(str(root))
    for modes in ((0o600, 0o644), (0o644, 0o600)):
        wanted = [("a", CreatedMode("/etc/docker/daemon.json", modes[0])), ("b", CreatedMode("/etc/docker/daemon.json", modes[1])),
                  ("icc", DockerdOption(json_set={"icc": False}))]
        planned, errors = plan(host, wanted, Options())
        (created,) = [change for change in planned.changes if change.path == "/etc/docker/daemon.json"]
        assert not errors and created.mode == 0o600, (modes, oct(created.mode))
    there = Host(str(make_root("debian")))
    planned, _ = plan(there, [("a", CreatedMode("/etc/docker/daemon.json", 0o600)), ("icc", DockerdOption(json_set={"icc": False}))], Options())
    (written,) = [change for change in planned.changes if change.path == "/etc/docker/daemon.json"]
    assert written.items == ("icc",), "an existing file is not the CreatedMode's"


def test_two_limits_or_bind_addresses_of_one_container_are_an_error_naming_both(monkeypatch):
    """The container planner's rule: what items want of one container's settings agrees, or the two are errors."""
    from hardener.facts import containers
    from hardener.planners.containers import ContainerSettings
    from hardener.planners.recreate import Adjust

    web = containers.Container({"Id": "a" * 64, "Name": "/web", "Image": "sha256:" + "b" * 64, "Config": {"Image": "web"},
                                "HostConfig": {}, "State": {"Running": True}, "Mounts": []})
    monkeypatch.setattr(containers, "inspected", lambda host, container_id: web)
    wanted = [("memory-limit", ContainerSettings(web.id, live=(("Memory", 256 * 2 ** 20),), apply=True)),
              ("acme-memory", ContainerSettings(web.id, live=(("Memory", 512 * 2 ** 20),), apply=True))]
    _, errors = plan(Host("/"), wanted, Options())
    assert str(errors["acme-memory"]) == (f"memory-limit and acme-memory want web's Memory two ways ({256 * 2 ** 20} and "
                                          f"{512 * 2 ** 20}); leave one of them out (--skip) or change the profile")
    wanted = [("bind-address", ContainerSettings(web.id, adjust=Adjust(bind_address="127.0.0.1"), apply=True)),
              ("acme-bind", ContainerSettings(web.id, adjust=Adjust(bind_address="10.0.0.5"), apply=True))]
    _, errors = plan(Host("/"), wanted, Options())
    assert "bind-address and acme-bind want web's bind address two ways (127.0.0.1 and 10.0.0.5)" in str(errors["bind-address"])
