"""A container: every setting wanted of it by every selected item, in one
change. Settings that cannot change on a live container come in one
recreation (with `--recreate`) that also carries the live settings wanted
(memory limit, CPU shares, PIDs limit, restart policy); live settings alone
are set with one `docker update`.

A recreation keeps the original aside: stopped, renamed to NAME-hardener-RUN,
kept from restarting by its restart policy; the fixed container is created
through the Engine API from the original's own configuration (recreate.py),
runs under the original name with the same volumes, and must keep running (one
made from a stopped container is created, and stays stopped as it was).
Rollback removes it and gives the original back its name, restart policy and state.
A container started with --rm, which its own stop deletes, cannot be kept aside:
it is recreated only when named, removed (its volumes kept) after the journal
recorded its whole configuration, and rollback creates it again from that record.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import Dict, List, Mapping, Optional, Tuple

from ..facts import containers, engine, images
from ..host import Host
from ..model import Change, CreateContainer, Intent, RemoveContainer, RunCommand, Text
from . import Planned, agree, grouped, planner, serving
from .recreate import Adjust, CreateRequest, changed_fields, create_request, network_connections, run_command, shell_line


@dataclass(frozen=True)
class ContainerSettings(Intent):
    container: str  # its full id
    adjust: Optional[Adjust] = None  # what a recreation changes
    live: Tuple[Tuple[str, object], ...] = ()  # HostConfig settings docker update can set: (("Memory", 536870912),)
    apply: bool = False  # harden may do it: --recreate for a recreation, a configured value for a live setting


MEMORY_CAVEAT = Text(
    "Docker cannot remove a memory limit: rollback sets the host's total memory ({total}) with unlimited swap instead",
    "Docker 无法取消内存限制：回滚时改为设置主机总内存（{total}），交换空间不限",
)
CPU_SHARES_CAVEAT = Text("Docker cannot unset CPU shares: rollback sets 1024, the default weight",
                         "Docker 无法取消 CPU 份额：回滚时改为设置默认权重 1024")


def host_memory(host: Host) -> int:
    found = re.search(r"^MemTotal:\s+(\d+) kB", host.read_text("/proc/meminfo") or "", re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def human(size: int) -> str:
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}{unit}"
    return f"{size}B"


def restart_flag(policy: Mapping) -> str:
    name, retries = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


@planner(ContainerSettings)
def plan_containers(host: Host, wanted, options) -> Planned:
    planned = Planned()
    recreate: Dict[str, Recreation] = {}
    for container_id, intents in grouped(wanted, lambda intent: intent.container).items():
        container = containers.inspected(host, container_id)
        recreations = [(item, intent) for item, intent in intents if intent.adjust is not None]
        updates = [(item, intent) for item, intent in intents if intent.live and intent.apply]
        # the rule of the merge: the settings items want of one container (a limit, a bind address) agree; the grants
        # they take away add up (Adjust.__add__)
        agree([(item, key, value) for item, intent in updates for key, value in intent.live] +
              [(item, "bind address", intent.adjust.bind_address) for item, intent in recreations if intent.adjust.bind_address is not None],
              lambda key: f"{container.name}'s {key}")
        live = {key: value for _, intent in updates for key, value in intent.live}
        if recreations:
            adjust = reduce(lambda total, pair: total + pair[1].adjust, recreations, Adjust())
            image = images.image(host, container.image_id)
            command = run_command(host, container, image, adjust, _overrides(live))
            for item, _ in recreations:
                planned.evidence[(item, container.name)] = {"recreate_command": " && ".join(
                    shell_line(step) for step in [command, *network_connections(container)])}
            if any(intent.apply for _, intent in recreations):
                items = serving(recreations + updates)
                if container.host_config.get("AutoRemove") and container.name not in options.recreate_autoremove:
                    for item in items:
                        planned.note((item,), AUTOREMOVE_NOT_NAMED.format(container=container.name))
                        planned.manual.add((item, container.name))
                    continue
                recreate[container.id] = Recreation(container, adjust, _overrides(live), items)
                continue
        if live:
            planned.changes += live_update(host, container, live, serving(updates))
    if recreate:
        planned.changes += _recreations(host, recreate, planned, options.recreate_autoremove)
    return planned


@dataclass(frozen=True)
class Recreation:
    container: containers.Container
    adjust: Adjust
    overrides: Mapping[str, object]
    items: Tuple[str, ...]
    joins: Tuple[str, ...] = ()  # the ids of the recreated containers it shares namespaces, volumes or links with


AUTOREMOVE_NOT_NAMED = Text(
    "{container} was started with --rm: its own stop deletes it, with its writable layer, so it cannot be kept aside for "
    "rollback; harden recreates it only when named (harden apply --recreate --recreate-autoremove {container}); rollback "
    "then creates it again from its recorded configuration, without that layer",
    "{container} 以 --rm 启动：停止即会将其连同可写层删除，因此无法留作回滚；harden 仅在明确指定时重建它"
    "（harden apply --recreate --recreate-autoremove {container}）；回滚时将按记录的配置重新创建它，但不含该可写层")
AUTOREMOVE_RECREATED = Text(
    "{container} was started with --rm: it is removed (its volumes kept, mounted again by name) and created anew; "
    "rollback creates it again from its recorded configuration, without its writable layer",
    "{container} 以 --rm 启动：将被删除（其卷保留并按名称重新挂载）后重新创建；回滚时按记录的配置重新创建，不含其可写层")
JOINED_KEPT = Text("{container} is left as it is: {joiner} joins it ({how}) and cannot be recreated with it ({why}); "
                   "recreate both by hand, or name {joiner}",
                   "{container} 保持不变：{joiner} 依附于它（{how}），且无法随之重建（{why}）；请手动重建两者，或明确指定 {joiner}")
JOINS = Text("{container} joins {joined} ({how}): it is recreated after it, joined to the new {joined}, and stopped "
             "with it meanwhile", "{container} 依附于 {joined}（{how}）：在其之后重新创建并加入新的 {joined}，期间随之停止")


def _recreations(host: Host, wanted: Dict[str, Recreation], planned: Planned, autoremove_named: Tuple[str, ...]) -> List[Change]:
    """The recreations, with every container that joins a recreated one (its namespaces by container:X,
    its volumes by --volumes-from, a legacy --link) recreated after it, joined to the new one: left as it
    was, it would stay joined to the original kept aside, and die with it. The containers stop dependents
    first, and are made again in order; rollback, newest first, so starts each original after what it joins."""
    everyone = {container.id: container for container in containers.all_containers(host)}
    by_name = {container.name: container.id for container in everyone.values()}
    recreate = dict(wanted)
    root_of = {container_id: container_id for container_id in wanted}  # the wanted recreation that brought each in
    added = True
    while added:
        added = False
        for container in everyone.values():
            joined = [(recreate[target], how) for target, how in _joins(container, by_name, everyone) if target in recreate]
            if not joined or container.id in recreate:
                continue
            first, how = joined[0]
            managed = container.orchestrator()
            if managed or (container.host_config.get("AutoRemove") and container.name not in autoremove_named):
                why = f"defined by {managed['managed_by']}" if managed else "started with --rm, not named"
                roots = {root_of[target.container.id] for target, _ in joined}
                for root in roots:
                    for item in wanted[root].items:
                        planned.note((item,), JOINED_KEPT.format(container=wanted[root].container.name, joiner=container.name,
                                                                 how=how, why=why))
                        planned.manual.add((item, wanted[root].container.name))
                reduced = {container_id: recreation for container_id, recreation in wanted.items() if container_id not in roots}
                return _recreations(host, reduced, planned, autoremove_named) if reduced else []
            recreate[container.id] = Recreation(container, Adjust(), {}, first.items)
            root_of[container.id] = root_of[first.container.id]
            for item in first.items:
                planned.note((item,), JOINS.format(container=container.name, joined=first.container.name, how=how))
            added = True
    order = _in_order(recreate, by_name, everyone)
    version = engine.api_version(host)
    image_of = {recreation.container.id: images.image(host, recreation.container.image_id) for recreation in order}
    changes: List[Change] = []
    for recreation in reversed(order):  # what joins another stops before it; a --rm one, which its stop deletes, goes
        container = recreation.container
        if container.host_config.get("AutoRemove"):
            for item in recreation.items:
                planned.note((item,), AUTOREMOVE_RECREATED.format(container=container.name))
            as_it_was = create_request(host, container, image_of[container.id], api_version=version)
            changes.append(RemoveContainer(f"container {container.name}", container.id, container.name, as_it_was.body, version,
                                           container.running, as_it_was.connect, recreation.items, as_it_was.disconnect))
        elif container.running:
            changes.append(stop(container, recreation.items))
    for recreation in order:
        container = recreation.container
        as_it_was = create_request(host, container, image_of[container.id], api_version=version)
        request = create_request(host, container, image_of[container.id], recreation.adjust, recreation.overrides, version)
        request = _joined_by_name(request, by_name, everyone)
        changed = changed_fields(as_it_was.body, request.body)
        if container.host_config.get("AutoRemove"):
            changes.append(CreateContainer(f"container {container.name}", container.name, request.body, version, request.connect,
                                           container.running, healthy_within(container), changed, recreation.items,
                                           request.disconnect))
            continue
        changes += replace_container(container, request, changed, version, recreation.items)
    return changes


def _joins(container: containers.Container, by_name: Mapping[str, str], everyone: Mapping[str, containers.Container]
           ) -> List[Tuple[str, str]]:
    """(the id of a container this one joins, how) for each."""
    settings = container.host_config
    found = []
    for key, flag in (("NetworkMode", "--network"), ("IpcMode", "--ipc"), ("PidMode", "--pid")):
        value = settings.get(key) or ""
        if value.startswith("container:"):
            found.append((value.partition(":")[2], f"{flag} container:"))
    found += [(source.partition(":")[0], "--volumes-from") for source in settings.get("VolumesFrom") or []]
    found += [(link.partition(":")[0].lstrip("/"), "--link") for link in settings.get("Links") or []]
    return [(target_id, how) for reference, how in found if (target_id := _container_id(reference, by_name, everyone))]


def _container_id(reference: str, by_name: Mapping[str, str], everyone: Mapping[str, containers.Container]) -> Optional[str]:
    if reference in by_name:
        return by_name[reference]
    return next((container_id for container_id in everyone if container_id.startswith(reference)), None) if reference else None


def _in_order(recreate: Mapping[str, Recreation], by_name, everyone) -> List[Recreation]:
    """Each container after those it joins."""
    done: List[str] = []

    def visit(container_id: str, path: Tuple[str, ...]) -> None:
        if container_id in done or container_id in path:
            return
        for target, _ in _joins(recreate[container_id].container, by_name, everyone):
            if target in recreate:
                visit(target, path + (container_id,))
        done.append(container_id)

    for container_id in recreate:
        visit(container_id, ())
    return [recreate[container_id] for container_id in done]


def _joined_by_name(request: CreateRequest, by_name, everyone) -> CreateRequest:
    """A container joined by id (container:ID) is joined by its name: the new one has it, not the id."""
    settings = dict(request.body["HostConfig"])
    for key in ("NetworkMode", "IpcMode", "PidMode"):
        value = settings.get(key) or ""
        if value.startswith("container:"):
            target = _container_id(value.partition(":")[2], by_name, everyone)
            settings[key] = f"container:{everyone[target].name}" if target else value
    volumes_from = []
    for source in settings.get("VolumesFrom") or []:
        reference, separator, mode = source.partition(":")
        target = _container_id(reference, by_name, everyone)
        volumes_from.append(f"{everyone[target].name if target else reference}{separator}{mode}")
    settings["VolumesFrom"] = volumes_from or None
    return CreateRequest(request.name, dict(request.body, HostConfig=settings), request.connect, request.disconnect)


def _overrides(live: Mapping[str, object]) -> Dict[str, object]:
    """The live settings as a recreation's HostConfig has them (swap limited with memory)."""
    overrides = dict(live)
    if "Memory" in live:
        overrides["MemorySwap"] = live["Memory"]
    return overrides


