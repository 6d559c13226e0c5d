"""Profiles: aliyun (the baseline's 13 items, the default) and cis (every
recommendation of the CIS Docker Benchmark 1.8.0, none silently left out)."""
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
    assert bad.code == 1 and bad.err.strip() == f"harden: error: {root}/etc/hardener/config.toml:2: profile is one of aliyun, cis, not 'nist'"
    (root / "etc/hardener/config.toml").unlink()
    wrong = run_harden("check", "--root", root, "--only", "image-user")
    assert wrong.code == 1 and "unknown item 'image-user' in the aliyun profile" in wrong.err


def test_list_shows_every_recommendation_under_cis():
    listed = run_harden("list", "--profile", "cis", "--format", "json").json
    assert len(listed["recommendations"]) == 118
    items = {r["cis"]: r["items"] for r in listed["recommendations"]}
    assert items["1.1.9"] == ["audit-docker-files"] and items["5.4"] == ["no-added-capabilities", "cap-drop-all"]
    text = run_harden("list", "--profile", "cis", "--lang", "zh").out
    assert "CIS 4.1" in text and "确保为容器创建了用户" in text
    assert [item["id"] for item in run_harden("list", "--format", "json").json["items"]] == ALIYUN


def test_text_and_html_read_per_recommendation(make_root):
    root = make_root("debian")
    text = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions,log-level").out
    assert text.startswith("harden: CIS Docker Benchmark 1.8.0 on")
    assert "    CIS 3.1, 3.2: /lib/systemd/system/docker.service is" in text, "an item answering several says which"
    assert "    CIS 2.3:" not in text
    page = run_harden("check", "--root", root, "--profile", "cis", "--only", "file-permissions", "--format", "html").out
    assert "CIS 3.1, 3.2: /lib/systemd/system/docker.service is" in page
