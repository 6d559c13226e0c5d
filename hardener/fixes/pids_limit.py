"""pids-limit (CIS 5.29): every container has a limit on its number of processes (a fork bomb stays inside).

Set live with `docker update --pids-limit` where the config gives a value ([pids_limit])."""
from __future__ import annotations

from ..model import Text
from ..parameters import Parameter, count
from ._container import ConfiguredValue


class PidsLimit(ConfiguredValue):
    id = "pids-limit"
    cis = "5.29"
    table, setting = "pids_limit", "PidsLimit"
    parameters = (Parameter("default", count("pids_limit"), None, "the PIDs limit harden sets on a container no [pids_limit] override names"),)
    title = Text("Containers have a PIDs limit", "为容器设置 PIDs cgroup 限制")
    advice = Text("Set a limit in the config ([pids_limit] default = 200, overrides by container or label) and run "
                  "harden apply, or recreate the container with --pids-limit.",
                  "在配置中设置限制（[pids_limit] default = 200，可按容器名或标签覆盖）后执行 harden apply，"
                  "或使用 --pids-limit 重新创建容器。")

    def unset(self, value):
        return value is None or value <= 0
