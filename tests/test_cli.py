"""The command line: exit codes, JSON, consent, refusals, broken inputs, config."""
import fcntl
import os
import pty
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import hosts
from conftest import harden_env

BOTH = ["--only", "file-permissions,content-trust"]
STATUSES = {"pass", "fail", "manual", "not_applicable", "waived", "error"}


def one_line_error(result):
    assert result.code == 1, result
    assert result.err.startswith("harden: error: ") and result.err.count("\n") == 1, result
    return result.err


def test_exit_codes_of_check(make_root, harden):
    assert harden("check", "--root", make_root("debian")).code == 2
    assert harden("check", "--root", make_root("debian", compliant=True), "--skip", "content-trust,audit-docker-files").code == 0
    assert harden("check", "--root", make_root(layout=hosts.without_docker())).code == 0  # not applicable counts as compliant


def test_json_document(make_root, harden):
    document = harden("check", "--root", make_root("centos"), "--format", "json").json
    assert set(document) == {"schema", "command", "profile", "profile_title", "host", "root", "run_id", "changed", "items",
                             "recommendations", "summary", "drift", "drift_notes", "version", "generated"}
    assert document["host"] == "docker-host-01"
    assert [item["id"] for item in document["items"]] == [
        "audit-docker-files", "icc", "log-level", "iptables", "no-aufs", "file-permissions", "content-trust", "no-privileged", "no-sensitive-mounts", "memory-limit",
        "readonly-rootfs", "no-host-pid", "no-docker-sock"]
    containers = [item for item in document["items"] if item["id"] in ("no-privileged", "memory-limit")]
    assert {(item["status"], item["reason"]) for item in containers} == {("not_applicable", "not_live")}, "no engine under --root"
    for item in document["items"]:
        assert {"id", "title", "cis", "refs", "status", "reason", "findings", "changes"} <= set(item)
        assert item["status"] in STATUSES
        for finding in item["findings"]:
            assert set(finding) - {"cis_met"} == {"target", "status", "severity", "reason", "message", "evidence", "cis", "refs"}
            assert finding["status"] in STATUSES
    content_trust = document["items"][6]
    assert (content_trust["status"], content_trust["reason"]) == ("manual", "apply_only_when_named")
    assert document["summary"]["failing"] == 3 and document["summary"]["manual"] == 2  # icc, log-level, file-permissions
    assert document["items"][0]["reason"] == "auditd_missing"


def test_dry_run_json_shows_the_changes(make_root, harden):
    root = make_root("debian")
    document = harden("--dry-run", "--format", "json", "--root", root, *BOTH).json
    changes = {change["target"]: change for item in document["items"] for change in item["changes"]}
    assert changes["/lib/systemd/system/docker.service"]["before"] == {"owner": "root:root", "mode": "0664"}
    assert changes["/lib/systemd/system/docker.service"]["after"] == {"owner": "root:root", "mode": "0644"}
    assert "+export DOCKER_CONTENT_TRUST=1" in changes["/etc/profile.d/zz-hardener-docker-content-trust.sh"]["diff"]
    assert document["summary"]["to_change"] == 2


def test_options_before_or_after_the_command(make_root, harden):
    root = make_root("debian")
    before = harden("--root", root, "--format", "json", "--only", "file-permissions", "check").json
    after = harden("check", "--root", root, "--format", "json", "--only", "file-permissions").json
    for document in (before, after):
        del document["generated"]  # when each was made: a second apart, or not
    assert before == after and [item["id"] for item in after["items"]] == ["file-permissions"]
    timeless = lambda text: text.splitlines()[:1] + text.splitlines()[2:]  # noqa: E731 - the second line says when
    assert timeless(harden("--root", root, "apply", "--dry-run").out) == timeless(harden("--root", root).out)
    assert not (root / hosts.JOURNAL).exists()


def test_no_command_previews(make_root, harden):
    result = harden("--root", make_root("debian"))
    assert result.code == 2 and "Plan: 3 to change, 2 manual, 2 compliant, 6 not applicable" in result.out


@pytest.mark.parametrize("command", [["apply", "--yes"], ["rollback", "--yes"], ["history", "--prune", "1"]])
def test_non_root_cannot_change_the_live_host(harden, command):
    before = os.stat("/var/lib").st_mtime
    error = one_line_error(harden(*command, user=65534))
    assert "must run as root" in error
    assert not os.path.exists("/var/lib/hardener") or os.stat("/var/lib").st_mtime == before


