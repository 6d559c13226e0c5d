"""remote-logging (CIS 2.14): containers' logs go to a central, remote place.

A remote log driver needs an endpoint only the administrator knows: manual."""
from __future__ import annotations

from ..model import Finding, Remedy, Status, Text
from ._daemon import DaemonFix, effective

REMOTE_DRIVERS = ("syslog", "gelf", "fluentd", "awslogs", "splunk", "gcplogs", "logentries")


class RemoteLogging(DaemonFix):
    id = "remote-logging"
    cis = "2.14"
    remedy = Remedy.MANUAL
    title = Text("Centralized and remote logging is configured", "配置集中式远程日志")
    advice = Text('Set "log-driver" to a remote driver (syslog with a tcp:// or udp:// "syslog-address" in "log-opts", '
                  "gelf, fluentd, splunk, ...) with its endpoint in /etc/docker/daemon.json, and restart docker; "
                  "existing containers keep their driver until recreated.",
                  '在 /etc/docker/daemon.json 中将 "log-driver" 设为远程驱动（syslog 并在 "log-opts" 中指定 tcp:// 或 udp:// 的 '
                  '"syslog-address"，或 gelf、fluentd、splunk 等）及其地址，然后重启 docker；已有容器在重建前沿用原驱动。')
    reasons = dict(DaemonFix.reasons, local_logging=Text("containers log with {value} ({where}), on this host only",
                                                         "容器日志使用 {value}（{where}），仅保存在本机"))

    def judge(self, host, config):
        driver, where = effective(config, "log-driver", "json-file")
        options = config.json.get("log-opts") or {}
        address = next((flag.value.split("=", 1)[1] for flag in config.flags
                        if flag.name == "log-opt" and flag.value.startswith("syslog-address=")), options.get("syslog-address", ""))
        evidence = {"option": "log-driver", "value": driver, "where": where, **({"address": address} if address else {})}
        remote = driver in REMOTE_DRIVERS and (driver != "syslog" or str(address).startswith(("tcp://", "udp://", "tcp+tls://")))
        if remote:
            return Finding("log-driver", Status.PASS, "compliant", evidence=evidence), None
        return Finding("log-driver", Status.MANUAL, "local_logging", "low", evidence), None
