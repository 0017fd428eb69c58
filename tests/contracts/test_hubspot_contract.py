"""The HubSpot connector's real calls (hubspot-api-client) against FakeHubSpot, every exchange checked against
a description of the used CRM operations written from HubSpot's public API reference (specs/hubspot.yaml)."""
from __future__ import annotations

import json

import pytest

from connectors.hubspot import HubSpotConnector
from handoff.core.models import Customer
from tests.contracts.support import check_exchanges
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.hubspot import TOKEN, FakeHubSpot

HOST = "https://api.hubapi.com"
OPERATIONS = {"POST SearchContacts", "GET GetOwner", "GET ListAssociations", "GET GetCompany", "POST BatchReadDeals"}


async def test_every_request_and_answer_matches_the_description(fake_hubspot: FakeHubSpot) -> None:
    cid = fake_hubspot.add_contact("ana@example.com", owner_id="41629779", health_score="30")
    fake_hubspot.add_owner("41629779")
    fake_hubspot.add_company(cid, domain="biglytics.net", annualrevenue="1000000")
    fake_hubspot.add_deal(cid)
    fake_hubspot.add_deal(cid, dealstage="closedwon")
    connector = HubSpotConnector(TOKEN, host=fake_hubspot.url, timeout=2.0)
    facts = await connector.fetch(Customer(email="ana@example.com"))
    assert not facts.incomplete and facts.owner is not None and facts.company is not None

    problems, covered = check_exchanges("hubspot", fake_hubspot.exchanges, HOST)

    assert problems == []
    assert covered == OPERATIONS


def an_exchange(method: str, path: str, *, query: list[tuple[str, str]] | None = None, body: object = None,
                answer: object = None) -> Exchange:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    request = FakeRequest(method, path, dict(query or []), headers, raw, body, query_items=query or [])
    return Exchange(request, FakeResponse(200, answer))


OWNER = {"id": "7", "type": "PERSON", "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
         "archived": False}


@pytest.mark.parametrize(("exchange", "problem"), [
    # what the connector sent before: the client renders Python's False as `False`
    (an_exchange("GET", "/crm/v3/owners/7", query=[("idProperty", "id"), ("archived", "False")], answer=OWNER),
     "InvalidParameter 'archived'"),
    (an_exchange("POST", "/crm/v3/objects/contacts/search", body={"filterGroups": [{"filters": [
        {"propertyName": "email", "operator": "EQUALS", "value": "a@b.c"}]}]}, answer={"total": 0, "results": []}),
     "InvalidRequestBody"),
    (an_exchange("POST", "/crm/v3/objects/deals/batch/read", body={"inputs": [{"id": "1"}], "properties": []},
                 answer={"status": "COMPLETE", "results": [], "startedAt": "2024-01-01T00:00:00Z",
                         "completedAt": "2024-01-01T00:00:00Z"}), "InvalidRequestBody"),
    (an_exchange("GET", "/crm/v3/owners/7", answer={**OWNER, "type": "ROBOT"}), "type"),
    (an_exchange("GET", "/crm/v3/owners/7", answer={"id": "7"}), "required"),
])
def test_the_check_catches(exchange: Exchange, problem: str) -> None:
    problems, _ = check_exchanges("hubspot", [exchange], HOST)
    assert any(problem in p for p in problems), problems