def test_apply_off_a_terminal_without_yes_refuses(make_root, harden):
    root = make_root("debian")
    start = hosts.snapshot(root)
    assert "--yes" in one_line_error(harden("apply", "--root", root))
    assert "--yes" in one_line_error(harden("rollback", "--root", root))
    assert hosts.snapshot(root) == start


def test_errors_and_refusals_in_chinese(make_root, harden, tmp_path):
    """Under --lang zh, or a zh locale with no --lang, a refusal is one line in Chinese (full-width colons), the names
    and values it quotes aside; the same in English otherwise."""
    root = make_root("debian")
    start = hosts.snapshot(root)
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text('items = ["icc", "no-such-item"]\n')
    refusals = {
        ("apply", "--root", root): ("harden：错误：apply 不在终端上运行，无法询问确认：添加 --yes 即不经询问执行 apply\n",
                                    "harden: error: apply is not on a terminal, so it cannot ask: add --yes to apply without asking\n"),
        ("check", "--root", ""): ("harden：错误：--root 的值为空；请指定目录或文件，或不使用 --root\n",
                                  "harden: error: --root was given an empty value; name a directory or file, or leave --root out\n"),
        ("check", "--root", root): (f"harden：错误：{root}/etc/hardener/config.toml:1：items 中的检查项 'no-such-item' 不存在"
                                    "（见：harden list --profile aliyun）\n",
                                    f"harden: error: {root}/etc/hardener/config.toml:1: unknown item 'no-such-item' in items "
                                    "(see: harden list --profile aliyun)\n"),
        ("check", "--profile", "acme"): ("harden：错误：未知的配置集 'acme'：应为内置配置集（aliyun, cis）或配置集文件（含 / 或以 "
                                         ".toml 结尾的路径）\n", None),
    }
    for args, (chinese, english) in refusals.items():
        by_option = harden(*args, "--lang", "zh")
        by_locale = harden(*args, env={"LANG": "zh_CN.UTF-8"})
        assert (by_option.code, by_option.out, by_option.err) == (1, "", chinese), by_option
        assert by_locale.err == chinese, by_locale
        if english:
            assert harden(*args).err == english
    (root / "etc/hardener/config.toml").unlink()
    unknown = harden("check", "--root", root, "--only", "icc2", "--lang", "zh")
    assert unknown.err.startswith("harden：错误：aliyun 配置集中没有检查项 'icc2'；其检查项为：audit-docker-files, "), unknown
    error = one_line_error(harden("apply", "--yes", user=65534))
    assert "must run as root" in error
    assert harden("apply", "--yes", "--lang", "zh", user=65534).err == (
        "harden：错误：apply 会更改本机，必须以 root 身份运行（sudo harden apply）；未做任何更改\n")
    (root / "etc/hardener").rmdir()
    assert hosts.snapshot(root) == start, "nothing changed"
    garbled = harden("check", "--only", "--lang", "--root", root)  # --lang taken as --only's value: no language
    assert garbled.code == 1 and "Traceback" not in garbled.err and "unknown item '--lang'" in garbled.err, garbled
    profile = tmp_path / "extends.toml"
    profile.write_text('name = "x"\ntitle = { en = "X", zh = "X" }\nextends = "nosuch"\n')
    nested = harden("check", "--root", root, "--profile", profile, "--lang", "zh")
    assert nested.err == (f"harden：错误：{profile}:3：所继承的 'nosuch'（extends）：未知的配置集 'nosuch'：应为内置配置集（aliyun, cis）"
                          "或配置集文件（含 / 或以 .toml 结尾的路径）\n"), "an error inside another, in the same language"
    findings = harden("check", "--root", root, "--only", "icc,userns-remap", "--profile", "cis", "--lang", "zh").out
    assert "icc 为 true（默认）" in findings and "未启用用户命名空间映射（默认）" in findings and "（default）" not in findings, findings


