"""Profiles: aliyun (the baseline's 13 items, the default) and cis (every
recommendation of the CIS Docker Benchmark 1.8.0, none silently left out)."""
import json
import os
from pathlib import Path

import pytest

import hosts
from conftest import run_harden
from hardener.benchmark import numbers, recommendations
from hardener.profiles import profile_fixes

ALIYUN = ["audit-docker-files", "icc", "log-level", "iptables", "no-aufs", "file-permissions", "content-trust", "no-privileged",
          "no-sensitive-mounts", "memory-limit", "readonly-rootfs", "no-host-pid", "no-docker-sock"]


def test_the_benchmark_list():
    listed = recommendations()
    assert len(listed) == 118 and len({r.number for r in listed}) == 118
    moved = {r.number: r.number_1_6 for r in listed if r.number != r.number_1_6}
    assert moved == {"2.7": "", **{f"2.{n}": f"2.{n - 1}" for n in range(8, 20)}}, "1.8.0 inserted 2.7"
    assert all(r.title.en and r.title.zh for r in listed)


def test_every_recommendation_is_answered_in_the_cis_profile():
    answered = [number for fix in profile_fixes("cis") for number in numbers(fix.cis)]
    twice = [number for number in answered if answered.count(number) > 1]
    assert twice == ["5.4", "5.4"], "added capabilities go with --recreate, --cap-drop ALL only when named: two items"
    assert list(dict.fromkeys(answered)) == [r.number for r in recommendations()], "each, in the benchmark's order"
    assert len({fix.id for fix in profile_fixes("cis")}) == len(profile_fixes("cis"))
    assert [fix.id for fix in profile_fixes("aliyun")] == ALIYUN


def test_a_cis_report_has_a_status_for_every_recommendation(make_root):
    result = run_harden("check", "--root", make_root("debian"), "--profile", "cis", "--format", "json")
    assert result.code == 2, result
    document = result.json
    assert document["profile"] == "cis"
    by_number = {}
    for item in document["items"]:
        for finding in item["findings"]:
            for number in finding["cis"]:
                by_number.setdefault(number, []).append((item["id"], finding["status"], finding["reason"], finding.get("cis_1_6")))
    assert set(by_number) == {r.number for r in recommendations()}
    assert by_number["4.1"] == [("image-user", "not_applicable", "not_live", None)], "images are the engine's"
    assert by_number["4.2"] == [("trusted-base-images", "manual", "by_hand", None)]
    assert by_number["7.4"] == [("swarm-secrets", "not_applicable", "not_live", None)]
    assert by_number["5.1"] == [("swarm-mode", "not_applicable", "not_live", None)], "no engine to ask is not a pass"
    assert by_number["2.8"][0][3] == ["2.7"] and by_number["2.7"][0][3] == [""], "the 1.6.0 number where it differs"
    assert by_number["2.3"] == [("log-level", "fail", "debug_on", None)]


def test_the_profile_from_the_config_and_the_command_line(make_root):
    root = make_root("debian")
    (root / "etc/hardener").mkdir(exist_ok=True)
    (root / "etc/hardener/config.toml").write_text('profile = "cis"\n')
    assert run_harden("check", "--root", root, "--format", "json").json["profile"] == "cis"
    assert run_harden("check", "--root", root, "--format", "json", "--profile", "aliyun").json["profile"] == "aliyun"
    (root / "etc/hardener/config.toml").write_text('\nprofile = "nist"\n')
    bad = run_harden("check", "--root", root)
    assert bad.code == 1 and bad.err.strip() == (f"harden: error: {root}/etc/hardener/config.toml:2: profile is a built-in profile "
                                                 "(aliyun, cis) or a profile file (a path with a / or ending in .toml), not 'nist'")
    (root / "etc/hardener/config.toml").unlink()
    wrong = run_harden("check", "--root", root, "--only", "image-user")
    assert wrong.code == 1 and "unknown item 'image-user' in the aliyun profile" in wrong.err


def test_list_shows_every_recommendation_under_cis():
    listed = run_harden("list", "--profile", "cis", "--format", "json").json
    assert len(listed["recommendations"]) == 118
    items = {r["ref"]: r["items"] for r in listed["recommendations"]}
    assert items["1.1.9"] == ["audit-docker-files"] and items["5.4"] == ["no-added-capabilities", "cap-drop-all"]
    text = run_harden("list", "--profile", "cis", "--lang", "zh").out
    assert "CIS 4.1" in text and "确保为容器创建了用户" in text
    assert [item["id"] for item in run_harden("list", "--format", "json").json["items"]] == ALIYUN


