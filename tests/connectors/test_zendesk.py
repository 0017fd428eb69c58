"""Contract tests: ZendeskConnector through real zenpy against the local FakeZendesk."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from connectors.delivery import TicketRequest
from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable
from connectors.errors import parse_retry_after
from connectors.zendesk import ZendeskConnector, ZendeskHistorySource, note_marker
from handoff.core.models import Customer
from handoff.devtools.fakes.zendesk import FakeZendesk

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def request(**overrides: object) -> TicketRequest:
    fields: dict[str, object] = dict(
        external_id="h-100", subject="Charged twice for March", note="SUMMARY: double charge\nTried: KB-12",
        tags=("handoff", "billing_dispute"), priority="high", group_id=360001, assignee_id=9001,
        requester_email="ana@example.com", requester_name="Ana Lima",
    )
    fields.update(overrides)
    return TicketRequest(**fields)  # type: ignore[arg-type]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- create ---------------------------------------------------------------------------------
async def test_create_lands_every_field(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    result = await zendesk_connector.upsert_ticket(request())

    assert result.created is True
    ticket = fake_zendesk.tickets[result.ticket_id]
    assert result.url == f"{fake_zendesk.url}/agent/tickets/{result.ticket_id}"
    assert ticket["subject"] == "Charged twice for March"
    assert ticket["tags"] == ["handoff", "billing_dispute"]
    assert (ticket["priority"], ticket["group_id"], ticket["assignee_id"]) == ("high", 360001, 9001)
    assert ticket["external_id"] == "h-100"
    requester = fake_zendesk.users[ticket["requester_id"]]
    assert (requester["name"], requester["email"]) == ("Ana Lima", "ana@example.com")
    [note] = fake_zendesk.comments[result.ticket_id]
    assert note["public"] is False
    assert note["body"].startswith("SUMMARY: double charge\nTried: KB-12")
    assert note["body"].endswith(note_marker("h-100"))


async def test_a_briefing_note_keeps_its_one_reference_line(zendesk_connector: ZendeskConnector,
                                                              fake_zendesk: FakeZendesk) -> None:
    """The rendered note ends with `handoff-ref: <id>` already: the connector does not add a second one."""
    from dataclasses import replace

    result = await zendesk_connector.upsert_ticket(replace(request(), note="[HIGH] billing: double charge\n\nhandoff-ref: h-100\n"))
    [note] = fake_zendesk.comments[result.ticket_id]
    assert note["body"].count("handoff-ref:") == 1 and note["body"].endswith("handoff-ref: h-100")


async def test_create_succeeds_on_the_documented_answer(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    """CreateTicket answers `{"ticket": ...}` without an audit: one POST, no retry, no look-up afterwards."""
    result = await zendesk_connector.upsert_ticket(request())

    assert result.created is True and result.ticket_id in fake_zendesk.tickets
    [post] = fake_zendesk.requests_to("/api/v2/tickets.json", "POST")
    assert len(fake_zendesk.requests_to("/api/v2/tickets.json", "GET")) == 1  # only the look-up before it


async def test_create_accepts_an_answer_with_an_audit(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    ticket = {"id": 4321, "subject": "x", "status": "new", "tags": []}
    # the look-up by external id first, then the create
    fake_zendesk.fail_next(200, body={"tickets": [], "next_page": None, "previous_page": None, "count": 0},
                           path="/api/v2/tickets.json")
    fake_zendesk.fail_next(201, body={"ticket": ticket, "audit": {"id": 1, "ticket_id": 4321, "events": []}},
                           path="/api/v2/tickets.json")
    result = await zendesk_connector.upsert_ticket(request())

    assert (result.ticket_id, result.created) == (4321, True)


async def test_create_sends_no_null_fields(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    await zendesk_connector.upsert_ticket(request(group_id=None, assignee_id=None))

    [post] = fake_zendesk.requests_to("/api/v2/tickets.json", "POST")
    sent = post.json["ticket"]
    assert "requester_id" not in sent and "group_id" not in sent and "assignee_id" not in sent
    assert sent["requester"] == {"name": "Ana Lima", "email": "ana@example.com"}
    assert sent["comment"]["public"] is False


async def test_create_without_requester_uses_the_api_user(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    result = await zendesk_connector.upsert_ticket(request(requester_email=None, requester_name=None))

    assert fake_zendesk.tickets[result.ticket_id]["requester_id"] == fake_zendesk.me["id"]


async def test_create_is_idempotent_on_external_id(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    first = await zendesk_connector.upsert_ticket(request())
    second = await zendesk_connector.upsert_ticket(request(note="a retry after a crash"))

    assert (second.ticket_id, second.created) == (first.ticket_id, False)
    assert len(fake_zendesk.tickets) == 1
    assert len(fake_zendesk.requests_to("/api/v2/tickets.json", "POST")) == 1
    assert len(fake_zendesk.comments[first.ticket_id]) == 1


async def test_other_external_ids_get_their_own_ticket(zendesk_connector: ZendeskConnector) -> None:
    first = await zendesk_connector.upsert_ticket(request(external_id="h-1"))
    second = await zendesk_connector.upsert_ticket(request(external_id="h-2"))

    assert first.ticket_id != second.ticket_id and second.created


# -- update ---------------------------------------------------------------------------------
async def test_update_adds_private_note_and_merges_tags(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    existing = fake_zendesk.add_ticket(subject="Bot chat", tags=["messaging", "handoff"], priority="low",
                                       comments=["hi, I need help"], requester_email="ana@example.com")

    result = await zendesk_connector.upsert_ticket(request(ticket_id=existing["id"], tags=("handoff", "vip")))

    assert (result.ticket_id, result.created) == (existing["id"], False)
    ticket = fake_zendesk.tickets[existing["id"]]
    assert ticket["tags"] == ["messaging", "handoff", "vip"]
    assert (ticket["priority"], ticket["group_id"], ticket["assignee_id"]) == ("high", 360001, 9001)
    assert ticket["subject"] == "Bot chat"  # the customer's ticket keeps its subject
    public, note = fake_zendesk.comments[existing["id"]]
    assert public["public"] is True and note["public"] is False
    assert note_marker("h-100") in note["body"]
    assert len(fake_zendesk.tickets) == 1


async def test_update_is_idempotent(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    existing = fake_zendesk.add_ticket(subject="Bot chat", comments=["hello"])

    await zendesk_connector.upsert_ticket(request(ticket_id=existing["id"]))
    again = await zendesk_connector.upsert_ticket(request(ticket_id=existing["id"]))

    assert again.ticket_id == existing["id"]
    assert len(fake_zendesk.comments[existing["id"]]) == 2
    assert len(fake_zendesk.requests_to(f"/api/v2/tickets/{existing['id']}.json", "PUT")) == 1


async def test_update_reopens_a_solved_ticket_when_asked(zendesk_connector: ZendeskConnector,
                                                         fake_zendesk: FakeZendesk) -> None:
    """A re-handoff within the window: the same ticket, a note on it, status open again."""
    existing = fake_zendesk.add_ticket(subject="Bot chat", status="solved", assignee_id=9001, comments=["hi"])
    await zendesk_connector.upsert_ticket(request(ticket_id=existing["id"], status="open", external_id="h-101"))
    ticket = fake_zendesk.tickets[existing["id"]]
    assert ticket["status"] == "open" and len(fake_zendesk.tickets) == 1
    assert note_marker("h-101") in fake_zendesk.comments[existing["id"]][-1]["body"]


async def test_update_without_a_status_leaves_it_and_unassign_clears_the_assignee(
        zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    """A re-offer that went back to the team's queue: the group changes and nobody is assigned."""
    existing = fake_zendesk.add_ticket(subject="Bot chat", status="pending", assignee_id=9001, comments=["hi"])
    await zendesk_connector.upsert_ticket(request(ticket_id=existing["id"], assignee_id=None, unassign=True,
                                                  group_id=360002))
    ticket = fake_zendesk.tickets[existing["id"]]
    assert (ticket["status"], ticket["assignee_id"], ticket["group_id"]) == ("pending", None, 360002)
    [put] = fake_zendesk.requests_to(f"/api/v2/tickets/{existing['id']}.json", "PUT")
    assert put.json["ticket"]["assignee_id"] is None and "status" not in put.json["ticket"]


