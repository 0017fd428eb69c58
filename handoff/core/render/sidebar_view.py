"""The briefing as the Zendesk sidebar app shows it: a stored handoff → the JSON the app renders.

The app is a thin view (apps/zendesk-sidebar/): every choice of what to show, in which order and under which
label key is made here, so it is tested in Python and the app only lays it out. Masked as the Zendesk note
is (`for_ticket`: card numbers, credentials, IBANs and SSNs), since it is shown in the same ticket; e-mail
addresses and phone numbers stay for the agent to call or write back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.core.brief.models import KNOWN_SOURCES
from handoff.core.handoff_status import WAITING, HandoffStatus, can_move
from handoff.core.masking import TICKET_KINDS, mask_json
from handoff.core.similar.models import took

# The sentiment indicator: a colour and, never colour alone, a word and a symbol (the app translates the word).
SENTIMENT = {
    "green": {"label": "calm", "symbol": "✓"},
    "yellow": {"label": "uneasy", "symbol": "!"},
    "red": {"label": "upset", "symbol": "✕"},
}
SOURCE_NAMES = {"stripe": "Stripe", "hubspot": "HubSpot", "zendesk": "Zendesk"}


@dataclass(frozen=True)
class SidebarHandoff:
    """What the sidebar reads of one stored handoff (handoff.app.sidebar fills it in)."""

    handoff_id: str
    status: str
    ticket_id: int | None
    created_at: datetime
    facts_as_of: datetime  # when the account facts were fetched: at the handoff, or at its latest refresh
    claimed_by: str | None
    claimed_by_name: str | None
    team: str | None
    briefing: Mapping[str, Any]


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(index: Any) -> int | None:
    """A message index as people count it (from 1), or None for a reason not tied to a message."""
    return index + 1 if isinstance(index, int) and index >= 0 else None


def _reasons(b: Mapping[str, Any]) -> list[dict[str, Any]]:
    out, quoted = [], set()
    for r in _list(b.get("reasons")):
        r = _map(r)
        trigger = str(r.get("trigger") or "")
        key = (r.get("message_index"), r.get("evidence"))
        again = key in quoted  # two triggers on one message quote it once, as the note does
        quoted.add(key)
        out.append({"trigger": trigger, "label": trigger.replace("_", " "),
                    "message_number": _number(r.get("message_index")),
                    "evidence": None if again else (r.get("evidence") or None), "detail": r.get("detail") or None})
    return out


def _sources(b: Mapping[str, Any]) -> list[dict[str, Any]]:
    account = _map(b.get("account"))
    facts: dict[str, list[dict[str, str]]] = {}
    for f in _list(b.get("account_facts")):
        f = _map(f)
        facts.setdefault(str(f.get("source")), []).append({"label": str(f.get("label")), "value": str(f.get("value"))})
    out = []
    for name in KNOWN_SOURCES:
        result = _map(account.get(name))
        status = str(result.get("status") or "not_configured")
        ok = status == "ok"
        # an unusable source has one "Status" fact saying why (handoff.core.brief.facts): shown as the reason
        rows = facts.get(name, []) if ok else []
        reason = None if ok else _why(next((r["value"] for r in facts.get(name, []) if r["label"] == "Status"), None)
                                      or result.get("reason") or status.replace("_", " "))
        out.append({"source": name, "name": SOURCE_NAMES[name], "status": status, "available": ok,
                    "facts": rows, "reason": reason})
    return out


def _why(reason: str) -> str:
    """Why a source is unusable, without the "unavailable: " the app already shows as the source's badge."""
    head, sep, rest = reason.partition(": ")
    return rest if sep and head == "unavailable" and rest else reason


def _open_tickets(b: Mapping[str, Any]) -> dict[str, Any]:
    zendesk = _map(_map(b.get("account")).get("zendesk"))
    tickets = [{"id": t.get("id"), "subject": t.get("subject"), "status": t.get("status"),
                "created_at": t.get("created_at")} for t in map(_map, _list(b.get("open_tickets")))]
    return {"known": zendesk.get("status") == "ok" or bool(tickets), "items": tickets}


