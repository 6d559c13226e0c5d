"""docker-group (CIS 1.1.2): who is in the docker group, which is as good as root on
this host. Only the administrator knows whom to trust: manual, with the list."""
from __future__ import annotations

from ..host import Host
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix


class DockerGroup(Fix):
    id = "docker-group"
    cis = "1.1.2"
    remedy = Remedy.MANUAL
    title = Text("Only trusted users control the Docker daemon", "只有受信任的用户可以控制 Docker 守护进程")
    advice = Text("Remove from the docker group everyone who should not have root on this host (gpasswd -d USER docker).",
                  "将不应拥有本机 root 权限的用户移出 docker 组（gpasswd -d 用户 docker）。")
    reasons = {"members": Text("the docker group gives root to: {members}", "docker 组使以下用户拥有 root 权限：{members}"),
               "no_members": Text("nobody is in the docker group", "docker 组中没有用户"),
               "no_group": Text("there is no docker group", "不存在 docker 组")}

    def detect(self, host: Host) -> Detection:
        group = host.group("docker")
        if group is None:
            return Detection((Finding("docker", Status.PASS, "no_group"),))
        gid, members = group
        members += [fields[0] for fields in (line.split(":") for line in host.read_db("/etc/passwd").splitlines())
                    if len(fields) > 3 and fields[3] == str(gid) and fields[0] not in members]  # docker as primary group
        if not members:
            return Detection((Finding("docker", Status.PASS, "no_members", evidence={"members": ""}),))
        return Detection((Finding("docker", Status.MANUAL, "members", "medium", {"members": ", ".join(members)}),))
