"""What the container items share: one pass over the engine's containers,
a finding for each container that fails, and where to fix it.

Resource settings (memory, CPU shares, PIDs limit, restart policy) change
live, with `docker update`, to the values the config gives. The others cannot
change on a live container: by default such a finding is manual and shows the
`docker run` command that recreates the container without the setting; with
`apply --recreate` harden does it. Each failing container gets a
ContainerSettings intent; the container planner (planners/containers.py) makes
one recreation (or one `docker update`) per container with the settings of
every selected item. Some items only report: only a person can judge them.
"""
from __future__ import annotations

from ..facts.containers import CLEARABLE
import abc
from typing import Dict, List, NamedTuple, Optional, Tuple

from ..facts import containers, engine, execs
from ..host import Host
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
    adjust: Optional[Adjust] = None  # how a recreation fixes it; None: it is never recreated
    reasons = {  # every container item's; each adds its own with dict(ContainerFix.reasons, ...)
        "compliant": Text("{checked} container(s) checked", "已检查 {checked} 个容器"),
    }

    @abc.abstractmethod
    def problem(self, host: Host, container: containers.Container) -> Optional[Problem]:
        """What fails in this container, None when it is in line."""

    def not_applicable(self, host: Host) -> Optional[str]:
        """Why the item does not apply on this host (AppArmor is off), None where it does."""
        return None

    def in_line(self, host: Host, chosen: List[containers.Container]) -> Finding:
        """The finding when no container fails."""
        return Finding("containers", Status.PASS, "compliant", evidence={"checked": len(chosen)})

    def remedy_for(self, host: Host, container: containers.Container, problem: Problem) -> Tuple[Problem, Optional[ContainerSettings]]:
        """The problem as this host's settings see it, and what the container planner is asked (None: nothing harden can do)."""
        if self.adjust is None:
            return problem, None
        return problem, ContainerSettings(container.id, adjust=self.adjust, apply=self.options.recreate)

    def detect(self, host: Host) -> Detection:
        try:
            chosen = containers.chosen_containers(host, self.options.containers)
        except engine.NoEngine as missing:
            if missing.reason == "engine_unreachable":
                raise engine.unanswered(missing) from None
            return Detection((Finding("containers", Status.NOT_APPLICABLE, missing.reason),))
        reason = self.not_applicable(host)
        if reason is not None:
            return Detection((Finding("containers", Status.NOT_APPLICABLE, reason),))
        findings, intents = [], []
        for container in chosen:
            problem = self.problem(host, container)
            if problem is None:
                continue
            evidence = dict(container.evidence())
            status = Status.MANUAL
            if container.orchestrator() is None:
                problem, intent = self.remedy_for(host, container, problem)
                if intent is not None:
                    intents.append(intent)
                    status = Status.FAIL if intent.apply else Status.MANUAL
            findings.append(Finding(container.name, status, problem.reason, problem.severity,
                                    dict(evidence, **problem.evidence), labels=container.labels))
        if not findings:
            return Detection((self.in_line(host, chosen),))
        return Detection(tuple(findings), intents=tuple(intents))


class SharedFromHost(ContainerFix):
    """A container sharing one of the host's namespaces, or its privileges (a CLEARABLE setting):
    a finding where it has the setting, and a recreation without it."""

    setting: str = ""  # HostConfig's key: "PidMode"
    evidence_key: str = ""  # what the finding calls it: "pid_mode"
    reason: str = ""
    severity: str = "high"

    @property
    def adjust(self) -> Adjust:
        return Adjust(clear=frozenset({self.setting}))

    def problem(self, host, container):
        granted = CLEARABLE[self.setting]
        if container.host_config.get(self.setting) == granted:
            return Problem(self.reason, self.severity, {self.evidence_key: granted})
        return None


class ConfiguredValue(ContainerFix):
    """A resource setting docker update sets live, to the value a config table gives the container
    ([cpu_shares], [pids_limit]); manual where the config gives none."""

    remedy = Remedy.AUTO
    table: str = ""  # the config's table
    setting: str = ""  # HostConfig's key
    engine_default: Tuple[int, ...] = ()  # what else the engine shows for a setting never made (CpuShares: 1024)
    reasons = dict(ContainerFix.reasons,
                   not_configured=Text("{container} ({image}) has {setting} {value}; set [{table}] in the config for harden to apply",
                                       "{container}（{image}）的 {setting} 为 {value}；在配置的 [{table}] 中设置后 harden 即可应用"),
                   will_set=Text("{container} ({image}) has {setting} {value}; harden sets {wanted}",
                                 "{container}（{image}）的 {setting} 为 {value}；harden 将设置为 {wanted}"))

    def unset(self, value) -> bool:
        """Whether this HostConfig value means the setting was never made: none, 0 or less (no limit, or the engine's
        default), or engine_default; what is no number (an engine's garbage) is no setting either."""
        return not isinstance(value, int) or isinstance(value, bool) or value <= 0 or value in self.engine_default

    def problem(self, host, container):
        value = container.host_config.get(self.setting)
        if not self.unset(value):
            return None
        return Problem("not_configured", "medium", {"setting": self.setting, "value": value or "unset", "table": self.table})

    def remedy_for(self, host, container, problem):
        wanted = self.options.config.override_for(self.table, container.name, container.labels) or self.parameter("default")
        if wanted is None:
            return problem, None
        return (Problem("will_set", problem.severity, dict(problem.evidence, wanted=wanted.value)),
                ContainerSettings(container.id, live=((self.setting, wanted.value),), apply=True))


class ExecFix(ContainerFix):
    """docker exec into containers, judged on the execs running now. The engine forgets an exec's options
    once it ends, and its event log says only that there was one: what it cannot show is never a pass."""

    reasons = dict(ContainerFix.reasons, no_record=Text(
        "no exec running now is {what}; the engine does not record how the {execs_seen} exec(s) in its event log were run: "
        "check the docker client's audit records (ausearch -k docker)",
        "当前运行的 exec 中没有{what_zh}；Docker 引擎不记录其事件日志中 {execs_seen} 个 exec 的运行方式："
        "请检查 docker 客户端的审计记录（ausearch -k docker）"))
    reason = ""  # the reason of an offending exec's finding
    what = Text("", "")  # what an offending exec is: "privileged"

    @abc.abstractmethod
    def offends(self, container: containers.Container, process: Dict) -> bool:
        """Whether this running exec (its inspect's ProcessConfig) breaks the recommendation."""

    def problem(self, host, container):
        if not container.running:
            return None
        found = [execution for execution in execs.running_execs(host, container) if self.offends(container, execution["ProcessConfig"])]
        if not found:
            return None
        described = ", ".join(f"{' '.join([e['ProcessConfig'].get('entrypoint', ''), *e['ProcessConfig'].get('arguments', [])])} (pid {e.get('Pid')})"
                              for e in found)
        return Problem(self.reason, "high", {"execs": described})

    def in_line(self, host, chosen):
        health_checks = {container.id: "exec_create: " + " ".join(execs.health_command(container)) for container in chosen}
        seen = [event for event in execs.exec_events(host)
                if (event.get("Actor") or {}).get("ID") in health_checks and event.get("Action") != health_checks[event["Actor"]["ID"]]]
        return Finding("containers", Status.MANUAL, "no_record", "low",
                       {"what": self.what.en, "what_zh": self.what.zh, "execs_seen": len(seen),
                        "running_execs": sum(len(c.raw.get("ExecIDs") or []) for c in chosen if c.running)})
