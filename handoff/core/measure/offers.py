"""Offers and hand-backs in `handoff stats`: re-offers and the claims after one, hand-backs by source,
re-handoffs within the window. Pure: over the handoffs the report already selected."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from handoff.core.measure.records import HandoffRecord


def offer_stats(hs: Sequence[HandoffRecord]) -> dict[str, Any]:
    """The offer and hand-back counts of `hs` (the time to claim is a distribution beside them)."""
    claimed = [h for h in hs if h.claimed_at is not None]
    by_source = Counter(h.released_via for h in hs if h.released_via)
    return {
        "offers": {
            "reoffered": sum(1 for h in hs if h.reoffers),
            "reoffers": sum(h.reoffers for h in hs),
            "claimed": len(claimed),
            "claimed_after_reoffer": sum(1 for h in claimed if h.reoffers),
        },
        "hand_backs": {"total": sum(by_source.values()), "by_source": dict(sorted(by_source.items()))},
        "rehandoffs": {"within_window": sum(1 for h in hs if h.rehandoff),
                       "same_agent": sum(1 for h in hs if h.rehandoff == "same_agent")},
    }