def test_what_a_chinese_administrator_meets_first_is_in_chinese(make_root, harden):
    """A rollback refused, the history, click's own usage errors, a not-applicable item's reason and an empty value
    are said in Chinese under --lang zh, with full-width colons: no English of harden's (or click's) own."""
    import re
    import unicodedata

    root = make_root("debian")
    assert harden("apply", "--yes", "--root", root, "--only", "file-permissions").code == 0
    os.chmod(root / "lib/systemd/system/docker.service", 0o600)
    refused = harden("rollback", "--yes", "--root", root, "--lang", "zh")
    assert refused.code == 4 and refused.err.startswith("harden：错误：rollback 被拒绝：运行 ") and "之后有文件被更改" in refused.err
    history = harden("history", "--root", root, "--lang", "zh").out.splitlines()
    assert history[0].split() == ["运行", "开始时间", "状态", "检查项"] and history[1].split()[2] == "已应用", history
    assert harden("rollback", "--yes", "--force", "--root", root).code == 0
    history = harden("history", "--root", root, "--lang", "zh").out.splitlines()
    assert history[1].split()[2] == "已回滚", history

    def items_column(line):  # where the last column starts, in a terminal's columns (a Chinese character takes two)
        start = line.rindex(" ") + 1
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:start])

    assert items_column(history[0]) == items_column(history[1]), history
    usage = {("--bogus",): "没有选项 '--bogus'。", ("check", "--format", "xml"): "'--format' 的值无效：'xml' 不是 ",
             ("report",): "缺少参数 'DOCUMENTS...'", ("bogus",): "没有命令 'bogus'。", ("check", "--root"): "选项 '--root' 需要一个值",
             ("check", "--onyl", "icc"): "没有选项 '--onyl'。是否想用 '--only'？", ("history", "--prune", "x"): "不是有效的整数",
             ("check", "--config", "/nonexistent/config.toml"): "无法读取配置 /nonexistent/config.toml：文件不存在"}
    for args, said in usage.items():
        error = harden("--lang", "zh", *args).err
        assert error.startswith("harden：错误：") and said in error and error.count("\n") == 1, error
    every = harden("check", "--root", root, "--profile", "cis", "--all", "--lang", "zh").out
    tls = next(line for line in every.splitlines() if "] tls-auth  " in line)
    assert re.search(r"\)：[^:]*[\u4e00-\u9fff]", tls) and "no_tcp" not in tls, tls
    assert "默认 ulimit：未设置，容器继承 dockerd 自身的限制（默认）" in every, "harden's own words for what is not set"
    advice = [line for line in every.splitlines() if "加固建议" in line]
    assert advice and all(line.startswith("    加固建议：") for line in advice), advice
    rootless = harden("check", "--root", root, "--profile", "cis", "--only", "non-root-daemon", "--all", "--lang", "zh").out
    assert "拥有 rootless dockerd 的用户：（无）" in rootless, rootless


@pytest.mark.parametrize("english, chinese", [
    ("No such option: --onyl Did you mean --only?", "没有选项 --onyl。是否想用 --only？"),  # click 8.1's words
    ("No such option '--x'. (Did you mean one of: '--xa', '--xb'?)", "没有选项 '--x'。（是否想用其中之一：'--xa', '--xb'？）"),
    ("Invalid value for '-f' / '--format': \"x'y\" is not one of 'a', 'b'.", "'-f' / '--format' 的值无效：\"x'y\" 不是 'a', 'b' 之一"),
    ("Invalid value for '--lang': 'fr' is not 'en'.", "'--lang' 的值无效：'fr' 不是 'en'"),
    ("Got unexpected extra arguments (a b)", "多余的参数（a b）"),
    ("Missing option '--every'.", "缺少选项 '--every'"),
])
def test_click_s_usage_errors_in_chinese_whichever_click_words_them(english, chinese):
    from hardener.cli import _click_said

    assert _click_said(english, "zh") == chinese and _click_said(english, "en") == english


def test_list_in_chinese_is_aligned_by_display_width(harden):
    """Each item's title starts at one column of a terminal, where a Chinese character takes two."""
    import re
    import unicodedata

    lines = harden("list", "--profile", "cis", "--lang", "zh").out.splitlines()[2:]
    items = lines[:lines.index("")]
    starts = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in re.match(r"(\S+\s+){4}", line).group(0))
              for line in items}
    assert len(items) == 82 and len(starts) == 1, starts


