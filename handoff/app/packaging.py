"""From a decision and the account facts to everything a handoff carries: briefing, route, deliveries.

Pure: the caller fetches the account facts and the roster, and passes the clock reading in. CPU-bound for a
big conversation (briefing, masking, rendering), so the service runs it off the event loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from handoff.core.brief import Briefing, build_briefing
from handoff.core.delivery_payloads import AlertRequest, TicketRequest
from handoff.core.handoff_status import HandoffStatus, Owner, bot_status
from handoff.core.masking import for_ticket
from handoff.core.models import AccountContext, Customer, Decision, Message, Route
from handoff.core.render.slack_card import render_slack_card
from handoff.core.render.zendesk_note import render_zendesk_note
from handoff.core.route import Roster, RouteRequest, route
from handoff.core.route.reoffer import PriorHandoff, back_to_agent, within_rehandoff_window
from handoff.core.similar import SimilarCase
from handoff.core.route.router import final_priority
from handoff.settings import Settings


@dataclass(frozen=True)
class Package:
    """A handoff ready to store: briefing, route, priority and the payloads of its deliveries."""

    briefing: Briefing
    route: Route
    priority: str
    request: RouteRequest  # what routing was asked: stored so a callback re-routes the same case
    ticket: TicketRequest
    alert: AlertRequest
    continues: PriorHandoff | None = None  # handed back within the re-handoff window: its ticket and agent again

    def response(self, handoff_id: str) -> dict[str, Any]:
        """The API's answer for this handoff."""
        b = self.briefing
        return handoff_response(handoff_id, {"reasons": [r.as_dict() for r in b.reasons], "category": b.category},
                                self.route, self.priority)


def handoff_response(handoff_id: str, briefing: dict[str, Any], r: Route, priority: str) -> dict[str, Any]:
    """The `/v1` response body of a handoff decision."""
    return {
        "decision": "handoff",
        "handoff_id": handoff_id,
        "reasons": briefing.get("reasons", []),
        "category": briefing.get("category"),
        "team": r.team,
        "agent": r.agent_name or r.agent,
        "priority": priority,
        "customer_message": r.customer_message,
        "expected_wait_seconds": r.expected_wait_seconds,
        "queue_position": r.queue_position,
        "callback_at": r.callback_at.isoformat() if r.callback_at else None,
        "owner": Owner.HUMAN.value,
        "status": bot_status(initial_status(r), r.agent).value,
    }


def initial_status(r: Route) -> HandoffStatus:
    """The status a new handoff is stored with: open while its team is on shift, else a callback."""
    return HandoffStatus.OPEN if r.on_shift else HandoffStatus.CALLBACK_SCHEDULED


def package_handoff(
    *,
    handoff_id: str,
    conversation_id: str,
    messages: tuple[Message, ...],
    decision: Decision,
    account: AccountContext,
    customer: Customer,
    page_url: str | None,
    roster: Roster,
    now: datetime,
    settings: Settings,
    summary: str | None = None,
    prior: PriorHandoff | None = None,
    similar: tuple[SimilarCase, ...] = (),
    replies: tuple[str, ...] | None = None,
) -> Package:
    """Build the briefing, route it, and shape the Zendesk ticket and the Slack alert.

    `prior`: the conversation's last handoff; handed back within `[routing] rehandoff_window_minutes`, this
    one continues it (its ticket, and its agent while they are available and on shift). `similar`: the earlier
    cases like this one (looked up with the account facts). `replies`: suggested replies drafted by the LLM
    (else the rules' ones).
    """
    req = route_request(decision, account, customer)
    continues = prior if within_rehandoff_window(prior, now, settings.routing.rehandoff_window_minutes) else None
    again = (back_to_agent(req, roster, now, settings.routing, continues.agent, continues.team)
             if continues is not None and continues.agent else None)
    r = again or route(req, roster, now, settings.routing)
    priority = r.priority or final_priority(req, settings.routing)
    briefing = build_briefing(
        conversation_id=conversation_id,
        messages=messages,
        decision=decision,
        account=account,
        route=r,
        customer=customer,
        page_url=page_url,
        settings=settings.briefing,
        summary_override=summary,
        priority=priority,
        similar=similar,
        replies_override=replies,
    )
    tags = [*settings.zendesk.tags]
    if decision.category:
        tags.append(f"handoff_{decision.category}")
    tags.extend(f"trigger_{t}" for t in dict.fromkeys(x.trigger for x in decision.reasons))
    subject = _subject(briefing, customer)
    url = transcript_url(settings.service.public_url, handoff_id)
    ticket = TicketRequest(
        external_id=handoff_id,
        subject=subject,
        note=render_zendesk_note(briefing, handoff_id=handoff_id, transcript_url=url),
        tags=tuple(tags),
        priority=priority,
        group_id=r.zendesk_group_id,
        assignee_id=r.zendesk_assignee_id,
        requester_email=customer.email,
        requester_name=for_ticket(customer.name) if customer.name else None,
    )
    text, blocks = render_slack_card(briefing, handoff_id=handoff_id, ticket_url=None, route=r, transcript_url=url)
    alert = AlertRequest(handoff_id=handoff_id, channel=r.slack_channel or settings.slack.default_channel, text=text,
                         blocks=blocks, dm_user_id=r.slack_user_id)
    return Package(briefing=briefing, route=r, priority=priority, request=req, ticket=ticket, alert=alert,
                   continues=continues)


def route_request(decision: Decision, account: AccountContext, customer: Customer) -> RouteRequest:
    """What routing is asked about a handoff: the one place it is built, at handoff time and for simulate."""
    signals = account.signals
    return RouteRequest(
        category=decision.category,
        topic=decision.topic,
        priority=decision.priority,
        language=customer.language or decision.language,
        tier=signals.tier,
        owner_email=signals.owner_email,
        customer_name=customer.name,
        customer_timezone=customer.timezone,
        sentiment=decision.sentiment,
        trajectory=decision.trajectory,
        churn_risk=signals.churn_risk,
    )


def transcript_url(public_url: str, handoff_id: str) -> str:
    """Where the handoff's full transcript is: `GET /v1/handoffs/{id}` under `[service] public_url`."""
    return f"{public_url.rstrip('/')}/v1/handoffs/{quote(handoff_id, safe='')}"


def _subject(briefing: Briefing, customer: Customer) -> str:
    who = customer.name or customer.email or "customer"
    summary = briefing.summary or "handoff from the AI agent"
    # the ticket's subject is the customer's words too: masked like the note, before it is cut
    return for_ticket(" ".join(f"[Handoff] {who}: {summary}".split()))[:250]
