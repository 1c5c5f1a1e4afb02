"""Priority direction is normalised once in the model: a lower rank is always served first."""

from __future__ import annotations

import pytest

from auditrules.findings import Location
from auditrules.routing.model import NAMED_SCALE, PRIORITY_SCALES, Effect, Priority, RoutingModel, RoutingRule

LOC = Location("x.json", 1, 1)


@pytest.mark.parametrize(
    ("fmt", "first", "later"),
    [
        ("taskrouter", "10", "1"),  # TaskRouter: higher priority is served first
        ("salesforce", "1", "5"),  # routingPriority: lower is served first
        ("connect", "1", "5"),  # QueuePriority: lower is served first
        ("canonical", "1", "3"),  # route.priority: 1 is served first
        ("genesys", "5", "0"),  # ACD priority: higher is served first
        ("freshdesk", "4", "1"),  # 4 urgent, 1 low
        ("zendesk", "urgent", "high"),
        ("zendesk", "high", "normal"),
        ("zendesk", "normal", "low"),
        ("freshdesk", "urgent", "medium"),
        ("canonical", "Urgent", "low"),
    ],
)
def test_direction(fmt: str, first: str, later: str) -> None:
    scale = PRIORITY_SCALES[fmt]
    a, b = scale.normalise(first), scale.normalise(later)
    assert a is not None and b is not None
    assert a.served_before(b) and not b.served_before(a)
    assert a.raw == first  # the vendor's value is kept for display


def test_named_levels_compare_across_vendors_numbers_do_not() -> None:
    fresh = PRIORITY_SCALES["freshdesk"].normalise(3)  # code 3 is "high"
    zen = PRIORITY_SCALES["zendesk"].normalise("high")
    assert fresh is not None and zen is not None
    assert fresh.scale == zen.scale == NAMED_SCALE and fresh.rank == zen.rank
    tr = PRIORITY_SCALES["taskrouter"].normalise(3)
    sf = PRIORITY_SCALES["salesforce"].normalise(3)
    assert tr is not None and sf is not None and not tr.comparable(sf)
    assert not tr.served_before(sf) and not sf.served_before(tr)


@pytest.mark.parametrize("raw", [None, "", "  ", "$.External.priority", "nan", "inf", True, [1], {"a": 1}])
def test_not_a_priority(raw: object) -> None:
    assert PRIORITY_SCALES["connect"].normalise(raw) is None


def test_model_priority_of_prefers_adapter_value_and_knows_when_data_is_missing() -> None:
    explicit = Priority(-7.0, "7", "taskrouter")
    rule = RoutingRule(
        "r",
        "r",
        "filter",
        0,
        LOC,
        effects=(Effect("priority", "7", LOC, explicit), Effect("priority", "2", LOC), Effect("queue", "q", LOC)),
    )
    model = RoutingModel("taskrouter", "m", ("chat",), (rule,))
    assert model.has_priority_data
    got = [model.priority_of(e) for e in rule.effects]
    assert got == [explicit, Priority(-2.0, "2", "taskrouter"), None]
    empty = RoutingModel("zendesk", "m", ("chat",), ())
    assert not empty.has_priority_data
    assert RoutingModel("genesys", "m", ("chat",), (rule,), priority_known=False).has_priority_data is False
