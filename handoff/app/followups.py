"""What people do to handoffs after they are created: claim, release, solve, rate, set availability.

The Slack app and the Zendesk webhook translate their requests into these calls. Every change is a
conditional UPDATE (so two agents clicking Claim at once cannot both win), is recorded as a handoff
event (what the quality metrics read), and queues the Slack and Zendesk writes it implies as durable
deliveries in the same transaction.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.agents import Agent, AgentDirectory
from handoff.app.similar_cases import note_reply, record_resolution
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CardUpdate, Payload, TicketNote, kind_of, payload_json
from handoff.core.handoff_status import WAITING, HandoffStatus
from handoff.core.masking import for_slack, for_ticket, mask_email, mask_pii
from handoff.settings import Settings
from handoff.storage.db import changed_rows
from handoff.storage.tables import (
    AgentStatusRow,
    ConversationRow,
    DeliveryRow,
    HandoffEventRow,
    HandoffRow,
)

if TYPE_CHECKING:  # account_lookup builds on this module
    from handoff.app.account_lookup import AccountLookups, Refreshed
    from handoff.core.brief.models import AccountFact

log = structlog.get_logger("handoff.operations")

OPEN_STATES = tuple(s.value for s in WAITING)
# where a claim was made, as the ticket note says it
_CLAIMED_VIA = {"slack": "in Slack", "zendesk_app": "in the Zendesk app"}


def enqueue(s: Session, handoff_id: str, payload: Payload, target: str, key: str, now: datetime) -> None:
    """Record one write to make (in the caller's transaction), of the kind its payload's type stands for; a key
    already queued is a no-op.

    Callers hold the row change that implies the write (a conditional UPDATE), so two transactions
    never race on one key; the unique constraint is the backstop.
    """
    if s.scalar(select(DeliveryRow.id).where(DeliveryRow.dedupe_key == key)) is not None:
        return
    s.add(DeliveryRow(handoff_id=handoff_id, kind=kind_of(payload), target=target, dedupe_key=key,
                      payload=payload_json(payload),
                      status="pending", attempts=0, next_attempt_at=now, created_at=now, updated_at=now))


def record_event(s: Session, handoff_id: str, kind: str, now: datetime, actor: str | None = None,
                 data: dict[str, Any] | None = None) -> None:
    """Append a handoff event (claimed, solved, rated...)."""
    s.add(HandoffEventRow(handoff_id=handoff_id, kind=kind, actor=actor, data=data or {}, at=now))
    metrics.HANDOFF_EVENTS.labels(kind=kind).inc()


class Operations(AgentDirectory):
    """The state changes behind Slack buttons and commands and Zendesk events."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime], *,
                 targets: dict[str, str], wake: Callable[[], None] = lambda: None,
                 stats: Callable[[], dict[str, Any]] | None = None, accounts: AccountLookups | None = None) -> None:
        self.sessions = sessions
        self.accounts = accounts  # lookup and refresh; None: off
        self.settings = settings
        self.clock = clock
        self.targets = targets  # "zendesk" -> zendesk|local, "slack" -> slack|local
        self.wake = wake
        self._stats = stats
        AgentDirectory.__init__(self, settings.routing.agents)

    # ---- claims ------------------------------------------------------------------------------

    def _claim(self, handoff_id: str, agent: Agent, source: str) -> dict[str, Any]:
        now = self.clock()
        with self.sessions() as s:
            h = s.get(HandoffRow, handoff_id)
            if h is None:
                return {"ok": False, "handoff_id": handoff_id, "status": None, "claimed_by": None,
                        "message": f"There is no handoff {handoff_id}."}
            if h.claimed_by == agent.id:
                return {"ok": True, "handoff_id": handoff_id, "status": h.status, "claimed_by": agent.id,
                        "message": f"You already have {handoff_id}."}
            if h.status not in OPEN_STATES:
                who = self._name(h.claimed_by)
                return {"ok": False, "handoff_id": handoff_id, "status": h.status, "claimed_by": h.claimed_by,
                        "message": f"{handoff_id} is {h.status}" + (f" (by {who})." if who else ".")}
            changed = changed_rows(
                s,
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id, HandoffRow.status.in_(OPEN_STATES))
                .values(status=HandoffStatus.CLAIMED.value, claimed_by=agent.id, claimed_at=now, updated_at=now, agent=agent.id,
                        reassigned=HandoffRow.reassigned + (1 if h.agent and h.agent != agent.id else 0))
            )
            if changed != 1:
                s.rollback()
                h = s.get(HandoffRow, handoff_id, populate_existing=True)
                return {"ok": False, "handoff_id": handoff_id, "status": h.status if h else None,
                        "claimed_by": h.claimed_by if h else None,
                        "message": f"{handoff_id} was just claimed by {self._name(h.claimed_by) if h else 'someone'}."}
            record_event(s, handoff_id, "claimed", now, agent.id, {"source": source, "previous_agent": h.agent,
                                                                   "reoffers": h.reoffers})
            metrics.CLAIM_SECONDS.observe(max(0.0, (now - h.created_at).total_seconds()))
            if h.reoffers:
                metrics.CLAIMS_AFTER_REOFFER.inc()
            self._queue_state_change(s, h, "claimed", agent, now, via=source)
            s.commit()
        self.wake()
        log.info("claimed", handoff_id=handoff_id, agent=agent.id, source=source)
        return {"ok": True, "handoff_id": handoff_id, "status": "claimed", "claimed_by": agent.id,
                "message": f"{handoff_id} is yours, {agent.name}."}

    async def release(self, handoff_id: str, agent_id: str, *, source: str | None = None) -> dict[str, Any]:
        """An agent hands the conversation back to the AI (the Slack button, `/handoff release`, the Zendesk app)."""
        from handoff.app.handoff_reads import NotFoundError
        from handoff.app.release import (  # release builds on this module
            AlreadyReleased,
            HandBackSource,
            release_handoff,
        )

        try:
            await asyncio.to_thread(release_handoff, self.sessions, handoff_id, clock=self.clock, targets=self._by_kind(),
                                    reason=None, actor=agent_id, source=source or HandBackSource.SLACK)
        except NotFoundError:
            return {"ok": False, "handoff_id": handoff_id, "message": "no such handoff"}
        except AlreadyReleased as e:
            return {"ok": False, "handoff_id": handoff_id, "message": str(e)}
        return {"ok": True, "handoff_id": handoff_id, "message": ""}

    def _by_kind(self) -> dict[str, str]:
        """The sinks by delivery kind, as the release use case takes them."""
        return {DeliveryKind.SLACK_ALERT: self.targets["slack"], DeliveryKind.ZENDESK_TICKET: self.targets["zendesk"]}

    async def claim(self, handoff_id: str, agent_id: str, *, source: str = "slack") -> dict[str, Any]:
        """An agent takes a handoff; refused when someone else already has it."""
        agent = self.agent(agent_id)
        if agent is None:
            return {"ok": False, "handoff_id": handoff_id, "status": None, "claimed_by": None,
                    "message": f"{agent_id} is not an agent in settings.toml."}
        return await asyncio.to_thread(self._claim, handoff_id, agent, source)

    def _queue_state_change(self, s: Session, h: HandoffRow, state: str, agent: Agent | None, now: datetime,
                            via: str = "slack") -> None:
        name = agent.name if agent else None
        # posted as is in the alert's thread: rendered for Slack here
        note = {
            "claimed": f"Claimed by {for_slack(name)}.",
            "solved": "Solved.",
            "reassigned": f"Reassigned to {for_slack(name)}.",
        }.get(state, for_slack(state))
        enqueue(s, h.id, CardUpdate(state, name, note), self.targets["slack"],
                f"{h.id}:slack:{state}:{agent.id if agent else ''}", now)
        if state == "claimed" and agent is not None:
            enqueue(s, h.id, TicketNote(external_id=f"{h.id}:claimed:{agent.id}",
                                        note=for_ticket(f"Handoff claimed {_CLAIMED_VIA.get(via, 'in Slack')} by {agent.name}."),
                                        assignee_id=agent.zendesk_user_id, tags=("handoff_claimed",),
                                        priority=h.priority),
                    self.targets["zendesk"], f"{h.id}:zendesk:claimed:{agent.id}", now)
            from handoff.app.customer_updates import queue_warm_intro  # it builds on this module

            queue_warm_intro(s, h, agent.id, self.settings.routing, now, bot_target=self.targets.get("bot", "local"))

    # ---- availability ------------------------------------------------------------------------

    def _set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        now = self.clock()
        with self.sessions() as s:
            row = s.get(AgentStatusRow, agent_id)
            if row is None:
                s.add(AgentStatusRow(agent=agent_id, available=available, updated_at=now))
            else:
                row.available, row.updated_at = available, now
            active = s.scalar(select(func.count()).select_from(HandoffRow).where(
                HandoffRow.agent == agent_id, HandoffRow.status.in_(("open", "claimed")))) or 0
            s.commit()
        log.info("availability", agent=agent_id, available=available)
        return {"agent_id": agent_id, "available": available, "active": int(active)}

    async def set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        """An agent says they are available or away."""
        return await asyncio.to_thread(self._set_available, agent_id, available)

    # ---- reads -------------------------------------------------------------------------------

    def _name(self, agent_id: str | None) -> str | None:
        a = self.agent(agent_id) if agent_id else None
        return a.name if a else agent_id

    def _queue(self, team: str | None) -> dict[str, Any]:
        with self.sessions() as s:
            q = select(HandoffRow).where(HandoffRow.status.in_(("open", "claimed", "callback_scheduled")))
            if team:
                q = q.where(HandoffRow.team == team)
            rows = s.scalars(q.order_by(HandoffRow.created_at)).all()
            dead = s.execute(
                select(DeliveryRow.handoff_id, DeliveryRow.kind, DeliveryRow.last_error)
                .where(DeliveryRow.status == "dead").order_by(DeliveryRow.updated_at.desc()).limit(20)
            ).all()
        return {
            "open": [
                {"handoff_id": h.id, "team": h.team, "priority": h.priority, "category": h.category,
                 "status": h.status, "created_at": h.created_at.isoformat(), "agent": self._name(h.agent),
                 "claimed_by": self._name(h.claimed_by),
                 "callback_at": h.callback_at.isoformat() if h.callback_at else None,
                 "summary": mask_pii((h.briefing or {}).get("summary") or "")}
                for h in rows
            ],
            "dead_deliveries": [{"handoff_id": d[0], "kind": d[1], "last_error": mask_pii(d[2] or "")} for d in dead],
        }

    async def queue(self, team: str | None = None) -> dict[str, Any]:
        """Handoffs waiting or in progress, and deliveries that gave up."""
        return await asyncio.to_thread(self._queue, team)

    def _status(self, handoff_id: str) -> dict[str, Any] | None:
        with self.sessions() as s:
            h = s.get(HandoffRow, handoff_id)
            if h is None:
                return None
            deliveries = s.execute(select(DeliveryRow.kind, DeliveryRow.target, DeliveryRow.status,
                                          DeliveryRow.attempts, DeliveryRow.last_error)
                                   .where(DeliveryRow.handoff_id == handoff_id).order_by(DeliveryRow.id)).all()
            briefing = h.briefing or {}
            customer = briefing.get("customer") or {}
            summary = mask_pii(briefing.get("summary") or "")
            # read by anyone in the workspace (`/handoff status`): masked like everything for Slack
            return {
                "handoff_id": h.id, "status": h.status, "team": h.team, "agent": self._name(h.agent),
                "claimed_by": self._name(h.claimed_by), "priority": h.priority, "category": h.category,
                "created_at": h.created_at.isoformat(),
                "callback_at": h.callback_at.isoformat() if h.callback_at else None,
                "zendesk_ticket_id": h.zendesk_ticket_id,
                "reasons": [{**r, "evidence": mask_pii(r["evidence"])} if isinstance(r, dict) and r.get("evidence")
                            else r for r in h.reasons or []],
                "summary": summary,
                "briefing": {"summary": summary, "customer": {"name": mask_pii(customer.get("name") or ""),
                                                              "email": mask_email(customer.get("email"))}},
                "deliveries": [{"kind": k, "target": t, "status": st, "attempts": n,
                                "last_error": mask_pii(e) if e else None} for k, t, st, n, e in deliveries],
            }

    async def status(self, handoff_id: str) -> dict[str, Any] | None:
        """One handoff's state, without the transcript."""
        return await asyncio.to_thread(self._status, handoff_id)

    def _callbacks(self) -> list[dict[str, Any]]:
        with self.sessions() as s:
            rows = s.scalars(select(HandoffRow).where(HandoffRow.status == "callback_scheduled")
                             .order_by(HandoffRow.callback_at)).all()
        return [{"handoff_id": h.id, "team": h.team, "agent": self._name(h.agent),
                 "callback_at": h.callback_at.isoformat() if h.callback_at else None,
                 "customer": mask_pii(((h.briefing or {}).get("customer") or {}).get("name") or "")} for h in rows]

    async def callbacks(self) -> list[dict[str, Any]]:
        """Callbacks planned for the next openings."""
        return await asyncio.to_thread(self._callbacks)

    async def stats(self) -> dict[str, Any]:
        """The stats object (`handoff stats --json`)."""
        if self._stats is None:
            return {}
        return await asyncio.to_thread(self._stats)

    def _lookups(self) -> AccountLookups:
        if self.accounts is None:
            from handoff.app.account_lookup import LookupsOff  # it builds on this module

            raise LookupsOff("account lookups and refreshes are not set up in this process")
        return self.accounts

    async def lookup(self, email: str) -> tuple[AccountFact, ...]:
        """The account facts of a customer by e-mail (handoff.app.account_lookup); LookupsOff without it."""
        return await self._lookups().lookup(email)

    async def refresh(self, handoff_id: str, agent_id: str) -> Refreshed:
        """Fetch a handoff's account facts again and note them on its ticket (handoff.app.account_lookup)."""
        return await self._lookups().refresh(handoff_id, agent_id)

    # ---- feedback and Zendesk events --------------------------------------------------------

    def _mark_unnecessary(self, handoff_id: str, actor: str) -> dict[str, Any]:
        now = self.clock()
        with self.sessions() as s:
            changed = changed_rows(s, update(HandoffRow).where(HandoffRow.id == handoff_id, HandoffRow.unnecessary.is_(False))
                                  .values(unnecessary=True, updated_at=now))
            if changed != 1:
                exists = s.get(HandoffRow, handoff_id) is not None
                return {"ok": exists, "message": "Already noted, thanks." if exists else f"There is no handoff {handoff_id}."}
            record_event(s, handoff_id, "unnecessary", now, actor)
            s.commit()
        return {"ok": True, "message": "Noted: the AI could have handled this. It counts against its trigger's precision."}

    async def mark_unnecessary(self, handoff_id: str, slack_user_id: str) -> dict[str, Any]:
        """An agent says the AI could have handled this one."""
        agent = self.agent_for_slack_user(slack_user_id)
        return await asyncio.to_thread(self._mark_unnecessary, handoff_id, agent.id if agent else slack_user_id)

    def _solved(self, s: Session, h: HandoffRow, at: datetime, now: datetime, actor: str | None,
                data: dict[str, Any]) -> None:
        """The ticket is solved: the conversation goes back to the AI as a release does (one released before
        only gets its solved time, for the metrics), and the handoff becomes a past case (similar cases)."""
        from handoff.app.release import HandBackSource, hand_back_in  # release builds on this module

        metrics.RESOLUTION_SECONDS.observe(max(0.0, (at - h.created_at).total_seconds()))
        if hand_back_in(s, h, now, targets=self._by_kind(), source=HandBackSource.ZENDESK_SOLVED, actor=actor,
                        solved_at=at):
            record_resolution(s, h, data, at, now, self.settings.similar)  # released before: no agent's resolution
        else:
            s.execute(update(HandoffRow).where(HandoffRow.id == h.id, HandoffRow.solved_at.is_(None))
                      .values(solved_at=at, updated_at=now))

    def handoff_for_ticket(self, s: Session, ticket_id: int) -> HandoffRow | None:
        """The newest handoff whose ticket this is."""
        return s.scalars(select(HandoffRow).where(HandoffRow.zendesk_ticket_id == ticket_id)
                         .order_by(HandoffRow.created_at.desc()).limit(1)).first()

    def ticket_event(self, ticket_id: int, kind: str, data: dict[str, Any], at: datetime | None) -> str | None:
        """Record a Zendesk ticket event against its handoff (solved, assigned, rated, agent reply)."""
        now = self.clock()
        at = at or now
        with self.sessions() as s:
            h = self.handoff_for_ticket(s, ticket_id)
            if h is None:
                if kind == "satisfaction_rated" and data.get("score") in ("good", "bad"):
                    # a conversation the AI kept to the end: its rating is the AI-only CSAT
                    s.execute(update(ConversationRow).where(ConversationRow.zendesk_ticket_id == ticket_id)
                              .values(csat=data["score"], updated_at=now))
                    s.commit()
                return None
            if kind == "solved" and h.solved_at is not None:
                return h.id  # a redelivered or reprocessed "solved": recorded once already
            if kind == "solved":
                self._solved(s, h, at, now, str(data.get("actor_id") or "") or None, data)
            elif kind == "agent_assigned":
                agent = self.agent_for_zendesk_user(data.get("assignee_id"))
                if agent is not None and agent.id != (h.claimed_by or h.agent):
                    moved = bool(h.claimed_by or h.agent)
                    s.execute(update(HandoffRow).where(HandoffRow.id == h.id).values(
                        agent=agent.id, claimed_by=agent.id, claimed_at=h.claimed_at or at,
                        status="claimed" if h.status in OPEN_STATES else h.status,
                        reassigned=HandoffRow.reassigned + (1 if moved else 0), updated_at=now))
                    self._queue_state_change(s, h, "reassigned" if moved else "claimed", agent, now)
            elif kind == "satisfaction_rated":
                score = str(data.get("score") or "").lower()
                if score in ("good", "bad"):
                    s.execute(update(HandoffRow).where(HandoffRow.id == h.id).values(csat=score, updated_at=now))
            elif kind == "agent_replied":
                noted = note_reply(s, h.id, data, at)  # the latest reply: how the case was resolved
                if h.first_response_at is not None:
                    if noted:
                        s.commit()
                    return h.id  # only the first reply counts
                s.execute(update(HandoffRow).where(and_(HandoffRow.id == h.id, HandoffRow.first_response_at.is_(None)))
                          .values(first_response_at=at, updated_at=now))
                metrics.FIRST_RESPONSE_SECONDS.observe(max(0.0, (at - h.created_at).total_seconds()))
            record_event(s, h.id, kind, at, str(data.get("actor_id") or "") or None, data)
            s.commit()
            hid = h.id
        self.wake()
        return hid
