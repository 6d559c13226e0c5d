"""log-level (CIS 2.3): dockerd logs at level info, not in debug."""
from __future__ import annotations

from ..model import Finding, Status, Text
from ..planners.dockerd import DockerdOption, FlagDrop
from ._daemon import DaemonFix, conflict, effective


class LogLevel(DaemonFix):
    id = "log-level"
    cis = "2.3"
    title = Text("dockerd logs at level info", "设置日志记录级别")
    advice = Text('Set "log-level": "info" in /etc/docker/daemon.json, remove debug (-D, "debug": true), and restart docker.',
                  '在 /etc/docker/daemon.json 中设置 "log-level": "info"，去掉调试模式（-D、"debug": true），并重启 docker。')
    reasons = dict(DaemonFix.reasons,
                   log_level=Text("log level is {value} ({where})", "日志级别为 {value}（{where}）"),
                   debug_on=Text("dockerd runs in debug mode ({where}), whatever the level says",
                                 "dockerd 以调试模式运行（{where}），日志级别设置不起作用"))
    want = DockerdOption(drop=(FlagDrop("log-level"), FlagDrop("debug")), json_set={"log-level": "info"}, json_remove=("debug",))

    def judge(self, host, config):
        found = conflict(config, "log-level") or conflict(config, "debug")
        if found:
            return found, self.want
        debug, debug_where = effective(config, "debug", False)
        if str(debug).lower() == "true":
            return Finding("log-level", Status.FAIL, "debug_on", "medium", {"option": "debug", "value": "true", "where": debug_where}), self.want
        value, where = effective(config, "log-level", "info")
        evidence = {"option": "log-level", "value": value, "where": where}
        if value == "info":
            return Finding("log-level", Status.PASS, "compliant", evidence=evidence), None
        return Finding("log-level", Status.FAIL, "log_level", "low", evidence), self.want
