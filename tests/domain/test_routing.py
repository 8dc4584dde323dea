"""Routing rules as the service desk reads them: blank matches anything, lower priority
number first, then the more specific rule, then the older one."""

from aftersales.domain.routing import Request, Rule, choose

FAULT_EAST = Request(category="fault", product_id=7, region="east", tier="key")


def rule(id, priority=100, category="", product_id=None, region="", tier="", group_id=None, lead=None):  # noqa: A002
    return Rule(id, priority, category, product_id, region, tier, group_id or id * 10, lead)


def test_no_rules_or_no_match_means_no_group():
    assert choose([], FAULT_EAST) is None
    assert choose([rule(1, region="west"), rule(2, category="complaint")], FAULT_EAST) is None


def test_a_blank_condition_matches_anything():
    assert choose([rule(1)], FAULT_EAST).id == 1


def test_every_set_condition_must_match():
    rules = [rule(1, category="fault", region="west"), rule(2, category="fault", product_id=7, tier="key")]
    assert choose(rules, FAULT_EAST).id == 2


def test_the_lowest_priority_number_wins_before_specificity():
    rules = [rule(1, priority=10, category="fault", product_id=7, region="east", tier="key"), rule(2, priority=5)]
    assert choose(rules, FAULT_EAST).id == 2


def test_at_equal_priority_the_more_specific_rule_wins_then_the_older_one():
    assert choose([rule(1, region="east"), rule(2, region="east", tier="key")], FAULT_EAST).id == 2
    assert choose([rule(3, region="east"), rule(2, tier="key")], FAULT_EAST).id == 2


def test_a_product_rule_does_not_match_a_request_without_equipment():
    no_unit = Request(category="fault", product_id=None, region="east", tier="key")
    assert choose([rule(1, product_id=7)], no_unit) is None
