"""What the daemon items share: dockerd's effective configuration, read where
dockerd reads it, and a finding that says where each value comes from. A
failing item states the option it wants or wants gone (a DockerdOption); the
dockerd planner (planners/dockerd.py) makes one set of edits for all of them."""
from __future__ import annotations

import abc
from dataclasses import replace
from typing import TYPE_CHECKING, List, Optional, Tuple

from ..facts.units import masked
from ..host import Host, HostError
from ..model import Detection, Finding, Remedy, Status, Text
from ..facts.dockerd_config import config_of, running_of
from ..planners.dockerd import DockerdOption, FlagDrop
from . import Fix, rootless_unreadable

if TYPE_CHECKING:
    from ..facts.dockerd_config import DockerdConfig, Flag


def where(flag: Flag) -> str:
    word = flag.words[0]
    return f"{word.path}:{word.line}" + (f" ${word.variable}" if word.variable else "")


UNMANAGED = Text("dockerd (pid {pid}) is started by no docker.service that runs it itself (an init script, OpenRC, or by "
                 "hand): harden judges what it runs with and the daemon.json it read, and changes none of it; change it "
                 "where dockerd is started",
                 "dockerd（pid {pid}）不是由直接运行它的 docker.service 启动的（init 脚本、OpenRC 或手动启动）：harden 按其运行参数"
                 "和已读取的 daemon.json 判定，但不做任何修改；请在启动 dockerd 的地方修改")


