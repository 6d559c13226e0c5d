"""harden installed as administrators install it: scripts/install on a fresh
Debian 12 adds no compiler and no -dev package; the one-file bundle resolves for
every Python and machine it is made for, and installs with no network, on a bare
minbase of Debian 12 and 13 too when it carries their packages."""
import time
import io
import json
import os
import re
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
LAB = Path(os.environ.get("HARDENER_LAB_CACHE", "/var/cache/hardener-lab"))
MINBASE = LAB / "bookworm-minbase"
RELEASES = {"bookworm": "debian-12", "trixie": "debian-13"}
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


def minbase(release: str, root: Path) -> Path:
    """A copy of a Debian minbase of `release` (debootstrap's, built once and cached) at `root`."""
    cached = LAB / f"{release}-minbase"
    subprocess.run([CHECKOUT / "tests/lab/build-minbase-root", cached, release], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cp", "-a", cached, root], check=True)
    return root


@pytest.fixture
def fresh_debian(tmp_path):
    root = minbase("bookworm", tmp_path / "root")
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
    said = readme_figures(r"it adds (\d+) packages and ([\d.]+) MB, and a venv of ([\d.]+) MB")
    assert int(said[0]) == len(added) and close(said[1], megabytes, 0.03) and close(said[2], venv, 0.1), (said, figures[-1])
    assert close(readme_figures(r"dist/harden-VERSION\.run` \(about ([\d.]+) MB\)")[0], bundle.stat().st_size / 2 ** 20, 0.15)
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


@pytest.fixture(scope="module")
def bundle_with_packages(tmp_path_factory):
    """scripts/bundle --with-packages debian-12,debian-13, as an administrator makes it on a machine with network."""
    out = tmp_path_factory.mktemp("bundle")
    mirror = subprocess.run([CHECKOUT / "tests/lab/apt-mirror"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([CHECKOUT / "scripts/bundle", "--with-packages", "debian-12,debian-13", "--mirror", mirror, out], check=True,
                   env=dict(os.environ, PYTHON=sys.executable), stdout=subprocess.DEVNULL)
    (made,) = out.glob("harden-*-with-packages.run")
    return made


def bare(release: str, tmp_path: Path, bundle: Path) -> Path:
    """A minbase of `release` with nothing added but the bundle in /tmp and the demo host in /tmp/demo-host."""
    root = minbase(release, tmp_path / f"{release}-root")
    shutil.copy(bundle, root / "tmp" / bundle.name)
    shutil.copytree(CHECKOUT / "examples/demo-host", root / "tmp/demo-host", symlinks=True)
    return root


@pytest.mark.parametrize("release", RELEASES)
def test_the_bundle_with_packages_installs_on_a_bare_minbase_offline(release, bundle_with_packages, tmp_path, figures):
    """A Debian minbase with python3 nowhere and no network: the bundle installs the packages of its release that
    the host lacks (each the bundle's, checked against the release's signed index when it was made), then harden."""
    root = bare(release, tmp_path, bundle_with_packages)
    before = packages(root)
    assert not {"python3", "libaugeas0", "ca-certificates"} & set(before)
    started = time.monotonic()
    installed = in_root(root, f"sh /tmp/{bundle_with_packages.name} && harden --dry-run --root /tmp/demo-host", network=False)
    assert installed.returncode == 2 and "Plan:" in installed.stdout, installed.stdout[-3000:] + installed.stderr[-3000:]
    added = sorted(name for name in packages(root) if name not in before)
    carried = sorted(name.split("_")[0] for name in unpack_names(bundle_with_packages, RELEASES[release]))
    assert added == carried and {"python3", "libaugeas0", "augeas-lenses", "ca-certificates"} <= set(added), (added, carried)
    figures.append(f"the bundle with packages on a bare {release} minbase, offline: {len(added)} packages and harden "
                   f"in {time.monotonic() - started:.0f} s")
    number = {"bookworm": 12, "trixie": 13}[release]
    assert int(readme_figures(rf"(\d+) for Debian {number}\b")[0]) == len(added), "the README says how many it installs"
    assert close(readme_figures(r"with-packages\.run`, about ([\d.]+) MB")[0], bundle_with_packages.stat().st_size / 2 ** 20, 0.1)


def readme_figures(pattern: str) -> tuple:
    """The figures the README gives where `pattern` matches it (its lines joined): they are held to what is measured."""
    text = " ".join((CHECKOUT / "README.md").read_text().split())
    found = re.search(pattern, text)
    assert found, f"the README no longer says {pattern}"
    return found.groups()


def close(said: str, measured: float, within: float) -> bool:
    return abs(float(said) - measured) <= within * measured


def unpack_names(bundle: Path, release: str) -> list:
    data = bundle.read_bytes()
    payload = data[data.index(b"\n__PAYLOAD__\n") + len(b"\n__PAYLOAD__\n"):]
    with tarfile.open(fileobj=io.BytesIO(payload)) as archive:
        return [Path(name).name for name in archive.getnames() if f"/debs/{release}/" in name and name.endswith(".deb")]


def test_what_the_bundle_cannot_install_offline_is_said_in_one_line(bundle, bundle_with_packages, tmp_path):
    """A bundle without packages on a host without python3, or a host whose base is older than the packages'
    release: one line of harden's, at once (no wait on the network), and the host as it was."""
    root = bare("bookworm", tmp_path, bundle)
    before = packages(root)
    started = time.monotonic()
    plain = in_root(root, f"sh /tmp/{bundle.name}", network=False)
    assert plain.returncode == 1 and plain.stderr == (
        "install: this host lacks python3 libaugeas0, which harden needs, and this bundle carries no packages for "
        "Debian GNU/Linux 12 (bookworm) on x86_64 (scripts/bundle --with-packages debian-12 makes one that does, for amd64): "
        "install them first\n"), plain
    assert time.monotonic() - started < 10 and packages(root) == before

    shutil.copy(bundle_with_packages, root / "tmp" / bundle_with_packages.name)
    release = root / "etc/os-release"  # a Debian 13 host whose packages are still 12's
    release.unlink()
    release.write_text('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\n')
    old = in_root(root, f"sh /tmp/{bundle_with_packages.name}", network=False)
    assert old.returncode == 1 and old.stderr.startswith("install: apt cannot install the bundle's debian-13 packages here (") \
        and old.stderr.count("\n") == 1, old
    assert "Depends:" in old.stderr and old.stderr.endswith("upgrade the host's packages first, or install python3 libaugeas0 "
                                                             "from its own repositories\n"), old
    assert packages(root) == before and not (root / "opt/hardener").exists()
