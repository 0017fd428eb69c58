"""GDPR erasure: remove a customer's personal data from the store (and the local outbox).

Whose data. By e-mail, exactly and case-insensitively, never as a pattern ("_" and "%" are plain
characters): addresses are compared by their key (handoff.storage.keys.email_key: trimmed, NFC,
lower-cased in Python, so "JÖSÉ@x" is found on SQLite and PostgreSQL alike), and the keys are stored
and indexed beside the data, so finding a customer does not read every conversation. Found are the
conversations whose customer has that address, the conversations whose handoff was made for it (the
customer may have given another address since), and a conversation whose id is that address. By
conversation id: that one conversation, by its exact id.

What is erased, for those conversations:
- message texts, their metadata, their stored answers and page URLs;
- the conversation's customer fields, e-mail key, page and decision state (it quotes evidence); its
  version moves on, so a turn in flight that read the conversation before the erasure cannot write
  it back: it starts over on the erased conversation;
- the handoffs' briefings, reasons' evidence and detail, customer messages and e-mail keys;
- the deliveries' payloads; those not sent yet are cancelled, which is terminal (jobs/deliveries.py
  never sends or revives a cancelled row);
- the handoff events' data, and their actor where it is the customer's Zendesk user: the requester
  of the customer's tickets, the customer's external id, whoever rated the handoff;
- stored webhook events of every Zendesk ticket tied to the customer: the conversation's ticket, the
  handoff's ticket (tickets the API flow created) and any ticket a delivery reported; payloads
  erased, those still waiting closed (processing them would read the ticket and store it again);
- the texts and data of the updates told to the waiting customer (customer_updates: they quote the briefing);
- the handoffs' files in the local outbox;
- the past cases holding the customer's words (the similar-cases index): their solved handoffs', those of
  their conversations (an exported Zendesk ticket's too) and those under their e-mail address. Each
  process's index drops them at its next refresh (`[similar] refresh_seconds`).

Conversation ids that are e-mail addresses. The id is the bot's key for the conversation (it posts
turns to it), the conversations' primary key and the key its messages and handoff refer to; an id
with an "@" in it carries personal data in the key itself, and keeping it would keep the address in
four tables. Such an id is therefore replaced, in the same transaction, in conversations, messages,
handoffs and customer_updates (the only tables that hold conversation ids; the briefings and payloads that also held
it are erased) by "erased-" and random hex: random, not a hash, which anyone could recompute from
the address. The report maps old ids to new; a later turn on the old id starts a new conversation.
Other ids are kept: they are the caller's opaque keys and carry nothing about the customer.

What stays: ids, timestamps, categories, triggers, priorities, teams and statuses, so the metrics
keep counting the handoff without knowing who it was.

Everything in the store is erased in one transaction, or nothing is; outbox files go after it
commits. The dry run (`dry_run=True`) makes the same plan with the same queries and writes nothing,
so it lists exactly the conversations the real run erases.

Outside the store. Data already delivered to Zendesk and Slack is not touched here: the report lists
the Zendesk tickets and Slack messages it knows of, to erase there with their own tools. A delivery
being sent while the erasure runs (`in_flight`) cannot be called back: the dispatcher keeps the row
cancelled but records where it landed, and running the erasure again (by conversation id) then
lists that ticket or message too and removes any outbox file written late.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.delivery_kinds import DeliveryKind
from handoff.storage.db import changed_rows
from handoff.storage.keys import EMAIL_KEY_LENGTH, email_key
from handoff.storage.past_cases import erase_past_cases
from handoff.storage.tables import (
    ConversationRow,
    CustomerUpdateRow,
    DeliveryRow,
    HandoffEventRow,
    HandoffRow,
    InboundEventRow,
    MessageRow,
)

ERASED = "[erased]"
ERASED_PAYLOAD = {"erased": True}
ERASED_ID_PREFIX = "erased-"
# the API's rule for a customer e-mail: one "@", something on either side, no white space
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


@dataclass
class ErasureReport:
    """What was erased (or, in a dry run, would be): counts and references, never the data."""

    conversations: list[str] = field(default_factory=list)
    renamed: dict[str, str | None] = field(default_factory=dict)  # old id -> new id (None in a dry run)
    messages: int = 0
    handoffs: int = 0
    deliveries_cancelled: int = 0
    in_flight: list[str] = field(default_factory=list)  # sends under way: they may reach the vendor anyway
    handoff_events: int = 0
    customer_updates: int = 0
    webhook_events: int = 0
    zendesk_tickets: list[int] = field(default_factory=list)  # erase these in Zendesk
    slack_messages: list[str] = field(default_factory=list)  # "channel ts": delete these in Slack
    # Zendesk messaging conversations passed to the agents with the handoff's summary in the metadata
    messaging_conversations: list[str] = field(default_factory=list)
    files_removed: int = 0
    past_cases: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON form for the CLI."""
        return {"dry_run": self.dry_run, "conversations": len(self.conversations),
                "conversation_ids": self.conversations, "renamed": self.renamed, "messages": self.messages,
                "handoffs": self.handoffs, "deliveries_cancelled": self.deliveries_cancelled,
                "in_flight": self.in_flight, "handoff_events": self.handoff_events,
                "customer_updates": self.customer_updates,
                "webhook_events": self.webhook_events, "zendesk_tickets": self.zendesk_tickets,
                "slack_messages": self.slack_messages, "messaging_conversations": self.messaging_conversations,
                "files_removed": self.files_removed, "past_cases": self.past_cases}

    def as_text(self) -> str:
        """What the erasure did (or would do), for a person."""
        if not self.conversations and not self.past_cases:
            return "no conversation of this customer is stored: nothing to erase."
        if not self.conversations:
            done = "would be erased" if self.dry_run else "erased"
            return (f"no conversation of this customer is stored; {self.past_cases} past case(s) {done} (similar-cases "
                    "index)." + (" Run again with --yes to erase them." if self.dry_run else ""))
        ids = ", ".join(self.conversations)
        what = (f"{self.messages} message(s), {self.handoffs} handoff(s), {self.handoff_events} handoff event(s), "
                f"{self.webhook_events} webhook event(s), {self.past_cases} past case(s), "
                f"{self.files_removed} outbox file(s); "
                f"{self.deliveries_cancelled} unsent delivery(ies) {'to cancel' if self.dry_run else 'cancelled'}")
        if self.dry_run:
            lines = [f"{len(self.conversations)} conversation(s) would be erased: {ids}.", f"That is {what}."]
            if self.renamed:
                lines.append(f"Conversation ids that are e-mail addresses get new ids: {', '.join(self.renamed)}.")
        else:
            lines = [f"erased {len(self.conversations)} conversation(s): {ids}.", f"That is {what}."]
            lines += [f"conversation {old} is now {new}" for old, new in self.renamed.items()]
        if self.in_flight:
            lines.append(f"{len(self.in_flight)} send(s) in flight ({'; '.join(self.in_flight)}) cannot be called "
                         "back and may still reach Zendesk/Slack: erase there too, and run this again by --conversation "
                         "once they are done to list where they landed.")
        if self.zendesk_tickets:
            lines.append("Zendesk tickets holding the customer's data: " + ", ".join(map(str, self.zendesk_tickets)))
        if self.slack_messages:
            lines.append("Slack messages (channel ts): " + ", ".join(self.slack_messages))
        if self.messaging_conversations:
            lines.append("Zendesk messaging conversations passed with the handoff's summary: "
                         + ", ".join(self.messaging_conversations))
        lines.append("Run again with --yes to erase them." if self.dry_run
                     else "Erase the customer in Zendesk and Slack with their own tools.")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Plan:
    """What an erasure touches, read before anything is written."""

    conversations: list[str]
    handoffs: list[str]
    tickets: list[int]
    zendesk_users: frozenset[str]  # the customer's Zendesk user ids, as handoff_events.actor holds them
    webhooks_in_flight: list[str]  # events of those tickets being processed right now
    report: ErasureReport


