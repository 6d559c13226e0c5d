"""non-root-daemon (CIS 2.1): which user the Docker daemon runs as, said (manual in CIS).

A rootless daemon (dockerd-rootless.sh, --rootless) is a different install,
per user: harden reports which this one is."""
from __future__ import annotations

from ..facts.dockerd_process import running_dockerd
from ..model import NONE, Finding, Remedy, Status, Text
from ._daemon import DaemonFix, effective


class NonRootDaemon(DaemonFix):
    id = "non-root-daemon"
    cis = "2.1"
    rootless_too = False  # a rootless dockerd is the answer to it
    remedy = Remedy.MANUAL
    title = Text("The Docker daemon runs as a non-root user, if possible", "尽可能以非 root 用户运行 Docker 守护进程")
    advice = Text("Where this host's containers allow it, run Docker rootless (dockerd-rootless-setuptool.sh install, "
                  "as the user that runs the containers).",
                  "在本机容器允许的情况下，以 rootless 模式运行 Docker（以运行容器的用户执行 dockerd-rootless-setuptool.sh install）。")
    reasons = dict(DaemonFix.reasons,
                   runs_as_root=Text("the system dockerd runs as {user}; users with a rootless dockerd: {rootless_users}",
                                     "系统 dockerd 以 {user} 身份运行；拥有 rootless dockerd 的用户：{rootless_users}"),
                   rootless=Text("dockerd runs rootless ({where})", "dockerd 以 rootless 模式运行（{where}）"))

    def judge(self, host, config):
        rootless, where = effective(config, "rootless", False)
        if str(rootless).lower() == "true":
            return Finding("dockerd", Status.PASS, "rootless", evidence={"option": "rootless", "value": "true", "where": where}), None
        user = "root"
        running = running_dockerd(host) if host.live else None
        if running is not None:
            uid = next((line.split()[1] for line in (host.read_text(f"/proc/{running[0]}/status") or "").splitlines()
                        if line.startswith("Uid:")), "0")
            user = "root" if uid == "0" else f"uid {uid}"
            if uid != "0":
                return Finding("dockerd", Status.PASS, "rootless", evidence={"option": "user", "value": user, "where": f"pid {running[0]}"}), None
        from ..facts.rootless import rootless_daemons

        rootless_users = ", ".join(daemon.user for daemon in rootless_daemons(host)) or NONE
        return Finding("dockerd", Status.MANUAL, "runs_as_root", "low", {"user": user, "option": "user", "value": user,
                                                                        "where": "docker.service", "rootless_users": rootless_users}), None
