"""Which service group a new request goes to: pure matching of routing rules.

A blank condition matches anything. Of the rules that match, the lowest priority number
wins, then the most specific (most conditions set), then the oldest rule (lowest id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Rule(NamedTuple):
    id: int
    priority: int
    category: str  # "" matches any
    product_id: int | None  # None matches any
    region: str
    tier: str
    group_id: int
    group_lead_id: int | None


class Request(NamedTuple):
    category: str
    product_id: int | None
    region: str
    tier: str


def matches(rule: Rule, request: Request) -> bool:
    return ((not rule.category or rule.category == request.category)
            and (rule.product_id is None or rule.product_id == request.product_id)
            and (not rule.region or rule.region == request.region)
            and (not rule.tier or rule.tier == request.tier))


def specificity(rule: Rule) -> int:
    return sum(bool(v) for v in (rule.category, rule.product_id, rule.region, rule.tier))


def choose(rules: Iterable[Rule], request: Request) -> Rule | None:
    """The winning rule for `request`, or None when no rule matches."""
    return min((rule for rule in rules if matches(rule, request)),
               key=lambda rule: (rule.priority, -specificity(rule), rule.id), default=None)