def check_email(value: str | None) -> str:
    """The address to erase by, trimmed; ValueError saying what is wrong with it."""
    address = (value or "").strip()
    if not address:
        raise ValueError("the e-mail address is empty")
    if not _EMAIL.fullmatch(address) or not address.isprintable():
        raise ValueError(f"{address!r} is not an e-mail address: it needs one '@' with text on both sides "
                         "and no spaces (it is matched exactly, not as a pattern)")
    if email_key(address) is None:
        raise ValueError(f"the e-mail address is longer than {EMAIL_KEY_LENGTH} characters")
    return address


def find_conversations(s: Session, *, email: str | None = None, conversation_id: str | None = None) -> list[str]:
    """Ids of the customer's conversations: by e-mail (exactly, case-insensitively) or one by its id."""
    if conversation_id is not None:
        return [conversation_id] if s.get(ConversationRow, conversation_id) is not None else []
    key = email_key(check_email(email))
    found = set(s.scalars(select(ConversationRow.id).where(ConversationRow.customer_email == key)))
    found.update(s.scalars(select(HandoffRow.conversation_id).where(HandoffRow.customer_email == key)))
    # an id may itself be the address: only ids with an "@" can be, and they are compared by key in Python
    found.update(cid for cid in s.scalars(select(ConversationRow.id).where(ConversationRow.id.contains("@")))
                 if email_key(cid) == key)
    return sorted(found)


