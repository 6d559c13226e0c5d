"""dockerd's configuration: every option wanted or gone, from every selected
item, in one set of file changes, then one restart of docker.

A wanted value goes to daemon.json, or with --via execstart onto dockerd's
command line; a bad flag is taken out where it is written: the drop-in or
override unit, or the variable of its environment file. The package's own
unit is never edited: where the bad flag is written there, a drop-in of
harden's replaces its ExecStart. On a live host the plan ends with a restart
of docker (and a daemon-reload when a unit changed), which the docker
handler (services/docker.py) carries out.
"""
from __future__ import annotations

import json

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ..facts.systemd import read_after, shared_drop_in
from ..facts.units import REMADE, UNIT_DIRS
from ..host import Host, HostError
from ..model import Change, Intent, RestartService, Text, WriteFile, users_uid
from . import Planned, agree, grouped, planner, serving

if TYPE_CHECKING:  # what reads and edits dockerd's files loads with the first daemon item that runs, not with `list`
    from ..facts.dockerd_config import DockerdConfig, Flag
    from ..facts.rootless import RootlessDaemon

PACKAGE_UNIT_DIRS = ("/lib/systemd/", "/usr/lib/systemd/")
OUR_DROP_IN = "/etc/systemd/system/docker.service.d/zz-hardener.conf"


class FlagDrop(NamedTuple):
    """A flag of dockerd's to take out where it is written: by its name, and only at this value where one is given."""

    name: str
    value: Optional[str] = None

    def matches(self, flag: "Flag") -> bool:
        return flag.name == self.name and (self.value is None or flag.value == self.value)


@dataclass(frozen=True)
class DockerdOption(Intent):
    """What brings a daemon item into line; nothing at all where only a restart is missing. Plain data: printed,
    compared and merged by plan_dockerd's rule (a key two items want at two values is an error naming both)."""

    drop: Tuple[FlagDrop, ...] = ()  # flags to take out where written
    json_set: Mapping[str, object] = field(default_factory=dict)
    json_remove: Tuple[str, ...] = ()
    user: str = ""  # whose rootless dockerd; "" for the system's

    def drops(self, flag: "Flag") -> bool:
        return any(drop.matches(flag) for drop in self.drop)


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
ROOTLESS_RESTART_STOPS = Text(
    "restarting {user}'s rootless dockerd stops its running containers {containers}, live-restore or not: they end "
    "with the namespaces of its rootlesskit; harden starts again those that do not come back by their restart policy",
    "重启 {user} 的 rootless dockerd 会停止其正在运行的容器 {containers}，无论是否开启 live-restore：它们随 rootlesskit "
    "的命名空间一同结束；harden 会重新启动未按重启策略恢复的容器",
)
RESTART_DELETES = Text(
    "and deletes those of them started with --rm, {containers}, with their writable layers and anonymous volumes: "
    "dockerd removes such a container when it stops it, and nothing brings it back",
    "并会删除其中以 --rm 启动的容器 {containers}，连同其可写层和匿名卷：dockerd 停止此类容器时即将其删除，无法恢复",
)
OFFER_LIVE_RESTORE = Text(
    "add --live-restore to turn live-restore on first (a reload, not a restart), so that they keep running",
    "添加 --live-restore 可先开启 live-restore（重新加载，而非重启），使这些容器保持运行",
)


