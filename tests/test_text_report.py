"""The text report people read: what fails first, worst first, with severities; the rest counted in one line
(--all shows it); one line for an engine that does not answer; colours on a terminal only."""
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import run_harden

EXAMPLE = Path(__file__).parent.parent / "examples/demo-host"


def demo(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(EXAMPLE, root, symlinks=True)
    return root


def item_lines(text):
    return [line for line in text.splitlines() if line.startswith("[") and "  " in line]


def test_failing_items_first_worst_first_and_the_rest_counted(tmp_path):
    root = demo(tmp_path)
    document = run_harden("check", "--root", root, "--profile", "cis", "--format", "json").json
    text = run_harden("check", "--root", root, "--profile", "cis").out
    header, made = text.splitlines()[:2]
    assert header == f"harden: CIS Docker Benchmark 1.8.0 on {root} (demo-docker-01)"
    assert made.startswith(f"harden {document['version']}, ") and made.endswith(" UTC")
    shown = [line.split("  ")[0].split("] ")[1] for line in item_lines(text)]
    wanted = {"error": 0, "fail": 1, "manual": 2}
    by_id = {item["id"]: item for item in document["items"]}
    assert sorted(shown, key=lambda item: wanted[by_id[item]["status"]]) == shown, "errors, then failing, then manual"
    assert set(shown) == {item["id"] for item in document["items"] if item["status"] in wanted}
    for status in ("fail", "manual"):
        severities = [max(("low", "medium", "high").index(f["severity"]) for f in by_id[item]["findings"] if f["status"] in ("fail", "manual"))
                      for item in shown if by_id[item]["status"] == status]
        assert severities == sorted(severities, reverse=True), (status, severities)
    hidden = [item for item in document["items"] if item["status"] not in wanted]
    compliant = sum(item["status"] in ("pass", "waived") for item in hidden)
    assert f"{compliant} compliant and {len(hidden) - compliant} not applicable items are not shown (--all shows them)" in text
    assert "    [high] CIS 3.1, 3.2: /lib/systemd/system/docker.service is root:root 0755" in text, "each finding's severity"

    every = run_harden("check", "--root", root, "--profile", "cis", "--all").out
    assert len(item_lines(every)) == len(document["items"]) and "not shown" not in every
    tls = next(line for line in item_lines(every) if "] tls-auth  " in line)
    assert tls.endswith(": " + by_id["tls-auth"]["findings"][0]["message"]), "a not-applicable item says why on its line"
    assert not tls.endswith(by_id["tls-auth"]["reason"]), "in words, not the JSON's word for tools"
    zh = run_harden("check", "--root", root, "--profile", "cis", "--lang", "zh").out
    zh_every = run_harden("check", "--root", root, "--profile", "cis", "--lang", "zh", "--all").out
    zh_tls = next(line for line in zh_every.splitlines() if "] tls-auth  " in line)
    assert "：" in zh_tls and by_id["tls-auth"]["reason"] not in zh_tls, zh_tls
    assert "    [高] CIS 3.1, 3.2" in zh and "未显示" in zh


def test_an_engine_that_does_not_answer_is_one_line(tmp_path):
    """On this machine, its engine asked at a socket where nothing answers: one line, naming the items it stops."""
    env = {"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    document = run_harden("check", "--profile", "cis", "--format", "json", env=env).json
    failed = [item["id"] for item in document["items"] if item["status"] == "error"]
    assert len(failed) > 5, failed
    result = run_harden("check", "--profile", "cis", env=env)
    errors = [line for line in result.out.splitlines() if line.startswith("[error]")]
    assert result.code == 1 and len(errors) == 1 and "the Docker engine does not answer" in errors[0], result.out
    assert errors[0].endswith("none.sock: start docker, then run harden again"), "a missing engine's line says what to do"
    zh = [line for line in run_harden("check", "--profile", "cis", "--lang", "zh", env=env).out.splitlines() if line.startswith("[错误]")]
    assert zh == [f"[错误] Docker 引擎在 unix://{tmp_path}/none.sock 没有应答：请启动 docker，然后重新运行 harden"], zh
    assert f"so {', '.join(failed)} could not be checked: see to what the line says" in result.out


def on_a_terminal(*args, env=None):
    """harden's output as a terminal shows it (a pty), and its exit code."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "hardener", *map(str, args)], stdout=child, stderr=child, stdin=subprocess.DEVNULL,
                               env=dict(os.environ, **(env or {})))
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(main)
    return b"".join(chunks).decode()


def test_colours_on_a_terminal_only_and_never_with_no_color(tmp_path):
    root = demo(tmp_path)
    shown = on_a_terminal("--dry-run", "--root", root, "--only", "icc,docker-group", "--profile", "cis")
    assert "\x1b[31m[fail]\x1b[0m icc  " in shown and "\x1b[33m[manual]\x1b[0m docker-group  " in shown
    assert '\x1b[31m-DOCKER_OPTS="--iptables=false"\x1b[0m' in shown and '\x1b[32m+DOCKER_OPTS=""\x1b[0m' in shown
    assert "\x1b[" not in on_a_terminal("--dry-run", "--root", root, "--only", "icc", env={"NO_COLOR": "1"})
    assert "\x1b[" not in run_harden("--dry-run", "--root", root, "--only", "icc").out, "not a terminal"
    assert "\x1b[" not in on_a_terminal("check", "--root", root, "--format", "json")
    # a host's words cannot be coloured as a status: an escape in them is shown, not obeyed
    (root / "etc/docker/daemon.json").write_text('{"insecure-registries": ["\\u001b[32m[pass]"]}')
    hostile = on_a_terminal("check", "--root", root, "--profile", "cis", "--only", "insecure-registries")
    assert "\\x1b[32m[pass]" in hostile and "\x1b[32m[pass]" not in hostile
