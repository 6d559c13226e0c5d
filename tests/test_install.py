"""harden installed as administrators install it: scripts/install on a fresh
Debian 12 adds no compiler and no -dev package; the one-file bundle resolves for
every Python and machine it is made for, and installs with no network."""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

CHECKOUT = Path(__file__).parent.parent
MINBASE = Path(os.environ.get("HARDENER_LAB_MINBASE", "/var/cache/hardener-lab/bookworm-minbase"))
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
MACHINES = ("x86_64", "aarch64")
NEEDED = {"hardener", "click", "jinja2", "markupsafe", "sh", "python-augeas"}


def unpack(bundle: Path, into: Path) -> Path:
    data = bundle.read_bytes()
    payload = data[data.index(b"\n__PAYLOAD__\n") + len(b"\n__PAYLOAD__\n"):]
    (into / "payload.tar.gz").write_bytes(payload)
    with tarfile.open(into / "payload.tar.gz") as archive:
        archive.extractall(into)
    (top,) = into.glob("harden-*/")
    return top


def test_the_bundle_resolves_for_every_python_and_machine(bundle, tmp_path):
    wheels = unpack(bundle, tmp_path) / "wheels"
    (ours,) = wheels.glob("hardener-*.whl")
    with zipfile.ZipFile(ours) as wheel:
        metadata = next(wheel.read(name).decode() for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
    requirements = [Requirement(line.split(":", 1)[1].strip()) for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert {r.name for r in requirements} >= {"click", "jinja2", "sh", "python-augeas", "tomli"}
    assert len(list(wheels.glob("python_augeas-0.5.0-py3-none-any.whl"))) == 1, "the binding that needs no compiler"
    for python in PYTHONS:
        environment = dict(default_environment(), python_version=python, python_full_version=f"{python}.0",
                           platform_machine="x86_64", sys_platform="linux")
        # pip judges markers by the Python it runs on: the requirements go without theirs
        wanted = [f"{r.name}{r.specifier}" for r in requirements if r.marker is None or r.marker.evaluate(environment)]
        for machine in MACHINES:
            completed = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-", "--no-index",
                 "--find-links", wheels, "--only-binary", ":all:", "--target", tmp_path / "never",
                 "--python-version", python, "--implementation", "cp", "--abi", f"cp{python.replace('.', '')}",
                 "--platform", f"manylinux_2_17_{machine}", "--platform", f"manylinux2014_{machine}", "hardener", *wanted],
                capture_output=True, text=True, env=dict(os.environ, PIP_CONSTRAINT="", PIP_FIND_LINKS=""))
            assert completed.returncode == 0, f"Python {python} on {machine}: {completed.stderr}"
            chosen = {entry["metadata"]["name"].lower() for entry in json.loads(completed.stdout)["install"]}
            old = tuple(map(int, python.split("."))) < (3, 11)
            assert chosen >= NEEDED | ({"tomli"} if old else set()), (python, machine, chosen)


def packages(root: Path) -> dict:
    listed = subprocess.run(["chroot", root, "dpkg-query", "-W", "-f", "${Package} ${Installed-Size}\\n"],
                            capture_output=True, text=True, check=True).stdout
    return {name: int(size or 0) for name, size in (line.split(" ") for line in listed.splitlines())}


def in_root(root: Path, script: str, network: bool = True) -> subprocess.CompletedProcess:
    """A shell script run in the chroot, in mount (and, offline, network) namespaces of its own that end with it."""
    inside = (f"mount -t proc proc {root}/proc && mount --rbind /dev {root}/dev && "
              f"exec env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "
              f"chroot {root} /bin/sh -c {shlex.quote(script)}")
    return subprocess.run(["unshare", "--mount", *([] if network else ["--net"]), "sh", "-c", inside],
                          capture_output=True, text=True, timeout=900)