def erase(sessions: sessionmaker[Session], clock: Callable[[], datetime], *, email: str | None = None,
          conversation_id: str | None = None, outbox: str | Path | None = None,
          dry_run: bool = False) -> ErasureReport:
    """Erase the customer's personal data in one transaction (or, `dry_run`, only say what); returns the report."""
    if bool(email) == bool(conversation_id):
        raise ValueError("give an e-mail address or a conversation id (one of them)")
    if email:
        email = check_email(email)
    with sessions() as s:
        plan = _plan(s, email=email, conversation_id=conversation_id)
        report = plan.report
        report.dry_run = dry_run
        hids = plan.handoffs
        # past cases hold the customer's words too, also those indexed from an export (no conversation stored)
        convs = plan.conversations or ([conversation_id] if conversation_id else [])
        report.past_cases = erase_past_cases(s, handoff_ids=hids, conversation_ids=convs, email=email, dry_run=True)
        if dry_run or not (plan.conversations or report.past_cases):
            report.files_removed = len(_outbox_files(Path(outbox), hids)) if outbox is not None else 0
            return report
        if plan.conversations:
            _apply(s, plan, clock())
        report.past_cases = erase_past_cases(s, handoff_ids=hids, conversation_ids=convs, email=email)
        s.commit()
    if outbox is not None:
        report.files_removed = _remove(_outbox_files(Path(outbox), hids))
    return report


