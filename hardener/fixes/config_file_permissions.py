"""config-file-permissions (CIS 3.7–3.24): registry certificates, the TLS CA,
certificate and key, daemon.json, the environment files and the sockets have
safe owners and modes. Only the excess bits go, as for file-permissions.

docker.sock is made anew at every start, by the docker.socket unit
(SocketMode, SocketGroup): a mode set on the live socket lasts only where the
unit gives the same, so a looser unit gets a drop-in of harden's (planners/units.py)
beside the fix of the live socket.

Each user's rootless dockerd is held to the same rules in its own files
(~/.config/docker/certs.d, the TLS files its options name, its daemon.json),
owned by the user."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ..facts.dockerd_config import DockerdConfig
from ..facts.rootless import RootlessDaemon, rootless_config, rootless_daemons
from ..facts.systemd import load_unit
from ..facts.units import unit_file
from ..host import Host, HostError
from ..model import Detection, Finding, Intent, Status, Text
from ..facts.dockerd_config import config_of
from ..planners.units import SocketPermissions
from . import Fix, rootless_unreadable
from ._daemon import effective
from .file_permissions import FilePermissions, owner_and_mode, rootless_file

CERTS_D = "/etc/docker/certs.d"
OCTAL_MODE = re.compile(r"[0-7]+")
# (path or daemon option, the most it may allow, recommendations on its owner and its mode)
FILES = (("tlscacert", 0o444, ("3.9", "3.10")), ("tlscert", 0o444, ("3.11", "3.12")), ("tlskey", 0o400, ("3.13", "3.14")),
         ("daemon.json", 0o644, ("3.17", "3.18")), ("/etc/default/docker", 0o644, ("3.19", "3.20")),
         ("/etc/sysconfig/docker", 0o644, ("3.21", "3.22")), ("/run/containerd/containerd.sock", 0o660, ("3.23", "3.24")))
SOCKET_CIS = ("3.15", "3.16")
CERTS_CIS = ("3.7", "3.8")


def docker_gid(host: Host) -> int:
    return (host.group("docker") or (0, []))[0]


class ConfigFilePermissions(Fix):
    id = "config-file-permissions"
    cis = "3.7–3.24"
    title = Text("Docker's certificates, keys, configuration and sockets have safe owners and permissions",
                 "Docker 的证书、密钥、配置文件和套接字具有合适的属主和权限")
    advice = Text("chown root:root and chmod 444 the registry and TLS certificates, 400 the TLS key, 644 daemon.json and "
                  "/etc/default/docker or /etc/sysconfig/docker, 660 containerd.sock; docker.sock root:docker 660 through "
                  "the docker.socket unit (SocketMode=0660, SocketGroup=docker). Stricter modes are fine.",
                  "将镜像仓库证书和 TLS 证书设为 root:root 444，TLS 私钥 400，daemon.json 与 /etc/default/docker 或 "
                  "/etc/sysconfig/docker 为 644，containerd.sock 为 660；docker.sock 通过 docker.socket 单元设为 root:docker 660"
                  "（SocketMode=0660、SocketGroup=docker）。更严格的权限同样合规。")
    reasons = dict(FilePermissions.reasons,
                   not_installed=Text("{target} is not on this host", "本机没有 {target}"),
                   not_configured=Text("{option} is not configured", "未配置 {option}"),
                   socket_mode_ignored=Text("{where}: SocketMode={value} is not an octal mode, so systemd ignores the line "
                                            "(docker.sock gets {mode}); mend or remove it",
                                            "{where}：SocketMode={value} 不是八进制权限，systemd 会忽略该行（docker.sock 仍为 {mode}）；请修正或删除"),
                   socket_unit=Text("docker.socket makes docker.sock with {settings} at every start ({where}): "
                                    "harden's drop-in sets {wanted}",
                                    "docker.socket 每次启动都以 {settings} 创建 docker.sock（{where}）：harden 的 drop-in 将设置为 {wanted}"),
                   socket_unit_compliant=Text("docker.socket makes docker.sock with {settings} at every start",
                                              "docker.socket 每次启动都以 {settings} 创建 docker.sock"))

    def detect(self, host: Host) -> Detection:
        config = config_of(host)
        checked = [owner_and_mode(host, f"{CERTS_D}/{directory}/{name}", name, 0o444, False, CERTS_CIS)
                   for directory, name in certificates(host, CERTS_D)]
        if not checked:
            checked.append((Finding(CERTS_D, Status.NOT_APPLICABLE, "not_installed", evidence={"target": CERTS_D}, cis=CERTS_CIS), None))
        for name, allowed, cis in FILES:
            if name.startswith("tls"):
                path = tls_path(config, name)
                if not path:
                    checked.append((Finding(name, Status.NOT_APPLICABLE, "not_configured", evidence={"option": name}, cis=cis), None))
                    continue
            else:
                path = (config.json_path if config else "/etc/docker/daemon.json") if name == "daemon.json" else name
            finding, fix = owner_and_mode(host, path, path, allowed, False, cis)
            checked.append((finding, fix) if finding.status is not Status.NOT_APPLICABLE else
                           (Finding(finding.target, Status.NOT_APPLICABLE, "not_installed", evidence={"target": path}, cis=cis), None))
        checked += self._socket(host)
        for daemon in rootless_daemons(host):
            try:
                checked += [found for found in self._rootless(host, daemon) if found[0].status is not Status.NOT_APPLICABLE]
            except HostError as error:
                checked.append((rootless_unreadable(f"files (rootless, {daemon.user})", daemon.user, error), None))
        return Detection(tuple(finding for finding, _ in checked), intents=tuple(intent for _, intent in checked if intent))

    def _rootless(self, host: Host, daemon: RootlessDaemon) -> List[Tuple[Finding, Optional[Intent]]]:
        """A user's rootless dockerd: its registry certificates, TLS files and daemon.json are the user's; its socket
        is reached through the user's runtime directory alone (0700), whatever mode dockerd gives it at each start.
        The system's environment files and containerd.sock are not its."""
        config = rootless_config(host, daemon)
        wanted = [(f"{daemon.certs_dir}/{directory}/{name}", 0o444, CERTS_CIS) for directory, name in certificates(host, daemon.certs_dir)]
        wanted += [(tls_path(config, name), allowed, cis) for name, allowed, cis in FILES if name.startswith("tls")]
        wanted.append((config.json_path if config else daemon.daemon_json, 0o644, ("3.17", "3.18")))
        found = [rootless_file(host, daemon, path, allowed, False, cis) for path, allowed, cis in wanted if path]
        return found + [rootless_file(host, daemon, daemon.runtime_dir, 0o700, True, SOCKET_CIS)]

    def _socket(self, host: Host) -> List[Tuple[Finding, Optional[Intent]]]:
        """docker.sock: what docker.socket gives it at each start (fixed by a drop-in), then the live socket."""
        live = owner_and_mode(host, "/run/docker.sock", "docker.sock", 0o660, False, SOCKET_CIS, (0, docker_gid(host)))
        if unit_file(host, "docker.socket") is None:
            return [live]
        unit = load_unit(host, "docker.socket")
        mode, mode_value, ignored = socket_mode(unit)
        group, user = (last_setting(unit, key) for key in ("SocketGroup", "SocketUser"))
        group_name = group.value if group is not None and group.value else "root"
        user_name = user.value if user is not None and user.value else "root"
        found = [live] if host.live and live[0].status is not Status.NOT_APPLICABLE else []
        found += [(Finding("docker.socket", Status.MANUAL, "socket_mode_ignored", "medium",
                           {"where": f"{line.path}:{line.line}", "value": line.value, "mode": f"{mode_value:04o}"},
                           cis=SOCKET_CIS[1:]), None)  # a mode: 3.16
                  for line in ignored]
        settings = f"SocketMode={mode_value:04o} SocketUser={user_name} SocketGroup={group_name}"
        owned, mode_fine = group_name in ("docker", "root") and user_name in ("root", "0"), not mode_value & ~0o660
        if not (owned and mode_fine):
            where = ", ".join(f"{s.path}:{s.line}" for s in (mode, user, group) if s is not None) or "systemd's defaults"
            wanted = SocketPermissions("docker.socket", f"{mode_value & 0o660:04o}", group_name if group_name in ("docker", "root") else "docker")
            evidence = {"settings": settings, "where": where,
                        "wanted": f"SocketMode={wanted.mode} SocketUser={wanted.user} SocketGroup={wanted.group}"}
            met = tuple(number for number, right in zip(SOCKET_CIS, (owned, mode_fine)) if right)  # 3.15 its owner, 3.16 its mode
            return [(Finding("docker.socket", Status.FAIL, "socket_unit", "high", evidence, cis=SOCKET_CIS, cis_met=met), wanted)] + found
        unit_finding = Finding("docker.socket", Status.PASS, "socket_unit_compliant", evidence={"settings": settings}, cis=SOCKET_CIS)
        return [(unit_finding, None)] + found


