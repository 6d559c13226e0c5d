from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import hosts


class Result:
    def __init__(self, completed: subprocess.CompletedProcess):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"<exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}>"


def harden_env(extra=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "HARDENER_"))}
    env.update(LANG="C.UTF-8", HARDENER_SYSLOG_SOCKET="/nonexistent/harden-test-log")
    env.update(extra or {})
    return env


def run_harden(*args, input=None, env=None, user=None, timeout=120) -> Result:
    command = [sys.executable, "-m", "hardener", *map(str, args)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    completed = subprocess.run(command, input=input, capture_output=True, text=True, env=harden_env(env), timeout=timeout,
                               stdin=None if input is not None else subprocess.DEVNULL)
    return Result(completed)


def with_private_var_lib(journal: "os.PathLike", argv, env=None, timeout=600) -> subprocess.CompletedProcess:
    """Run argv on the live root with /var/lib a private bind of `journal` (a mount
    namespace of its own), so that harden's journal never lands on this machine."""
    import shutil

    script = f'{shutil.which("mount")} --bind "$1" /var/lib && shift && exec "$@"'
    command = [shutil.which("unshare"), "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh",
               str(journal), *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, env=harden_env(env), stdin=subprocess.DEVNULL, timeout=timeout)


@pytest.fixture
def harden():
    return run_harden


@pytest.fixture
def make_root(tmp_path):
    """make_root("debian") -> a fixture root with several items out of line."""
    count = [0]

    def make(kind="debian", layout=None, compliant=False):
        count[0] += 1
        layout = layout if layout is not None else hosts.LAYOUTS[kind]()
        if not compliant:
            layout = hosts.out_of_line(layout)
        return hosts.build(tmp_path / f"root{count[0]}", layout)

    return make


# The labs' Debian releases: bookworm (docker.io 20.10, systemd 252, Python 3.11; the machine's own dockerd is
# bookworm's too) and trixie (docker.io 26.1, API 1.45, systemd 257, Python 3.13). A lab test runs on bookworm;
# a module marked `releases` (behaviour an engine or systemd version can change) runs on both.
RELEASES = ("bookworm", "trixie")


def pytest_addoption(parser):
    parser.addoption("--lab-release", choices=RELEASES + ("both",), default=os.environ.get("HARDENER_LAB_RELEASE", "both"),
                     help="the labs' Debian release to run (default both; HARDENER_LAB_RELEASE)")


def pytest_configure(config):
    config.addinivalue_line("markers", "releases: run on every lab release, not only bookworm")


def pytest_generate_tests(metafunc):
    if "lab_release" in metafunc.fixturenames:
        releases = RELEASES if metafunc.definition.get_closest_marker("releases") else RELEASES[:1]
        chosen = metafunc.config.getoption("lab_release")
        metafunc.parametrize("lab_release", [release for release in releases if chosen in ("both", release)], scope="session")


@pytest.fixture(scope="session")
def bundle():
    """dist/harden-VERSION.run of this checkout, as scripts/bundle makes it (once a session)."""
    from systemd_lab import build_bundle

    return build_bundle()


@pytest.fixture(scope="session")
def lab_parts(lab_release, bundle):
    """The systemd lab's root of that release (built once, cached) and the bundle that installs harden there."""
    from systemd_lab import build_root

    return build_root(lab_release), bundle


@pytest.fixture
def systemd_lab(lab_parts):
    """A fresh systemd lab with harden installed inside, torn down after the test."""
    from systemd_lab import SystemdLab

    root, bundle = lab_parts
    with SystemdLab(root) as lab:
        lab.install_harden(bundle)
        yield lab


FIGURES: list = []


@pytest.fixture(scope="session")
def figures():
    """Lines a test measured (what an install adds, say), printed at the end of the run."""
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures measured")
        for line in FIGURES:
            terminalreporter.write_line(line)
