"""The wheel carries the templates and the augeas lens: built, installed offline into a fresh venv, run."""
import subprocess
import sys
import zipfile
from pathlib import Path

import hosts

CHECKOUT = Path(__file__).parent.parent


def test_wheel_installs_offline_and_finds_its_templates_and_lens(tmp_path, make_root):
    wheelhouse = tmp_path / "wheelhouse"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", wheelhouse, CHECKOUT], check=True)
    (wheel,) = wheelhouse.glob("hardener-*.whl")
    assert {"hardener/templates/profile.d/docker-content-trust.sh.j2", "hardener/lenses/systemd_unit.aug"} <= set(
        zipfile.ZipFile(wheel).namelist())

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    # as on an offline server: nothing but the wheelhouse
    subprocess.run([venv / "bin/pip", "install", "-q", "--no-index", "--find-links", wheelhouse, "hardener"], check=True)
    root = make_root("centos")
    result = subprocess.run([venv / "bin/harden", "--dry-run", "--root", root, "--only", "content-trust"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "+export DOCKER_CONTENT_TRUST=1" in result.stdout
    assert not (root / hosts.JOURNAL).exists()
    # the daemon items read and edit unit files through augeas and the lens in the wheel
    drop_in = root / "etc/systemd/system/docker.service.d/10-site.conf"
    drop_in.parent.mkdir(parents=True, exist_ok=True)
    drop_in.write_text("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n")
    result = subprocess.run([venv / "bin/harden", "--dry-run", "--root", root, "--only", "iptables"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "-ExecStart=/usr/bin/dockerd -H fd:// --iptables=false\n    +ExecStart=/usr/bin/dockerd -H fd://\n" in result.stdout
