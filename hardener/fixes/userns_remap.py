"""userns-remap (CIS 2.10): containers' root is an unprivileged user on the host.

Turning it on hides the existing images and containers (each mapping has a
data root of its own) and rules out --pid=host and --network=host: manual."""
from __future__ import annotations

from ..model import Text
from ._daemon import DaemonFix, ReviewedOption


class UsernsRemap(ReviewedOption):
    id = "userns-remap"
    cis = "2.10"
    rootless_too = False  # rootless dockerd runs in a user namespace of its own already
    title = Text("User namespace support is enabled", "启用用户命名空间支持")
    advice = Text('Set "userns-remap": "default" (or a user) in /etc/docker/daemon.json and restart docker, after moving '
                  "images and containers: dockerd then uses a new data root under /var/lib/docker, and containers with "
                  "--pid=host, --network=host or --privileged need --userns=host.",
                  '在迁移镜像和容器后，于 /etc/docker/daemon.json 中设置 "userns-remap": "default"（或指定用户）并重启 docker：'
                  "dockerd 会改用 /var/lib/docker 下新的数据目录，使用 --pid=host、--network=host 或 --privileged 的容器需加 --userns=host。")
    option, shown_default, reason = "userns-remap", "off", "userns_off"
    reasons = dict(DaemonFix.reasons, userns_off=Text("user namespace remapping is off ({where})", "未启用用户命名空间映射（{where}）"))

    def fine(self, value):
        return bool(value)
