"""experimental (CIS 2.19): dockerd's experimental features are off in production."""
from __future__ import annotations

from ..model import Text
from ._daemon import BooleanOption


class Experimental(BooleanOption):
    id = "experimental"
    cis = "2.19"
    option, wanted, default = "experimental", False, False
    title = Text("Experimental features are not enabled in production", "生产环境不启用实验性功能")
    advice = Text('Remove --experimental (or "experimental": true) and restart docker.',
                  '删除 --experimental（或 "experimental": true）并重启 docker。')