@pytest.fixture
def fresh_debian(tmp_path):
    subprocess.run([CHECKOUT / "tests/lab/build-minbase-root", MINBASE], check=True, stdout=subprocess.DEVNULL)
    root = tmp_path / "root"
    subprocess.run(["cp", "-a", MINBASE, root], check=True)
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    # This machine's package proxy intercepts TLS: its CA goes where an administrator puts a CA of their own, for
    # ca-certificates to add to the system's bundle when it is installed. Without ca-certificates there is no bundle,
    # and pip fails as it would on a user's minbase.
    (root / "usr/local/share/ca-certificates").mkdir(parents=True, exist_ok=True)
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "usr/local/share/ca-certificates/host-ca.crt")
    source = root / "src"
    files = subprocess.run(["git", "-C", CHECKOUT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        if (CHECKOUT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CHECKOUT / name, source / name)
    try:
        yield root
    finally:
        shutil.rmtree(root)


def test_install_on_a_fresh_debian_then_the_bundle_offline(fresh_debian, bundle, figures):
    root = fresh_debian
    before = packages(root)
    assert "ca-certificates" not in before and "sudo" not in before, "what a minbase has: neither"
    installed = in_root(root, "/src/scripts/install")
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    added = {name: size for name, size in packages(root).items() if name not in before}
    megabytes = sum(added.values()) / 1024
    venv = int(subprocess.run(["du", "-sk", root / "opt/hardener"], capture_output=True, text=True).stdout.split()[0]) / 1024
    figures.append(f"scripts/install on a fresh Debian 12 minbase adds {len(added)} packages, {megabytes:.1f} MB, "
                   f"and its venv of {venv:.1f} MB: {' '.join(sorted(added))}")
    compilers = [name for name in added if name.endswith("-dev") or name in ("gcc", "cpp", "make", "pkg-config", "binutils")
                 or name.startswith(("gcc-", "cpp-", "libgcc-", "binutils"))]
    assert compilers == []
    assert len(added) <= 30 and megabytes <= 75, figures[-1]
    assert os.readlink(root / "usr/local/bin/harden") == "/opt/hardener/bin/harden"
    preview = in_root(root, "harden --dry-run --root /src/examples/demo-host")
    assert preview.returncode == 2 and "Plan:" in preview.stdout, preview

    # Not while a schedule of its own would run it: harden schedule --off first.
    service = root / "etc/systemd/system/harden-check.service"
    service.parent.mkdir(parents=True, exist_ok=True)
    service.write_text("[Service]\nExecStart=/opt/hardener/bin/python3 -m hardener check --scheduled\n")
    scheduled = in_root(root, "/src/scripts/install --uninstall")
    assert scheduled.returncode == 1 and "harden schedule --off first" in scheduled.stderr, scheduled
    assert (root / "opt/hardener/bin/harden").exists()
    service.unlink()

    # Uninstalled: the venv and the link go, the journal stays (rollback needs it) unless purged.
    (root / "var/lib/hardener/runs").mkdir(parents=True)
    removed = in_root(root, "/src/scripts/install --uninstall")
    assert removed.returncode == 0 and "its journal stays in /var/lib/hardener" in removed.stdout, removed
    assert not (root / "opt/hardener").exists() and not os.path.lexists(root / "usr/local/bin/harden")
    assert (root / "var/lib/hardener/runs").is_dir()
    refused = in_root(root, "/src/scripts/install --uninstall --prefix /usr")
    assert refused.returncode == 1 and "/usr is not a harden installation" in refused.stderr and (root / "usr/bin").is_dir(), refused

    # The same root, with python3 and libaugeas0 now there: the bundle, with no network at all.
    shutil.rmtree(root / "root/.cache", ignore_errors=True)
    shutil.copy(bundle, root / "tmp" / bundle.name)
    offline = in_root(root, f"sh /tmp/{bundle.name} && harden --dry-run --root /src/examples/demo-host", network=False)
    assert offline.returncode == 2 and "Plan:" in offline.stdout, offline
    assert "installed in /opt/hardener, command /usr/local/bin/harden" in offline.stdout
    # the daemon items read and edit unit files through augeas, the binding and the lens the bundle brought
    drop_in = root / "src/examples/demo-host/etc/systemd/system/docker.service.d/10-site.conf"
    drop_in.parent.mkdir(parents=True, exist_ok=True)
    drop_in.write_text("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    lens = in_root(root, "harden --dry-run --root /src/examples/demo-host --only iptables", network=False)
    assert "-ExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n    +ExecStart=/usr/bin/dockerd -H fd://\n" in lens.stdout, lens
    purged = in_root(root, f"sh /tmp/{bundle.name} --uninstall --purge", network=False)
    assert purged.returncode == 0 and "and its journal /var/lib/hardener with it" in purged.stdout, purged
    assert not (root / "opt/hardener").exists() and not (root / "var/lib/hardener").exists()