def test_every_text_of_the_command_line_and_the_journal_has_its_chinese_with_the_same_values():
    import re
    import string

    from hardener.i18n import APPLY_FAILURES, ERRORS, REFUSALS, RUN_STATES, STATE_LINES

    for name, text in [entry for table in (ERRORS, REFUSALS, RUN_STATES, APPLY_FAILURES, STATE_LINES) for entry in table.items()]:
        fields = [{field for _, field, _, _ in string.Formatter().parse(words) if field} for words in (text.en, text.zh)]
        assert fields[0] == fields[1], name
        words = re.sub(r"\{\w*\}", "", text.en)  # "{error}" alone, say, has no words of its own to say
        assert re.search(r"[\u4e00-\u9fff]", text.zh) or not re.search(r"[A-Za-z]{2}", words), name


def _on_terminal(args, answer):
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "hardener", *map(str, args)], stdin=terminal,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harden_env(), text=True)
    os.close(terminal)
    os.write(controller, answer.encode())
    out, err = process.communicate(timeout=60)
    os.close(controller)
    return process.returncode, out, err


def test_apply_on_a_terminal_shows_the_plan_and_asks(make_root):
    root = make_root("debian")
    start = hosts.snapshot(root)
    code, out, err = _on_terminal(["apply", "--root", root, "--only", "file-permissions"], "n\n")
    assert code == 1 and "owner/mode root:root 0664 -> root:root 0644" in out and "Apply these changes?" in err
    assert hosts.snapshot(root) == start
    code, out, err = _on_terminal(["apply", "--root", root, "--only", "file-permissions"], "y\n")
    assert code == 0 and "Applied 3 change(s)" in out
    code, out, err = _on_terminal(["rollback", "--root", root], "y\n")
    assert code == 0 and "Roll back run" in err
    assert hosts.snapshot(root) == start


def _world_readable_root(kind):
    base = Path(tempfile.mkdtemp(prefix="harden-nobody-"))
    os.chmod(base, 0o755)
    root = hosts.build(base / "root", hosts.out_of_line(hosts.LAYOUTS[kind]()))
    return base, root


def test_unreadable_file_is_one_line(harden):
    base, root = _world_readable_root("debian")
    try:
        subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
        os.chmod(root / "etc/profile", 0)
        start = hosts.snapshot(root)
        error = one_line_error(harden("apply", "--yes", "--root", root, *BOTH, user=65534))
        assert "cannot read /etc/profile" in error and "Permission denied" in error and "--skip content-trust" in error
        assert hosts.snapshot(root) == start
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize("breakage, message", [
    ("link_where_file", "symbolic link where a file was expected"),
    ("dir_where_file", "is a directory where a file was expected"),
    ("file_where_dir", "expected a directory"),
    ("not_utf8", "is not UTF-8 text"),
])
def test_broken_inputs_are_one_line_and_change_nothing(make_root, harden, breakage, message):
    root = make_root("debian")
    if breakage == "link_where_file":
        (root / "etc/profile.d/zz-hardener-docker-content-trust.sh").symlink_to("/etc/environment")
    elif breakage == "dir_where_file":
        (root / "etc/profile").unlink()
        (root / "etc/profile").mkdir()
    elif breakage == "file_where_dir":
        shutil.rmtree(root / "etc/docker")
        (root / "etc/docker").write_text("")
    elif breakage == "not_utf8":
        (root / "etc/environment").write_bytes(b"LANG=\xff\xfe\n")
    start = hosts.snapshot(root)
    assert message in one_line_error(harden("apply", "--yes", "--root", root, *BOTH))
    assert hosts.snapshot(root) == start
    check = harden("check", "--root", root, *BOTH)
    assert check.code == 1 and message in check.out