def _attempts(b: Mapping[str, Any]) -> dict[str, Any]:
    attempts = []
    for a in map(_map, _list(b.get("ai_attempts"))):
        attempts.append({"message_number": _number(a.get("message_index")), "text": a.get("text") or "",
                         "confidence": a.get("confidence"),
                         "kb_articles": [{"id": k.get("id"), "title": k.get("title"), "url": k.get("url")}
                                         for k in map(_map, _list(a.get("kb_articles")))],
                         "actions": [str(x) for x in _list(a.get("actions"))]})
    confidence = _map(b.get("ai_confidence"))
    return {"attempts": attempts, "total": max(int(b.get("ai_attempts_total") or 0), len(attempts)),
            "confidence": {k: confidence.get(k) for k in ("last", "min", "avg")}}


def _similar(b: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"ref": c.get("ref"), "source": c.get("source"), "title": c.get("title") or "",
             "resolution": c.get("resolution") or "", "resolved_in": took(c.get("resolved_in_seconds")),
             "tags": [str(t) for t in _list(c.get("tags"))]}
            for c in map(_map, _list(b.get("similar")))]


def _transcript(b: Mapping[str, Any]) -> dict[str, Any]:
    messages = [{"number": _number(m.get("index")), "role": m.get("role"), "text": m.get("text") or "",
                 "sent_at": m.get("sent_at")} for m in map(_map, _list(b.get("transcript")))]
    return {"messages": messages, "total": max(int(b.get("transcript_total") or 0), len(messages))}


def sidebar_view(h: SidebarHandoff) -> dict[str, Any]:
    """The JSON the sidebar app renders for one handoff, masked for the ticket."""
    b = h.briefing
    sentiment = _map(b.get("sentiment"))
    level = str(sentiment.get("trajectory") or "yellow")
    if level not in SENTIMENT:
        level = "yellow"  # an unknown trajectory is shown as worth a look, never as calm
    customer = _map(b.get("customer"))
    account = _map(b.get("account"))
    page = {"url": b.get("page_url"), "label": b.get("page")} if b.get("page_url") else None
    view = {
        "handoff_id": h.handoff_id,
        "ticket_id": h.ticket_id,
        "status": h.status,
        # what the buttons may do: claim while it waits for someone; hand back until it is released
        "can_claim": h.status in {w.value for w in WAITING},
        "can_hand_back": can_move(h.status, HandoffStatus.RELEASED),
        "team": h.team,
        "claimed_by": {"id": h.claimed_by, "name": h.claimed_by_name or h.claimed_by} if h.claimed_by else None,
        "created_at": h.created_at.isoformat(),
        "customer": {"name": customer.get("name"), "email": customer.get("email"),
                     "language": customer.get("language") or b.get("language")},
        "tier": account.get("tier"),
        "churn_risk": bool(account.get("churn_risk")),
        "priority": b.get("priority"),
        "category": b.get("category"),
        "sentiment": {"level": level, **SENTIMENT[level], "score": sentiment.get("now"),
                      "history": [x for x in _list(sentiment.get("history")) if isinstance(x, (int, float))][-6:]},
        "summary": b.get("summary") or "",
        "page": page,
        "reasons": _reasons(b),
        "account": {"as_of": h.facts_as_of.isoformat(), "sources": _sources(b), "open_tickets": _open_tickets(b),
                    "signals": _signals(b)},
        "ai": _attempts(b),
        "similar": _similar(b),
        "recommended_action": b.get("recommended_action") or "",
        "greeting": b.get("greeting") or "",
        "suggested_replies": [str(r) for r in _list(b.get("suggested_replies"))],
        "transcript": _transcript(b),
    }
    masked: dict[str, Any] = mask_json(view, TICKET_KINDS, skip_keys=frozenset({"created_at", "as_of", "sent_at"}))
    return masked


def _signals(b: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"label": str(f.get("label")), "value": str(f.get("value"))}
            for f in map(_map, _list(b.get("account_facts")))
            if f.get("source") == "signals" and f.get("label") != "Tier"]  # the tier is in the top bar


def no_handoff_view(ticket_id: int, external_id: str | None) -> dict[str, Any]:
    """The answer for a ticket no handoff belongs to: the app says so plainly."""
    return {"ticket_id": ticket_id, "external_id": external_id, "handoff": None}

