"""HubSpot enrichment: contact, lifecycle, lead status, owner, company, open deals, health and churn properties.

hubspot-api-client is synchronous (urllib3), so each call runs in a worker thread with urllib3 retries
off and a per-request timeout. After the contact search, the owner lookup and the company and deal
chains run concurrently. A failure after the contact was found is listed under `incomplete` and the
rest of the facts are kept.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import hubspot
import urllib3
from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest
from hubspot.crm.deals import BatchReadInputSimplePublicObjectId, SimplePublicObjectId
from urllib3.util.retry import Retry

from connectors.config import HubSpotSettings
from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    parse_retry_after,
)
from handoff.core.account_facts import Company, CrmOwner, Deal, HubSpotFacts
from handoff.core.models import Customer

SOURCE = "hubspot"
CONTACT_PROPERTIES = ("email", "firstname", "lastname", "lifecyclestage", "hs_lead_status", "hubspot_owner_id")
COMPANY_PROPERTIES = ("name", "domain", "annualrevenue", "industry")
DEAL_PROPERTIES = ("dealname", "amount", "dealstage", "closedate", "pipeline", "hs_is_closed")
PRIMARY_COMPANY_TYPE_ID = 1  # HUBSPOT_DEFINED contact→company "Primary" association



def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _error(exc: BaseException) -> UpstreamError:
    """The project's error for a hubspot-api-client or urllib3 failure."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and type(exc).__name__.endswith("Exception"):
        if status in (401, 403):
            return AuthFailed(SOURCE, "unauthorised (check HUBSPOT_ACCESS_TOKEN)")
        if status == 429:
            headers = getattr(exc, "headers", None) or {}
            return RateLimited(SOURCE, "rate limited", retry_after=parse_retry_after(headers.get("Retry-After")))
        if status == 404:
            return NotFound(SOURCE, "not found")
        if status >= 500:
            return Unavailable(SOURCE, f"server error (HTTP {status})")
        if status == 0:
            return Unavailable(SOURCE, "connection failed")
        return Rejected(SOURCE, f"rejected the request (HTTP {status})")
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return Unavailable(SOURCE, "timed out")
    if isinstance(exc, (urllib3.exceptions.HTTPError, OSError)):
        return Unavailable(SOURCE, "connection failed")
    return Unavailable(SOURCE, "answered garbage")


def _properties(obj: Any) -> dict[str, Any]:
    props = getattr(obj, "properties", None)
    if not isinstance(props, dict) or not getattr(obj, "id", None):
        raise Unavailable(SOURCE, "answered garbage")
    return props


def _full_name(first: Any, last: Any) -> str | None:
    return " ".join(p for p in (first, last) if p) or None


