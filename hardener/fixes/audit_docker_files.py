"""audit-docker-files (CIS 1.1.3–1.1.18): every Docker file and directory
this host has is watched by an audit rule, loaded and stored. The rules are
written and loaded by the audit planner (planners/audit.py)."""
from __future__ import annotations

from typing import List

from ..facts.audit import audit_state, find_program
from ..facts.docker_files import recommendation_of, watch_list
from ..facts.units import unit_file
from ..host import Host
from ..model import Detection, Finding, Status, Text
from ..planners.audit import AuditWatch
from . import Fix


class AuditDockerFiles(Fix):
    id = "audit-docker-files"
    cis = "1.1.3–1.1.18"
    title = Text("Docker's files and directories are audited", "审核Docker文件和目录")
    advice = Text("Add -w PATH -k docker rules for Docker's files to the audit rules, and load them.",
                  "在审计规则中为 Docker 的文件添加 -w 路径 -k docker 规则并加载。")
    reasons = {
        "compliant": Text("{path} is watched with -p {permissions} ({where})", "{path} 已以 -p {permissions} 监控（{where}）"),
        "not_installed": Text("Docker is not installed on this host", "此主机未安装 Docker"),
        "not_present": Text("{path} does not exist here ({why}): skipped", "{path} 在本机不存在（{why}）：跳过"),
        "not_watched": Text("{path} is not watched ({why})", "{path} 未被监控（{why}）"),
        "watch_too_narrow": Text("{path} is watched with -p {permissions} only ({where}): writes and attribute changes "
                                 "(-p wa at least) go unrecorded",
                                 "{path} 仅以 -p {permissions} 监控（{where}）：写入和属性变更（至少需要 -p wa）未被记录"),
        "pending_reload": Text("{path} is in the stored rules but not loaded", "{path} 的规则已保存但未加载"),
        "lost_at_reboot": Text("{path} is watched now but not in the stored rules: lost at reboot",
                               "{path} 当前已监控但未保存：重启后丢失"),
        "auditd_missing": Text("auditd is not installed: install the {package} package", "未安装 auditd：请安装 {package} 软件包"),
        "immutable": Text("the audit rules are immutable (-e 2): new rules load only after a reboot",
                          "审计规则处于不可变模式（-e 2）：新规则需重启后才能加载"),
    }

    def detect(self, host: Host) -> Detection:
        if unit_file(host, "docker.service") is None and find_program(host, "dockerd") is None:
            return Detection((Finding("docker", Status.NOT_APPLICABLE, "not_installed"),))
        state = audit_state(host)
        if not state.installed:
            return Detection((Finding("auditd", Status.MANUAL, "auditd_missing", "high", {"package": state.package}),))
        stored, loaded = state.stored_paths(), state.loaded_paths()
        findings: List[Finding] = []
        for path, why in watch_list(host):
            evidence, cis = {"path": path, "why": why}, (recommendation_of(path, why),)
            if host.lstat(path) is None:
                findings.append(Finding(path, Status.NOT_APPLICABLE, "not_present", evidence=evidence, cis=cis))
            elif path in stored and (loaded is None or path in loaded):
                watch = next(w for w in state.stored if w.path == path and w.sufficient)
                findings.append(Finding(path, Status.PASS, "compliant",
                                        evidence=dict(evidence, where=watch.source, permissions=watch.permissions), cis=cis))
            elif path in stored:
                reason = "immutable" if state.immutable else "pending_reload"
                findings.append(Finding(path, Status.FAIL, reason, "medium", evidence, cis=cis))
            elif loaded is not None and path in loaded:
                findings.append(Finding(path, Status.FAIL, "lost_at_reboot", "medium", evidence, cis=cis))
            elif state.narrow_watches(path):
                narrow = state.narrow_watches(path)[0]
                findings.append(Finding(path, Status.FAIL, "watch_too_narrow", "medium",
                                        dict(evidence, permissions=narrow.permissions, where=narrow.source), cis=cis))
            else:
                findings.append(Finding(path, Status.FAIL, "not_watched", "medium", evidence, cis=cis))
        notes = (self.reasons["immutable"],) if state.immutable else ()
        intents = tuple(AuditWatch(f.target, stored=f.reason in ("pending_reload", "immutable")) for f in findings
                        if f.status is Status.FAIL and f.reason != "immutable")
        return Detection(tuple(findings), notes, intents)