def test_text_and_html_read_per_recommendation(make_root):
    root = make_root("debian")
    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions,log-level").out
    assert text.startswith("harden: CIS Docker Benchmark 1.8.0 on")
    assert "    [high] CIS 3.1, 3.2: /lib/systemd/system/docker.service is" in text, "an item answering several says which"
    assert "    CIS 2.3:" not in text
    page = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions", "--format", "html").out
    assert "CIS 3.1, 3.2: /lib/systemd/system/docker.service is" in page


ACME = """# ACME's Docker baseline
name = "acme"
title = { en = "ACME Docker baseline", zh = "ACME Docker 基线" }
benchmark = "ACME Docker baseline"
version = "2026.1"
extends = "aliyun"
leave_out = ["no-aufs", "content-trust"]

[[entry]]
item = "icc"

[[entry]]
item = "docker-group"
"""


def write_profile(path, text, mode=0o644):
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_profile_file_extends_a_built_in_one_and_names_the_report(make_root, tmp_path):
    """extends aliyun, leaves two of its items out, keeps icc where it was and adds one of cis at the end; the report
    is named and headed by the file; list shows what the file resolves to."""
    acme = write_profile(tmp_path / "acme.toml", ACME)
    expected = [item for item in ALIYUN if item not in ("no-aufs", "content-trust")] + ["docker-group"]
    listed = run_harden("list", "--profile", acme, "--format", "json")
    assert listed.code == 0, listed
    assert [item["id"] for item in listed.json["items"]] == expected and listed.json["source"] == str(acme)
    checked = run_harden("check", "--root", make_root("debian"), "--profile", acme, "--format", "json")
    assert checked.code == 2, checked
    document = checked.json
    assert [item["id"] for item in document["items"]] == expected
    assert (document["profile"], document["profile_title"]) == ("acme", {"en": "ACME Docker baseline", "zh": "ACME Docker 基线"})
    text = run_harden("check", "--root", make_root("debian"), "--profile", acme, "--lang", "zh").out
    assert text.startswith("harden：ACME Docker 基线，主机 ")
    root = make_root("debian")
    (root / "etc/hardener").mkdir(exist_ok=True)
    (root / "etc/hardener/profiles").mkdir()
    write_profile(root / "etc/hardener/profiles/acme.toml", ACME)
    (root / "etc/hardener/config.toml").write_text('profile = "/etc/hardener/profiles/acme.toml"\n')
    assert run_harden("check", "--root", root, "--format", "json").json["profile"] == "acme", "the tree's own file, under --root"


@pytest.mark.parametrize("text, line, message", [
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n\n[[entry]]\nitem = "no-such-item"\n', 5, "unknown item 'no-such-item'"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n\n[[entry]]\nitem = "icc"\nmax_mode = 0o600\n', 6,
     "unknown key 'max_mode' in an entry"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\nleave_out = "icc"\nextends = "aliyun"\n', 3, "leave_out must be a list"),
    ('name = "x"\ntitle = { en = "X" }\n[[entry]]\nitem = "icc"\n', 2, "title must be"),
    ('name = 3\ntitle = { en = "X", zh = "X" }\n', 1, "name must be a non-empty string"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\n[[entry]]\nitem = "icc"\n', 6, "item 'icc' is listed twice"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\nextends = "nist"\n', None, "unknown profile 'nist'"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\nrules = []\n', 3, "unknown key 'rules'"),
    ('name = "x"\ntitle = [', 2, "not valid TOML"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\na = ' + "[" * 3000 + "1" + "]" * 3000 + "\n", 1, "nest too deep"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "memory-limit"\nparameters = { limit = "1g" }\n', 5,
     "item 'memory-limit' has no parameter 'limit' (its parameters: default)"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\n\n[entry.parameters]\nlevel = 1\n', 7,
     "item 'icc' has no parameter 'level' (its parameters: none)"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "memory-limit"\nparameters = { default = "lots" }\n', 5,
     "memory-limit's parameter default: a memory limit is a size like"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "container-sprawl"\n[entry.parameters]\ndays = "7"\n', 6,
     "container-sprawl's parameter days: is a whole number of days, at least 1, not '7'"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\nref = "A-1"\n[[entry]]\nitem = "iptables"\nref = ["A-2", "A-1"]\n',
     8, "reference 'A-1' is used twice (items 'icc' and 'iptables')"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\nseverity = "critical"\n', 5,
     "severity is one of low, medium, high, not 'critical'"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\nref = ""\n', 5, "ref is a reference"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\nadvice = { en = "Do it" }\n', 5, "advice must be"),
    ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\n[[recommendation]]\nref = "A-1"\nassessment = "auto"\n'
     'title = { en = "A", zh = "A" }\n', 7, "assessment is automated or manual, not 'auto'"),
])
def test_a_profile_file_fault_is_one_line_naming_the_file_and_line(make_root, tmp_path, text, line, message):
    profile = write_profile(tmp_path / "bad.toml", text)
    root = make_root("debian")
    start = hosts.snapshot(root)
    result = run_harden("apply", "--yes", "--root", root, "--profile", profile)
    assert result.code == 1 and result.err.count("\n") == 1 and message in result.err, result
    if line is not None:
        assert result.err.startswith(f"harden: error: {profile}:{line}: "), result.err
    assert hosts.snapshot(root) == start, "nothing was read or changed"