async def test_update_of_missing_ticket_is_not_found(zendesk_connector: ZendeskConnector) -> None:
    with pytest.raises(NotFound):
        await zendesk_connector.upsert_ticket(request(ticket_id=999999))


# -- reads ----------------------------------------------------------------------------------
async def test_history_summarises_open_recent_and_earlier_handoffs(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    ana = "ana@example.com"
    fake_zendesk.add_ticket(subject="Old solved", status="solved", requester_email=ana,
                            created_at=iso(NOW - timedelta(days=200)))
    fake_zendesk.add_ticket(subject="Old but open", status="pending", requester_email=ana,
                            created_at=iso(NOW - timedelta(days=120)))
    fake_zendesk.add_ticket(subject="Escalated", status="solved", tags=["handoff"], requester_email=ana,
                            created_at=iso(NOW - timedelta(days=75)))
    fake_zendesk.add_ticket(subject="Refund", status="open", tags=["billing"], requester_email=ana,
                            created_at=iso(NOW - timedelta(days=3)))
    fake_zendesk.add_ticket(subject="Someone else", status="open", requester_email="bo@example.com",
                            created_at=iso(NOW - timedelta(days=1)))

    facts = (await zendesk_connector.history(ana, now=NOW)).to_json()

    assert [t["subject"] for t in facts["open_tickets"]] == ["Refund", "Old but open"]
    assert [t["subject"] for t in facts["recent_tickets"]] == ["Refund", "Escalated"]
    assert facts["recent_tickets"][1]["handoff"] is True
    assert facts["recent_tickets"][0] | {"id": 0} == {
        "id": 0, "subject": "Refund", "status": "open", "priority": None,
        "created_at": iso(NOW - timedelta(days=3)), "tags": ["billing"], "handoff": False,
    }
    assert (facts["tickets_last_60_days"], facts["tickets_last_90_days"], facts["prior_handoffs"]) == (1, 2, 1)
    [search] = fake_zendesk.requests_to("/api/v2/search.json")
    assert search.query["query"] == f"type:ticket requester:{ana}"


async def test_history_of_a_new_customer_is_empty(zendesk_connector: ZendeskConnector) -> None:
    facts = (await zendesk_connector.history("new@example.com", now=NOW)).to_json()

    assert facts == {"found": True, "open_tickets": [], "recent_tickets": [], "tickets_last_90_days": 0,
                     "tickets_last_60_days": 0, "prior_handoffs": 0}


async def test_history_source_fetches_by_email(zendesk_connector: ZendeskConnector,
                                               fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.add_ticket(subject="Refund", requester_email="ana@example.com",
                            created_at=iso(NOW - timedelta(days=1)))
    source = ZendeskHistorySource(zendesk_connector, clock=lambda: NOW)

    facts = (await source.fetch(Customer(email="ana@example.com"))).to_json()

    assert source.name == "zendesk"
    assert [t["subject"] for t in facts["open_tickets"]] == ["Refund"]


async def test_history_source_needs_an_email(zendesk_connector: ZendeskConnector,
                                             fake_zendesk: FakeZendesk) -> None:
    with pytest.raises(NotFound):
        await ZendeskHistorySource(zendesk_connector).fetch(Customer(name="Ana"))
    assert fake_zendesk.requests == []


async def test_ticket_with_comments(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    ticket = fake_zendesk.add_ticket(subject="Bot chat", tags=["messaging"], comments=["hi", "still there?"],
                                     requester_email="ana@example.com")

    got = await zendesk_connector.ticket_with_comments(ticket["id"])

    assert (got["id"], got["subject"], got["tags"], got["status"]) == (ticket["id"], "Bot chat", ["messaging"], "new")
    assert [(c["body"], c["public"], c["author_id"]) for c in got["comments"]] == [
        ("hi", True, ticket["requester_id"]), ("still there?", True, ticket["requester_id"])]
    assert all(c["created_at"] and c["id"] for c in got["comments"])
    assert got["requester"]["email"] == "ana@example.com" and got["requester"]["id"] == ticket["requester_id"]


async def test_ticket_with_comments_of_missing_ticket(zendesk_connector: ZendeskConnector) -> None:
    with pytest.raises(NotFound):
        await zendesk_connector.ticket_with_comments(424242)


async def test_check_proves_credentials(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    await zendesk_connector.check()

    assert [r.path for r in fake_zendesk.requests] == ["/api/v2/users/me.json"]


async def test_wrong_token_is_auth_failed_and_not_leaked(fake_zendesk: FakeZendesk) -> None:
    connector = ZendeskConnector("acme", fake_zendesk.email, "s3cret-wrong", url=fake_zendesk.url)

    with pytest.raises(AuthFailed) as caught:
        await connector.check()
    assert "s3cret-wrong" not in str(caught.value) and "s3cret-wrong" not in repr(connector)


async def test_anonymous_user_is_auth_failed(zendesk_connector: ZendeskConnector,
                                             fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.fail_next(200, body={"user": {"id": None, "name": "Anonymous user", "role": "end-user"}})

    with pytest.raises(AuthFailed, match="anonymous"):
        await zendesk_connector.check()


# -- failures -------------------------------------------------------------------------------
OPERATIONS = {
    "check": lambda c: c.check(),
    "create": lambda c: c.upsert_ticket(request()),
    "history": lambda c: c.history("ana@example.com", now=NOW),
    "comments": lambda c: c.ticket_with_comments(4014),
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthFailed), (403, AuthFailed), (404, NotFound), (400, Rejected), (422, Rejected),
     (500, Unavailable), (502, Unavailable), (503, Unavailable)],
)
async def test_status_matrix(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk,
                             operation: str, status: int, error: type[Exception]) -> None:
    fake_zendesk.add_ticket(subject="exists")
    fake_zendesk.fail_next(status)

    with pytest.raises(error):
        await OPERATIONS[operation](zendesk_connector)
    assert len(fake_zendesk.requests) == 1  # no transport retries: our delivery policy decides


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_429_is_rate_limited_without_zenpy_sleeping(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk, operation: str
) -> None:
    fake_zendesk.fail_next(429, headers={"Retry-After": "30"})

    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        await OPERATIONS[operation](zendesk_connector)

    assert caught.value.retry_after == 30.0
    assert time.monotonic() - started < 1.0
    assert len(fake_zendesk.requests) == 1
    assert fake_zendesk.tickets == {}


async def test_429_without_retry_after(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.fail_next(429)

    with pytest.raises(RateLimited) as caught:
        await zendesk_connector.check()
    assert caught.value.retry_after is None


async def test_create_after_rate_limit_goes_through_once(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.fail_next(429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited):
        await zendesk_connector.upsert_ticket(request())

    result = await zendesk_connector.upsert_ticket(request())
    assert result.created and len(fake_zendesk.tickets) == 1


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_malformed_json_is_unavailable(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk,
                                             operation: str) -> None:
    fake_zendesk.garbage = True

    with pytest.raises(Unavailable, match="not JSON"):
        await OPERATIONS[operation](zendesk_connector)


async def test_unexpected_json_shape_is_unavailable(zendesk_connector: ZendeskConnector,
                                                    fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.fail_next(200, body={"something": "else"})

    with pytest.raises(Unavailable):
        await zendesk_connector.check()


async def test_timeout_is_unavailable(fake_zendesk: FakeZendesk) -> None:
    connector = ZendeskConnector(None, fake_zendesk.email, fake_zendesk.token, url=fake_zendesk.url, timeout=0.3)
    fake_zendesk.delay = 5

    started = time.monotonic()
    with pytest.raises(Unavailable, match="timeout"):
        await connector.upsert_ticket(request())
    assert time.monotonic() - started < 2.0


async def test_connection_refused_is_unavailable(fake_zendesk: FakeZendesk) -> None:
    url = fake_zendesk.url
    fake_zendesk.stop()
    connector = ZendeskConnector(None, fake_zendesk.email, fake_zendesk.token, url=url, timeout=0.5)

    with pytest.raises(Unavailable, match="connection"):
        await connector.check()


# -- configuration --------------------------------------------------------------------------
async def test_subdomain_with_url_override_talks_to_the_override(fake_zendesk: FakeZendesk) -> None:
    connector = ZendeskConnector("acme", fake_zendesk.email, fake_zendesk.token, url=fake_zendesk.url + "/")

    result = await connector.upsert_ticket(request())

    assert result.url == f"{fake_zendesk.url}/agent/tickets/{result.ticket_id}"
    assert fake_zendesk.requests[-1].headers["host"] == f"127.0.0.1:{fake_zendesk.port}"


def test_agent_url_of_a_real_subdomain() -> None:
    connector = ZendeskConnector("acme", "bot@example.com", "token")

    assert connector.agent_url(17) == "https://acme.zendesk.com/agent/tickets/17"


def test_needs_subdomain_or_url() -> None:
    with pytest.raises(ValueError):
        ZendeskConnector(None, "bot@example.com", "token")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, None), ("", None), ("12", 12.0), ("1.5", 1.5), ("-3", 0.0), ("soon", None),
     ("Mon, 02 Mar 2026 12:00:45 GMT", 45.0), ("Mon, 02 Mar 2026 11:00:00 GMT", 0.0)],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


# -- the last line of defence ---------------------------------------------------------------
async def test_no_card_or_credential_reaches_a_ticket_whatever_the_caller_built(
        zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    raw = "card 4111 1111 1111 1111 123, pw hunter2, call 07700 900123"
    result = await zendesk_connector.upsert_ticket(request(subject=raw, note=raw, requester_name=f"Ana {raw}"))
    await zendesk_connector.upsert_ticket(request(external_id="h-100:claimed", ticket_id=result.ticket_id, note=raw))
    ticket = fake_zendesk.tickets[result.ticket_id]
    bodies = [c["body"] for c in fake_zendesk.comments[result.ticket_id]]
    names = [u["name"] for u in fake_zendesk.users.values() if u.get("email") == "ana@example.com"]
    for text in (ticket["subject"], *bodies, *names):
        assert "4111 1111" not in text and "hunter2" not in text
        assert "07700 900123" in text  # agents call back: phones stay in the ticket
    assert ticket["subject"] == "card •••• 1111 •••, pw ••••, call 07700 900123" and len(bodies) == 2


# -- a customer's later messages on the ticket ----------------------------------------------------
async def test_customer_comment_is_public_and_by_the_requester_and_found_again(
        zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    ticket = fake_zendesk.add_ticket(subject="Help", requester_email="ana@example.com")
    comment_id = await zendesk_connector.add_customer_comment(ticket["id"], "Still nothing?? Card 4242 4242 4242 4242")
    [comment] = fake_zendesk.comments[ticket["id"]]
    assert comment["public"] is True and comment["author_id"] == ticket["requester_id"] != fake_zendesk.me["id"]
    assert comment["id"] == comment_id
    assert "Still nothing??" in comment["body"] and "4242 4242 4242 4242" not in comment["body"]
    # a retry after a lost answer finds it instead of writing it twice
    again = await zendesk_connector.add_customer_comment(ticket["id"], "Still nothing?? Card 4242 4242 4242 4242",
                                                         check_existing=True)
    assert again == comment_id and len(fake_zendesk.comments[ticket["id"]]) == 1
