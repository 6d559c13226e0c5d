"""cpu-shares (CIS 5.12): every container has a CPU weight of its own.

Set live with `docker update --cpu-shares` where the config gives a value ([cpu_shares])."""
from __future__ import annotations

from ..model import Text
from ..parameters import Parameter, count
from ._container import ConfiguredValue

DEFAULT_WEIGHT = 1024


class CpuShares(ConfiguredValue):
    id = "cpu-shares"
    cis = "5.12"
    table, setting = "cpu_shares", "CpuShares"
    parameters = (Parameter("default", count("cpu_shares"), None, "the CPU shares harden sets on a container no [cpu_shares] override names"),)
    title = Text("Containers have their CPU priority set", "为容器设置 CPU 优先级")
    advice = Text("Set a weight in the config ([cpu_shares] default = 512, overrides by container or label) and run "
                  "harden apply, or recreate the container with --cpu-shares.",
                  "在配置中设置权重（[cpu_shares] default = 512，可按容器名或标签覆盖）后执行 harden apply，"
                  "或使用 --cpu-shares 重新创建容器。")

    def unset(self, value):
        return value in (None, 0, DEFAULT_WEIGHT)