def test_a_cycle_of_extends_and_a_profile_others_can_write_are_refused(tmp_path):
    write_profile(tmp_path / "a.toml", 'name = "a"\ntitle = { en = "A", zh = "A" }\nextends = "b.toml"\n')
    write_profile(tmp_path / "b.toml", 'name = "b"\ntitle = { en = "B", zh = "B" }\nextends = "./a.toml"\n')
    cycle = run_harden("list", "--profile", tmp_path / "a.toml")
    assert cycle.code == 1 and "which extends it again" in cycle.err and cycle.err.count("\n") == 1, cycle
    loose = write_profile(tmp_path / "loose.toml", ACME, mode=0o666)
    refused = run_harden("list", "--profile", loose)
    assert refused.code == 1 and "must be root's (or the user's harden runs as) and writable by no one else" in refused.err and "mode 0666" in refused.err, refused
    theirs = write_profile(tmp_path / "theirs.toml", ACME)
    os.chown(theirs, 1000, 1000)
    refused = run_harden("list", "--profile", theirs)
    assert refused.code == 1 and "it is uid 1000's" in refused.err, refused


def test_the_built_in_profiles_are_files_of_the_same_shape():
    """aliyun's 13 items and cis's, read from the package's files as a site's would be."""
    from hardener.profiles import BUILTIN_DIR, load_profile

    assert sorted(path.name for path in BUILTIN_DIR.iterdir()) == ["aliyun.toml", "cis.toml"]
    assert list(load_profile("aliyun").items) == ALIYUN
    cis = load_profile(str(BUILTIN_DIR / "cis.toml"))
    assert cis.items == load_profile("cis").items and cis.title.en == "CIS Docker Benchmark 1.8.0"


def test_what_a_hostile_profile_file_gets_is_one_line(make_root, tmp_path):
    """A FIFO (which would block a read for ever), a file in a directory a user owns, an entry that is no table, a
    chain of extends too deep, a title that would forge a report line: each one line, nothing of the tree touched."""
    root = make_root("debian")
    start = hosts.snapshot(root)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo, 0o644)
    theirs = tmp_path / "alice"
    theirs.mkdir()
    write_profile(theirs / "p.toml", ACME)
    os.chown(theirs, 1000, 1000)
    chain = tmp_path / "chain"
    chain.mkdir()
    for number in range(30):
        write_profile(chain / f"p{number}.toml", f'name = "p{number}"\ntitle = {{ en = "P", zh = "P" }}\n'
                      + (f'extends = "p{number + 1}.toml"\n' if number < 29 else 'extends = "aliyun"\n'))
    cases = {
        fifo: "is not a regular file",
        theirs / "p.toml": f"({theirs} is uid 1000's, mode 0755)",
        write_profile(tmp_path / "entry.toml", 'name = "x"\ntitle = { en = "X", zh = "X" }\nentry = [1]\n'): "entries must be written as [[entry]] tables",
        chain / "p0.toml": "profiles extend each other more than 16 deep",
        write_profile(tmp_path / "forged.toml", 'name = "x"\ntitle = { en = "X\\n[pass] forged", zh = "X" }\nextends = "aliyun"\n'):
            "title has a control or direction character",
    }
    for profile, message in cases.items():
        result = run_harden("apply", "--yes", "--root", root, "--profile", profile)
        assert result.code == 1 and result.err.count("\n") == 1 and message in result.err, (profile, result)
    assert hosts.snapshot(root) == start and not (root / "var/lib/hardener").exists(), "no lock taken, nothing written"