class HubSpotConnector:
    """Enrichment source `hubspot`: finds the contact by email and summarises the CRM record."""

    name = SOURCE

    def __init__(self, access_token: str, *, host: str | None = None, timeout: float = 1.5,
                 health_properties: Sequence[str] = ("health_score",),
                 churn_properties: Sequence[str] = ("churn_risk",), tier_property: str = "tier",
                 closed_stages: Sequence[str] = ("closedwon", "closedlost"), max_deals: int = 20,
                 client: Any = None) -> None:
        # Retries off: the enrichment budget is ours and a 429 must surface, not be slept on.
        client = client or hubspot.HubSpot(access_token=access_token, host=host,
                                           retry=Retry(total=0, redirect=0, raise_on_status=False))
        self._host = host
        self._timeout = timeout
        self._health = tuple(health_properties)
        self._churn = tuple(churn_properties)
        self._tier = tier_property
        self._closed = {s.lower() for s in closed_stages}
        self._max_deals = max_deals
        # Each attribute access builds a new ApiClient and pool, so keep the ones used.
        self._search = client.crm.contacts.search_api
        self._owners = client.crm.owners.owners_api
        self._associations = client.crm.associations.v4.basic_api
        self._companies = client.crm.companies.basic_api
        self._deals = client.crm.deals.batch_api

    @classmethod
    def from_settings(cls, settings: HubSpotSettings, access_token: str, *,
                      host: str | None = None) -> "HubSpotConnector":
        """Build from `[hubspot]` settings; an explicit `host` (HUBSPOT_URL) wins over the settings."""
        return cls(access_token, host=host or settings.url, timeout=settings.timeout_seconds,
                   health_properties=settings.health_properties, churn_properties=settings.churn_properties,
                   tier_property=settings.tier_property, closed_stages=settings.closed_stages,
                   max_deals=settings.max_deals)

    def __repr__(self) -> str:
        return f"HubSpotConnector(host={self._host!r})"  # never the token

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            try:
                return fn(*args, _request_timeout=(self._timeout, self._timeout), **kwargs)
            except Exception as exc:  # noqa: BLE001 - every library failure becomes one of ours
                raise _error(exc) from exc

        return await asyncio.to_thread(run)

    async def fetch(self, customer: Customer) -> HubSpotFacts:
        """CRM facts for the customer's email (raises NotFound when HubSpot has no such contact)."""
        if not customer.email:
            raise Rejected(SOURCE, "no customer email to look up")
        contact = await self._find_contact(customer.email.strip())
        props = _properties(contact)
        incomplete: dict[str, str] = {}

        async def step(what: str, work: Any, empty: Any) -> Any:
            try:
                return await work
            except NotFound:
                return empty
            except UpstreamError as exc:
                incomplete[what] = exc.reason
                return empty

        owner_id = props.get("hubspot_owner_id")
        owner, company, deals = await asyncio.gather(
            step("owner", self._owner(owner_id), None) if owner_id else _none(),
            step("company", self._company(contact.id), (None, {})),
            step("deals", self._open_deals(contact.id), []),
        )
        company, company_props = company
        return HubSpotFacts(
            contact_id=contact.id,
            email=props.get("email"),
            name=_full_name(props.get("firstname"), props.get("lastname")),
            lifecycle_stage=props.get("lifecyclestage"),
            lead_status=props.get("hs_lead_status"),
            owner=owner,
            company=company,
            open_deals=tuple(deals),
            open_deals_amount=round(sum(d.amount or 0.0 for d in deals), 2),
            health=self._pick(self._health, props, company_props),
            churn=self._pick(self._churn, props, company_props),
            incomplete=incomplete,
        )

    @staticmethod
    def _pick(names: Sequence[str], contact: Mapping[str, Any], company: Mapping[str, Any]) -> dict[str, Any]:
        """Each configured property's value, from the contact first, else the company."""
        picked = {}
        for name in names:
            value = contact.get(name) if contact.get(name) not in (None, "") else company.get(name)
            if value not in (None, ""):
                picked[name] = value
        return picked

    async def _find_contact(self, email: str) -> Any:
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name="email", operator="EQ", value=email)])],
            properties=[*CONTACT_PROPERTIES, *self._health, *self._churn], limit=1)
        page = await self._call(self._search.do_search, public_object_search_request=request)
        results = getattr(page, "results", None)
        if not isinstance(results, list):
            raise Unavailable(SOURCE, "answered garbage")
        if not results:
            raise NotFound(SOURCE, "no contact with this email")
        return results[0]

    async def _owner(self, owner_id: str) -> CrmOwner:
        # No `archived`: the client would send Python's `False`, which HubSpot's `true`/`false` rejects, and
        # its default (false) is what we want.
        owner = await self._call(self._owners.get_by_id, int(owner_id), id_property="id")
        if getattr(owner, "id", None) is None:
            raise Unavailable(SOURCE, "answered garbage")
        return CrmOwner(str(owner.id), _full_name(owner.first_name, owner.last_name), owner.email)

    async def _associated_ids(self, contact_id: str, to_type: str, limit: int) -> list[str]:
        page = await self._call(self._associations.get_page, "contacts", contact_id, to_type, limit=limit)
        results = getattr(page, "results", None)
        if not isinstance(results, list):
            raise Unavailable(SOURCE, "answered garbage")

        def primary_first(r: Any) -> int:
            types = getattr(r, "association_types", None) or []
            return 0 if any(getattr(t, "type_id", None) == PRIMARY_COMPANY_TYPE_ID for t in types) else 1

        return [str(r.to_object_id) for r in sorted(results, key=primary_first) if r.to_object_id is not None]

    async def _company(self, contact_id: str) -> tuple[Company | None, Mapping[str, Any]]:
        """The contact's primary company and its raw properties (where health and churn may live)."""
        ids = await self._associated_ids(contact_id, "companies", 10)
        if not ids:
            return None, {}
        company = await self._call(self._companies.get_by_id, ids[0],
                                   properties=[*COMPANY_PROPERTIES, self._tier, *self._health, *self._churn])
        props = _properties(company)
        return Company(id=company.id, name=props.get("name"), domain=props.get("domain"),
                       annual_revenue=_number(props.get("annualrevenue")), tier=props.get(self._tier) or None), props

    async def _open_deals(self, contact_id: str) -> list[Deal]:
        if self._max_deals == 0:
            return []
        ids = await self._associated_ids(contact_id, "deals", 100)
        if not ids:
            return []
        batch = await self._call(self._deals.read, BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in ids[:100]], properties=list(DEAL_PROPERTIES),
            properties_with_history=[]))
        results = getattr(batch, "results", None)
        if not isinstance(results, list):
            raise Unavailable(SOURCE, "answered garbage")
        deals = []
        for deal in results:
            p = _properties(deal)
            closed = str(p.get("hs_is_closed") or "").lower() == "true"
            if closed or str(p.get("dealstage") or "").lower() in self._closed:
                continue
            deals.append(Deal(id=deal.id, name=p.get("dealname"), amount=_number(p.get("amount")),
                              stage=p.get("dealstage"), close_date=p.get("closedate"), pipeline=p.get("pipeline")))
        deals.sort(key=lambda d: -(d.amount or 0.0))
        return deals[: self._max_deals]


async def _none() -> None:
    return None
