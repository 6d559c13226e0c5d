"""What the container items share: one pass over the engine's containers,
a finding for each container that fails, and where to fix it."""
from __future__ import annotations

import abc

from typing import Dict, Mapping, NamedTuple, Optional, Tuple

from ..facts import containers as engine
from ..facts.recreate import Adjust, run_command, shell_line
from ..host import Host, HostError
from ..model import Detection, Finding, Remedy, Status, Text
from . import Fix

COMMON_REASONS = {
    "compliant": Text("{checked} container(s) checked", "已检查 {checked} 个容器"),
    "not_live": Text("containers are read from a running engine; under --root there is none",
                     "容器信息来自运行中的 Docker 引擎；--root 模式下不查询引擎"),
}


class Problem(NamedTuple):
    reason: str
    severity: str
    evidence: Dict[str, object]


class ContainerFix(Fix):
    remedy = Remedy.MANUAL
    adjust: Optional[Adjust] = Adjust()  # how the recreated container differs; None: it is not recreated

    @abc.abstractmethod
    def problem(self, container: engine.Container) -> Optional[Problem]:
        """What fails in this container, None when it is in line."""

    def remedy_for(self, host: Host, container: engine.Container, problem: Problem) -> Tuple[Problem, bool]:
        """The problem as this host's settings see it, and whether apply can fix it live."""
        return problem, False

    def detect(self, host: Host) -> Detection:
        try:
            containers = engine.selected(engine.all_containers(host), self.options.containers)
        except engine.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise HostError(str(missing)) from None
            return Detection((Finding("containers", Status.NOT_APPLICABLE, missing.reason),))
        failing = [(container, problem) for container in containers if (problem := self.problem(container))]
        images = engine.images(host) if failing else {}
        findings = [self._finding(host, container, problem, images.get(container.image_id)) for container, problem in failing]
        return Detection(tuple(findings) or (Finding("containers", Status.PASS, "compliant", evidence={"checked": len(containers)}),))

    def _finding(self, host: Host, container: engine.Container, problem: Problem, image: Optional[Mapping]) -> Finding:
        fixable = False
        if not container.orchestrator():
            problem, fixable = self.remedy_for(host, container, problem)
        evidence = dict(container.evidence(), **problem.evidence)
        if self.adjust is not None and not container.orchestrator() and (not fixable or self.options.recreate):
            evidence["recreate_command"] = shell_line(run_command(container, image, self.adjust))
        status = Status.FAIL if fixable else Status.MANUAL
        return Finding(container.name, status, problem.reason, problem.severity, evidence, labels=container.labels)
