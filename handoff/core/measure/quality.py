"""Handoff quality score: context, routing, smoothness and speed of one handoff, 0..100 with reasons.

The four parts, each 0..1, weighted by `[quality.weights]`:
- context: share of enrichment sources that answered ("ok"), blended with the share of briefing
  fields present. A "not_configured" source is a deployment choice, not a failure, so it is left
  out of the share (a deployment without HubSpot is not penalised on every handoff). A side with
  nothing to judge is left out of the blend; with nothing at all the part is a neutral 0.5.
- routing: 1.0 when the handoff was never reassigned, 0.5 once, 0 twice or more.
- smoothness: each customer message after the handoff that repeats one from before it (what the
  briefing already held) costs `repeat_penalty`. Texts with fewer than `smoothness_min_words`
  content words ("ok", "thanks", "hello?", "is anyone there") are ignored on both sides.
- speed: solved handoffs are judged on resolution time (handoff to solved) against the priority's
  target: 1.0 within it, falling linearly to 0 at `zero_at_multiple` x target. Unsolved ones are
  judged on what is known: the first human response against the first-response target, and,
  when `now` is given, the time already waited (for a response, or beyond the resolution target);
  the worst of those counts. When nothing is known yet the part is a neutral 0.5.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.records import HandoffRecord

PARTS = ("context", "routing", "smoothness", "speed")

_SOURCE_LABELS = {"stripe": "Stripe", "hubspot": "HubSpot", "zendesk": "Zendesk"}
_WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no issue content: a message made only of these is not a "repeat" worth counting.
_FILLER = frozenset(
    """a an the and or but so to of in on at for with from by as is are was were be been am do does did
    i me my mine you your we our us it its this that these those there here what who how when why which
    hi hello hey ok okay yes yeah no nope thanks thank please pls sorry still again just already anyone
    someone somebody anybody need want help can could would will should have has had get got not
    im i'm dont don't any all some one told said say""".split()
)
_QUOTE_CHARS = 60


@dataclass(frozen=True)
class QualityScore:
    """One handoff's score: total 0..100, the four parts 0..1 and short reasons for what cost points."""

    total: float
    parts: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def score_handoff(h: HandoffRecord, settings: QualitySettings, *, now: datetime | None = None) -> QualityScore:
    """Score one handoff; `now` (optional) lets unsolved handoffs be judged on the time already waited."""
    notes: list[str] = []
    parts = {
        "context": _context(h, settings, notes),
        "routing": _routing(h, notes),
        "smoothness": _smoothness(h, settings, notes),
        "speed": _speed(h, settings, now, notes),
    }
    w = settings.weights
    total = 100.0 * sum(getattr(w, name) * value for name, value in parts.items())
    return QualityScore(
        total=round(min(100.0, max(0.0, total)), 1),
        parts={k: round(v, 3) for k, v in parts.items()},
        notes=tuple(notes),
    )


# Notes are read by people: briefing fields in words.
_FIELD_WORDS = {"ai_attempts": "what the AI tried", "account": "account facts", "recommended_action": "a recommended action",
                "page_url": "the page", "summary": "a summary", "category": "a category", "sentiment": "the sentiment",
                "greeting": "a greeting", "transcript": "the transcript"}


def _context(h: HandoffRecord, settings: QualitySettings, notes: list[str]) -> float:
    judged = {name: status for name, status in h.sources.items() if status != "not_configured"}
    for name, status in sorted(judged.items()):
        if status != "ok":
            notes.append(f"{_SOURCE_LABELS.get(name, name)} {status}")
    src = sum(1 for s in judged.values() if s == "ok") / len(judged) if judged else None
    missing = sorted(name for name, present in h.briefing_fields.items() if not present)
    if missing:
        notes.append("briefing lacks " + ", ".join(_FIELD_WORDS.get(name, name.replace("_", " ")) for name in missing))
    fields = (len(h.briefing_fields) - len(missing)) / len(h.briefing_fields) if h.briefing_fields else None
    if src is None and fields is None:
        notes.append("no context recorded")
        return 0.5
    if src is None:
        return fields  # type: ignore[return-value]
    if fields is None:
        return src
    ws = settings.context_sources_weight
    return ws * src + (1 - ws) * fields


def _routing(h: HandoffRecord, notes: list[str]) -> float:
    if h.reassigned <= 0:
        return 1.0
    notes.append({1: "reassigned once", 2: "reassigned twice"}.get(h.reassigned, f"reassigned {h.reassigned} times"))
    return 0.5 if h.reassigned == 1 else 0.0


def content_words(text: str) -> list[str]:
    """The words of a customer message that carry content (fillers like "ok", "hello", "thanks" dropped)."""
    return [w for w in _WORD.findall(text.lower()) if w not in _FILLER]


def _smoothness(h: HandoffRecord, settings: QualitySettings, notes: list[str]) -> float:
    min_words = settings.smoothness_min_words
    before = [" ".join(ws) for ws in map(content_words, h.pre_handoff_customer_texts) if len(ws) >= min_words]
    if not before:
        return 1.0
    repeats = 0
    for text in h.post_handoff_customer_texts:
        words = content_words(text)
        if len(words) < min_words:
            continue
        probe = " ".join(words)
        best = max(max(fuzz.token_set_ratio(probe, b), fuzz.partial_ratio(probe, b)) for b in before)
        if best >= settings.smoothness_threshold:
            repeats += 1
            notes.append(f"customer repeated: '{_quote(text)}'")
    return max(0.0, 1.0 - repeats * settings.repeat_penalty)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1].rstrip() + "…"


def _decay(seconds: float, target: float, zero_at: float) -> float:
    """1.0 up to the target, then linear down to 0 at zero_at x target."""
    if seconds <= target:
        return 1.0
    return max(0.0, 1.0 - (seconds - target) / ((zero_at - 1.0) * target))


def _speed(h: HandoffRecord, settings: QualitySettings, now: datetime | None, notes: list[str]) -> float:
    res_target = settings.resolution_target_for(h.priority)
    fr_target = settings.first_response_target_for(h.priority)
    zero_at = settings.zero_at_multiple
    if h.solved_at is not None:
        took = max(0.0, (h.solved_at - h.created_at).total_seconds())
        score = _decay(took, res_target, zero_at)
        if score < 1.0:
            notes.append(f"resolved in {format_duration(took)} (target {format_duration(res_target)})")
        return score
    known: list[float] = []
    if h.first_response_at is not None:
        took = max(0.0, (h.first_response_at - h.created_at).total_seconds())
        known.append(_decay(took, fr_target, zero_at))
        if known[-1] < 1.0:
            notes.append(f"first response after {format_duration(took)} (target {format_duration(fr_target)})")
    if now is not None:
        waited = max(0.0, (now - h.created_at).total_seconds())
        if h.first_response_at is None and waited > fr_target:
            known.append(_decay(waited, fr_target, zero_at))
            notes.append(f"no human response yet after {format_duration(waited)} (target {format_duration(fr_target)})")
        if waited > res_target:
            known.append(_decay(waited, res_target, zero_at))
            notes.append(f"unresolved after {format_duration(waited)} (target {format_duration(res_target)})")
    if not known:
        return 0.5  # nothing measured yet: neither rewarded nor blamed
    return min(known)


def format_duration(seconds: float) -> str:
    """A short human duration: "45 min", "31 h", "1.5 h"."""
    if seconds < 3600:
        return f"{max(0, round(seconds / 60))} min"
    hours = round(seconds / 3600, 1)
    return f"{hours:g} h"
