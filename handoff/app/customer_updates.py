"""Customer updates: stored once each (by key), told to the bot through the outbox, read back by the API.

An update is written in the transaction of what caused it (the waiting job's decision, the customer's choice,
an agent's claim), and so is its `bot_webhook` delivery: the bot hears of every update durably, retried with
the outbox's backoff, and a bot webhook that is down never holds anything up. The key (`dedupe_key`, unique)
makes an update once only even when several processes decide it at the same moment.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from handoff import metrics
from handoff.app.erasure import ERASED
from handoff.app.followups import enqueue
from handoff.core.delivery_payloads import BotUpdate
from handoff.core.handoff_status import bot_status, owner_of
from handoff.core.masking import for_ticket
from handoff.core.route import RoutingSettings
from handoff.core.route.hours import load_zone
from handoff.core.update_texts import UpdateText, intro_facts, language_of, warm_intro_text
from handoff.storage.tables import CustomerUpdateRow, HandoffRow

def customer_language(h: HandoffRow) -> str | None:
    """The customer's language as the handoff was routed with it (else as the briefing detected it)."""
    request = (h.route or {}).get("request") or {}
    return request.get("language") or (h.briefing or {}).get("language")


def customer_zone(h: HandoffRow, routing: RoutingSettings) -> ZoneInfo:
    """The zone a time is told in: the customer's when the bot gave it, else the handoff's team's."""
    tz = ((h.route or {}).get("request") or {}).get("customer_timezone")
    if tz:
        try:
            return load_zone(tz)
        except ValueError:
            pass  # a bad zone from the bot: the team's is still right
    team = routing.team_map.get(h.team)
    return routing.team_schedule(team).zone if team is not None else ZoneInfo("UTC")


def team_label(h: HandoffRow, routing: RoutingSettings, language: str) -> str:
    """The handoff's team as customers read it."""
    team = routing.team_map.get(h.team)
    return team.label_for(language) if team is not None else h.team


def add_update(s: Session, h: HandoffRow, update: UpdateText, key: str, now: datetime, *, bot_target: str,
               status: str | None = None) -> bool:
    """Store one update and queue it for the bot, in the caller's transaction; False when the key exists.

    `status`: the handoff's stored status once the caller's change is made (default: as `h` has it). The row is
    flushed at once, so a concurrent writer of the same key fails here (IntegrityError) and not at commit.
    """
    if s.scalar(select(CustomerUpdateRow.id).where(CustomerUpdateRow.dedupe_key == key)) is not None:
        return False
    data = dict(update.data)
    if update.choices:
        data["choices"] = [dict(c) for c in update.choices]
    s.add(CustomerUpdateRow(handoff_id=h.id, conversation_id=h.conversation_id, kind=update.kind.value, dedupe_key=key,
                            text=update.text, language=update.language, data=data, created_at=now))
    s.flush()
    metrics.CUSTOMER_UPDATES.labels(kind=update.kind.value).inc()
    stored = status or h.status
    enqueue(s, h.id, BotUpdate(
        # the bot's own id, masked like everything written out (an id holding a card number is masked; the
        # handoff id still names the conversation)
        conversation_id=for_ticket(h.conversation_id), handoff_id=h.id, owner=owner_of(stored).value,
        status=bot_status(stored, h.agent).value,
        update={"id": key, "kind": update.kind.value, "text": update.text, "language": update.language,
                "at": now.isoformat(), "choices": data.get("choices", []), "data": data},
    ), bot_target, f"{key}:bot", now)
    return True


def update_view(row: Any) -> dict[str, Any] | None:
    """An update as the API shows it (kind, text, at, choices); None for an erased one (no marker goes out)."""
    if row is None or row.text == ERASED:
        return None
    data = row.data or {}
    return {"kind": row.kind, "text": row.text, "language": row.language, "at": row.created_at.isoformat(),
            "choices": data.get("choices") or [], "callback_at": data.get("callback_at")}


def latest_update(conn: Connection | Session, conversation_id: str, handoff_id: str | None) -> dict[str, Any] | None:
    """The latest update of the conversation's current (or last released) handoff."""
    if handoff_id is None:
        return None
    row = conn.execute(select(CustomerUpdateRow.kind, CustomerUpdateRow.text, CustomerUpdateRow.language,
                              CustomerUpdateRow.data, CustomerUpdateRow.created_at)
                       .where(CustomerUpdateRow.conversation_id == conversation_id,
                              CustomerUpdateRow.handoff_id == handoff_id)
                       .order_by(CustomerUpdateRow.created_at.desc(), CustomerUpdateRow.id.desc()).limit(1)).first()
    return update_view(row)


def queue_warm_intro(s: Session, h: HandoffRow, agent_id: str, routing: RoutingSettings, now: datetime, *,
                     bot_target: str) -> bool:
    """On a claim: introduce the agent to the customer from the stored briefing (once per agent and handoff)."""
    language = language_of(customer_language(h))
    agent = next((a for a in routing.agents if a.id == agent_id), None)
    name = agent.public_name if agent is not None else agent_id
    text = warm_intro_text(language, agent_name=name, team=team_label(h, routing, language),
                           facts=intro_facts(h.briefing or {}))
    return add_update(s, h, text, f"{h.id}:warm_intro:{agent_id}", now, bot_target=bot_target, status="claimed")


def update_summary(s: Session, handoff_ids: list[str]) -> Mapping[str, dict[str, Any]]:
    """Per handoff: when it was last updated, how many waiting updates it had, its alternatives and choices."""
    out: dict[str, dict[str, Any]] = {}
    if not handoff_ids:
        return out
    rows = s.execute(select(CustomerUpdateRow.handoff_id, CustomerUpdateRow.kind, CustomerUpdateRow.data,
                            CustomerUpdateRow.created_at)
                     .where(CustomerUpdateRow.handoff_id.in_(handoff_ids))).all()
    for hid, kind, data, at in rows:
        entry = out.setdefault(hid, {"last": None, "waiting": 0, "alternatives": None, "chosen": set()})
        entry["last"] = at if entry["last"] is None or at > entry["last"] else entry["last"]
        if kind == "waiting":
            entry["waiting"] += 1
        elif kind == "alternatives":
            entry["alternatives"] = data or {}
        elif kind == "choice_confirmed" and (data or {}).get("choice"):
            entry["chosen"].add(data["choice"])
    return out