def last_setting(unit, key: str):
    """The last assignment of a [Socket] setting that takes one value."""
    found = [setting for setting in unit.settings if setting.section == "Socket" and setting.key == key]
    return found[-1] if found else None


def socket_mode(unit) -> Tuple[Optional[object], int, list]:
    """SocketMode as systemd reads it: an octal number up to 07777 (parse_mode); a line that is not one is
    ignored ("Failed to parse mode value, ignoring") and the last valid one wins, else 0666.
    (the line that gives it, the mode, the ignored lines)"""
    given, mode, ignored = None, 0o666, []
    for setting in unit.settings:
        if setting.section == "Socket" and setting.key == "SocketMode":
            if OCTAL_MODE.fullmatch(setting.value) and int(setting.value, 8) <= 0o7777:
                given, mode = setting, int(setting.value, 8)
            else:
                ignored.append(setting)
    return given, mode, ignored


def certificates(host: Host, certs_dir: str) -> List[Tuple[str, str]]:
    """(registry, file name) of each registry's certificates and keys: the files dockerd reads there, not
    a directory within (dockerd does not look into one)."""
    return [(directory, name) for directory in host.list_dir(certs_dir) for name in host.list_dir(f"{certs_dir}/{directory}")
            if not host.is_dir(f"{certs_dir}/{directory}/{name}")]


def tls_path(config: Optional[DockerdConfig], option: str) -> str:
    return str(effective(config, option, "")[0]) if config else ""
