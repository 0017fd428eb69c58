"""Contract tests of the HubSpot connector: the real hubspot-api-client against a local fake CRM API."""
from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from handoff.core.models import Customer
from handoff.devtools.fakes.hubspot import TOKEN, FakeHubSpot

ANA = Customer(email="ana@example.com")
SEARCH = "/crm/v3/objects/contacts/search"


@pytest.fixture
def connector(fake_hubspot: FakeHubSpot) -> HubSpotConnector:
    return HubSpotConnector(TOKEN, host=fake_hubspot.url, timeout=0.5, health_properties=("health_score",),
                            churn_properties=("churn_risk", "renewal_risk"), tier_property="customer_tier")


def full_record(fake: FakeHubSpot) -> str:
    """A contact with owner, primary company, open and closed deals."""
    cid = fake.add_contact("ana@example.com", firstname="Ana", lastname="Lima", lifecyclestage="customer",
                           owner_id="41629779", hs_lead_status="IN_PROGRESS", health_score="32")
    fake.add_owner("41629779", first="Sam", last="Owner", email="sam.owner@example.com")
    fake.add_company(cid, name="Side project", primary=False)
    fake.add_company(cid, name="Biglytics", annualrevenue="5000000", customer_tier="enterprise",
                     churn_risk="high")
    fake.add_deal(cid, dealname="Renewal 2026", amount="12000.50", dealstage="contractsent")
    fake.add_deal(cid, dealname="Upsell", amount="3000", dealstage="appointmentscheduled")
    fake.add_deal(cid, dealname="Won last year", amount="9000", dealstage="closedwon")
    fake.add_deal(cid, dealname="Lost", amount=None, dealstage="closedlost")
    return cid


async def test_summarises_the_crm_record(fake_hubspot: FakeHubSpot, connector: HubSpotConnector) -> None:
    cid = full_record(fake_hubspot)
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["found"] is True and facts["contact_id"] == cid
    assert (facts["name"], facts["lifecycle_stage"], facts["lead_status"]) == ("Ana Lima", "customer", "IN_PROGRESS")
    assert facts["owner"] == {"id": "41629779", "name": "Sam Owner", "email": "sam.owner@example.com"}
    assert facts["company"]["name"] == "Biglytics"  # the primary association, not the first listed
    assert (facts["company"]["annual_revenue"], facts["company"]["tier"]) == (5_000_000.0, "enterprise")
    assert [(d["name"], d["amount"]) for d in facts["open_deals"]] == [("Renewal 2026", 12000.5), ("Upsell", 3000.0)]
    assert facts["open_deals_amount"] == 15000.5
    assert facts["health"] == {"health_score": "32"}
    assert facts["churn"] == {"churn_risk": "high"}  # from the company when the contact has none
    assert "incomplete" not in facts


async def test_requests_match_the_api(fake_hubspot: FakeHubSpot, connector: HubSpotConnector) -> None:
    cid = full_record(fake_hubspot)
    await connector.fetch(Customer(email=" Ana@Example.com "))
    search = fake_hubspot.requests_to(SEARCH)[0]
    assert search.headers["authorization"] == f"Bearer {TOKEN}"
    assert search.json["filterGroups"] == [{"filters": [
        {"propertyName": "email", "operator": "EQ", "value": "Ana@Example.com"}]}]
    assert {"lifecyclestage", "hs_lead_status", "hubspot_owner_id", "health_score", "churn_risk"} <= set(
        search.json["properties"])
    paths = [r.path for r in fake_hubspot.requests]
    assert paths[0] == SEARCH  # everything else needs the contact id
    assert f"/crm/v4/objects/contacts/{cid}/associations/companies" in paths
    assert paths.index("/crm/v3/objects/deals/batch/read") > paths.index(
        f"/crm/v4/objects/contacts/{cid}/associations/deals")
    batch = fake_hubspot.requests_to("/crm/v3/objects/deals/batch/read")[0].json
    assert {"amount", "dealstage", "closedate"} <= set(batch["properties"]) and len(batch["inputs"]) == 4


async def test_contact_without_owner_company_or_deals(fake_hubspot: FakeHubSpot, connector: HubSpotConnector) -> None:
    fake_hubspot.add_contact("ana@example.com", lifecyclestage="lead")
    facts = (await connector.fetch(ANA)).to_json()
    assert (facts["owner"], facts["company"], facts["open_deals"], facts["open_deals_amount"]) == (None, None, [], 0)
    assert facts["health"] == {} and facts["churn"] == {}
    assert not fake_hubspot.requests_to("/crm/v3/objects/deals/batch/read")


async def test_unknown_contact_is_not_found(connector: HubSpotConnector) -> None:
    with pytest.raises(NotFound):
        await connector.fetch(ANA)


async def test_customer_without_email_is_rejected(fake_hubspot: FakeHubSpot, connector: HubSpotConnector) -> None:
    with pytest.raises(Rejected):
        await connector.fetch(Customer(external_id="u-1"))
    assert fake_hubspot.requests == []