@pytest.mark.parametrize("config, message", [
    ("colour = 'red'\n", "config.toml:1: unknown key 'colour'"),
    ("items = ['file-permissions'\n", "config.toml:1: not valid TOML"),
    ("items = ['file-permisions']\n", "config.toml:1: unknown item 'file-permisions'"),
    ("\n[[waivers]]\nitem = 'content-trust'\nreason = 'ACR'\nexpires = 'soon'\n", "config.toml:5: expires must be a date"),
    ("[[waivers]]\nitem = 'content-trust'\n", "config.toml:2: a waiver needs a reason"),
    ("[[waivers]]\nitem = 'content-trust'\nreason = 'x'\n[[waivers]]\nitem = 'icc-x'\nreason = 'y'\n", "config.toml:5: waiver for unknown item 'icc-x'"),
    ("\nbind_address = '0.0.0.0'\n", "config.toml:2: bind_address is one IPv4 or IPv6 address of this host, not '0.0.0.0'"),
    ("bind_address = 'eth0'\n", "config.toml:1: bind_address is one IPv4 or IPv6 address"),
    ("sprawl_days = 0\n", "config.toml:1: sprawl_days is a whole number of days, at least 1, not 0"),
    ("[cpu_shares]\ndefault = 1\n", "config.toml:2: cpu_shares is a whole number from 2 to 262144, not 1"),
    ("[pids_limit]\ndefault = 100\n[[pids_limit.overrides]]\ncontainer = 'db'\nlimit = '5'\n",
     "config.toml:5: pids_limit is a whole number from 1 to 2147483647, not '5'"),
    ("[cpu_shares]\n[[cpu_shares.overrides]]\nshares = 100\n", "config.toml:2: a cpu_shares override needs container or label"),
])
def test_bad_config_names_the_line(make_root, harden, config, message):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text(config)
    start = hosts.snapshot(root)
    assert message in one_line_error(harden("apply", "--yes", "--root", root))
    assert message in one_line_error(harden("check", "--root", root))
    assert hosts.snapshot(root) == start


def test_a_config_others_can_write_is_refused(make_root, harden, tmp_path):
    """The config chooses what harden changes as root: the host's own, or --config's, is read only where root alone
    (or the user harden runs as) can have made it what it is; else one line, and nothing is read or changed."""
    root = make_root("debian")
    start = hosts.snapshot(root)
    config = root / "etc/hardener/config.toml"
    config.parent.mkdir()
    config.write_text('items = ["icc"]\n')
    assert harden("check", "--root", root).code == 2, "root's and 0644: read"
    for owner, mode, where in ((0, 0o666, "it is uid 0's, mode 0666"), (1000, 0o644, "it is uid 1000's, mode 0644")):
        os.chown(config, owner, 0)
        config.chmod(mode)
        refused = harden("check", "--root", root)
        assert refused.code == 1 and refused.err == (
            f"harden: error: config {config} is refused: it chooses what harden changes as root, so it and the directories "
            f"above it must be root's (or the user's harden runs as) and writable by no one else ({where})\n"), refused
        given = harden("check", "--root", make_root("centos"), "--config", config)
        assert given.code == 1 and f"config {config} is refused" in given.err, given
    os.chown(config, 0, 0)
    config.chmod(0o644)
    config.parent.chmod(0o777)
    refused = harden("check", "--root", root)
    assert refused.code == 1 and f"({config.parent} is uid 0's, mode 0777)" in refused.err, refused
    assert harden("check", "--root", root, "--config", config).code == 1
    config.parent.chmod(0o755)
    config.unlink()
    config.parent.rmdir()
    assert hosts.snapshot(root) == start

    base = Path(tempfile.mkdtemp())  # where nobody can reach: a tree, and a config of nobody's own
    try:
        base.chmod(0o755)
        tree = hosts.build(base / "root", hosts.out_of_line(hosts.LAYOUTS["debian"]()))
        own = base / "nobody.toml"
        own.write_text('items = ["icc"]\n')
        os.chown(own, 65534, 65534)
        assert harden("check", "--root", tree, "--config", own, user=65534).code == 2, "the user's own, as that user"
        assert "is refused" in harden("check", "--root", tree, "--config", own).err, "but not as root"
    finally:
        shutil.rmtree(base)


def test_config_file_option_and_missing_file(make_root, harden, tmp_path):
    root = make_root("debian")
    assert "cannot read config" in one_line_error(harden("check", "--root", root, "--config", tmp_path / "none.toml"))
    config = tmp_path / "fleet.toml"
    config.write_text("items = ['content-trust']\n")
    document = harden("--dry-run", "--root", root, "--config", config, "--format", "json").json
    assert [item["id"] for item in document["items"]] == ["content-trust"]
    assert document["items"][0]["status"] == "fail" and document["items"][0]["changes"], "named in the config: it applies"