class DaemonFix(Fix):
    rootless_too = True  # also judged on each user's rootless dockerd
    reasons = {  # every daemon item's; each adds its own with dict(DaemonFix.reasons, ...)
        "compliant": Text("{option} is {value} ({where})", "{option} 为 {value}（{where}）"),
        "not_installed": Text("docker.service is not installed", "未安装 docker.service"),
        "pending_restart": Text("the files say {option} {value}, but the running dockerd has not got it yet: restart docker",
                                "配置文件已设置 {option} 为 {value}，但运行中的 dockerd 尚未生效：请重启 docker"),
        "flag_and_json": Text("{option} is set both as a flag ({flag_where}) and in {json_path}: dockerd refuses to start",
                              "{option} 同时以参数（{flag_where}）和在 {json_path} 中设置：dockerd 无法启动"),
        "flag_grouped": Text("{word} ({in_unit}) sets several of dockerd's flags at once: harden does not split it; "
                             "write the flag to take out on its own there",
                             "{word}（{in_unit}）一次设置了 dockerd 的多个参数：harden 不拆分它；请在该处将需删除的参数单独书写"),
        "not_an_option": Text("{word} ({in_unit}) is neither a flag of dockerd's nor a flag's value: dockerd accepts no "
                              "arguments and does not start with this unit (a boolean flag takes its value with =: --iptables=false)",
                              "{word}（{in_unit}）既不是 dockerd 的参数也不是参数的值：dockerd 不接受位置参数，按此单元无法启动"
                              "（布尔参数须用 = 赋值：--iptables=false）"),
        "flag_in_environment": Text("{flag} comes from Environment={variable} ({in_unit}): harden does not rewrite an "
                                    "Environment= line; take {flag} out of it there (systemctl edit docker)",
                                    "{flag} 来自 Environment={variable}（{in_unit}）：harden 不改写 Environment= 行；"
                                    "请在该处删除 {flag}（systemctl edit docker）"),
    }

    @abc.abstractmethod
    def judge(self, host: Host, config: DockerdConfig) -> Tuple[Finding, Optional[DockerdOption]]:
        """This item's finding on this configuration, and what fixes it when it fails."""

    def judge_running(self, host: Host, running: DockerdConfig) -> Finding:
        """This item's finding on what the running dockerd got."""
        return self.judge(host, running)[0]

    def notes(self, host: Host, config: DockerdConfig) -> List[Text]:
        """What fixing this item means beyond its option, said before apply."""
        return []

    def detect(self, host: Host) -> Detection:
        from ..facts.rootless import rootless_config, rootless_daemons, rootless_running

        findings, notes, intents = [], [], []
        if masked(host, "docker.service"):
            findings.append(Finding("docker.service", Status.NOT_APPLICABLE, "masked"))
        else:
            config, running = config_of(host), running_of(host)
            if config is None and running is None:
                findings.append(Finding("docker.service", Status.NOT_APPLICABLE, "not_installed"))
            elif running is not None and (config is None or not config.runs_dockerd):
                self._unmanaged(host, running, findings, notes)
            else:
                self._daemon(host, config, running, findings, notes, intents)
        for daemon in rootless_daemons(host) if self.rootless_too else ():
            try:
                config = rootless_config(host, daemon)
                if config is not None:
                    self._daemon(host, config, rootless_running(host, daemon), findings, notes, intents, daemon.user)
            except HostError as error:
                findings.append(rootless_unreadable(f"{self.id} (rootless, {daemon.user})", daemon.user, error))
        if len(findings) > 1:  # a rootless daemon's: the system's not-installed says nothing
            findings = [finding for finding in findings if finding.target != "docker.service"] or findings
        return Detection(tuple(findings), tuple(notes), tuple(intents))

    def _unmanaged(self, host: Host, running: DockerdConfig, findings: list, notes: list) -> None:
        """A dockerd that no docker.service starts itself (an init script, which systemd's sysv generator makes a
        docker.service of; OpenRC; started by hand): judged on what it runs with,
        its command line and the daemon.json it read; what fails is for its administrator to change where it starts."""
        from ..facts.dockerd_config import load_daemon_json
        from ..facts.dockerd_process import running_dockerd

        if not running.json_known:  # changed since it started: what it read is not known, what it will read is
            text, settings = load_daemon_json(host, running.json_path, running.user)
            running = replace(running, json_text=text, json=dict(settings), json_known=True)
        finding = self.judge(host, running)[0]
        if finding.status is Status.FAIL:
            finding = replace(finding, status=Status.MANUAL)
        findings.append(finding)
        found = running_dockerd(host)
        notes.append(UNMANAGED.format(pid=found[0] if found else "?"))

    def _daemon(self, host: Host, config: DockerdConfig, running: Optional[DockerdConfig], findings: list, notes: list,
                intents: list, user: str = "") -> None:
        """This item on one dockerd: the system's, or a user's rootless one (its findings named by the user)."""
        finding, intent = self.judge(host, config)
        if finding.status is Status.PASS and running is not None and self.judge_running(host, running).status is not Status.PASS:
            if self.remedy is Remedy.MANUAL:  # harden restarts nothing for an item it does not fix
                finding, intent = Finding(finding.target, Status.MANUAL, "pending_restart", finding.severity, finding.evidence, cis=finding.cis), None
            else:
                finding = Finding(finding.target, Status.FAIL, "pending_restart", finding.severity, finding.evidence)
                intent = DockerdOption()  # the files are right: a restart makes it live
        in_environment = next((word for flag in config.flags if intent is not None and intent.drops(flag)
                               for word in flag.words if word.variable and word.span is None), None)
        if finding.status is Status.FAIL and in_environment is not None:
            finding = replace(finding, status=Status.MANUAL, reason="flag_in_environment", evidence=dict(
                finding.evidence, flag=in_environment.text, variable=in_environment.variable,
                in_unit=f"{in_environment.path}:{in_environment.line}"))
            intent = None
        grouped = _grouped_with_others(config, intent)
        if finding.status is Status.FAIL and grouped is not None:  # taking the word out would take the others too
            finding = replace(finding, status=Status.MANUAL, reason="flag_grouped", evidence=dict(
                finding.evidence, word=grouped.text, in_unit=f"{grouped.path}:{grouped.line}"))
            intent = None
        arguments = config.arguments()
        if arguments and finding.status in (Status.PASS, Status.FAIL):  # whatever the files say, dockerd does not start
            finding = replace(finding, status=Status.MANUAL, reason="not_an_option", evidence=dict(
                finding.evidence, word=arguments[0].text, in_unit=f"{arguments[0].path}:{arguments[0].line}"))
            intent = None
        if user:
            finding = replace(finding, target=f"{finding.target} (rootless, {user})", evidence=dict(finding.evidence, rootless_user=user))
            intent = replace(intent, user=user) if intent is not None else None
        findings.append(finding)
        if finding.status is Status.FAIL:
            notes += [note for note in self.notes(host, config) if note not in notes]
            intents += [intent] if intent is not None else []


def _grouped_with_others(config: DockerdConfig, intent: Optional[DockerdOption]):
    """The word of a flag to take out that holds others too (pflag's grouped shorthands: -DG docker); None if none."""
    if intent is None:
        return None
    for flag in config.flags:
        if intent.drops(flag):
            words = {id(word) for word in flag.words}
            if any(not intent.drops(other) and words & {id(word) for word in other.words} for other in config.flags):
                return flag.words[0]
    return None


def effective(config: DockerdConfig, option: str, default: object) -> Tuple[object, str]:
    """The value dockerd gets for an option, and where it comes from."""
    flag = config.flag(option)
    if flag is not None:
        return flag.value, where(flag)
    if option in config.json:
        return config.json[option], config.json_path
    return default, "default"