def test_a_profile_the_hosts_config_names_is_the_hosts_and_so_is_what_it_extends(make_root, tmp_path):
    """Under --root the config's profile, and the profiles it extends, are the tree's files (a relative path from the
    config's own directory); a file of this machine's outside the tree is not reached."""
    outside = write_profile(tmp_path / "outside.toml", 'name = "outside"\ntitle = { en = "O", zh = "O" }\nextends = "cis"\n')
    root = make_root("debian")
    (root / "etc/hardener/profiles").mkdir(parents=True)
    (root / "etc/hardener/config.toml").write_text('profile = "profiles/acme.toml"\n')
    write_profile(root / "etc/hardener/profiles/acme.toml", ACME.replace('extends = "aliyun"', 'extends = "base.toml"'))
    write_profile(root / "etc/hardener/profiles/base.toml", 'name = "base"\ntitle = { en = "B", zh = "B" }\nextends = "aliyun"\n')
    document = run_harden("check", "--root", root, "--format", "json").json
    assert document["profile"] == "acme" and "docker-group" in [item["id"] for item in document["items"]]
    write_profile(root / "etc/hardener/profiles/base.toml", f'name = "base"\ntitle = {{ en = "B", zh = "B" }}\nextends = "{outside}"\n')
    escaped = run_harden("check", "--root", root)
    assert escaped.code == 1 and "No such file or directory" in escaped.err and escaped.err.count("\n") == 1, escaped
    assert escaped.err.startswith("harden: error: /etc/hardener/profiles/acme.toml:6: extends 'base.toml': "), escaped.err


ACME_OWN = """name = "acme"
title = { en = "ACME Docker baseline", zh = "ACME Docker 基线" }
extends = "cis"

[[entry]]
item = "log-level"
ref = "ACME-DOCKER-07"
title = { en = "dockerd logs at info, as ACME's SOC reads it", zh = "dockerd 以 info 级别记录日志（ACME 安全运营要求）" }
advice = { en = "Ask the platform team.", zh = "请联系平台团队。" }
severity = "high"

[[entry]]
item = "container-sprawl"
ref = ["ACME-DOCKER-20", "ACME-DOCKER-21"]
parameters = { days = 7 }
"""


