"""content-trust (CIS 4.5): DOCKER_CONTENT_TRUST=1 for every login shell.

It breaks pulls of unsigned images, so it is applied only when named."""
from __future__ import annotations

import shlex
from typing import List, NamedTuple, Optional

from ..host import Host
from ..model import Detection, Finding, Remedy, Status, Text
from ..planners.profile import ProfileVariable
from . import Fix

VARIABLE = "DOCKER_CONTENT_TRUST"
PROFILE_D = "/etc/profile.d"
# Named to sort after the other profile.d scripts, so that it has the last word.
OUR_SCRIPT = f"{PROFILE_D}/zz-hardener-docker-content-trust.sh"
DOCKER_CLIENTS = ("/usr/bin/docker", "/usr/local/bin/docker", "/bin/docker")
# The docker client turns trust off only for these (Go's strconv.ParseBool);
# any other non-empty value turns it on.
FALSE_WORDS = {"0", "f", "F", "false", "FALSE", "False"}


class Assignment(NamedTuple):
    path: str
    line: int
    value: str  # "" for unset

    @property
    def enables(self) -> bool:
        return self.value != "" and self.value not in FALSE_WORDS

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def assignments_in(text: str, path: str) -> List[Assignment]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if VARIABLE not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        unsetting = bool(words) and words[0] == "unset"
        for word in words:
            if word.startswith(VARIABLE + "="):
                found.append(Assignment(path, number, word.partition("=")[2]))
            elif unsetting and word == VARIABLE:
                found.append(Assignment(path, number, ""))
    return found


class LoginShell(NamedTuple):
    assignments: List[Assignment]  # in the order a login shell meets them
    reads_profile_d: bool
    after_profile_d: List[Assignment]  # set by /etc/profile after its profile.d loop


def login_shell_settings(host: Host) -> LoginShell:
    """/etc/environment (pam_env), then /etc/profile, which sources
    /etc/profile.d/*.sh where it names that directory."""
    found = assignments_in(host.read_text("/etc/environment") or "", "/etc/environment")
    profile = host.read_text("/etc/profile") or ""
    lines = profile.splitlines()
    loop_at = next((i for i, line in enumerate(lines, 1) if PROFILE_D in line and not line.lstrip().startswith("#")), None)
    in_profile = assignments_in(profile, "/etc/profile")
    after = [a for a in in_profile if loop_at is not None and a.line > loop_at]
    found += [a for a in in_profile if a not in after]
    if loop_at is not None:
        for name in host.list_dir(PROFILE_D):
            if name.endswith(".sh"):
                path = f"{PROFILE_D}/{name}"
                found += assignments_in(host.read_text(path) or "", path)
    return LoginShell(found + after, loop_at is not None, after)


def _sorts_after_ours(path: str) -> bool:
    return path.startswith(PROFILE_D + "/") and path.encode() > OUR_SCRIPT.encode()


class ContentTrust(Fix):
    id = "content-trust"
    cis = "4.5"
    remedy = Remedy.WHEN_NAMED
    title = Text("Content trust is enabled for Docker", "为Docker启用内容信任")
    advice = Text(
        f"export {VARIABLE}=1 for every login shell (harden writes {OUR_SCRIPT}).",
        f"为所有登录 shell 设置 export {VARIABLE}=1（harden 写入 {OUR_SCRIPT}）。",
    )
    impact = Text(
        "With DOCKER_CONTENT_TRUST=1, pulls of unsigned tags and from registries without signatures "
        "(Alibaba Cloud ACR included) fail, and so does `docker run` of a local unsigned image by tag. "
        "Docker Hub retires content trust on 2026-12-08.",
        "启用 DOCKER_CONTENT_TRUST=1 后，拉取未签名的标签、从不提供签名的镜像仓库（包括阿里云 ACR）拉取都会失败，"
        "按标签 `docker run` 本地未签名镜像也会失败。Docker Hub 将于 2026-12-08 停止支持内容信任。",
    )
    reasons = {
        "compliant": Text("enabled by {set_in}", "已由 {set_in} 启用"),
        "not_set": Text(f"{VARIABLE} is not set for login shells", f"登录 shell 未设置 {VARIABLE}"),
        "disabled": Text(f"{VARIABLE}={{value}} at {{set_in}} turns it off", f"{{set_in}} 处的 {VARIABLE}={{value}} 将其关闭"),
        "disabled_later": Text(
            f"{VARIABLE}={{value}} at {{set_in}} is read after {OUR_SCRIPT} would be; remove that line",
            f"{{set_in}} 处的 {VARIABLE}={{value}} 在 {OUR_SCRIPT} 之后读取，请删除该行",
        ),
        "profile_missing": Text(
            f"/etc/profile is missing, so login shells read no system-wide settings; set {VARIABLE}=1 where this host's shells read it",
            f"/etc/profile 不存在，登录 shell 不读取系统级设置；请在本机 shell 读取的位置设置 {VARIABLE}=1",
        ),
        "profile_d_missing": Text(
            f"/etc/profile reads {PROFILE_D}, which does not exist; create it, or set {VARIABLE}=1 in /etc/profile by hand",
            f"/etc/profile 读取 {PROFILE_D}，但该目录不存在；请创建它，或在 /etc/profile 中手动设置 {VARIABLE}=1",
        ),
        "profile_d_not_read": Text(
            f"/etc/profile does not read {PROFILE_D}; set {VARIABLE}=1 in /etc/profile by hand",
            f"/etc/profile 不读取 {PROFILE_D}，请在 /etc/profile 中手动设置 {VARIABLE}=1",
        ),
    }

    def detect(self, host: Host) -> Detection:
        if not any(host.exists(path) for path in DOCKER_CLIENTS):
            return Detection((Finding(VARIABLE, Status.NOT_APPLICABLE, "not_installed"),))
        shell = login_shell_settings(host)
        last: Optional[Assignment] = shell.assignments[-1] if shell.assignments else None
        evidence = {"set_in": last.where, "value": last.value} if last else {}
        if last and last.enables:
            return Detection((Finding(VARIABLE, Status.PASS, "compliant", evidence=evidence),))
        if not host.exists("/etc/profile"):
            return Detection((Finding(VARIABLE, Status.MANUAL, "profile_missing", evidence=evidence),))
        if shell.reads_profile_d and not host.is_dir(PROFILE_D):
            return Detection((Finding(VARIABLE, Status.MANUAL, "profile_d_missing", evidence=evidence),))
        if not shell.reads_profile_d:
            return Detection((Finding(VARIABLE, Status.MANUAL, "profile_d_not_read", evidence=evidence),))
        if last and (last in shell.after_profile_d or _sorts_after_ours(last.path)):
            return Detection((Finding(VARIABLE, Status.MANUAL, "disabled_later", evidence=evidence),))
        return Detection((Finding(VARIABLE, Status.FAIL, "disabled" if last else "not_set", evidence=evidence),),
                         intents=(ProfileVariable(OUR_SCRIPT, "profile.d/docker-content-trust.sh.j2", VARIABLE, "1"),))
