"""The Zendesk connector's real calls (zenpy) against FakeZendesk, every exchange checked against Zendesk's OAS."""
from __future__ import annotations

from connectors.delivery import TicketRequest
from connectors.zendesk import ZendeskConnector
from connectors.zendesk_setup import setup_zendesk
from tests.contracts.support import check_exchanges
from tests.fakes.http import Exchange
from tests.fakes.zendesk import FakeZendesk

HOST = "https://example.zendesk.com"  # the spec's server; the path is what is matched
# The Support API OAS has no webhooks paths (they are a separate API): those calls are not checked here.
UNDESCRIBED = ("/api/v2/webhooks",)
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


def undescribed(exchange: Exchange) -> bool:
    """Calls outside the Support API description."""
    return exchange.request.path.startswith(UNDESCRIBED)


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

    problems, covered = check_exchanges("zendesk", fake_zendesk.exchanges, HOST, path=spec_path, skip=undescribed,
                                         extra_query=EXTRA_QUERY, extra_keys=EXTRA_KEYS)

    assert problems == []
    assert covered == {"GET ShowCurrentUser", "POST CreateTicket", "GET ListTickets", "GET ShowTicket",
                       "PUT UpdateTicket", "GET ListTicketComments", "GET ListSearchResults", "GET ShowUser",
                       "GET ListTriggers", "POST CreateTrigger", "PUT UpdateTrigger"}
