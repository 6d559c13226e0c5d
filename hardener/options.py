"""What the administrator asked for that items and planners read: the config
file and the command line's choices."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple

from .config import Config


@dataclass(frozen=True)
class Options:
    config: Config = field(default_factory=Config)
    containers: Tuple[str, ...] = ()  # --container NAME or label=KEY=VALUE
    recreate: bool = False  # --recreate: containers may be recreated to fix them
    no_restart: bool = False  # --no-restart: stage the files, restart nothing
    live_restore: bool = False  # --live-restore: turn it on (a reload) before restarting dockerd
    recreate_autoremove: Tuple[str, ...] = ()  # --recreate-autoremove NAME: a --rm container, which its stop deletes, may be recreated
    via: Optional[str] = None  # --via: where wanted dockerd options go (else the config's daemon_options)
    parameters: Mapping[str, Mapping[str, object]] = field(default_factory=dict)  # by item: those set (parameters.resolved)
    refs: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)  # by item: the references of the profile it runs under
