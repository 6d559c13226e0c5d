"""The engine's images: each one's inspect and history, asked at most once a run, and the listing of them all."""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional

from ..host import Host
from .engine import api, unreachable
from .engine_api import EngineError


def image(host: Host, image_id: str) -> Optional[Mapping]:
    """The inspect of one image, asked at most once a run; None when it is gone."""
    cache: Dict[str, Optional[Mapping]] = host.fact("image_inspects", dict)
    if image_id not in cache:
        try:
            cache[image_id] = api(host).image(image_id)
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            cache[image_id] = None
    return cache[image_id]


def image_listing(host: Host) -> List[Mapping]:
    """Every image the engine has (tagged or not; not the layers under them), listed once a run."""
    def load() -> List[Mapping]:
        try:
            return list(api(host).images())
        except EngineError as error:
            raise unreachable(host, error) from None

    return host.fact("image_listing", load)


def history(host: Host, image_id: str) -> List[Mapping]:
    """An image's history, newest layer first, asked at most once a run; [] when it is gone."""
    cache: Dict[str, List[Mapping]] = host.fact("image_histories", dict)
    if image_id not in cache:
        try:
            cache[image_id] = list(api(host).history(image_id))
        except EngineError as error:
            if error.status != 404:
                raise unreachable(host, error) from None
            cache[image_id] = []
    return cache[image_id]
