"""Fixture roots: host trees as data, built in a temporary directory.

Each layout is a list of entries; the unit files and profiles are the real
ones of the distributions, kept under fixtures/.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, Tuple

FIXTURES = Path(__file__).parent / "fixtures"
JOURNAL = "var/lib/hardener"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def File(path, content="", mode=0o644, uid=0, gid=0):
    return ("file", path, content, mode, uid, gid)


def Dir(path, mode=0o755, uid=0, gid=0):
    return ("dir", path, None, mode, uid, gid)


def Link(path, target):
    return ("link", path, target, None, None, None)


def _common():
    return [
        Dir("/var/lib"),
        Dir("/etc/docker"),
        File("/etc/docker/daemon.json", '{\n    "icc": false,\n    "log-level": "info",\n    "registry-mirrors": ["https://mirror.example.cn"]\n}\n'),
        File("/etc/hostname", "docker-host-01\n"),
        File("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nadmin:x:1000:1000::/home/admin:/bin/bash\n"),
        File("/etc/group", "root:x:0:\ndaemon:x:1:\ndocker:x:998:\nadmin:x:1000:\n"),
        File("/etc/environment", ""),
        Dir("/etc/profile.d"),
    ]


def debian_docker_io():
    """Debian 12 with the docker.io package: merged /usr, units under /lib."""
    return _common() + [
        Dir("/usr/lib/systemd/system"),
        Link("/lib", "usr/lib"),
        File("/usr/lib/systemd/system/docker.service", fixture("units/debian-docker.service")),
        File("/usr/lib/systemd/system/docker.socket", fixture("units/debian-docker.socket")),
        File("/usr/sbin/dockerd", "#!/bin/sh\n", 0o755),
        File("/usr/sbin/runc", "#!/bin/sh\n", 0o755),
        File("/usr/bin/docker", "#!/bin/sh\n", 0o755),
        File("/usr/bin/containerd", "#!/bin/sh\n", 0o755),
        File("/etc/default/docker", fixture("debian-default-docker")),
        File("/etc/profile", fixture("debian-profile")),
        File("/etc/profile.d/bash_completion.sh", "# Check for interactive bash and that we haven't already been sourced.\n"),
    ]


def centos_docker_ce():
    """CentOS 7 / Alibaba Cloud Linux with docker-ce: units under /usr/lib, binaries in /usr/bin."""
    return _common() + [
        Dir("/usr/lib/systemd/system"),
        File("/usr/lib/systemd/system/docker.service", fixture("units/docker-ce.service")),
        File("/usr/lib/systemd/system/docker.socket", fixture("units/docker-ce.socket")),
        File("/usr/bin/dockerd", "#!/bin/sh\n", 0o755),
        File("/usr/bin/docker", "#!/bin/sh\n", 0o755),
        File("/usr/bin/runc", "#!/bin/sh\n", 0o755),
        File("/usr/bin/containerd", "#!/bin/sh\n", 0o755),
        File("/etc/profile", fixture("centos-profile")),
        File("/etc/profile.d/lang.sh", "# /etc/profile.d/lang.sh - exports environment variables\n"),
        File("/etc/profile.d/which2.sh", "# Initialization script for bash, sh, mksh and ksh\n"),
    ]


def without_docker():
    return [entry for entry in debian_docker_io() if not any(word in entry[1] for word in ("docker", "runc", "containerd"))]


LAYOUTS = {"debian": debian_docker_io, "centos": centos_docker_ce}


def out_of_line(layout):
    """The same host with its files the way careless hands leave them."""
    changed = []
    for kind, path, content, mode, uid, gid in layout:
        if path.endswith("/docker.service"):
            mode = 0o664
        elif path.endswith("/docker.socket"):
            uid = 1000
        elif path == "/etc/docker":
            mode = 0o777
        elif path == "/etc/docker/daemon.json":
            content = '{\n    "debug": true,\n    "registry-mirrors": ["https://mirror.example.cn"]\n}\n'
        changed.append((kind, path, content, mode, uid, gid))
    return changed


def build(root: Path, layout: Iterable[tuple]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for kind, path, content, mode, uid, gid in layout:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link":
            target.symlink_to(content)
            continue
        if kind == "dir":
            target.mkdir(exist_ok=True)
        else:
            target.write_text(content)
        os.chown(target, uid, gid)
        os.chmod(target, mode)
    return root


def snapshot(root: Path) -> Dict[str, Tuple]:
    """Everything about a tree that rollback must give back, the journal aside."""
    seen = {}
    for directory, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(directory, root)
        if rel_dir == JOURNAL or rel_dir.startswith(JOURNAL + "/"):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            if rel == JOURNAL:
                continue
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
                continue
            xattrs = tuple(sorted((n, os.getxattr(path, n, follow_symlinks=False)) for n in os.listxattr(path, follow_symlinks=False)))
            content = hashlib.sha256(Path(path).read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else None
            seen[rel] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, xattrs, content)
    return seen


VERDICTS = FIXTURES / "verdicts.json"


def verdicts(tmp: Path) -> Dict[str, Dict[str, list]]:
    """What each built-in profile finds on each fixture root (out of line and compliant) and on the demo host: by
    root and profile, each item's findings as (target, status, reason, severity). scripts/record-verdicts writes them
    to VERDICTS; tests/test_verdicts.py compares."""
    roots = {f"{kind}{'-compliant' if compliant else ''}": build(tmp / f"{kind}-{compliant}", layout() if compliant else out_of_line(layout()))
             for kind, layout in LAYOUTS.items() for compliant in (False, True)}
    roots["demo-host"] = Path(__file__).parent.parent / "examples" / "demo-host"
    found = {}
    for name, root in roots.items():
        for profile in ("aliyun", "cis"):
            completed = subprocess.run([sys.executable, "-m", "hardener", "--root", str(root), "--profile", profile, "check",
                                        "--format", "json"], capture_output=True, text=True)
            document = json.loads(completed.stdout)
            found[f"{name} {profile}"] = {item["id"]: [[finding["target"], finding["status"], finding["reason"], finding.get("severity")]
                                                       for finding in item["findings"]] for item in document["items"]}
    return found
