"""The profiles a run takes its items from.

aliyun (the default): the Alibaba Cloud Docker security baseline's 13 items.
cis: every recommendation of the CIS Docker Benchmark 1.8.0 (benchmark.py),
each answered by one item or more (tests/test_profiles.py holds it to all of them).
"""
from __future__ import annotations

from typing import List, Type

from .benchmark import numbers, recommendations
from .fixes import Fix, all_fixes
from .model import Remedy
from .settings import PROFILES

DEFAULT_PROFILE = PROFILES[0]


def profile_fixes(profile: str) -> List[Type[Fix]]:
    """The items of a profile, in the benchmark's order."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    fixes = [fix for fix in all_fixes() if profile in fix.profiles]
    order = {recommendation.number: position for position, recommendation in enumerate(recommendations())}
    return sorted(fixes, key=lambda fix: (order[numbers(fix.cis)[0]], fix.remedy is Remedy.WHEN_NAMED))