def test_a_selection_of_no_item_is_an_error_not_a_compliant_report(make_root, harden):
    root = make_root("debian")
    from hardener.profiles import load_profile

    for args in (("--only", "icc", "--skip", "icc"), ("--skip", ",".join(load_profile("aliyun").items))):
        refused = harden("check", "--root", root, *args)
        assert refused.code == 1 and refused.out == "" and "leave no item to run" in refused.err, refused


def test_unknown_item_is_an_error(make_root, harden):
    assert "unknown item 'icc2'" in one_line_error(harden("check", "--root", make_root("debian"), "--only", "icc2"))


def test_waivers(make_root, harden):
    root = make_root("debian")
    (root / "etc/hardener").mkdir()
    (root / "etc/hardener/config.toml").write_text(
        "[[waivers]]\nitem = 'content-trust'\nreason = 'ACR has no signatures'\nexpires = 2099-01-31\n"
        "[[waivers]]\nitem = 'file-permissions'\nreason = 'vendor unit'\nexpires = 2020-01-01\n"
    )
    document = harden("check", "--root", root, "--format", "json").json
    items = {item["id"]: item for item in document["items"]}
    assert (items["content-trust"]["status"], items["content-trust"]["reason"]) == ("waived", "waived_until_2099-01-31")
    assert "waived: ACR has no signatures" in items["content-trust"]["notes"]
    assert (items["file-permissions"]["status"], items["file-permissions"]["reason"]) == ("fail", "waiver_expired_2020-01-01")
    assert any("expired on 2020-01-01" in note for note in items["file-permissions"]["notes"])


def test_chinese(make_root, harden):
    root = make_root("debian")
    result = harden("check", "--root", root, "--lang", "zh")
    assert "确认Docker相关的文件具有合适的权限" in result.out and "检查：3 项不合规" in result.out
    assert "为Docker启用内容信任" in harden("check", "--root", root, env={"LANG": "zh_CN.UTF-8"}).out
    assert "Content trust is enabled" in harden("check", "--root", root, env={"LANG": "en_US.UTF-8"}).out


