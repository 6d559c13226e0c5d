"""What the daemon items share: dockerd's effective configuration, and one
plan for all of them, so that two items editing the same file make one edit.

A wanted value goes to daemon.json; a bad flag is taken out where it is
written: the drop-in or override unit, or the variable of its environment
file. The package's own unit is never edited: where the bad flag is written
there, a drop-in of harden's replaces its ExecStart. On a live host the plan
ends with a restart of docker (and a daemon-reload when a unit changed).
"""
from __future__ import annotations

import abc
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..edits import json_members
from ..edits.unit_tree import set_value
from ..edits.units import rewrite_variable
from ..facts.units import masked
from ..facts.dockerd import DockerdConfig, Flag, dockerd_config, running_config
from ..host import Host, HostError
from ..model import Change, Detection, Finding, RestartService, Status, Text, WriteFile
from ..templates import render
from . import Fix, all_fixes

PACKAGE_UNIT_DIRS = ("/lib/systemd/", "/usr/lib/systemd/")
OUR_DROP_IN = "/etc/systemd/system/docker.service.d/zz-hardener.conf"

COMMON_REASONS = {
    "compliant": Text("{option} is {value} ({where})", "{option} 为 {value}（{where}）"),
    "not_installed": Text("docker.service is not installed", "未安装 docker.service"),
    "pending_restart": Text("the files say {option} {value}, but the running dockerd has not got it yet: restart docker",
                            "配置文件已设置 {option} 为 {value}，但运行中的 dockerd 尚未生效：请重启 docker"),
    "flag_and_json": Text("{option} is set both as a flag ({flag_where}) and in {json_path}: dockerd refuses to start",
                          "{option} 同时以参数（{flag_where}）和在 {json_path} 中设置：dockerd 无法启动"),
}


RESTART_STOPS = Text(
    "restarting docker stops the running containers {containers} (live-restore is off); "
    "harden starts again those that do not come back by their restart policy",
    "重启 docker 会停止正在运行的容器 {containers}（未开启 live-restore）；harden 会重新启动未按重启策略恢复的容器",
)


KEEPS_RUNNING = Text(
    "live-restore keeps the containers running through the restart; dockerd then keeps the existing bridge, "
    "so icc stays pending_restart until docker restarts with no container running",
    "live-restore 使容器在重启期间保持运行；dockerd 因此保留现有网桥，icc 在没有容器运行时重启 docker 之前保持 pending_restart",
)
OFFER_LIVE_RESTORE = Text(
    "add --live-restore to turn live-restore on first (a reload, not a restart), so that they keep running",
    "添加 --live-restore 可先开启 live-restore（重新加载，而非重启），使这些容器保持运行",
)


def _live_restore_on(host: Host, config: Optional[DockerdConfig]) -> bool:
    running = host.fact("dockerd_running", lambda: running_config(host))
    for source in (running, config):
        if source is not None:
            flag = source.flag("live-restore")
            value = flag.value if flag is not None else source.json.get("live-restore", False)
            if str(value).lower() == "true":
                return True
    return False


def _swarm_active(host: Host) -> bool:
    try:
        return host.run("docker", "info", "--format", "{{.Swarm.LocalNodeState}}").strip() not in ("inactive", "")
    except HostError:
        return False


def _container_names(host: Host) -> List[str]:
    try:
        return sorted(host.run("docker", "ps", "--format", "{{.Names}}").split())
    except HostError:
        return []


class Want(NamedTuple):
    """What brings an item into line."""

    drop: Callable[[Flag], bool] = lambda flag: False  # flags to take out where they are written
    json_set: Dict[str, object] = {}
    json_remove: Tuple[str, ...] = ()
    note: Optional[Text] = None


def where(flag: Flag) -> str:
    word = flag.words[0]
    return f"{word.path}:{word.line}" + (f" ${word.variable}" if word.variable else "")


def config_of(host: Host) -> Optional[DockerdConfig]:
    return host.fact("dockerd_config", lambda: dockerd_config(host))


class DaemonFix(Fix):
    @abc.abstractmethod
    def judge(self, host: Host, config: DockerdConfig) -> Tuple[Finding, Optional[Want]]:
        """This item's finding on this configuration, and what fixes it when it fails."""

    def judge_running(self, host: Host, running: DockerdConfig) -> Finding:
        """This item's finding on what the running dockerd got."""
        return self.judge(host, running)[0]

    def assess(self, host: Host, config: DockerdConfig) -> Tuple[Finding, Optional[Want]]:
        """judge() on the files, and on a live host on what dockerd runs with."""
        finding, want = self.judge(host, config)
        running = host.fact("dockerd_running", lambda: running_config(host))
        if finding.status is Status.PASS and running is not None and self.judge_running(host, running).status is not Status.PASS:
            finding = Finding(finding.target, Status.FAIL, "pending_restart", finding.severity, finding.evidence)
            want = Want()  # the files are right: a restart makes it live
        return finding, want

    def detect(self, host: Host) -> Detection:
        if masked(host, "docker.service"):
            return Detection((Finding("docker.service", Status.NOT_APPLICABLE, "masked"),))
        config = config_of(host)
        if config is None:
            return Detection((Finding("docker.service", Status.NOT_APPLICABLE, "not_installed"),))
        finding, want = self.assess(host, config)
        notes: List[Text] = []
        if finding.status is Status.FAIL:
            notes += [want.note] if want is not None and want.note is not None else []
            notes += self.live_notes(host)
        return Detection((finding,), tuple(notes))

    def live_notes(self, host: Host) -> List[Text]:
        """What a restart of docker does on this host, said before it happens."""
        if not host.live or self.options.no_restart:
            return []
        running = host.fact("running_container_names", lambda: _container_names(host))
        if not running:
            return []
        if self.options.live_restore or _live_restore_on(host, config_of(host)):
            return [KEEPS_RUNNING]
        notes = [RESTART_STOPS.format(containers=", ".join(running))]
        if not _swarm_active(host):
            notes.append(OFFER_LIVE_RESTORE)
        return notes

    def plan(self, host: Host, detection: Detection) -> Tuple[Change, ...]:
        config = config_of(host)
        wants = [want for fix in self._selected_siblings() for finding, want in [fix.assess(host, config)]
                 if want is not None and finding.status is Status.FAIL]
        via = self.options.via or self.options.config.daemon_options
        if self.options.live_restore and _swarm_active(host):
            raise HostError("--live-restore: this node is in swarm mode, which live-restore does not work with")
        return plan_daemon(host, config, wants, self.options.no_restart, via, self.options.live_restore)

    def _selected_siblings(self) -> List["DaemonFix"]:
        chosen = self.options.selected or (self.id,)
        return [fix(self.options) for fix in all_fixes() if issubclass(fix, DaemonFix) and fix.id in chosen]


