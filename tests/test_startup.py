"""harden starts at the floor Python allows: --help loads click and the words
of the help alone, list the items' metadata and nothing of the engine, the
journal, the reports, jinja2, the HTTP client or augeas."""
import json
import subprocess
import sys

from conftest import harden_env

HEAVY = ("jinja2", "http.client", "tomllib", "tomli", "augeas", "sh", "logging.handlers", "hardener.engine", "hardener.journal",
         "hardener.report", "hardener.commands", "ssl", "email.parser")


PROBE = """
import json, runpy, sys
sys.argv = ["harden", *sys.argv[1:]]
try:
    runpy.run_module("hardener", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*args):
    """Every module loaded by `harden ARGS` (json and runpy aside, which the probe loads)."""
    completed = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=harden_env(), check=True)
    return json.loads(completed.stderr.strip().splitlines()[-1])


def test_help_imports_click_and_the_help_alone():
    ours = [name for name in imported("--help") if name.split(".")[0] == "hardener"]
    assert set(ours) <= {"hardener", "hardener.__main__", "hardener.cli", "hardener.settings", "hardener.i18n", "hardener.model"}, ours
    assert not [name for name in imported("apply", "--help") if name in HEAVY]


def test_list_imports_the_items_metadata_and_nothing_of_a_run():
    """The profile is a TOML file: list reads it, and nothing else of a run."""
    names = imported("list")
    assert "hardener.fixes.icc" in names and ("tomllib" in names or "tomli" in names)
    heavy = [name for name in names if (name in HEAVY and not name.startswith("toml")) or name.startswith("jinja2.")]
    assert not heavy, heavy


def test_a_check_that_finds_nothing_to_change_hashes_nothing(make_root):
    """hashlib (OpenSSL, 4 ms) is loaded when a file's checksum is first needed (a plan's targets are examined whole,
    a run's records compared): not by harden's modules, nor for the config file, on a host with nothing to change."""
    root = make_root("debian", compliant=True)
    for args in ((), ("--profile", "cis", "--only", "icc,log-level,iptables")):
        assert "_hashlib" not in imported("check", "--root", str(root), *args)
    (root / "etc/hardener").mkdir(parents=True, exist_ok=True)
    (root / "etc/hardener/config.toml").write_text('profile = "cis"\nitems = ["icc", "log-level"]\n')
    assert "_hashlib" not in imported("check", "--root", str(root))
