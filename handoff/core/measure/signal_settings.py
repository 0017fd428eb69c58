"""The `[signals]` settings: how product signals group pages, what baseline they compare with, what is a spike."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from handoff.core.pages import PageGroup, PageGroups


class PageGroupSetting(BaseModel):
    """`{ pattern = "/projects/*/settings*", name = "project settings" }` (name defaults to the pattern)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(min_length=1, max_length=300)
    name: str | None = Field(None, min_length=1, max_length=100)


class SignalSettings(BaseModel):
    """Escalations by page and topic against their usual level: spikes often mean a product problem."""

    model_config = ConfigDict(extra="forbid")

    baseline_weeks: int = Field(4, ge=1, le=26)
    spike_ratio: float = Field(2.0, gt=1, le=100)
    min_handoffs: int = Field(5, ge=1, le=10_000)
    top: int = Field(10, ge=1, le=100)
    page_groups: list[PageGroupSetting] = Field(default_factory=list, max_length=500)

    @field_validator("page_groups", mode="before")
    @classmethod
    def _strings_are_patterns(cls, v: Any) -> Any:
        # a bare string is the common case: the pattern names its own group
        if isinstance(v, list):
            return [{"pattern": x} if isinstance(x, str) else x for x in v]
        return v

    def groups(self) -> PageGroups:
        """The page patterns as the core's PageGroups, first match wins."""
        return PageGroups(tuple(PageGroup(g.pattern, g.name or g.pattern) for g in self.page_groups))