def plan_daemon(host: Host, config: DockerdConfig, wants: Sequence[Want], no_restart: bool = False,
                via: str = "daemon-json", live_restore: bool = False) -> Tuple[Change, ...]:
    """One set of file changes for all the wants, then the restart.

    Wanted values go to daemon.json, or with via="execstart" onto dockerd's
    command line (and out of daemon.json, so that no option is set twice)."""
    json_set: Dict[str, object] = {}
    json_remove: List[str] = []
    for want in wants:
        json_set.update(want.json_set)
        json_remove += [key for key in want.json_remove if key not in json_remove]
    live_restore = live_restore and bool(wants) and host.live and not no_restart and not _live_restore_on(host, config)
    added: List[str] = []
    if via == "execstart":
        added = [f"--{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in json_set.items()]
        json_remove += [key for key in json_set if key in config.json and key not in json_remove]
        json_set = {}
    dropped = [flag for flag in config.flags if any(want.drop(flag) for want in wants)]
    gone = {id(word) for flag in dropped for word in flag.words}
    changes: List[Change] = _variable_changes(host, config, gone) + _exec_start_changes(host, config, gone, added)
    text = config.json_text or ""
    for key in json_remove:
        if text.strip():
            text = json_members.remove_member(text, key)
    for key, value in json_set.items():
        text = json_members.set_member(text, key, value)
    if live_restore:  # in daemon.json whatever --via says: a reload reads only that file
        text = json_members.set_member(text, "live-restore", True)
    if text != (config.json_text or ""):
        # a daemon.json that is a link (to a config volume, say) is edited where it leads, inside the root
        changes.append(WriteFile(host.resolve(config.json_path), text))
    if host.live and not no_restart and (changes or wants):  # a want with no file change: the files are right, dockerd is not
        units_changed = any(isinstance(c, WriteFile) and "/systemd/" in c.path for c in changes)
        changes.append(RestartService("docker.service", reload_units=units_changed, reload_first=live_restore))
    return tuple(changes)


def _variable_changes(host: Host, config: DockerdConfig, gone: set) -> List[Change]:
    """Flags that come from a variable: that variable's assignment in its environment file."""
    by_variable: Dict[Tuple[str, int, str], List] = {}
    for word in config.command.words:
        if word.variable:
            by_variable.setdefault((word.path, word.line, word.variable), []).append(word)
    changes: List[Change] = []
    for (path, line, variable), words in by_variable.items():
        if any(id(word) in gone for word in words):
            if words[0].span is None:
                raise HostError(f"{path}:{line}: a flag to remove comes from Environment={variable}; remove it there by hand")
            text = host.read_text(path) or ""
            changes.append(WriteFile(path, rewrite_variable(text, words[0].span, variable, [w.text for w in words if id(w) not in gone])))
    return changes


def _exec_start_changes(host: Host, config: DockerdConfig, gone: set, added: Sequence[str]) -> List[Change]:
    """Flags written in the ExecStart line itself, taken out or added: in the
    drop-in or override that holds it, or in a drop-in of ours over the package's unit."""
    command = config.command
    removed = any(id(word) in gone for part in command.parts for word in part.words if not word.variable)
    if not removed and not added:
        return []
    kept = [part.raw for part in command.parts
            if not part.words or part.words[0].variable or not all(id(w) in gone for w in part.words)]
    value = command.prefixes + " ".join(kept + list(added))
    path = command.setting.path
    if path.startswith(PACKAGE_UNIT_DIRS):
        return [WriteFile(OUR_DROP_IN, render("systemd/docker-execstart.conf.j2", exec_start=value, package_unit=path))]
    text = host.read_text(path) or ""
    return [WriteFile(path, set_value(text, path, command.setting.node, value))]


def effective(config: DockerdConfig, option: str, default: object) -> Tuple[object, str]:
    """The value dockerd gets for an option, and where it comes from."""
    flag = config.flag(option)
    if flag is not None:
        return flag.value, where(flag)
    if option in config.json:
        return config.json[option], config.json_path
    return default, "default"


def conflict(config: DockerdConfig, option: str) -> Optional[Finding]:
    if option not in config.conflicts():
        return None
    return Finding(option, Status.FAIL, "flag_and_json", "high",
                   {"option": option, "flag_where": where(config.flag(option)), "json_path": config.json_path})
