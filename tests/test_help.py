"""The command line's help in English and in Chinese, chosen as the report's language is."""
import inspect

import click
import pytest

from conftest import run_harden
from hardener.cli import cli
from hardener.i18n import HELP

CLICK_WORDS = {"Usage:", "Options", "Commands", "Show this message and exit."}


def help_texts(command: click.Command):
    if command.help:
        yield inspect.cleandoc(command.help)
    for param in command.params:
        if getattr(param, "help", None):
            yield param.help
    for subcommand in getattr(command, "commands", {}).values():
        yield from help_texts(subcommand)


def test_every_command_and_option_has_its_chinese_and_no_translation_is_stale():
    english = set(help_texts(cli))
    assert len(english) > 20
    assert english - set(HELP) == set(), "help without Chinese"
    assert set(HELP) - english - CLICK_WORDS == set(), "Chinese for help that is gone"
    assert all(any("\u4e00" <= character <= "\u9fff" for character in HELP[text]) for text in HELP)


@pytest.mark.parametrize("args, env", [
    (["--lang", "zh", "--help"], None),
    (["--help", "--lang", "zh"], None),
    (["apply", "--lang", "zh", "--help"], None),
    (["apply", "--lang=zh", "--help"], None),
    (["--help"], {"LANG": "zh_CN.UTF-8"}),
    (["rollback", "--help"], {"LANG": "zh_CN.UTF-8"}),
])
def test_help_in_chinese(args, env):
    result = run_harden(*args, env=env)
    assert result.code == 0, result
    assert result.out.startswith("用法：harden") and "选项：" in result.out and "显示本帮助并退出。" in result.out
    assert "Show this message" not in result.out and "Options" not in result.out
    command = args[0] if args[0] in ("apply", "rollback") else None
    if command == "apply":
        assert HELP["Daemon items: turn live-restore on (a reload) first, so containers keep running."] in result.out
    if command is None:
        assert "命令：" in result.out and HELP["Carry the plan out, recording every change so it can be undone."] in result.out


def test_help_in_english_by_default_and_when_asked():
    for args, env in ((["--help"], None), (["apply", "--help", "--lang", "en"], {"LANG": "zh_CN.UTF-8"})):
        result = run_harden(*args, env=env)
        assert result.code == 0 and result.out.startswith("Usage: harden") and "Show this message and exit." in result.out
