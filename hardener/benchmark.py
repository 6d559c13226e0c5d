"""The CIS Docker Benchmark 1.8.0: its recommendations, with their 1.6.0 numbers,
assessment and titles in English and Chinese, as the built-in profile cis gives
them ([[recommendation]] in builtin_profiles/cis.toml). Items name the
recommendations they answer by number."""
from __future__ import annotations

import functools
import re
from typing import Dict, List, NamedTuple, Tuple

from .model import Text


class Recommendation(NamedTuple):
    number: str  # CIS Docker Benchmark 1.8.0
    number_1_6: str  # the same recommendation in 1.6.0 and 1.7.0 ("" where it is new)
    automated: bool  # CIS's assessment: Automated, or Manual
    title: Text


@functools.lru_cache(maxsize=None)
def recommendations() -> Tuple[Recommendation, ...]:
    from .profiles import builtin_recommendations

    return builtin_recommendations("cis")


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


def references(item: dict) -> str:
    """What an item (a report's or `harden list`'s) reports under: "CIS 2.3", or a profile's own references with the
    CIS ones beside."""
    cis = f"CIS {item['cis']}" if item.get("cis") else ""
    own = item.get("refs") or []
    if not own or (item.get("cis") and own == list(numbers(item["cis"]))):
        return cis
    return "; ".join(part for part in (", ".join(own), cis) if part)