def live_update(host: Host, container: containers.Container, live: Mapping[str, object], items: Tuple[str, ...]) -> List[RunCommand]:
    """One `docker update` with every live setting, and the one (two with memory) that gives the old values back."""
    settings = container.host_config
    command: List[str] = ["docker", "update"]
    undo: List[str] = ["docker", "update"]
    caveats: List[Text] = []
    if "Memory" in live:
        total = host_memory(host)
        command += ["--memory", str(live["Memory"]), "--memory-swap", str(live["Memory"])]
        # cgroup v1 refuses a memory limit above the swap limit: swap goes up first, then unlimited
        undo += ["--memory", str(total), "--memory-swap", str(2 * total)]
        caveats.append(MEMORY_CAVEAT.format(total=human(total)))
    if "CpuShares" in live:
        command += ["--cpu-shares", str(live["CpuShares"])]
        undo += ["--cpu-shares", str(settings.get("CpuShares") or 1024)]
        if not settings.get("CpuShares"):
            caveats.append(CPU_SHARES_CAVEAT)
    if "PidsLimit" in live:
        command += ["--pids-limit", str(live["PidsLimit"])]
        old = settings.get("PidsLimit") or 0
        undo += ["--pids-limit", str(old) if old > 0 else "-1"]  # -1: unlimited, as it was
    if "RestartPolicy" in live:
        command += ["--restart", restart_flag(live["RestartPolicy"])]
        undo += ["--restart", restart_flag(settings.get("RestartPolicy") or {})]
    undos = [tuple(undo + [container.id])]
    if "Memory" in live:
        undos.append(("docker", "update", "--memory", str(total), "--memory-swap", "-1", container.id))
    caveat = Text("; ".join(c.en for c in caveats), "；".join(c.zh for c in caveats)) if caveats else None
    return [RunCommand(target=f"container {container.name}", command=tuple(command + [container.id]), undo=tuple(undos),
                       caveat=caveat, items=items)]