def _plan(s: Session, *, email: str | None, conversation_id: str | None) -> _Plan:
    ids = find_conversations(s, email=email, conversation_id=conversation_id)
    report = ErasureReport(conversations=ids)
    if not ids:
        return _Plan([], [], [], frozenset(), [], report)
    convs = s.execute(select(ConversationRow.customer, ConversationRow.zendesk_ticket_id)
                      .where(ConversationRow.id.in_(ids))).all()
    handoffs = s.execute(select(HandoffRow.id, HandoffRow.zendesk_ticket_id, HandoffRow.alert_channel,
                                HandoffRow.alert_ts).where(HandoffRow.conversation_id.in_(ids))).all()
    hids = [h.id for h in handoffs]
    deliveries = s.execute(select(DeliveryRow.handoff_id, DeliveryRow.kind, DeliveryRow.target, DeliveryRow.status,
                                  DeliveryRow.result).where(DeliveryRow.handoff_id.in_(hids))).all() if hids else []
    tickets = {c.zendesk_ticket_id for c in convs} | {h.zendesk_ticket_id for h in handoffs}
    tickets |= {(d.result or {}).get("ticket_id") for d in deliveries if d.kind.startswith("zendesk")}
    ticket_ids = sorted(t for t in tickets if isinstance(t, int) and not isinstance(t, bool))
    inbound = s.execute(select(InboundEventRow.id, InboundEventRow.ticket_id, InboundEventRow.status,
                               InboundEventRow.payload)
                        .where(InboundEventRow.ticket_id.in_(ticket_ids))).all() if ticket_ids else []
    users = {(c.customer or {}).get("external_id") for c in convs}
    users |= {((e.payload or {}).get("data") or {}).get("requester_id") for e in inbound}
    slack = {(h.alert_channel, h.alert_ts) for h in handoffs}
    slack |= {((d.result or {}).get("channel"), (d.result or {}).get("ts")) for d in deliveries
              if d.kind in (DeliveryKind.SLACK_ALERT, DeliveryKind.SLACK_MESSAGE, DeliveryKind.SLACK_REPLY) and d.target == "slack"}

    report.renamed = {cid: None for cid in ids if "@" in cid}
    report.messages = s.scalar(select(func.count()).select_from(MessageRow).where(MessageRow.conversation_id.in_(ids))) or 0
    report.handoffs = len(hids)
    report.deliveries_cancelled = sum(d.status in ("pending", "sending") for d in deliveries)
    webhooks_in_flight = [f"webhook event {e.id} of ticket {e.ticket_id}" for e in inbound if e.status == "processing"]
    report.in_flight = _in_flight((d.handoff_id, d.kind, d.target) for d in deliveries if d.status == "sending")
    report.in_flight += webhooks_in_flight
    if hids:
        report.handoff_events = s.scalar(select(func.count()).select_from(HandoffEventRow)
                                         .where(HandoffEventRow.handoff_id.in_(hids))) or 0
        report.customer_updates = s.scalar(select(func.count()).select_from(CustomerUpdateRow)
                                           .where(CustomerUpdateRow.handoff_id.in_(hids))) or 0
    report.webhook_events = len(inbound)
    report.zendesk_tickets = ticket_ids
    report.slack_messages = sorted(f"{c} {t}" for c, t in slack if c and t)
    report.messaging_conversations = sorted({str((d.result or {}).get("conversation_id")) for d in deliveries
                                             if d.kind == DeliveryKind.SUNSHINE_CONTROL and d.target == "sunshine"
                                             and (d.result or {}).get("conversation_id")})
    return _Plan(ids, hids, ticket_ids, frozenset(str(u) for u in users if u not in (None, "")), webhooks_in_flight,
                 report)


def _in_flight(rows: Iterable[tuple[str, str, str]]) -> list[str]:
    return sorted(f"{hid} {kind} to {target}" for hid, kind, target in rows)


