"""Past cases from what the store and a Zendesk export hold: the customer's words, the reply that resolved it.

Every text is masked for a ticket (cards, credentials, IBANs, SSNs) before it is kept, and clipped: the
index, the stored rows and everything shown from them never hold a card number.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from handoff.core.brief.text import masked_clip, page_label
from handoff.core.formats.conversations import parse_time
from handoff.core.formats.zendesk_export import ticket_to_conversation
from handoff.core.masking import for_ticket
from handoff.core.models import Message
from handoff.core.similar.models import PastCase, SimilarQuery, SimilarSettings

TITLE_CHARS = 200
# the customer's last messages a new handoff's similar cases are looked up by
QUERY_MESSAGES = 6
# topics routing knows (handoff.core.decide): a Zendesk ticket tagged with one is on that topic
TOPICS = ("billing", "technical", "account_access", "cancellation", "sales", "general")
SOLVED = ("solved", "closed")


def customer_words(texts: Iterable[str], limit: int) -> str:
    """The customer's messages as one masked text of at most `limit` characters, the first ones first (the
    question is usually asked at the start)."""
    joined = "\n".join(t for t in texts if t and t.strip())
    return masked_clip(joined, limit, for_ticket)


def query_for(messages: Sequence[Message], *, topic: str | None, page_url: str | None) -> SimilarQuery | None:
    """What a new handoff is compared by: the customer's last messages, its topic and its page (the given URL,
    else the last one a message carried); None when the customer has said nothing."""
    said = [m.text for m in messages if m.role == "customer" and m.text]
    if not said:
        return None
    page = page_url or next((m.page_url for m in reversed(messages) if m.page_url), None)
    return SimilarQuery("\n".join(said[-QUERY_MESSAGES:]), topic=topic, page=page_label(page))


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, round((end - start).total_seconds(), 1))


def past_case_from_handoff(*, handoff_id: str, conversation_id: str | None, customer_texts: Iterable[str],
                           briefing: Mapping[str, Any], category: str | None, reply: str | None,
                           tags: Iterable[str], created_at: datetime | None, solved_at: datetime | None,
                           customer_email: str | None, settings: SimilarSettings) -> PastCase:
    """The case a solved handoff leaves: what the customer wrote, the agent's last public reply, its tags."""
    text = customer_words(customer_texts, settings.customer_chars)
    asked = str(briefing.get("intent") or "") or text
    page = briefing.get("page") or page_label(briefing.get("page_url"))
    return PastCase(
        source="handoff", ref=handoff_id, text=text, title=masked_clip(asked, TITLE_CHARS, for_ticket),
        topic=briefing.get("topic"), category=category, page=page if isinstance(page, str) else None,
        resolution=masked_clip(reply or "", settings.resolution_chars, for_ticket),
        tags=tuple(dict.fromkeys(str(t) for t in tags if t)), resolved_in_seconds=_seconds(created_at, solved_at),
        resolved_at=solved_at, conversation_id=conversation_id, customer_email=customer_email,
    )


def _solved_at(ticket: Mapping[str, Any], where: str, last_reply_at: datetime | None) -> datetime | None:
    metrics = ticket.get("metric_set")
    for value, name in ((metrics.get("solved_at") if isinstance(metrics, dict) else None, "metric_set.solved_at"),
                        (ticket.get("solved_at"), "solved_at")):
        if value:
            return parse_time(value, f"{where}{name}")
    # the Incremental Export has no solved time: the reply that resolved it is the nearest thing
    return last_reply_at or parse_time(ticket.get("updated_at"), f"{where}updated_at")


def past_case_from_ticket(ticket: Any, users: Mapping[int, dict[str, Any]], *, bot_user_ids: Collection[int] = (),
                          where: str = "", settings: SimilarSettings) -> PastCase | None:
    """The case a solved Zendesk ticket of an export leaves; None for a ticket not solved or with no customer
    words. ValueError (naming the field) for a malformed ticket."""
    conv = ticket_to_conversation(ticket, bot_user_ids, dict(users), where, stop_at_agent=False)
    assert conv is not None  # stop_at_agent=False never gives None
    status = ticket.get("status")
    if not isinstance(status, str) or status.lower() not in SOLVED:
        return None
    said = [m.text for m in conv.messages if m.role == "customer"]
    text = customer_words(said, settings.customer_chars)
    if not text:
        return None
    replies = [m for m in conv.messages if m.role == "agent"]
    last = replies[-1] if replies else None
    raw_tags = ticket.get("tags")
    if raw_tags is not None and not (isinstance(raw_tags, list) and all(isinstance(t, str) for t in raw_tags)):
        raise ValueError(f"{where}tags must be a list of strings")
    tags = tuple(dict.fromkeys(raw_tags or ()))
    subject = ticket.get("subject")
    asked = subject if isinstance(subject, str) and subject.strip() else text
    created = parse_time(ticket.get("created_at"), f"{where}created_at")
    solved = _solved_at(ticket, where, last.sent_at if last else None)
    requester = ticket.get("requester_id")
    email = (users.get(requester) or {}).get("email") if isinstance(requester, int) else None
    return PastCase(
        source="zendesk", ref=str(ticket["id"]), text=text, title=masked_clip(asked, TITLE_CHARS, for_ticket),
        topic=next((t for t in TOPICS if t in tags), None), category=None, page=None,
        resolution=masked_clip(last.text, settings.resolution_chars, for_ticket) if last else "",
        tags=tags, resolved_in_seconds=_seconds(created, solved), resolved_at=solved, conversation_id=conv.id,
        customer_email=email if isinstance(email, str) else None,
    )


__all__ = ["customer_words", "past_case_from_handoff", "past_case_from_ticket", "query_for"]