def stop(container: containers.Container, items: Tuple[str, ...]) -> RunCommand:
    old = container.id[:12]
    return RunCommand(f"container {container.name}", ("docker", "stop", old), (("docker", "start", old),), items=items)


def replace_container(container: containers.Container, request: CreateRequest, changed: Tuple[str, ...], api_version: str,
                      items: Tuple[str, ...]) -> List[Change]:
    """The original (stopped before) renamed aside and kept from restarting; the new one created in its place."""
    target, old = f"container {container.name}", container.id[:12]
    kept = f"{container.name}-hardener-{{run_id}}"
    policy_flag = restart_flag(container.host_config.get("RestartPolicy") or {})
    steps: List[Change] = [RunCommand(target, ("docker", "rename", old, kept), (("docker", "rename", old, container.name),),
                                      keeps=kept, discard=(("docker", "rm", "--force", old),), items=items)]
    if policy_flag != "no":
        steps.append(RunCommand(target, ("docker", "update", "--restart", "no", old),
                                (("docker", "update", "--restart", policy_flag, old),), items=items))
    steps.append(CreateContainer(target, container.name, request.body, api_version, request.connect, container.running,
                                 healthy_within(container), changed, items, request.disconnect))
    return steps


def healthy_within(container: containers.Container) -> float:
    """For a container running healthy, the seconds the engine can take to call a new one made like it healthy or
    unhealthy: its start period, then as many checks as its retries and one more, each an interval and a timeout
    long (Docker's defaults where unset: 30 s, 30 s, 3 retries), and a margin for the engine's own pace; 0 otherwise."""
    if not (container.running and (container.raw["State"].get("Health") or {}).get("Status") == "healthy"):
        return 0.0
    check = container.raw["Config"].get("Healthcheck") or {}
    seconds = {key: (check.get(key) or 0) / 1e9 for key in ("Interval", "Timeout", "StartPeriod")}
    retries = check.get("Retries") or 3
    return seconds["StartPeriod"] + (retries + 1) * ((seconds["Interval"] or 30) + (seconds["Timeout"] or 30)) + 10