def test_a_profile_gives_an_item_its_own_references_title_advice_and_severity(make_root, tmp_path):
    """The report reads the profile's words: the item's references (with its CIS ones beside in text), its title and
    advice in the language asked, its failing findings' severity; the per-reference table is by the profile's
    references, the benchmark's first, then its own in its order; an item the profile says nothing more of keeps
    its CIS numbers."""
    acme = write_profile(tmp_path / "acme.toml", ACME_OWN)
    root = make_root("debian")
    checked = run_harden("check", "--root", root, "--profile", acme, "--only", "log-level,icc,file-permissions", "--format", "json")
    assert checked.code == 2, checked
    items = {item["id"]: item for item in checked.json["items"]}
    level = items["log-level"]
    assert level["refs"] == ["ACME-DOCKER-07"] and level["cis"] == "2.3"
    assert level["title"] == "dockerd logs at info, as ACME's SOC reads it" and level["advice"] == "Ask the platform team."
    assert [(f["refs"], f["cis"], f["severity"]) for f in level["findings"]] == [(["ACME-DOCKER-07"], ["2.3"], "high")]
    assert items["icc"]["refs"] == ["2.2"] and items["icc"]["findings"][0]["severity"] == "medium"
    table = [entry["id"] for entry in checked.json["recommendations"]]
    assert table == ["2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "ACME-DOCKER-07"], table
    text = run_harden("check", "--root", root, "--profile", acme, "--only", "log-level", "--lang", "zh").out
    assert "[不合规] log-level  dockerd 以 info 级别记录日志（ACME 安全运营要求） (ACME-DOCKER-07; CIS 2.3)" in text, text
    assert "  [不合规] ACME-DOCKER-07：log-level (log-level)" in text, text
    listed = run_harden("list", "--profile", acme, "--format", "json")
    assert listed.code == 0, listed
    sprawl = next(item for item in listed.json["items"] if item["id"] == "container-sprawl")
    assert sprawl["refs"] == ["ACME-DOCKER-20", "ACME-DOCKER-21"] and sprawl["parameters"] == {"days": 7}, sprawl


def test_a_waiver_names_an_item_by_its_reference_in_the_profile(make_root, tmp_path):
    """[[waivers]] ref = "ACME-DOCKER-07" waives the item the profile reports under it, ref = "2.2" the one that
    answers CIS 2.2; a waiver names an item or a reference, not both."""
    acme = write_profile(tmp_path / "acme.toml", ACME_OWN)
    root = make_root("debian")
    config = tmp_path / "config.toml"
    config.write_text('[[waivers]]\nref = "ACME-DOCKER-07"\nreason = "SOC reads debug logs until March"\n\n'
                      '[[waivers]]\nref = "2.2"\nreason = "legacy links"\n')
    checked = run_harden("check", "--root", root, "--profile", acme, "--config", config, "--only", "log-level,icc,iptables",
                         "--format", "json")
    assert {item["id"]: item["status"] for item in checked.json["items"]} == {"log-level": "waived", "icc": "waived", "iptables": "pass"}
    config.write_text('[[waivers]]\nref = "3.1"\nreason = "the unit is the vendor\'s"\n')
    partly = run_harden("check", "--root", root, "--profile", "cis", "--config", config, "--only", "file-permissions", "--format", "json")
    (item,) = partly.json["items"]
    assert item["status"] == "fail", "3.1 alone does not waive what the item finds of 3.2-3.6"
    assert any("a waiver names 3.1, not every reference of file-permissions (3.1, 3.2, 3.3, 3.4, 3.5, 3.6): it waives nothing"
               in note for note in item["notes"]), item["notes"]
    config.write_text("".join(f'[[waivers]]\nref = "3.{n}"\nreason = "vendor"\n' for n in range(1, 7)))
    whole = run_harden("check", "--root", root, "--profile", "cis", "--config", config, "--only", "file-permissions", "--format", "json")
    assert whole.json["items"][0]["status"] == "waived", "every reference named: the item"
    config.write_text('[[waivers]]\nitem = "icc"\nref = "2.2"\nreason = "both"\n')
    both = run_harden("check", "--root", root, "--config", config)
    assert both.code == 1 and "a waiver names an item" in both.err and both.err.count("\n") == 1, both


EXAMPLE = Path(__file__).parent.parent / "examples/acme-docker.toml"


def test_the_config_names_the_items_a_profile_defines(make_root):
    """The config's items and waivers may name an item of the profile's own, whether the config or the command line
    names the profile; where the profile has no such item, it is the config's one-line error at its line."""
    root = make_root("debian")
    (root / "etc/hardener").mkdir(exist_ok=True)
    (root / "etc/hardener/acme.toml").write_text(EXAMPLE.read_text())
    config = root / "etc/hardener/config.toml"
    selection = ('items = ["acme-daemon-json-0600", "acme-default-docker-0600"]\n\n'
                 '[[waivers]]\nitem = "acme-daemon-json-0600"\nreason = "the vendor agent reads it until June"\n')
    config.write_text('profile = "/etc/hardener/acme.toml"\n' + selection)
    by_config = run_harden("check", "--root", root, "--format", "json")
    config.write_text(selection)
    by_command_line = run_harden("check", "--root", root, "--profile", EXAMPLE, "--format", "json")
    for checked in (by_config, by_command_line):
        assert checked.json["profile"] == "acme-docker", checked
        assert {item["id"]: item["status"] for item in checked.json["items"]} == {
            "acme-daemon-json-0600": "waived", "acme-default-docker-0600": "fail"}, checked.json["items"]
    refused = run_harden("check", "--root", root)
    assert (refused.code, refused.out) == (1, "") and refused.err == (
        f"harden: error: {config}:1: unknown item 'acme-daemon-json-0600' in items (see: harden list --profile aliyun)\n"), refused
    config.write_text('profile = "/etc/hardener/acme.toml"\n' + selection)
    overridden = run_harden("check", "--root", root, "--profile", "cis")
    assert overridden.code == 1 and overridden.err.endswith(
        "config.toml:2: unknown item 'acme-daemon-json-0600' in items (see: harden list --profile cis)\n"), overridden


def test_the_example_company_profile_end_to_end_under_root(make_root):
    """examples/acme-docker.toml: cis less three recommendations, ACME's limits, two stricter modes and two rules of
    its own; applied to a careless host and rolled back to the byte."""
    root = make_root("debian")
    start = hosts.snapshot(root)
    listed = run_harden("list", "--profile", EXAMPLE, "--format", "json")
    ids = [item["id"] for item in listed.json["items"]]
    assert not {"docker-partition", "host-hardened", "content-trust"} & set(ids) and len(ids) == 82 - 3 + 4
    assert ids[-4:] == ["acme-daemon-json-0600", "acme-default-docker-0600", "acme-no-userland-proxy", "acme-log-driver"]
    own = {entry["ref"]: (entry["title"], entry["assessment"], entry["items"]) for entry in listed.json["recommendations"]}
    assert own["ACME-DOCKER-31"] == ("Containers log to json-file or journald", "manual", ["acme-log-driver"])
    assert own["2.3"][2] == ["log-level"] and "5.11" not in own, "memory-limit reports under ACME-DOCKER-11 here"
    applied = run_harden("apply", "--yes", "--root", root, "--profile", EXAMPLE, "--format", "json")
    assert applied.code == 2, applied  # manual items remain
    items = {item["id"]: item for item in applied.json["items"]}
    assert {item: items[item]["status"] for item in ("acme-daemon-json-0600", "acme-default-docker-0600", "acme-no-userland-proxy")} == {
        "acme-daemon-json-0600": "pass", "acme-default-docker-0600": "pass", "acme-no-userland-proxy": "pass"}
    assert items["acme-log-driver"]["status"] == "not_applicable", "no engine under --root"
    assert (root / "etc/docker/daemon.json").stat().st_mode & 0o777 == 0o600 and (root / "etc/default/docker").stat().st_mode & 0o777 == 0o600
    assert json.loads((root / "etc/docker/daemon.json").read_text())["userland-proxy"] is False
    assert [entry["id"] for entry in applied.json["recommendations"]][-4:] == ["ACME-DOCKER-21", "ACME-DOCKER-22", "ACME-DOCKER-30", "ACME-DOCKER-31"]
    titles = {entry["id"]: entry.get("title") for entry in applied.json["recommendations"]}
    assert titles["ACME-DOCKER-31"] == {"en": "Containers log to json-file or journald", "zh": "容器日志写入 json-file 或 journald"}
    assert titles["2.2"]["en"] == "Ensure network traffic is restricted between containers on the default bridge", "the benchmark's"
    from test_schemas import validate

    validate(applied.json, "report.schema.json")
    assert run_harden("rollback", "--yes", "--root", root).code == 0
    assert hosts.snapshot(root) == start


@pytest.mark.parametrize("lines, message", [
    ('item = "acme-x"\nkind = "sysctl"\n', "kind is one of daemon-option, file-mode, container-setting, not 'sysctl'"),
    ('item = "icc"\nkind = "daemon-option"\noption = "icc"\nvalue = false\n', "'icc' is harden's own item"),
    ('item = "acme-x"\nkind = "daemon-option"\noption = "hosts"\nvalue = false\n', "option is one of the daemon options a profile may set"),
    ('item = "acme-x"\nkind = "daemon-option"\noption = "userland-proxy"\nvalue = true\n',
     "userland-proxy may only be wanted at its tight value, false: a profile only tightens"),
    ('item = "acme-x"\nkind = "file-mode"\npath = "etc/passwd"\nmode = "0600"\n', "path is an absolute path"),
    ('item = "acme-x"\nkind = "file-mode"\npath = "/etc/passwd"\nmode = "rw-r--r--"\n', "mode is the highest mode allowed"),
    ('item = "acme-x"\nkind = "container-setting"\nfield = "Labels"\none_of = ["x"]\n', "field is a field of a container's inspect"),
    ('item = "icc"\noption = "icc"\n', "option is for an item the profile defines itself (kind = ...)"),
    ('item = "acme-x"\nkind = "file-mode"\npath = "/etc/passwd"\n', "a file-mode item needs path, mode"),
    ('item = "acme-x"\nkind = ["file-mode"]\n', "kind is one of daemon-option, file-mode, container-setting, not ['file-mode']"),
    ('item = "acme-x"\nkind = "daemon-option"\noption = ["icc"]\nvalue = false\n', "option is one of the daemon options"),
    ('item = "acme-x"\nkind = "daemon-option"\noption = "icc"\nvalue = false\n', "option is one of the daemon options"),
    ('item = "acme-x"\nkind = "container-setting"\nfield = "HostConfig.Privileged"\none_of = [false]\nremedy = "automatic"\n',
     "a container-setting item is for a person to fix: its remedy is manual"),
    ('item = "acme-x"\nkind = "container-setting"\nfield = "HostConfig.Privileged"\n', "gives the values allowed (one_of) or those refused"),
    ('item = "acme-x"\nkind = "file-mode"\npath = "/etc/a\\u202ex"\nmode = "0600"\n', "path is an absolute path"),
    ('item = "content-trust"\nremedy = "automatic"\n', "'content-trust' is fixed when-named: a profile may make it more careful, not less"),
    ('item = "icc"\nref = "5.5"\n', "reference '5.5' is used twice (items 'no-privileged' and 'icc')"),
])
def test_an_item_a_profile_defines_may_only_tighten_and_is_checked(tmp_path, lines, message):
    words = 'title = { en = "X", zh = "X" }\nadvice = { en = "X", zh = "X" }\n' if "acme-x" in lines else ""
    profile = write_profile(tmp_path / "own.toml", f'name = "own"\ntitle = {{ en = "O", zh = "O" }}\nextends = "cis"\n\n[[entry]]\n{lines}{words}')
    result = run_harden("list", "--profile", profile)
    assert result.code == 1 and message in result.err and result.err.count("\n") == 1, result
    assert result.err.startswith(f"harden: error: {profile}:"), result.err


def test_a_file_another_item_creates_is_created_no_more_open_than_a_file_mode_item_wants(make_root):
    """No daemon.json yet: the daemon option's change creates it, and the file-mode item's 0600 bounds the new file's
    mode (the strictest wins; a file it finds missing is otherwise not applicable), so one run leaves both passing."""
    root = make_root("debian", compliant=True)
    (root / "etc/docker/daemon.json").unlink()
    applied = run_harden("apply", "--yes", "--root", root, "--profile", EXAMPLE, "--only", "acme-daemon-json-0600,acme-no-userland-proxy",
                         "--format", "json")
    assert applied.code == 0, applied
    assert {item["id"]: item["status"] for item in applied.json["items"]} == {"acme-daemon-json-0600": "pass", "acme-no-userland-proxy": "pass"}
    assert (root / "etc/docker/daemon.json").stat().st_mode & 0o777 == 0o600
    alone = make_root("debian", compliant=True)
    (alone / "etc/docker/daemon.json").unlink()
    assert run_harden("apply", "--yes", "--root", alone, "--profile", EXAMPLE, "--only", "acme-no-userland-proxy").code == 0
    assert (alone / "etc/docker/daemon.json").stat().st_mode & 0o777 == 0o644, "without it: harden's usual 0644"


def test_what_a_profile_may_not_pass_for(tmp_path, make_root):
    """A file may not take a built-in profile's name, nor give a CIS number a title of its own or a title of two lines;
    a profile's file-mode never takes a sticky or setuid bit (it only lowers permission bits) nor a group."""
    cases = [('name = "cis"\ntitle = { en = "C", zh = "C" }\n[[entry]]\nitem = "icc"\n', "name 'cis' is a built-in profile's"),
             ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\n[[recommendation]]\nref = "2.2"\n'
              'title = { en = "Nothing", zh = "无" }\n', "'2.2' is a CIS Docker Benchmark number: its title is the benchmark's"),
             ('name = "x"\ntitle = { en = "X", zh = "X" }\n[[entry]]\nitem = "icc"\n[[recommendation]]\nref = "A-1"\n'
              'title = { en = "a\\nb", zh = "b" }\n', "title has a control or direction character")]
    for text, message in cases:
        result = run_harden("list", "--profile", write_profile(tmp_path / "p.toml", text))
        assert result.code == 1 and message in result.err and result.err.count("\n") == 1, result
    root = make_root("debian", compliant=True)
    (root / "tmp").mkdir(exist_ok=True)
    (root / "tmp").chmod(0o1777)
    os.chown(root / "etc/docker/daemon.json", 0, 999)
    own = write_profile(tmp_path / "own.toml", 'name = "own"\ntitle = { en = "O", zh = "O" }\n\n'
                        '[[entry]]\nitem = "acme-tmp"\nkind = "file-mode"\npath = "/tmp"\nmode = "0777"\n'
                        'title = { en = "T", zh = "T" }\nadvice = { en = "T", zh = "T" }\n\n'
                        '[[entry]]\nitem = "acme-json"\nkind = "file-mode"\npath = "/etc/docker/daemon.json"\nmode = "0600"\n'
                        'title = { en = "J", zh = "J" }\nadvice = { en = "J", zh = "J" }\n')
    applied = run_harden("apply", "--yes", "--root", root, "--profile", own, "--format", "json")
    assert applied.code == 0, applied
    assert (root / "tmp").stat().st_mode & 0o7777 == 0o1777, "the sticky bit stays"
    info = (root / "etc/docker/daemon.json").stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (0, 999, 0o600), "its group stays"


