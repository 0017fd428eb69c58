"""The Zendesk connector's real calls (zenpy) against FakeZendesk, every exchange checked against Zendesk's OAS."""
from __future__ import annotations

import json

import pytest

from connectors.delivery import TicketRequest
from connectors.zendesk import ZendeskConnector
from connectors.zendesk_setup import setup_zendesk
from tests.contracts.support import check_exchanges
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.zendesk import FakeZendesk

HOST = "https://example.zendesk.com"  # the spec's server; the path is what is matched
# The Support API OAS has no webhooks paths (they are a separate API): those calls are checked against
# specs/zendesk-webhooks.yaml, written from Zendesk's Webhooks API reference.
WEBHOOKS = ("/api/v2/webhooks",)
EXTRA_QUERY = {
    # Zendesk documents pagination once for every list endpoint (offset: page, per_page; cursor:
    # page[size], page[after], page[before]), not per operation in the OAS.
    "*": {"page", "per_page", "page[size]", "page[after]", "page[before]"},
    # zenpy adds the search export's `filter[type]` to every typed search; Zendesk ignores it there.
    "ListSearchResults": {"filter[type]"},
}
# Cursor-paginated answers (asked with page[size]) carry `meta` and `links`, as that documentation says.
EXTRA_KEYS = {"*": {"meta", "links"}}


def spec_path(path: str) -> str:
    """zenpy adds `.json` to most paths; the OAS names them without."""
    return path.removesuffix(".json")


def webhooks(exchange: Exchange) -> bool:
    """Calls of the Webhooks API, outside the Support API description."""
    return exchange.request.path.startswith(WEBHOOKS)


async def run_everything(connector: ZendeskConnector, fake: FakeZendesk) -> None:
    """Every call the connectors make: check, create, find again, note, history, read, setup."""
    await connector.check()
    request = TicketRequest(external_id="h-1", subject="Charged twice", note="SUMMARY: double charge",
                            tags=("handoff", "billing"), priority="high", group_id=360001, assignee_id=9001,
                            requester_email="ana@example.com", requester_name="Ana Lima")
    created = await connector.upsert_ticket(request)
    await connector.upsert_ticket(request)  # found by external id
    await connector.upsert_ticket(TicketRequest(external_id="h-2", subject="again", note="second handoff",
                                                tags=("handoff",), priority="normal", ticket_id=created.ticket_id))
    await connector.history("ana@example.com")
    await connector.ticket_with_comments(created.ticket_id)
    await setup_zendesk(connector, target_url="https://handoff.example.com/webhooks/zendesk")
    trigger = next(iter(fake.triggers.values()))
    trigger["conditions"] = {"all": [], "any": [{"field": "status", "operator": "changed"}]}
    await setup_zendesk(connector, target_url="https://handoff.example.com/webhooks/zendesk")  # rewrites it


async def test_every_request_and_answer_matches_the_support_api(zendesk_connector: ZendeskConnector,
                                                                fake_zendesk: FakeZendesk) -> None:
    await run_everything(zendesk_connector, fake_zendesk)

    problems, covered = check_exchanges("zendesk", fake_zendesk.exchanges, HOST, path=spec_path, skip=webhooks,
                                         extra_query=EXTRA_QUERY, extra_keys=EXTRA_KEYS)
    hook_problems, hooks_covered = check_exchanges("zendesk-webhooks", fake_zendesk.exchanges, HOST,
                                                   skip=lambda e: not webhooks(e))

    assert problems + hook_problems == []
    assert covered == {"GET ShowCurrentUser", "POST CreateTicket", "GET ListTickets", "GET ShowTicket",
                       "PUT UpdateTicket", "GET ListTicketComments", "GET ListSearchResults", "GET ShowUser",
                       "GET ListTriggers", "POST CreateTrigger", "PUT UpdateTrigger"}
    assert hooks_covered == {"GET ListWebhooks", "POST CreateWebhook", "GET ShowWebhookSigningSecret"}


async def test_webhook_repairs_match_the_webhooks_api(zendesk_connector: ZendeskConnector,
                                                      fake_zendesk: FakeZendesk) -> None:
    """An existing webhook pointed elsewhere is patched (PATCH answers 204 without a body)."""
    await setup_zendesk(zendesk_connector, target_url="https://old.example.com/webhooks/zendesk", kind="events")
    await setup_zendesk(zendesk_connector, target_url="https://handoff.example.com/webhooks/zendesk", kind="events")

    problems, covered = check_exchanges("zendesk-webhooks", fake_zendesk.exchanges, HOST,
                                        skip=lambda e: not webhooks(e))

    assert problems == []
    assert "PATCH PatchWebhook" in covered


def an_exchange(method: str, path: str, *, body: object = None, answer: object = None, status: int = 200,
                query: list[tuple[str, str]] | None = None, auth: bool = True) -> Exchange:
    """A hand-made exchange, to show what the check catches."""
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"content-type": "application/json"} if body is not None else {}
    if auth:
        headers["authorization"] = "Basic Ym90QGV4YW1wbGUuY29tL3Rva2VuOng="
    request = FakeRequest(method, path, dict(query or []), headers, raw, body, query_items=query or [])
    return Exchange(request, FakeResponse(status, answer))


TICKET = {"id": 1, "requester_id": 2, "subject": "x", "status": "new", "tags": []}


@pytest.mark.parametrize(("exchange", "problem"), [
    # what the old fake answered to CreateTicket, which hid the connector's failure on the documented answer
    (an_exchange("POST", "/api/v2/tickets.json", body={"ticket": {"subject": "x", "comment": {"body": "b"}}},
                 answer={"ticket": TICKET, "audit": {"id": 3, "events": []}}, status=201),
     "answer 201: answer key 'audit' is not in the spec"),
    (an_exchange("POST", "/api/v2/tickets.json", body={"ticket": {"subject": "x", "priority": "asap"}},
                 answer={"ticket": TICKET}, status=201), "request: InvalidRequestBody"),
    (an_exchange("GET", "/api/v2/tickets.json", query=[("externalid", "h-1")], answer={"tickets": []}),
     "query parameter 'externalid' is not in the spec"),
    (an_exchange("GET", "/api/v2/users/me.json", answer={"user": {"id": 1}}, auth=False), "request: Security"),
    (an_exchange("GET", "/api/v2/tickets/1.json", answer={"ticket": {"id": "one", "requester_id": 2}}),
     "ticket/id: 'one' is not of type 'integer'"),
    (an_exchange("GET", "/api/v2/ticket_fields.json", answer={}), "no such operation"),
])
def test_the_check_catches(exchange: Exchange, problem: str) -> None:
    problems, _ = check_exchanges("zendesk", [exchange], HOST, path=spec_path, extra_query=EXTRA_QUERY,
                                  extra_keys=EXTRA_KEYS)
    assert any(problem in p for p in problems), problems


def test_the_webhooks_check_catches_a_webhook_without_subscriptions() -> None:
    body = {"webhook": {"name": "Handoff", "endpoint": "https://h.example.com", "http_method": "POST",
                        "request_format": "json", "status": "active"}}
    exchange = an_exchange("POST", "/api/v2/webhooks", body=body, status=201,
                           answer={"webhook": {**body["webhook"], "id": "01H", "created_at": "2026-01-01T00:00:00Z"}})
    problems, _ = check_exchanges("zendesk-webhooks", [exchange], HOST)
    assert any("InvalidRequestBody" in p and "subscriptions" in p for p in problems), problems
