"""A systemd unit's settings given by a drop-in of harden's (the socket a
docker.socket makes, say): one drop-in per unit with every setting wanted of
it, then a daemon-reload (the systemd handler, services/systemd.py) so the
next start takes it. The unit itself is not restarted: what it made stays
as it is, and is fixed by the items that own it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facts.systemd import load_unit, read_after
from ..host import HostError
from ..model import Intent, RestartService, WriteFile
from ..templates import render
from . import Planned, grouped, planner, serving

OUR_DROP_IN = "/etc/systemd/system/{unit}.d/zz-hardener.conf"


@dataclass(frozen=True)
class SocketPermissions(Intent):
    unit: str  # "docker.socket"
    mode: str = field(compare=False)  # "0660"
    group: str = field(compare=False)  # "docker"
    user: str = field(default="root", compare=False)


@planner(SocketPermissions)
def plan_socket_permissions(host, wanted, options) -> Planned:
    planned = Planned()
    for unit, intents in grouped(wanted, lambda intent: intent.unit).items():
        intent, items = intents[-1][1], serving(intents)
        drop_in = OUR_DROP_IN.format(unit=unit)
        later = [setting for setting in load_unit(host, unit).settings if setting.section == "Socket"
                 and setting.key in ("SocketMode", "SocketUser", "SocketGroup") and setting.path.endswith(".conf")
                 and read_after(setting.path, drop_in, unit)]
        if later:
            raise HostError(f"{host.display(f'{later[0].path}:{later[0].line}')}: systemd reads it after the drop-in harden would "
                            f"write ({drop_in}), so its {later[0].key}= would still be the one taken; change it there by hand")
        planned.changes.append(WriteFile(drop_in,
                                         render("systemd/socket-permissions.conf.j2", unit=unit, mode=intent.mode, user=intent.user,
                                                group=intent.group),
                                         items=items))
        if host.live:
            planned.changes.append(RestartService("systemd", unit, reload_units=True, items=items))
    return planned

