"""Handoff priority from the decision's hint, the account tier, sentiment, urgency and churn risk."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from handoff.core.models import PRIORITIES


def _check_priority(value: str, where: str) -> str:
    if value not in PRIORITIES:
        raise ValueError(f"{where}: unknown priority {value!r} (use {', '.join(PRIORITIES)})")
    return value


class PrioritySettings(BaseModel):
    """How routing raises a handoff's priority (`[routing.priority]`); priorities only go up, never down."""

    model_config = ConfigDict(extra="forbid")
    tier_floor: dict[str, str] = {"enterprise": "high", "vip": "high"}
    category_floor: dict[str, str] = {
        "fraud": "high",
        "account_security": "high",
        "legal": "high",
        "data_privacy": "high",
    }
    negative_sentiment: float = -0.5  # compound score at or below this raises one level
    red_trajectory_raises: bool = True  # a red sentiment trajectory raises one level (once with the above)
    churn_risk_floor: str | None = "high"

    @field_validator("tier_floor", "category_floor")
    @classmethod
    def _floors(cls, value: dict[str, str]) -> dict[str, str]:
        for key, level in value.items():
            _check_priority(level, key)
        return {k.lower(): v for k, v in value.items()}

    @field_validator("churn_risk_floor")
    @classmethod
    def _churn(cls, value: str | None) -> str | None:
        return None if value is None else _check_priority(value, "churn_risk_floor")


def _rank(level: str | None) -> int:
    return PRIORITIES.index(level) if level in PRIORITIES else PRIORITIES.index("normal")


def prioritize(
    hint: str | None,
    tier: str | None = None,
    sentiment: float | None = None,
    *,
    category: str | None = None,
    trajectory: str | None = None,
    churn_risk: bool = False,
    settings: PrioritySettings | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The final priority and the short reasons for each raise."""
    cfg = settings or PrioritySettings()
    rank = _rank(hint)
    reasons: list[str] = []

    def floor(level: str | None, why: str) -> None:
        nonlocal rank
        if level is not None and _rank(level) > rank:
            rank = _rank(level)
            reasons.append(f"priority {PRIORITIES[rank]}: {why}")

    if tier:
        floor(cfg.tier_floor.get(tier.lower()), f"{tier.lower()} tier")
    if category:
        floor(cfg.category_floor.get(category), f"{category} is urgent")
    if churn_risk:
        floor(cfg.churn_risk_floor, "churn risk")
    upset = sentiment is not None and sentiment <= cfg.negative_sentiment
    red = cfg.red_trajectory_raises and trajectory == "red"
    if (upset or red) and rank < len(PRIORITIES) - 1:
        rank += 1
        why = f"negative sentiment ({sentiment:+.2f})" if upset and sentiment is not None else "sentiment trending red"
        reasons.append(f"priority {PRIORITIES[rank]}: {why}")
    return PRIORITIES[rank], tuple(reasons)


def priority_for(
    decision_priority_hint: str | None,
    tier: str | None = None,
    sentiment: float | None = None,
    *,
    category: str | None = None,
    trajectory: str | None = None,
    churn_risk: bool = False,
    settings: PrioritySettings | None = None,
) -> str:
    """The final priority: the decision's hint raised by tier, urgent category, churn risk and sentiment."""
    return prioritize(
        decision_priority_hint, tier, sentiment, category=category, trajectory=trajectory,
        churn_risk=churn_risk, settings=settings,
    )[0]
