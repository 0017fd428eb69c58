"""Priority raised by tier, urgent categories, churn risk and sentiment; never lowered."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from handoff.core.route.priority import PrioritySettings, prioritize, priority_for


@pytest.mark.parametrize(
    ("hint", "tier", "sentiment", "extra", "expected"),
    [
        ("normal", None, None, {}, "normal"),
        ("normal", "free", 0.2, {}, "normal"),
        ("normal", "enterprise", None, {}, "high"),
        ("normal", "VIP", None, {}, "high"),
        ("urgent", "enterprise", None, {}, "urgent"),  # never lowered
        ("low", None, -0.8, {}, "normal"),  # negative sentiment raises one level
        ("normal", None, -0.5, {}, "high"),  # the threshold itself counts
        ("normal", None, -0.49, {}, "normal"),
        ("normal", None, None, {"trajectory": "red"}, "high"),
        ("normal", None, -0.9, {"trajectory": "red"}, "high"),  # one raise for sentiment, not two
        ("normal", "enterprise", -0.9, {}, "urgent"),  # tier floor, then sentiment on top
        ("normal", None, None, {"category": "fraud"}, "high"),
        ("normal", None, None, {"category": "billing"}, "normal"),
        ("normal", None, None, {"churn_risk": True}, "high"),
        ("urgent", None, -0.9, {}, "urgent"),  # capped
        ("bogus", None, None, {}, "normal"),  # unknown hint reads as normal
        (None, None, None, {}, "normal"),
    ],
)
def test_priority_for(hint: str | None, tier: str | None, sentiment: float | None, extra: dict[str, object], expected: str) -> None:
    assert priority_for(hint, tier, sentiment, **extra) == expected  # type: ignore[arg-type]


def test_each_raise_has_a_reason() -> None:
    level, reasons = prioritize("normal", "enterprise", -0.8)
    assert level == "urgent"
    assert reasons == ("priority high: enterprise tier", "priority urgent: negative sentiment (-0.80)")


def test_settings_change_the_rules() -> None:
    cfg = PrioritySettings(tier_floor={"pro": "urgent"}, negative_sentiment=-0.9, churn_risk_floor=None)
    assert priority_for("normal", "pro", settings=cfg) == "urgent"
    assert priority_for("normal", "enterprise", -0.8, settings=cfg) == "normal"
    assert priority_for("normal", churn_risk=True, settings=cfg) == "normal"


@pytest.mark.parametrize(
    "data",
    [{"tier_floor": {"vip": "critical"}}, {"category_floor": {"fraud": "asap"}}, {"churn_risk_floor": "meh"}, {"bogus": 1}],
)
def test_bad_priority_settings_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PrioritySettings.model_validate(data)
