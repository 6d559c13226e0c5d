"""authorization-plugin (CIS 2.13): an authorization plugin vets Docker client commands."""
from __future__ import annotations

from ..model import NONE, Finding, Remedy, Status, Text
from ._daemon import DaemonFix, listed


class AuthorizationPlugin(DaemonFix):
    id = "authorization-plugin"
    cis = "2.13"
    remedy = Remedy.MANUAL
    title = Text("Docker client commands are authorized by a plugin", "启用 Docker 客户端命令授权")
    advice = Text('Install an authorization plugin (Open Policy Agent\'s opa-docker-authz, for one), name it in '
                  '"authorization-plugins" in /etc/docker/daemon.json, and restart docker.',
                  '安装授权插件（例如 Open Policy Agent 的 opa-docker-authz），在 /etc/docker/daemon.json 的 '
                  '"authorization-plugins" 中指定并重启 docker。')
    reasons = dict(DaemonFix.reasons, no_plugin=Text("no authorization plugin is configured", "未配置授权插件"))

    def judge(self, host, config):
        plugins, places = listed(config, "authorization-plugin")
        evidence = {"option": "authorization-plugins", "value": ", ".join(plugins) or NONE, "where": places}
        if plugins:
            return Finding("authorization-plugins", Status.PASS, "compliant", evidence=evidence), None
        return Finding("authorization-plugins", Status.MANUAL, "no_plugin", "medium", evidence), None
