"""container-no-new-privileges (CIS 5.26): no process in a container gains privileges
through setuid or file capabilities. The container's own option wins over dockerd's
(daemon-no-new-privileges, 2.15): `no-new-privileges=false` opts out of it; and where
the container's process runs, the kernel's NoNewPrivs flag of it is the truth."""
from __future__ import annotations

from typing import Optional

from ..facts.container_processes import no_new_privs
from ..facts.containers import security_option
from ..facts.dockerd_config import GO_FALSE, go_bool
from ..model import Finding, Status, Text
from ..facts.dockerd_config import running_of
from ..planners.recreate import Adjust
from ._container import ContainerFix, Problem
from ._daemon import effective


def daemon_sets_it(host) -> bool:
    running = running_of(host)
    return running is not None and str(effective(running, "no-new-privileges", False)[0]).lower() == "true"


class ContainerNoNewPrivileges(ContainerFix):
    id = "container-no-new-privileges"
    cis = "5.26"
    title = Text("Containers are restricted from acquiring additional privileges", "限制容器获取额外权限")
    advice = Text("Recreate the container with --security-opt no-new-privileges, or set it for every container "
                  "in dockerd (daemon-no-new-privileges).",
                  "使用 --security-opt no-new-privileges 重新创建容器，或在 dockerd 中为所有容器设置（daemon-no-new-privileges）。")
    impact = Text("Setuid and setgid binaries (su, sudo) in the recreated container no longer raise privileges.",
                  "重建后容器内的 setuid/setgid 程序（su、sudo）将无法提升权限。")
    reasons = dict(ContainerFix.reasons,
                   daemon_wide=Text("dockerd sets no-new-privileges for every container", "dockerd 已为所有容器设置 no-new-privileges"),
                   may_gain_privileges=Text("{container} ({image}) may gain privileges (no no-new-privileges)",
                                            "{container}（{image}）可能获取额外权限（未设置 no-new-privileges）"))
    adjust = Adjust(drop_security_opts=frozenset(f"no-new-privileges={value}" for value in GO_FALSE), add_security_opts=("no-new-privileges",))

    def problem(self, host, container):
        own = own_setting(container)
        if own is None:  # dockerd's setting, as its running process shows it where the engine is this host's
            kernel = no_new_privs(host, container)
            own = kernel if kernel is not None else daemon_sets_it(host)
            opted_out = False
        else:  # the container's own wins: processes `docker exec` starts get it, whatever its first process did
            opted_out = not own
        return None if own else Problem("may_gain_privileges", "medium", {"no_new_privileges": False, "opted_out": opted_out})

    def in_line(self, host, chosen):
        if daemon_sets_it(host):
            return Finding("containers", Status.PASS, "daemon_wide", evidence={"checked": len(chosen)})
        return super().in_line(host, chosen)


def own_setting(container) -> Optional[bool]:
    """The container's own no-new-privileges, as dockerd reads it (bare, "=" or ":", the value by Go's ParseBool);
    None where it sets none."""
    found = None
    for option in container.host_config.get("SecurityOpt") or []:
        name, _, value = security_option(option).partition("=")
        if name == "no-new-privileges":
            read = go_bool(value) if value else "true"
            found = True if read == "true" else False if read == "false" else found
    return found
