"""What the similar-cases lookup works with: a stored past case, a query, a case shown in a briefing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["handoff", "zendesk"]


class SimilarSettings(BaseModel):
    """The similar-cases lookup (the `[similar]` table of settings.toml)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    # how many earlier cases a briefing, its note and its card show
    count: int = Field(3, ge=1, le=10)
    # how often a process looks whether the past cases changed (a cheap query) and rebuilds its index if so
    refresh_seconds: float = Field(30.0, ge=1, le=3600)
    # how much of the agent's resolving reply a case keeps, and of the customer's words it is found by
    resolution_chars: int = Field(300, ge=40, le=2000)
    customer_chars: int = Field(2000, ge=200, le=20_000)


@dataclass(frozen=True)
class PastCase:
    """One resolved case as the store keeps it: every text already masked for a ticket and clipped."""

    source: Source
    ref: str  # the handoff id, or the Zendesk ticket id
    text: str  # the customer's words: what the case is found by
    title: str  # what the customer asked, in one line
    topic: str | None
    category: str | None
    page: str | None  # the page's label (its path), where the customer was
    resolution: str  # the agent's last public reply
    tags: tuple[str, ...]
    resolved_in_seconds: float | None
    resolved_at: datetime | None
    conversation_id: str | None = None
    customer_email: str | None = None  # whose words these are (erasure finds them by it); never shown


@dataclass(frozen=True)
class SimilarQuery:
    """What a new handoff is compared by: the customer's words, its topic and page."""

    text: str
    topic: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class SimilarCase:
    """An earlier case like this one, as the briefing, the note and the card show it."""

    ref: str
    source: Source
    title: str
    topic: str | None
    page: str | None
    resolution: str
    tags: tuple[str, ...]
    resolved_in_seconds: float | None
    score: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form (`briefing.similar`)."""
        return {"ref": self.ref, "source": self.source, "title": self.title, "topic": self.topic, "page": self.page,
                "resolution": self.resolution, "tags": list(self.tags),
                "resolved_in_seconds": self.resolved_in_seconds, "score": self.score}


def took(seconds: float | None) -> str:
    """How long a case took to resolve, for a person: "40 min", "3 h", "2 days"."""
    if seconds is None:
        return "time unknown"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600, 1):g} h"
    return f"{round(seconds / 86400)} days"