def served(config: DockerdConfig) -> Tuple[List[str], str]:
    """The addresses dockerd serves, and where they come from: its hosts, an fd:// among them being what
    docker.socket hands it (ListenStream=)."""
    addresses, places = listed(config, "host")
    if not any(address.startswith("fd://") for address in addresses):
        return addresses, places
    handed = [address for address, _ in config.activation]
    where_handed = ", ".join(where for _, where in config.activation)
    kept = [address for address in addresses if not address.startswith("fd://")]
    return kept + handed, ", ".join(place for place in (places, where_handed) if place)


def listed(config: DockerdConfig, option: str) -> Tuple[List[str], str]:
    """A repeatable option's values (its flags, else its daemon.json list or object's keys), and where they come from."""
    from ..facts.dockerd_config import JSON_KEYS

    flags = [flag for flag in config.flags if flag.name == option]
    if flags:
        return [flag.value for flag in flags], ", ".join(where(flag) for flag in flags)
    values = [str(value) for value in config.json.get(JSON_KEYS.get(option, option)) or []]
    return values, config.json_path if values else "default"


def conflict(config: DockerdConfig, option: str) -> Optional[Finding]:
    if option not in config.conflicts():
        return None
    return Finding(option, Status.FAIL, "flag_and_json", "high",
                   {"option": option, "flag_where": where(config.flag(option)), "json_path": config.json_path})


SEVERAL_DRIVERS = Text("dockerd does not start: nothing configures storage-driver and {where} (several drivers' data); "
                       "name the driver in use with storage-driver, or move the other data away",
                       "dockerd 无法启动：未配置 storage-driver，而 {where}（多个驱动的数据）；请用 storage-driver 指定在用的驱动，或移走其余数据")


def several_drivers(found, driver: str) -> Optional[Finding]:
    """The finding where nothing configures the storage driver and the data root holds several drivers' data,
    `driver`'s among them (facts.storage): dockerd refuses to choose, so which it would use is not known."""
    if driver not in found.several:
        return None
    return Finding("storage-driver", Status.MANUAL, "several_drivers", "high",
                   {"option": "storage-driver", "value": "(dockerd refuses to choose)", "where": found.where})


class BooleanOption(DaemonFix):
    """A daemon item that wants one of dockerd's boolean options at one value."""

    option: str = ""
    wanted: bool = True
    default: bool = False  # dockerd's, where nothing sets it
    reasons = dict(DaemonFix.reasons, option_value=Text("{option} is {value} ({where}); wanted: {wanted}",
                                                        "{option} 为 {value}（{where}）；应为 {wanted}"))

    def want(self) -> DockerdOption:
        drop = (FlagDrop(self.option),)
        if self.wanted == self.default:  # dockerd's own default: nothing needs to say it
            return DockerdOption(drop=drop, json_remove=(self.option,))
        return DockerdOption(drop=drop, json_set={self.option: self.wanted})

    def judge(self, host, config):
        found = conflict(config, self.option)
        if found:
            return found, self.want()
        value, where = effective(config, self.option, self.default)
        evidence = {"option": self.option, "value": str(value).lower(), "where": where, "wanted": str(self.wanted).lower()}
        if str(value).lower() == str(self.wanted).lower():
            return Finding(self.option, Status.PASS, "compliant", evidence=evidence), None
        return Finding(self.option, Status.FAIL, "option_value", "medium", evidence), self.want()


class ReviewedOption(DaemonFix):
    """A daemon item that reads one of dockerd's string options and leaves any change to the administrator."""

    remedy = Remedy.MANUAL
    option: str = ""
    shown_default: str = "default"  # what the evidence says where nothing sets the option
    reason: str = ""  # the reason of a value to review
    severity: str = "medium"
    flagged_value: Optional[str] = None  # the one value to review; None: any value set
    review_unset: bool = False  # the option left unset is what is reviewed (userns-remap), not a value

    def fine(self, value: str) -> bool:
        """Whether this value passes."""
        if self.review_unset:
            return bool(value)
        return not value if self.flagged_value is None else value != self.flagged_value

    def value(self, host: Host, config: DockerdConfig) -> Tuple[object, str]:
        """The value dockerd gets, and where it comes from."""
        return effective(config, self.option, "")

    def judge(self, host, config):
        value, where = self.value(host, config)
        evidence = {"option": self.option, "value": value or self.shown_default, "where": where}
        if self.fine(str(value)):
            return Finding(self.option, Status.PASS, "compliant", evidence=evidence), None
        return Finding(self.option, Status.MANUAL, self.reason, self.severity, evidence), None
