"""GDPR erasure: remove a customer's personal data from the store (and the local outbox).

What is erased, for every conversation of the customer (by e-mail, or one conversation by id):
message texts and their metadata, the customer and page fields, the decision state (it holds
quoted evidence), handoff briefings, reasons' evidence, customer messages, stored webhook payloads
of the conversation's Zendesk ticket, handoff event data, the payloads of its deliveries (those not
yet sent are cancelled: sending them would copy the data out again) and the local outbox files.
What stays: ids, timestamps, categories, triggers, priorities, teams and statuses, so the metrics
keep counting the handoff without knowing who it was. Data already delivered to Zendesk and Slack
is not touched here: erase it there with their own tools (Zendesk: delete or redact the ticket and
user; Slack: delete the alert).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.tables import (
    ConversationRow,
    DeliveryRow,
    HandoffEventRow,
    HandoffRow,
    InboundEventRow,
    MessageRow,
)

ERASED = "[erased]"


@dataclass
class ErasureReport:
    """What was erased: counts only, never the data."""

    conversations: list[str] = field(default_factory=list)
    messages: int = 0
    handoffs: int = 0
    deliveries_cancelled: int = 0
    files_removed: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON form for the CLI."""
        return {"conversations": len(self.conversations), "conversation_ids": self.conversations,
                "messages": self.messages, "handoffs": self.handoffs,
                "deliveries_cancelled": self.deliveries_cancelled, "files_removed": self.files_removed}


def find_conversations(s: Session, *, email: str | None = None, conversation_id: str | None = None) -> list[str]:
    """Ids of the customer's conversations (e-mail compared case-insensitively)."""
    if conversation_id is not None:
        return [conversation_id] if s.get(ConversationRow, conversation_id) is not None else []
    if not email:
        return []
    wanted = email.strip().lower()
    # narrow with a text match on the JSON, then compare exactly: works the same on SQLite and PostgreSQL
    rows = s.execute(select(ConversationRow.id, ConversationRow.customer)
                     .where(cast(ConversationRow.customer, String).ilike(f"%{wanted.split('@')[0]}%"))).all()
    found = {cid for cid, customer in rows if str((customer or {}).get("email") or "").strip().lower() == wanted}
    found.update(s.scalars(select(HandoffRow.conversation_id).where(HandoffRow.customer_email.ilike(wanted))).all())
    return sorted(found)


def erase(sessions: sessionmaker[Session], clock: Callable[[], datetime], *, email: str | None = None,
          conversation_id: str | None = None, outbox: str | Path | None = None) -> ErasureReport:
    """Erase the customer's personal data in one transaction; returns what was erased."""
    if not email and not conversation_id:
        raise ValueError("give an e-mail address or a conversation id")
    now = clock()
    report = ErasureReport()
    with sessions() as s:
        ids = find_conversations(s, email=email, conversation_id=conversation_id)
        if not ids:
            return report
        report.conversations = ids
        report.messages = s.execute(update(MessageRow).where(MessageRow.conversation_id.in_(ids))
                                    .values(text=ERASED, extra={}, response={}, page_url=None)).rowcount
        tickets = [t for t in s.scalars(select(ConversationRow.zendesk_ticket_id)
                                        .where(ConversationRow.id.in_(ids))).all() if t is not None]
        s.execute(update(ConversationRow).where(ConversationRow.id.in_(ids))
                  .values(customer={}, page_url=None, state={}, updated_at=now))
        handoffs = s.scalars(select(HandoffRow).where(HandoffRow.conversation_id.in_(ids))).all()
        hids = [h.id for h in handoffs]
        for h in handoffs:
            h.briefing = {"erased": True, "summary": ERASED, "category": h.category}
            # reasons quote the customer in their evidence and detail: keep which trigger, on which message
            h.reasons = [{"trigger": r.get("trigger"), "message_index": r.get("message_index"), "evidence": ERASED}
                         for r in h.reasons or []]
            h.customer_message = ERASED
            h.customer_email = None
            h.route = {k: v for k, v in (h.route or {}).items() if k != "customer_message"}
            h.updated_at = now
        report.handoffs = len(handoffs)
        if hids:
            report.deliveries_cancelled = s.execute(
                update(DeliveryRow).where(DeliveryRow.handoff_id.in_(hids), DeliveryRow.status.in_(("pending", "sending")))
                .values(status="cancelled", last_error="customer data erased", lease_until=None, updated_at=now)).rowcount
            s.execute(update(DeliveryRow).where(DeliveryRow.handoff_id.in_(hids))
                      .values(payload={"erased": True}, updated_at=now))
            s.execute(update(HandoffEventRow).where(HandoffEventRow.handoff_id.in_(hids)).values(data={}))
        if tickets:
            # webhook events still waiting would re-read the ticket and store it again: close them
            s.execute(update(InboundEventRow).where(InboundEventRow.ticket_id.in_(tickets),
                                                    InboundEventRow.status.in_(("pending", "processing")))
                      .values(status="done", processed_at=now, last_error="customer data erased", lease_until=None))
            s.execute(update(InboundEventRow).where(InboundEventRow.ticket_id.in_(tickets))
                      .values(payload={"erased": True}))
        s.commit()
    if outbox is not None:
        report.files_removed = _remove_outbox_files(Path(outbox), hids)
    return report


def _remove_outbox_files(outbox: Path, handoff_ids: list[str]) -> int:
    removed = 0
    for hid in handoff_ids:
        for pattern in (f"zendesk/{hid}.*", f"slack/{hid}.*", f"updates/{hid}*"):
            for path in outbox.glob(pattern):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
