"""The metadata a Zendesk messaging (Sunshine Conversations) Switchboard action carries, always within its limit.

Sunshine Conversations takes a flat object of strings, numbers and booleans, "limited to 4KB in size"; it
reaches the agent workspace with `passControl` (and the bot with `releaseControl`). The size is measured on
what the official client sends: `json.dumps` with its defaults, so every non-ASCII character counts as its
`\\uXXXX` escape (an upper bound of any other way of counting it). Texts are masked as for a ticket before
they are cut, so a cut never leaves half a card number readable.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from handoff.core.masking import for_ticket

METADATA_MAX_BYTES = 4096
ELLIPSIS = "…"

Scalar = str | int | float | bool

# the order texts give way in when the whole does not fit: the summary first, the handoff id last
PASS_SHRINK_ORDER = ("handoff_summary", "handoff_triggers", "handoff_category", "handoff_team", "handoff_priority",
                     "handoff_id")
RELEASE_SHRINK_ORDER = ("handoff_release_reason", "handoff_id")


def metadata_size(metadata: Mapping[str, Scalar]) -> int:
    """Bytes of the metadata object as the client serialises it."""
    return len(json.dumps(dict(metadata)).encode("utf-8"))


def pass_metadata(*, handoff_id: str, summary: str | None, category: str | None, priority: str | None,
                  team: str | None, triggers: Iterable[str] = (), limit: int = METADATA_MAX_BYTES) -> dict[str, Scalar]:
    """What the agent workspace learns of a handoff with `passControl`, within `limit` bytes."""
    values: dict[str, Scalar | None] = {
        "handoff_id": handoff_id,
        "handoff_summary": summary,
        "handoff_category": category,
        "handoff_priority": priority,
        "handoff_team": team,
        "handoff_triggers": ", ".join(dict.fromkeys(t for t in triggers if t)) or None,
    }
    return fit_metadata(values, PASS_SHRINK_ORDER, limit=limit)


def release_metadata(*, handoff_id: str, reason: str | None, limit: int = METADATA_MAX_BYTES) -> dict[str, Scalar]:
    """What the bot learns with `releaseControl`: which handoff ended, and why if a person said so."""
    return fit_metadata({"handoff_id": handoff_id, "handoff_release_reason": reason}, RELEASE_SHRINK_ORDER,
                        limit=limit)


def fit_metadata(values: Mapping[str, Scalar | None], shrink_order: Sequence[str], *,
                 limit: int = METADATA_MAX_BYTES) -> dict[str, Scalar]:
    """The values as flat metadata: empty ones left out, texts masked on one line, cut in `shrink_order` until
    the whole fits `limit` bytes (and, should even that not do, entries dropped from the last)."""
    out: dict[str, Scalar] = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = " ".join(for_ticket(value).split())
        if value is None or value == "":
            continue
        out[key] = value
    for key in (*shrink_order, *(k for k in out if k not in shrink_order)):
        if metadata_size(out) <= limit:
            return out
        value = out.get(key)
        if isinstance(value, str):
            out[key] = _longest_prefix_that_fits(out, key, value, limit)
            if not out[key]:
                del out[key]
    while out and metadata_size(out) > limit:
        out.popitem()
    return out


def _longest_prefix_that_fits(metadata: dict[str, Scalar], key: str, text: str, limit: int) -> str:
    """`text` cut (with an ellipsis) to the longest prefix with which `metadata` fits; "" when none does."""

    def candidate(n: int) -> str:
        cut = text[:n].rstrip()
        return f"{cut}{ELLIPSIS}" if cut else ""

    def fits(n: int) -> bool:
        return metadata_size({**metadata, key: candidate(n)}) <= limit

    low, high = 0, len(text) - 1  # text[:high] is the longest cut: the whole text did not fit
    if not fits(low):
        return ""
    while low < high:  # the size grows with n: find the last n that fits
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return candidate(low)
