"""What the container items share: one pass over the engine's containers,
a finding for each container that fails, and where to fix it.

Settings other than the memory limit cannot change on a live container. By
default such a finding is manual and shows the `docker run` command that
recreates the container without the setting; with `apply --recreate` harden
does it: the original is stopped, renamed to NAME-hardener-RUN, kept from
restarting, and a fixed one runs under its name with the same volumes. One
recreation per container carries the adjustments of every selected item.
"""
from __future__ import annotations

import abc
from functools import reduce
from typing import Dict, List, NamedTuple, Optional, Tuple

from ..facts import containers as engine
from ..facts.recreate import Adjust, run_command, shell_line
from ..host import Host, HostError
from ..model import Change, Detection, Finding, Remedy, RunCommand, Status, Text
from . import Fix, all_fixes

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
    adjust: Optional[Adjust] = Adjust()  # how the recreated container differs; None: it is never recreated

    @abc.abstractmethod
    def problem(self, host: Host, container: engine.Container) -> Optional[Problem]:
        """What fails in this container, None when it is in line."""

    def remedy_for(self, host: Host, container: engine.Container, problem: Problem) -> Tuple[Problem, bool]:
        """The problem as this host's settings see it, and whether apply fixes it."""
        return problem, self.options.recreate and self.adjust is not None

    def detect(self, host: Host) -> Detection:
        try:
            containers = engine.selected(engine.all_containers(host), self.options.containers)
        except engine.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise HostError(str(missing)) from None
            return Detection((Finding("containers", Status.NOT_APPLICABLE, missing.reason),))
        failing = [(container, problem) for container in containers if (problem := self.problem(host, container))]
        findings = [self._finding(host, container, problem) for container, problem in failing]
        return Detection(tuple(findings) or (Finding("containers", Status.PASS, "compliant", evidence={"checked": len(containers)}),))

    def _finding(self, host: Host, container: engine.Container, problem: Problem) -> Finding:
        managed = container.orchestrator() is not None
        fixable = False
        if not managed:
            problem, fixable = self.remedy_for(host, container, problem)
        evidence = dict(container.evidence(), **problem.evidence)
        if self.adjust is not None and not managed:
            evidence["recreate_command"] = shell_line(self._new_run(host, container))
        return Finding(container.name, Status.FAIL if fixable else Status.MANUAL, problem.reason, problem.severity,
                       evidence, labels=container.labels)

    def _new_run(self, host: Host, container: engine.Container) -> List[str]:
        """The docker run of the fixed container: every selected item's adjustment that this container needs."""
        fixes = [fix for fix in self._selected_siblings() if fix.adjust is not None and fix.problem(host, container)]
        adjust = reduce(lambda total, fix: total + fix.adjust, fixes, Adjust())
        return run_command(host, container, engine.images(host).get(container.image_id), adjust)

    def _selected_siblings(self) -> List["ContainerFix"]:
        chosen = self.options.selected or (self.id,)
        return [fix(self.options) for fix in all_fixes() if issubclass(fix, ContainerFix) and fix.id in chosen]

    def plan(self, host: Host, detection: Detection) -> Tuple[Change, ...]:
        by_name = {container.name: container for container in engine.all_containers(host)}
        return tuple(change for finding in detection.failing for change in self._recreation(host, by_name[finding.target]))

    def _recreation(self, host: Host, container: engine.Container) -> Tuple[RunCommand, ...]:
        """Keep the original aside, never to restart by itself, and run the fixed one under its name.
        The same for every item that fails on this container, so the engine carries it out once."""
        target, old = f"container {container.name}", container.id[:12]
        policy = (container.host_config.get("RestartPolicy") or {}).get("Name") or "no"
        retries = (container.host_config.get("RestartPolicy") or {}).get("MaximumRetryCount") or 0
        policy_flag = f"{policy}:{retries}" if policy == "on-failure" and retries else policy
        steps = []
        if container.running:
            steps.append(RunCommand(target, ("docker", "stop", old), (("docker", "start", old),)))
        steps.append(RunCommand(target, ("docker", "rename", old, f"{container.name}-hardener-{{run_id}}"),
                                (("docker", "rename", old, container.name),)))
        if policy != "no":
            steps.append(RunCommand(target, ("docker", "update", "--restart", "no", old),
                                    (("docker", "update", "--restart", policy_flag, old),)))
        steps.append(RunCommand(target, tuple(self._new_run(host, container)), (("docker", "rm", "--force", container.name),),
                                verify=("docker", "container", "inspect", "--format", "{{.State.Running}}", container.name),
                                expect="true"))
        return tuple(steps)
