"""What the container items share: one pass over the engine's containers,
a finding for each container that fails, and where to fix it.

Settings other than the memory limit cannot change on a live container. By
default such a finding is manual and shows the `docker run` command that
recreates the container without the setting; with `apply --recreate` harden
does it. Each failing container gets a ContainerSettings intent; the container
planner (planners/containers.py) makes one recreation per container with the
settings of every selected item.
"""
from __future__ import annotations

import abc
from typing import Dict, NamedTuple, Optional, Tuple

from ..facts import containers
from ..host import Host, HostError
from ..model import Detection, Finding, Remedy, Status, Text
from ..planners.containers import ContainerSettings
from ..planners.recreate import Adjust
from . import Fix


class Problem(NamedTuple):
    reason: str
    severity: str
    evidence: Dict[str, object]


class ContainerFix(Fix):
    remedy = Remedy.MANUAL
    adjust: Optional[Adjust] = Adjust()  # how the recreated container differs; None: it is never recreated
    reasons = {  # every container item's; each adds its own with dict(ContainerFix.reasons, ...)
        "compliant": Text("{checked} container(s) checked", "已检查 {checked} 个容器"),
        "not_live": Text("containers are read from a running engine; under --root there is none",
                         "容器信息来自运行中的 Docker 引擎；--root 模式下不查询引擎"),
    }

    @abc.abstractmethod
    def problem(self, host: Host, container: containers.Container) -> Optional[Problem]:
        """What fails in this container, None when it is in line."""

    def remedy_for(self, host: Host, container: containers.Container, problem: Problem) -> Tuple[Problem, ContainerSettings]:
        """The problem as this host's settings see it, and what the container planner is asked."""
        return problem, ContainerSettings(container.id, adjust=self.adjust, apply=self.options.recreate)

    def detect(self, host: Host) -> Detection:
        try:
            chosen = containers.chosen_containers(host, self.options.containers)
        except containers.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise HostError(str(missing)) from None
            return Detection((Finding("containers", Status.NOT_APPLICABLE, missing.reason),))
        findings, intents = [], []
        for container in chosen:
            problem = self.problem(host, container)
            if problem is None:
                continue
            evidence = dict(container.evidence())
            status = Status.MANUAL
            if container.orchestrator() is None:
                problem, intent = self.remedy_for(host, container, problem)
                intents.append(intent)
                status = Status.FAIL if intent.apply else Status.MANUAL
            findings.append(Finding(container.name, status, problem.reason, problem.severity,
                                    dict(evidence, **problem.evidence), labels=container.labels))
        if not findings:
            return Detection((Finding("containers", Status.PASS, "compliant", evidence={"checked": len(chosen)}),))
        return Detection(tuple(findings), intents=tuple(intents))