def test_a_users_setuid_file_made_roots_loses_its_setuid_and_setgid_bits(tmp_path, make_root):
    """A file-mode entry for a user's setuid program: made root's, it keeps no setuid or setgid bit (chown drops them,
    and giving them back would run the user's code as root); a directory made root's keeps its setgid bit, and a
    file whose owner stays keeps its bits."""
    root = make_root("debian", compliant=True)
    tool, shared, kept = root / "opt/acme/tool", root / "opt/acme/shared", root / "opt/acme/kept"
    tool.parent.mkdir(parents=True)
    tool.write_bytes(b"#!/bin/sh\nid\n")
    kept.write_bytes(b"#!/bin/sh\nid\n")
    shared.mkdir()
    for path, mode in ((tool, 0o6755), (shared, 0o2775), (kept, 0o4775)):  # kept: root's, its group write the excess
        os.chown(path, 65534, 65534) if path != kept else None
        path.chmod(mode)
    entries = "".join(f'[[entry]]\nitem = "acme-{name}"\nkind = "file-mode"\npath = "/opt/acme/{name}"\nmode = "{mode}"\n'
                      f'title = {{ en = "T", zh = "T" }}\nadvice = {{ en = "T", zh = "T" }}\n\n'
                      for name, mode in (("tool", "0755"), ("shared", "0755"), ("kept", "0755")))
    own = write_profile(tmp_path / "own.toml", 'name = "own"\ntitle = { en = "O", zh = "O" }\n\n' + entries)
    preview = run_harden("apply", "--dry-run", "--root", root, "--profile", own, "--format", "json")
    tool_finding = next(item for item in preview.json["items"] if item["id"] == "acme-tool")["findings"][0]
    assert tool_finding["evidence"]["mode_after_fix"] == "0755", tool_finding
    applied = run_harden("apply", "--yes", "--root", root, "--profile", own, "--format", "json")
    assert applied.code == 0, applied
    modes = {path.name: (path.stat().st_uid, path.stat().st_gid, path.stat().st_mode & 0o7777) for path in (tool, shared, kept)}
    assert modes == {"tool": (0, 65534, 0o755), "shared": (0, 65534, 0o2755), "kept": (0, 0, 0o4755)}, modes

    from hardener.host import Host

    swapped = root / "opt/acme/swapped"  # judged root's 4755 file, swapped for a user's before the change is made
    swapped.write_bytes(b"#!/bin/sh\nid\n")
    os.chown(swapped, 65534, 65534)
    swapped.chmod(0o4755)
    Host(str(root)).set_owner_mode("/opt/acme/swapped", 0, 65534, 0o4755)
    assert (swapped.stat().st_uid, swapped.stat().st_mode & 0o7777) == (0, 0o755), "made root's: no setuid, whatever was planned"
    Host(str(root)).set_owner_mode("/opt/acme/swapped", 65534, 65534, 0o4755)
    assert swapped.stat().st_mode & 0o7777 == 0o4755, "given back to its user (a rollback): as it was"


