"""What the Zendesk sidebar app asks of the service: the handoff of a ticket, claim it, hand it back.

The claim and the hand-back are the very calls the Slack buttons make (handoff.app.followups.Operations), so a
claim from Zendesk is raced, recorded and announced (Slack thread, ticket note, warm introduction) the same
way. Who is asking is the Zendesk user's e-mail address, matched to an agent of settings.toml.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handoff.app.account_lookup import REFRESHED
from handoff.app.agents import Agent
from handoff.app.followups import Operations
from handoff.app.release import HandBackSource
from handoff.core.render.sidebar_view import SidebarHandoff, no_handoff_view, sidebar_view
from handoff.storage.tables import HandoffEventRow, HandoffRow

HANDOFF_ID = re.compile(r"^h_[0-9a-f]{1,40}$")  # the ticket's external id, as the Zendesk connector sets it


class UnknownAgent(LookupError):
    """The Zendesk user is not an agent in settings.toml: they may read, not claim or hand back."""


class NoSuchHandoff(LookupError):
    """No handoff has this id."""


@dataclass(frozen=True)
class ActionResult:
    """What a claim or hand-back did: whether it went through, the message for the agent, the handoff now."""

    ok: bool
    message: str
    handoff: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ok": self.ok, "message": self.message, "handoff": self.handoff}


class Sidebar:
    """The sidebar's reads and actions, over the same Operations the Slack app uses."""

    def __init__(self, ops: Operations) -> None:
        self.ops = ops
        self.sessions = ops.sessions

    def _snapshot(self, s: Session, h: HandoffRow) -> SidebarHandoff:
        refreshed = s.scalar(select(func.max(HandoffEventRow.at)).where(
            HandoffEventRow.handoff_id == h.id, HandoffEventRow.kind == REFRESHED))
        holder = self.ops.agent(h.claimed_by) if h.claimed_by else None
        return SidebarHandoff(handoff_id=h.id, status=h.status, ticket_id=h.zendesk_ticket_id,
                              created_at=h.created_at, facts_as_of=refreshed or h.created_at,
                              claimed_by=h.claimed_by, claimed_by_name=holder.name if holder else None,
                              team=h.team, briefing=h.briefing or {})

    def _for_ticket(self, ticket_id: int, external_id: str | None) -> dict[str, Any]:
        with self.sessions() as s:
            h = s.scalars(select(HandoffRow).where(HandoffRow.zendesk_ticket_id == ticket_id)
                          .order_by(HandoffRow.created_at.desc()).limit(1)).first()
            if h is None and external_id and HANDOFF_ID.match(external_id):
                found = s.get(HandoffRow, external_id)
                # by its external id only while the handoff names no other ticket
                if found is not None and found.zendesk_ticket_id in (None, ticket_id):
                    h = found
            if h is None:
                return no_handoff_view(ticket_id, external_id)
            return {"ticket_id": ticket_id, "external_id": external_id, "handoff": sidebar_view(self._snapshot(s, h))}

    async def for_ticket(self, ticket_id: int, external_id: str | None = None) -> dict[str, Any]:
        """The handoff of a ticket (by the ticket id, else the ticket's external id) as the app shows it."""
        return await asyncio.to_thread(self._for_ticket, ticket_id, external_id)

    def _view(self, handoff_id: str) -> dict[str, Any]:
        with self.sessions() as s:
            h = s.get(HandoffRow, handoff_id)
            if h is None:
                raise NoSuchHandoff(f"no handoff {handoff_id}")
            return sidebar_view(self._snapshot(s, h))

    def agent(self, email: str | None) -> Agent:
        """The agent behind a Zendesk user's e-mail; UnknownAgent when settings.toml has none with it."""
        agent = self.ops.agent_for_email(email)
        if agent is None:
            raise UnknownAgent(f"{email or 'this Zendesk user'} is not an agent in settings.toml "
                               "([[routing.agents]] email): ask an admin to add you")
        return agent

    async def claim(self, handoff_id: str, email: str | None) -> ActionResult:
        """Claim the handoff for the agent with this e-mail (the Slack button's claim)."""
        agent = self.agent(email)
        await asyncio.to_thread(self._view, handoff_id)  # NoSuchHandoff before anything is tried
        done = await self.ops.claim(handoff_id, agent.id, source="zendesk_app")
        return ActionResult(bool(done["ok"]), str(done["message"]), await asyncio.to_thread(self._view, handoff_id))

    async def hand_back(self, handoff_id: str, email: str | None) -> ActionResult:
        """Hand the conversation back to the AI for the agent with this e-mail (the Slack button's release)."""
        agent = self.agent(email)
        await asyncio.to_thread(self._view, handoff_id)
        done = await self.ops.release(handoff_id, agent.id, source=HandBackSource.ZENDESK_APP)
        message = str(done["message"]) or "Handed back to the AI."
        return ActionResult(bool(done["ok"]), message, await asyncio.to_thread(self._view, handoff_id))