@planner(DockerdOption)
def plan_dockerd(host: Host, wanted, options) -> Planned:
    """The system dockerd's changes, then each rootless one's (by its user)."""
    from ..facts.dockerd_config import config_of
    from ..facts.swarm import swarm_active

    planned = Planned()
    via = options.via or options.config.daemon_options
    for user, group in grouped(wanted, lambda intent: intent.user).items():
        # the rule of the merge: wants of one option agree (a value one sets and another removes disagree too)
        agree([(item, key, value) for item, intent in group
               for key, value in [*intent.json_set.items(), *((key, None) for key in intent.json_remove)]],
              lambda key: f"dockerd's {key}", lambda wanted: "removed" if wanted is None else json.dumps(wanted))
        items, intents = serving(group), [intent for _, intent in group]
        if user:
            from ..facts.rootless import rootless_config, rootless_daemon, rootless_running_names

            daemon = rootless_daemon(host, user)
            changes = plan_options(host, rootless_config(host, daemon), intents, items, options.no_restart, via, daemon=daemon)
            planned.changes += changes
            running = rootless_running_names(host, daemon) if any(isinstance(c, RestartService) for c in changes) else []
            if running:
                planned.note(items, ROOTLESS_RESTART_STOPS.format(user=user, containers=", ".join(running)))
                removed = rootless_running_names(host, daemon, autoremove=True)
                if removed:
                    planned.note(items, RESTART_DELETES.format(containers=", ".join(removed)))
            continue
        config = config_of(host)
        if options.live_restore and swarm_active(host):
            raise HostError("--live-restore: this node is in swarm mode, which live-restore does not work with")
        changes = plan_options(host, config, intents, items, options.no_restart, via, options.live_restore)
        planned.changes += changes
        if any(isinstance(change, RestartService) for change in changes):
            turning_on = options.live_restore or any(intent.json_set.get("live-restore") is True for intent in intents)
            for text in _restart_notes(host, config, turning_on):
                planned.note(items, text)
    return planned


def autoremoved(host: Host) -> List[str]:
    """The running containers started with --rm: a restart without live-restore deletes them."""
    from ..facts.containers import all_containers
    from ..facts.engine import NoEngine

    try:
        return sorted(container.name for container in all_containers(host) if container.running and container.host_config.get("AutoRemove"))
    except NoEngine:
        return []


def _restart_notes(host: Host, config: DockerdConfig, live_restore: bool) -> List[Text]:
    """What a restart of docker does on this host, said before it happens."""
    from ..facts.containers import running_names
    from ..facts.dockerd_config import live_restore_on, running_of
    from ..facts.swarm import swarm_active

    running = running_names(host) if host.live else []
    if not running:
        return []
    if live_restore or live_restore_on(running_of(host), config):
        return [KEEPS_RUNNING]
    notes = [RESTART_STOPS.format(containers=", ".join(running))]
    removed = autoremoved(host)
    if removed:
        notes.append(RESTART_DELETES.format(containers=", ".join(removed)))
    if not swarm_active(host):
        notes.append(OFFER_LIVE_RESTORE)
    return notes