def test_an_item_without_logic_of_its_own_is_a_row_of_the_table():
    """One way to define an item that holds no logic: a row of fixes/table.py. A module of its own is for an item
    with code of its own (a method beside its metadata)."""
    import inspect

    from hardener.fixes import all_fixes

    rows = [fix for fix in all_fixes() if fix.__module__ == "hardener.fixes.table"]
    assert len(rows) >= 25 and len({fix.id for fix in rows}) == len(rows)
    modules = [fix for fix in all_fixes() if fix.__module__ != "hardener.fixes.table"]
    bare = [fix.id for fix in modules if not any(inspect.isfunction(value) or isinstance(value, property)
                                                 for value in vars(fix).values())]
    assert not bare, f"items with no code of their own, to be rows of fixes/table.py: {bare}"


def test_what_the_rows_settings_decide():
    """The data that replaced the rows' code: which values a reviewed option flags, which resource values mean
    the setting was never made (an engine's garbage among them: never a pass)."""
    from hardener.fixes import all_fixes

    by_id = {fix.id: fix() for fix in all_fixes()}
    fine = {item: [by_id[item].fine(value) for value in ("", "unconfined", "devicemapper", "/custom")]
            for item in ("cgroup-parent", "seccomp-profile", "userns-remap", "no-devicemapper")}
    assert fine == {"cgroup-parent": [True, False, False, False], "seccomp-profile": [True, False, True, True],
                    "userns-remap": [False, True, True, True], "no-devicemapper": [True, True, False, True]}
    values = (None, 0, -1, 1024, 512, "512", True)
    assert {item: [by_id[item].unset(value) for value in values] for item in ("cpu-shares", "pids-limit")} == {
        "cpu-shares": [True, True, True, True, False, True, True], "pids-limit": [True, True, True, False, False, True, True]}
    from hardener.kinds import row

    with pytest.raises(TypeError, match="x-y: a reviewed-option item has no flaged"):
        row("reviewed-option", "x-y", __name__, "2.10", flaged="a")
