"""The webhook flow feeds the similar cases: the reply an agent solved the ticket with, read from Zendesk."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.storage.tables import HandoffRow, PastCaseRow
from tests.handoff.edge.zendesk.test_webhooks import BOT_ID, SECRET


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack):
    config = make_config(
        f"[zendesk]\nsubdomain = 'acme'\nbot_user_id = {BOT_ID}\n[slack]\ndefault_channel = 'C0HANDOFF'\n",
        ZENDESK_WEBHOOK_SECRET=SECRET, ZENDESK_EMAIL=fake_zendesk.email, ZENDESK_API_TOKEN=fake_zendesk.token,
        ZENDESK_URL=fake_zendesk.url, SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.api_url,
    )
    rt = build_runtime(config)
    yield rt
    rt.close()


def event(kind: str, ticket_id: int, at: str, **data):
    return {"kind": kind, "ticket_id": ticket_id, "occurred_at": at, "data": data}


async def test_a_reply_and_solve_in_one_update_is_read_from_zendesk(runtime, fake_zendesk):
    ticket = fake_zendesk.add_ticket(subject="Chat", requester_email="ana@example.com",
                                     comments=["I was charged twice, let me speak to a manager"])
    tid = ticket["id"]
    await runtime.inbound.handle(event("comment_added", tid, "2026-03-02T10:00:00Z"))
    # the agent answers and submits as solved: Zendesk sends one call, classified "solved"
    fake_zendesk._add_comment(tid, {"body": "Refunded the duplicate charge, sorry about that.", "public": True},
                              fake_zendesk.me["id"])
    fake_zendesk._add_comment(tid, {"body": "internal: chargeback risk", "public": False}, fake_zendesk.me["id"])
    await runtime.inbound.handle(event("solved", tid, "2026-03-02T11:30:00Z", tags=["handoff", "refund"]))
    with runtime.sessions() as s:
        h = s.scalars(select(HandoffRow)).one()
        case = s.scalars(select(PastCaseRow)).one()
    assert h.solved_at is not None  # solved in Zendesk: handed back to the AI
    assert (case.source, case.ref) == ("handoff", h.id)
    assert case.resolution == "Refunded the duplicate charge, sorry about that."
    assert case.tags == ["handoff", "refund"] and "charged twice" in case.text


async def test_without_zendesk_answering_the_reply_recorded_earlier_stands_in(runtime, fake_zendesk):
    ticket = fake_zendesk.add_ticket(subject="Chat", requester_email="ana@example.com",
                                     comments=["I was charged twice, let me speak to a manager"])
    tid = ticket["id"]
    await runtime.inbound.handle(event("comment_added", tid, "2026-03-02T10:00:00Z"))
    fake_zendesk._add_comment(tid, {"body": "Refund on its way.", "public": True}, fake_zendesk.me["id"])
    await runtime.inbound.handle(event("comment_added", tid, "2026-03-02T10:30:00Z"))  # the agent's reply
    fake_zendesk.fail_next(404, times=5)  # the read with the solved event fails
    await runtime.inbound.handle(event("solved", tid, "2026-03-02T11:30:00Z"))
    with runtime.sessions() as s:
        case = s.scalars(select(PastCaseRow)).one()
    assert case.resolution == "Refund on its way."
    assert "handoff" in case.tags  # the tags the handoff gave its ticket