@pytest.mark.parametrize(
    ("fault", "error", "reason", "retry_after"),
    [
        ({"delay": 2.0}, Unavailable, "timed out", None),
        ({"status": 500}, Unavailable, "server error (HTTP 500)", None),
        ({"status": 429, "headers": {"Retry-After": "10"}}, RateLimited, "rate limited", 10.0),
        ({"status": 401}, AuthFailed, "unauthorised (check HUBSPOT_ACCESS_TOKEN)", None),
        ({"status": 403}, AuthFailed, "unauthorised (check HUBSPOT_ACCESS_TOKEN)", None),
        ({"garbage": True}, Unavailable, "answered garbage", None),
        ({"status": 200, "body": {"total": 0, "results": []}}, NotFound, "no contact with this email", None),
    ],
    ids=["timeout", "500", "429", "401", "403", "malformed-json", "empty"],
)
async def test_failure_matrix_on_the_contact_search(fake_hubspot: FakeHubSpot, connector: HubSpotConnector,
                                                    fault: dict[str, Any], error: type[Exception], reason: str,
                                                    retry_after: float | None) -> None:
    full_record(fake_hubspot)
    fake_hubspot.fail_endpoint(SEARCH, **fault)
    with pytest.raises(error) as raised:
        await connector.fetch(ANA)
    assert (raised.value.reason, raised.value.retry_after) == (reason, retry_after)
    assert fake_hubspot.count(SEARCH) == 1  # urllib3 retries are off
    assert fake_hubspot.count("/crm/v3/owners") == 0


async def test_wrong_token_is_unauthorised(fake_hubspot: FakeHubSpot) -> None:
    conn = HubSpotConnector("pat-wrong", host=fake_hubspot.url, timeout=0.5)
    with pytest.raises(AuthFailed) as raised:
        await conn.fetch(ANA)
    assert "pat-wrong" not in str(raised.value)


@pytest.mark.parametrize(
    ("endpoint", "fault", "what", "reason"),
    [
        ("/crm/v3/owners", {"status": 403}, "owner", "unauthorised (check HUBSPOT_ACCESS_TOKEN)"),
        ("/crm/v3/objects/companies", {"status": 500}, "company", "server error (HTTP 500)"),
        ("/crm/v4/objects/contacts", {"status": 429, "headers": {"Retry-After": "1"}}, "company", "rate limited"),
        ("/crm/v3/objects/deals/batch/read", {"garbage": True}, "deals", "answered garbage"),
        ("/crm/v3/objects/deals/batch/read", {"delay": 2.0}, "deals", "timed out"),
    ],
)
async def test_a_failing_detail_keeps_the_rest(fake_hubspot: FakeHubSpot, connector: HubSpotConnector,
                                               endpoint: str, fault: dict[str, Any], what: str, reason: str) -> None:
    full_record(fake_hubspot)
    fake_hubspot.fail_endpoint(endpoint, **fault)
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["incomplete"][what] == reason
    assert facts["lifecycle_stage"] == "customer" and facts["health"] == {"health_score": "32"}


async def test_owner_gone_is_no_owner_not_a_failure(fake_hubspot: FakeHubSpot, connector: HubSpotConnector) -> None:
    fake_hubspot.add_contact("ana@example.com", owner_id="999")
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["owner"] is None and "incomplete" not in facts


def test_settings_build_the_connector() -> None:
    settings = HubSpotSettings(url="http://127.0.0.1:1", health_properties=["cs_health"], tier_property="plan_tier")
    conn = HubSpotConnector.from_settings(settings, "pat-secret")
    assert repr(conn) == "HubSpotConnector(host='http://127.0.0.1:1')"
    with pytest.raises(ValueError):
        HubSpotSettings(access_token="pat-never-in-settings")


async def test_owner_lookup_sends_only_valid_query_values(fake_hubspot: FakeHubSpot,
                                                          connector: HubSpotConnector) -> None:
    fake_hubspot.add_contact("ana@example.com", owner_id="41629779")
    fake_hubspot.add_owner("41629779")
    facts = (await connector.fetch(Customer(email="ana@example.com"))).to_json()
    assert facts["owner"]["id"] == "41629779" and "incomplete" not in facts
    query = fake_hubspot.requests_to("/crm/v3/owners/41629779")[0].query
    assert query.get("archived", "false") in ("true", "false")


@pytest.mark.parametrize(("archived", "status"), [("False", 400), ("false", 200), ("true", 200)])
def test_fake_hubspot_owners_take_lower_case_booleans(fake_hubspot: FakeHubSpot, archived: str, status: int) -> None:
    import urllib.error
    import urllib.request

    fake_hubspot.add_owner("7")
    req = urllib.request.Request(f"{fake_hubspot.url}/crm/v3/owners/7?idProperty=id&archived={archived}",
                                 headers={"Authorization": f"Bearer {fake_hubspot.token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            got = resp.status
    except urllib.error.HTTPError as err:
        got = err.code
    assert got == status
