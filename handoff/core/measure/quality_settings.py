"""The `[quality]` settings: the weights of the quality score's parts and the targets it is judged against."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_RESOLUTION_TARGETS = {"urgent": 4 * 3600, "high": 8 * 3600, "normal": 24 * 3600, "low": 72 * 3600}
DEFAULT_FIRST_RESPONSE_TARGETS = {"urgent": 15 * 60, "high": 3600, "normal": 4 * 3600, "low": 24 * 3600}


class QualityWeights(BaseModel):
    """Weights of the four parts of the quality score; they sum to 1."""

    model_config = ConfigDict(extra="forbid")

    context: float = Field(0.25, ge=0, le=1)
    routing: float = Field(0.25, ge=0, le=1)
    smoothness: float = Field(0.25, ge=0, le=1)
    speed: float = Field(0.25, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> QualityWeights:
        total = self.context + self.routing + self.smoothness + self.speed
        if abs(total - 1.0) > 0.001:
            raise ValueError(f"weights must sum to 1 (they sum to {total:g})")
        return self


def _targets(defaults: dict[str, int], v: Any) -> dict[str, float]:
    """A per-priority table of seconds merged over the defaults (a table may name only some)."""
    if not isinstance(v, dict):
        raise ValueError("must be a table of priority = seconds")
    unknown = sorted(set(v) - set(PRIORITIES))
    if unknown:
        raise ValueError(f"unknown priorities {unknown}; use {list(PRIORITIES)}")
    merged = {**defaults, **v}
    for k, s in merged.items():
        if isinstance(s, bool) or not isinstance(s, int | float) or s <= 0:
            raise ValueError(f"{k}: must be a positive number of seconds")
    return {k: float(s) for k, s in merged.items()}


class QualitySettings(BaseModel):
    """The `[quality]` section: how handoffs are scored and how far repeat contacts are looked for."""

    model_config = ConfigDict(extra="forbid")

    weights: QualityWeights = QualityWeights()
    # per priority; a table may name only the priorities it changes
    resolution_target_seconds: dict[str, float] = Field(
        default_factory=lambda: _targets(DEFAULT_RESOLUTION_TARGETS, {})
    )
    first_response_target_seconds: dict[str, float] = Field(
        default_factory=lambda: _targets(DEFAULT_FIRST_RESPONSE_TARGETS, {})
    )
    zero_at_multiple: float = Field(3.0, gt=1, le=100)
    context_sources_weight: float = Field(0.5, ge=0, le=1)
    smoothness_threshold: float = Field(85.0, ge=0, le=100)
    smoothness_min_words: int = Field(3, ge=1, le=50)
    repeat_penalty: float = Field(0.5, gt=0, le=1)
    repeat_window_days: int = Field(7, ge=1, le=365)
    worst_count: int = Field(10, ge=0, le=1000)

    @field_validator("resolution_target_seconds", mode="before")
    @classmethod
    def _resolution(cls, v: Any) -> dict[str, float]:
        return _targets(DEFAULT_RESOLUTION_TARGETS, v)

    @field_validator("first_response_target_seconds", mode="before")
    @classmethod
    def _first_response(cls, v: Any) -> dict[str, float]:
        return _targets(DEFAULT_FIRST_RESPONSE_TARGETS, v)

    def resolution_target_for(self, priority: str) -> float:
        """Resolution target (seconds) of a priority; unknown priorities get the "normal" one."""
        return self.resolution_target_seconds.get(priority, self.resolution_target_seconds["normal"])

    def first_response_target_for(self, priority: str) -> float:
        """First-response target (seconds) of a priority; unknown priorities get the "normal" one."""
        return self.first_response_target_seconds.get(priority, self.first_response_target_seconds["normal"])