def test_list(harden):
    result = harden("list", "--format", "json")
    items = {item["id"]: item for item in result.json["items"]}
    assert items["file-permissions"] == {"id": "file-permissions", "title": items["file-permissions"]["title"], "cis": "3.1–3.6",
                                         "refs": ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"], "remedy": "auto", "parameters": {}}
    assert items["memory-limit"]["parameters"] == {"default": None}
    assert items["content-trust"]["remedy"] == "when_named"
    text = harden("list").out
    assert "content-trust" in text and "when named" in text


def test_rollback_refuses_when_a_file_changed_since(make_root, harden):
    root = make_root("debian")
    start = hosts.snapshot(root)
    assert harden("apply", "--yes", "--root", root, *BOTH).code == 0
    script = root / "etc/profile.d/zz-hardener-docker-content-trust.sh"
    script.write_text(script.read_text() + "export DOCKER_CONTENT_TRUST_SERVER=https://notary.example\n")
    refused = harden("rollback", "--yes", "--root", root)
    assert refused.code == 4 and "rollback refused" in refused.err
    assert "+export DOCKER_CONTENT_TRUST_SERVER=https://notary.example" in refused.out
    os.chmod(root / "etc/docker", 0o700)
    refused = harden("rollback", "--yes", "--root", root)
    assert refused.code == 4 and "0755 (as harden left it) -> root:root 0700 (now)" in refused.out

    forced = harden("rollback", "--yes", "--force", "--root", root)
    assert forced.code == 0, forced
    kept = next((root / hosts.JOURNAL / "runs").glob("*/drift/*zz-hardener-docker-content-trust.sh"))
    assert "notary.example" in kept.read_text() and str(kept) in forced.out
    assert hosts.snapshot(root) == start


def test_older_run_waits_for_the_newer_one(make_root, harden):
    root = make_root("centos")
    start = hosts.snapshot(root)
    first = harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json").json["run_id"]
    os.chmod(root / "etc/docker", 0o775)  # someone loosens it again; harden fixes it again
    second = harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json").json["run_id"]
    assert first != second
    refused = harden("rollback", "--yes", "--root", root, first)
    assert refused.code == 4 and f"roll back {second} first" in refused.err
    assert harden("rollback", "--yes", "--root", root).code == 0  # the newest: second
    drift = harden("rollback", "--yes", "--root", root)  # then first: the admin's 0775 stands in its way
    assert drift.code == 4 and "/etc/docker: owner/mode root:root 0755 (as harden left it) -> root:root 0775 (now)" in drift.out
    assert harden("rollback", "--yes", "--force", "--root", root).code == 0
    assert hosts.snapshot(root) == start
    states = [run["state"] for run in harden("history", "--root", root, "--format", "json").json["runs"]]
    assert states == ["rolled_back", "rolled_back"]
    assert "is rolled back already" in one_line_error(harden("rollback", "--yes", "--root", root, first))
    nothing = harden("rollback", "--yes", "--root", root)
    assert nothing.code == 0 and "is rolled back already: nothing to roll back" in nothing.out, nothing


def test_second_apply_waits_for_the_lock(make_root, harden):
    root = make_root("debian")
    (root / hosts.JOURNAL).mkdir(parents=True)
    with open(root / hosts.JOURNAL / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write("4242\n")
        lock.flush()
        error = one_line_error(harden("apply", "--yes", "--root", root))
    assert "another harden apply or rollback (pid 4242) is running" in error


def test_history_and_prune(make_root, harden):
    root = make_root("debian")
    ids = []
    for mode in (0o775, 0o777, 0o770):
        os.chmod(root / "etc/docker", mode)
        ids.append(harden("apply", "--yes", "--root", root, "--only", "file-permissions", "--format", "json").json["run_id"])
    text = harden("history", "--root", root).out
    assert all(run_id in text for run_id in ids) and "applied" in text and "file-permissions" in text
    pruned = harden("history", "--root", root, "--prune", "1", "--format", "json").json
    assert [run["id"] for run in pruned["runs"]] == ids[-1:]


def test_every_change_goes_to_the_system_log(make_root, harden, tmp_path):
    address = str(tmp_path / "log.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(address)
    listener.settimeout(5)
    try:
        root = make_root("debian")
        run_id = harden("apply", "--yes", "--root", root, *BOTH, "--format", "json",
                        env={"HARDENER_SYSLOG_SOCKET": address}).json["run_id"]
        assert harden("rollback", "--yes", "--root", root, env={"HARDENER_SYSLOG_SOCKET": address}).code == 0
        lines = [listener.recv(4096).decode() for _ in range(8)]
    finally:
        listener.close()
    assert all(f"run {run_id}" in line and "harden[" in line for line in lines)
    assert any("item content-trust: created /etc/profile.d/zz-hardener-docker-content-trust.sh" in line for line in lines)
    assert any("item file-permissions: restored /etc/docker" in line for line in lines)


def test_fail_on_sets_which_findings_make_exit_code_2(make_root, harden):
    """--fail-on for CI gates: a status (failing, manual) and/or the lowest severity counted; by default every failing
    or manual item. On the careless host: icc, log-level and iptables fail at medium; audit-docker-files is manual
    at high (no auditd)."""
    root = make_root("debian")
    both, failing_only = ("--only", "icc,log-level,iptables,audit-docker-files"), ("--only", "icc,log-level,iptables")
    cases = [(both, (), 2), (both, ("--fail-on", "failing,high"), 0), (both, ("--fail-on", "failing"), 2),
             (both, ("--fail-on", "manual,high"), 2), (both, ("--fail-on", "high"), 2),
             (failing_only, ("--fail-on", "high"), 0), (failing_only, ("--fail-on", "manual"), 0),
             (failing_only, ("--fail-on", "failing,medium"), 2)]
    for only, args, code in cases:
        for command in (("check",), ("--dry-run",)):
            result = harden(*command, "--root", root, *only, *args)
            assert result.code == code, (command, only, args, result)
    for bad, message in (("critical", "not 'critical'"), ("low,high", "one lowest severity, not low, high")):
        result = harden("check", "--root", root, "--fail-on", bad)
        assert result.code == 1 and message in result.err and result.err.count("\n") == 1, result
    applied = harden("apply", "--yes", "--root", root, *both, "--fail-on", "failing")
    assert applied.code == 0, "audit-docker-files stays manual after apply: not counted by failing"