def plan_options(host: Host, config: DockerdConfig, intents: Sequence[DockerdOption], items: Tuple[str, ...],
                 no_restart: bool = False, via: str = "daemon-json", live_restore: bool = False,
                 daemon: Optional[RootlessDaemon] = None) -> List[Change]:
    """One set of file changes for all the intents, then the restart.

    Wanted values go to daemon.json, or with via="execstart" onto dockerd's
    command line (and out of daemon.json, so that no option is set twice).
    For a user's rootless dockerd (`daemon`), its own files, new ones owned
    by the user, and a restart by the user's systemd manager."""
    from ..edits import json_members
    from ..facts.dockerd_config import live_restore_on, running_of
    from ..facts.rootless import rootless_running

    owner = (daemon.uid, daemon.gid) if daemon else None

    json_set: Dict[str, object] = {}
    json_remove: List[str] = []
    for intent in intents:
        json_set.update(intent.json_set)
        json_remove += [key for key in intent.json_remove if key not in json_remove]
    # live-restore is one dockerd reloads: it goes to daemon.json (a reload reads only that file, whatever --via
    # says) and a reload takes it before the restart, so the containers keep running through that restart.
    # A rootless dockerd's containers end at its restart whatever it says (tried in the lab): its live-restore is
    # written for the benchmark's sake, with no reload before the restart; live_restore (--live-restore) is not for it.
    wanted_on = json_set.pop("live-restore", None) is True
    running = rootless_running(host, daemon) if daemon else running_of(host)
    turn_on = (wanted_on or (live_restore and host.live and not no_restart)) and bool(intents) and not live_restore_on(running, config)
    reload_first = turn_on and host.live and not no_restart and daemon is None
    added: List[str] = []
    if via == "execstart":
        added = [f"--{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in json_set.items()]
        json_remove += [key for key in json_set if key in config.json and key not in json_remove]
        json_set = {}
    dropped = [flag for flag in config.flags if any(intent.drops(flag) for intent in intents)]
    gone = {id(word) for flag in dropped for word in flag.words}
    drop_in = f"{daemon.home}/.config/systemd/user/docker.service.d/zz-hardener.conf" if daemon else OUR_DROP_IN
    changes: List[Change] = (_variable_changes(host, config, gone, items, owner)
                             + _exec_start_changes(host, config, gone, added, items, drop_in, owner,
                                             daemon.unit_directories if daemon else UNIT_DIRS))
    text = config.json_text or ""
    for key in json_remove:
        if text.strip():
            text = json_members.remove_member(text, key)
    for key, value in json_set.items():
        text = json_members.set_member(text, key, value)
    if turn_on:
        text = json_members.set_member(text, "live-restore", True)
    if text != (config.json_text or ""):
        # a daemon.json that is a link (to a config volume, say) is edited where it leads, inside the root
        changes.append(WriteFile(host.resolve(config.json_path), text, owner=owner, items=items))
    if host.live and not no_restart and (changes or intents):  # an intent with no file change: the files are right, dockerd is not
        units_changed = any(isinstance(c, WriteFile) and "/systemd/" in c.path for c in changes)
        changes.append(RestartService("docker", "docker.service", reload_units=units_changed, reload_first=reload_first,
                                      user=daemon.user if daemon else "", items=items))
    return changes


def _variable_changes(host: Host, config: DockerdConfig, gone: set, items: Tuple[str, ...],
                      owner: Optional[Tuple[int, int]] = None) -> List[Change]:
    """Flags that come from a variable: that variable's assignment in its environment file (a user's: as theirs)."""
    from ..edits.env_files import rewrite_variable

    by_variable: Dict[Tuple[str, int, str], List] = {}
    for word in config.command.words:
        if word.variable:
            by_variable.setdefault((word.path, word.line, word.variable), []).append(word)
    changes: List[Change] = []
    for (path, line, variable), words in by_variable.items():
        if any(id(word) in gone for word in words):
            if words[0].span is None:
                raise HostError(f"{path}:{line}: a flag to remove comes from Environment={variable}; remove it there by hand")
            text = host.read_text(path, users_uid(owner)) or ""
            kept = [w.text for w in words if id(w) not in gone]
            changes.append(WriteFile(path, rewrite_variable(text, words[0].span, variable, kept), owner=owner, items=items))
    return changes


def _exec_start_changes(host: Host, config: DockerdConfig, gone: set, added: Sequence[str], items: Tuple[str, ...],
                        drop_in: str = OUR_DROP_IN, owner: Optional[Tuple[int, int]] = None,
                        directories: Sequence[str] = UNIT_DIRS) -> List[Change]:
    """Flags written in the ExecStart line itself, taken out or added: in the drop-in or override that holds it, or
    in a drop-in of ours over the package's unit, one a generator or systemd-run makes anew, or one every service
    takes (service.d/) (and, for a user's dockerd, over a unit that is not the user's alone: /etc/systemd/user's is
    every user's)."""
    from ..edits.unit_tree import set_value
    from ..templates import render

    command = config.command
    removed = any(id(word) in gone for part in command.parts for word in part.words if not word.variable)
    if not removed and not added:
        return []
    kept = [part.raw for part in command.parts
            if not part.words or part.words[0].variable or not all(id(w) in gone for w in part.words)]
    value = command.prefixes + " ".join(kept + list(added))
    path = command.setting.path
    if (path.startswith(PACKAGE_UNIT_DIRS) or REMADE.search(path) or shared_drop_in(path, "docker.service")
            or (owner is not None and host.users_file_problem(path, owner[0]) is not None)):
        if path.endswith(".conf") and read_after(path, drop_in, "docker.service", directories):
            raise HostError(f"{host.display(f'{path}:{command.setting.line}')}: systemd reads it after the drop-in harden would "
                            f"write ({drop_in}), so its ExecStart= would still be the one run; change it there by hand")
        return [WriteFile(drop_in, render("systemd/docker-execstart.conf.j2", exec_start=value, package_unit=path), owner=owner, items=items)]
    text = host.read_text(path, users_uid(owner)) or ""
    return [WriteFile(path, set_value(text, path, command.setting.node, value), owner=owner, items=items)]

