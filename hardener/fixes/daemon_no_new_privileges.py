"""daemon-no-new-privileges (CIS 2.15): containers cannot gain privileges (setuid,
file capabilities) beyond those they start with, by default for every container."""
from __future__ import annotations

from ..model import Remedy, Text
from ._daemon import BooleanOption


class DaemonNoNewPrivileges(BooleanOption):
    id = "daemon-no-new-privileges"
    cis = "2.15"
    remedy = Remedy.WHEN_NAMED
    option, wanted, default = "no-new-privileges", True, False
    title = Text("Containers are restricted from acquiring new privileges", "限制容器获取新权限")
    advice = Text('Set "no-new-privileges": true in /etc/docker/daemon.json and restart docker.',
                  '在 /etc/docker/daemon.json 中设置 "no-new-privileges": true 并重启 docker。')
    impact = Text("Setuid and setgid binaries in containers (su, sudo, ping on older images) no longer raise privileges: "
                  "processes that rely on them fail. Containers started before keep their setting until recreated.",
                  "容器内的 setuid/setgid 程序（su、sudo、旧镜像中的 ping）将无法提升权限，依赖它们的进程会失败。"
                  "已启动的容器在重建前保持原设置。")
