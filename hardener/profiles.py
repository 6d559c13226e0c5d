"""The profiles a run takes its items from.

aliyun (the default): the Alibaba Cloud Docker security baseline's 13 items.
cis: every recommendation of the CIS Docker Benchmark 1.8.0, each answered by
one item or more (tests/test_profiles.py holds it to all of them). The
recommendations, with their 1.6.0 numbers, assessment and titles, are in
cis-docker-benchmark-1.8.0.tsv beside this file.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple, Type

from .fixes import Fix, all_fixes
from .model import Remedy, Text
from .settings import PROFILES

DEFAULT_PROFILE = PROFILES[0]
BENCHMARK = Path(__file__).with_name("cis-docker-benchmark-1.8.0.tsv")


class Recommendation(NamedTuple):
    number: str  # CIS Docker Benchmark 1.8.0
    number_1_6: str  # the same recommendation in 1.6.0 and 1.7.0 ("" where it is new)
    automated: bool  # CIS's assessment: Automated, or Manual
    title: Text


@functools.lru_cache(maxsize=None)
def recommendations() -> Tuple[Recommendation, ...]:
    rows = [line.split("\t") for line in BENCHMARK.read_text(encoding="utf-8").splitlines()[1:] if line]
    return tuple(Recommendation(number, "" if old == "-" else old, assessment == "Automated", Text(title, title_zh))
                 for number, old, assessment, title, title_zh in rows)


@functools.lru_cache(maxsize=None)
def by_number() -> Dict[str, Recommendation]:
    return {recommendation.number: recommendation for recommendation in recommendations()}


def numbers(span: str) -> Tuple[str, ...]:
    """The recommendations an item's `cis` names, in the benchmark's order: "2.3", "3.1–3.6", "1.1.3–1.1.18"."""
    ordered = [recommendation.number for recommendation in recommendations()]
    found: List[str] = []
    for part in re.split(r"\s*,\s*", span.strip()):
        first, _, last = part.partition("–")
        if first not in by_number() or (last and last not in by_number()):
            raise ValueError(f"not a CIS Docker Benchmark 1.8.0 recommendation: {part!r}")
        found += ordered[ordered.index(first): ordered.index(last or first) + 1]
    return tuple(found)


def profile_fixes(profile: str) -> List[Type[Fix]]:
    """The items of a profile, in the benchmark's order."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    fixes = [fix for fix in all_fixes() if profile in fix.profiles]
    order = {recommendation.number: position for position, recommendation in enumerate(recommendations())}
    return sorted(fixes, key=lambda fix: (order[numbers(fix.cis)[0]], fix.remedy is Remedy.WHEN_NAMED))
