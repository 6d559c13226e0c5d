"""harden works with both python-augeas bindings: 0.5.0, pure Python over ctypes
(what scripts/install and the bundle bring, and this venv's), and 1.x, built with
cffi (what pip takes where a compiler is at hand). The suite runs on 0.5.0; here
the tests that read and edit unit files run again on 1.x."""
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).parent.parent
CFFI_BINDING = Path(os.environ.get("HARDENER_LAB_AUGEAS1", "/var/cache/hardener-lab/python-augeas-1"))
UNIT_FILE_TESTS = ("tests/test_unit_tree.py", "tests/test_daemon_items.py", "tests/test_dockerd_facts.py", "tests/test_hostile.py",
                   "tests/test_roundtrip.py")


def test_this_venv_has_the_binding_installs_bring():
    assert importlib.metadata.version("python-augeas") == "0.5.0"


def test_the_unit_file_tests_pass_with_the_cffi_binding():
    assert (CFFI_BINDING / "augeas").is_dir(), f"{CFFI_BINDING}: scripts/setup-dev builds python-augeas 1.x there"
    env = dict(os.environ, PYTHONPATH=str(CFFI_BINDING))
    found = subprocess.run([sys.executable, "-c", "import augeas, importlib.metadata as m; "
                            "print(augeas.__file__, m.version('python-augeas'))"],
                           capture_output=True, text=True, env=env, check=True).stdout.split()
    assert found[0].startswith(str(CFFI_BINDING)) and found[1].startswith("1."), found
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNIT_FILE_TESTS],
                            capture_output=True, text=True, env=env, cwd=CHECKOUT, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout.splitlines()[-1] and "skipped" not in result.stdout.splitlines()[-1]