def _apply(s: Session, plan: _Plan, now: datetime) -> None:
    """Write the erasure of `plan` in the session's transaction (the caller commits)."""
    ids, hids, report = plan.conversations, plan.handoffs, plan.report
    report.messages = changed_rows(s, update(MessageRow).where(MessageRow.conversation_id.in_(ids))
                                      .values(text=ERASED, extra={}, response={}, page_url=None))
    s.execute(update(ConversationRow).where(ConversationRow.id.in_(ids))
              .values(customer={}, customer_email=None, page_url=None, state={}, updated_at=now,
                      version=ConversationRow.version + 1))
    handoffs = s.scalars(select(HandoffRow).where(HandoffRow.conversation_id.in_(ids))).all()
    for h in handoffs:
        h.briefing = {"erased": True, "summary": ERASED, "category": h.category}
        # reasons quote the customer in their evidence and detail: keep which trigger, on which message
        h.reasons = [{"trigger": r.get("trigger"), "message_index": r.get("message_index"), "evidence": ERASED}
                     for r in h.reasons or []]
        h.customer_message = ERASED
        h.customer_email = None
        h.route = {k: v for k, v in (h.route or {}).items() if k != "customer_message"}
        h.updated_at = now
    s.flush()
    report.handoffs = len(handoffs)
    if hids:
        # a send under way keeps its lease owner, so the dispatcher can record where it landed (jobs/deliveries.py)
        sending = s.execute(update(DeliveryRow).where(DeliveryRow.handoff_id.in_(hids), DeliveryRow.status == "sending")
                            .values(status="cancelled", last_error="customer data erased while it was being sent",
                                    updated_at=now)
                            .returning(DeliveryRow.handoff_id, DeliveryRow.kind, DeliveryRow.target)).all()
        pending = changed_rows(s, update(DeliveryRow).where(DeliveryRow.handoff_id.in_(hids), DeliveryRow.status == "pending")
                                  .values(status="cancelled", last_error="customer data erased", lease_until=None,
                                          updated_at=now))
        report.deliveries_cancelled = len(sending) + pending
        report.in_flight = _in_flight(sending) + plan.webhooks_in_flight  # as they stood when cancelled
        s.execute(update(DeliveryRow).where(DeliveryRow.handoff_id.in_(hids))
                  .values(payload=ERASED_PAYLOAD, updated_at=now))
        report.handoff_events = changed_rows(s, update(HandoffEventRow).where(HandoffEventRow.handoff_id.in_(hids))
                                                .values(data={}))
        report.customer_updates = changed_rows(s, update(CustomerUpdateRow).where(CustomerUpdateRow.handoff_id.in_(hids))
                                                  .values(text=ERASED, data={}))
        customer_acted = HandoffEventRow.kind == "satisfaction_rated"  # only the requester rates a ticket
        if plan.zendesk_users:
            customer_acted = or_(customer_acted, HandoffEventRow.actor.in_(sorted(plan.zendesk_users)))
        s.execute(update(HandoffEventRow).where(HandoffEventRow.handoff_id.in_(hids), customer_acted)
                  .values(actor=None))
    if plan.tickets:
        s.execute(update(InboundEventRow).where(InboundEventRow.ticket_id.in_(plan.tickets),
                                                InboundEventRow.status.in_(("pending", "processing")))
                  .values(status="done", processed_at=now, last_error="customer data erased", lease_until=None))
        report.webhook_events = changed_rows(s, update(InboundEventRow).where(InboundEventRow.ticket_id.in_(plan.tickets))
                                                .values(payload=ERASED_PAYLOAD))
    report.renamed = {cid: _rename(s, cid) for cid in report.renamed}


def _rename(s: Session, old: str) -> str:
    """Give conversation `old` a new random id in every table that holds conversation ids."""
    new = ERASED_ID_PREFIX + secrets.token_hex(12)
    table = ConversationRow.__table__
    assert isinstance(table, Table)  # a declarative class's table; typed only as a FromClause
    row = s.execute(select(table).where(table.c.id == old)).mappings().one()
    # the new row first, then its messages and handoff, then the old row: every foreign key holds throughout
    s.execute(insert(table).values({**row, "id": new}))
    s.execute(update(MessageRow).where(MessageRow.conversation_id == old).values(conversation_id=new))
    s.execute(update(HandoffRow).where(HandoffRow.conversation_id == old).values(conversation_id=new))
    s.execute(update(CustomerUpdateRow).where(CustomerUpdateRow.conversation_id == old).values(conversation_id=new))
    s.execute(delete(ConversationRow).where(ConversationRow.id == old))
    return new


def _outbox_files(outbox: Path, handoff_ids: list[str]) -> list[Path]:
    files: list[Path] = []
    for hid in handoff_ids:
        for pattern in (f"zendesk/{hid}.*", f"slack/{hid}.*", f"updates/{hid}*"):
            files.extend(outbox.glob(pattern))
    return files


def _remove(files: list[Path]) -> int:
    for path in files:
        path.unlink(missing_ok=True)
    return len(files)
