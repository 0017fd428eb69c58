"""A fake HubSpot CRM API on 127.0.0.1 answering with CRM v3/v4 shapes, with per-endpoint faults."""
from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path
from typing import Any

from handoff.devtools.fakes.http import FakeRequest, FakeResponse
from handoff.devtools.fakes.stripe import EndpointFaultServer

DATA = Path(__file__).parent / "data" / "hubspot"
TOKEN = "pat-na1-fake-enrichment"

OWNER = re.compile(r"^/crm/v3/owners/(\d+)$")
ASSOCIATIONS = re.compile(r"^/crm/v4/objects/contacts/(\w+)/associations/(companies|deals)$")
COMPANY = re.compile(r"^/crm/v3/objects/companies/(\w+)$")


def template(name: str) -> dict[str, Any]:
    """A fresh copy of one example payload from handoff/devtools/fakes/data/hubspot."""
    return json.loads((DATA / f"{name}.json").read_text())


class FakeHubSpot(EndpointFaultServer):
    """Contacts search, owners, associations v4, companies and deals batch read over an in-memory CRM."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.contacts: dict[str, dict[str, Any]] = {}
        self.companies: dict[str, dict[str, Any]] = {}
        self.deals: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, dict[str, Any]] = {}
        self.associations: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._ids = itertools.count(1001)

    # -- building the CRM --------------------------------------------------------------------
    def add_contact(self, email: str, *, firstname: str = "Ana", lastname: str = "Lima",
                    lifecyclestage: str = "customer", owner_id: str | None = None, **properties: str) -> str:
        """A contact; extra keyword arguments become (custom) properties. Returns its id."""
        c = template("contact")
        cid = str(next(self._ids))
        c["id"] = cid
        c["properties"].update(email=email, firstname=firstname, lastname=lastname, lifecyclestage=lifecyclestage,
                               hs_object_id=cid, **properties)
        if owner_id:
            c["properties"]["hubspot_owner_id"] = owner_id
        with self._lock:
            self.contacts[cid] = c
        return cid

    def add_owner(self, owner_id: str, *, first: str = "Sam", last: str = "Owner",
                  email: str = "sam.owner@example.com") -> None:
        """An owner (a HubSpot user) addressable by id."""
        o = template("owner")
        o.update(id=owner_id, firstName=first, lastName=last, email=email)
        with self._lock:
            self.owners[owner_id] = o

    def add_company(self, contact_id: str, *, name: str = "Biglytics", primary: bool = True,
                    **properties: str) -> str:
        """A company associated with the contact (primary by default). Returns its id."""
        co = template("company")
        coid = str(next(self._ids))
        co["id"] = coid
        co["properties"].update(name=name, hs_object_id=coid, **properties)
        assoc = template("association")
        assoc["toObjectId"] = int(coid)
        if not primary:
            assoc["associationTypes"] = [t for t in assoc["associationTypes"] if t["typeId"] != 1]
        with self._lock:
            self.companies[coid] = co
            self.associations.setdefault((contact_id, "companies"), []).append(assoc)
        return coid

    def add_deal(self, contact_id: str, *, dealname: str = "Renewal", amount: str | None = "1500.00",
                 dealstage: str = "contractsent", **properties: str) -> str:
        """A deal associated with the contact. Returns its id."""
        d = template("deal")
        did = str(next(self._ids))
        d["id"] = did
        d["properties"].update(dealname=dealname, amount=amount, dealstage=dealstage, hs_object_id=did,
                               hs_is_closed="true" if dealstage in ("closedwon", "closedlost") else "false",
                               **properties)
        with self._lock:
            self.deals[did] = d
            self.associations.setdefault((contact_id, "deals"), []).append(
                {"toObjectId": int(did), "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 4, "label": None}]})
        return did

    # -- answering ---------------------------------------------------------------------------
    def fault_body(self, status: int) -> Any:
        """HubSpot's error envelope for an injected status."""
        body = template("error")
        category = {401: "INVALID_AUTHENTICATION", 403: "MISSING_SCOPES", 404: "OBJECT_NOT_FOUND",
                    429: "RATE_LIMITS"}.get(status, "INTERNAL_ERROR")
        body.update(category=category, message=f"{category.replace('_', ' ').lower()} (HTTP {status})")
        if status == 429:
            body["policyName"] = "TEN_SECONDLY_ROLLING"
        return body

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route one CRM request."""
        injected = self.endpoint_response(request)
        if injected is not None:
            return injected
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return FakeResponse(401, self.fault_body(401))
        path = request.path
        if request.method == "POST" and path == "/crm/v3/objects/contacts/search":
            return FakeResponse(200, self._search(request.json or {}))
        if request.method == "POST" and path == "/crm/v3/objects/deals/batch/read":
            page = template("batch_read")
            ids = [i.get("id") for i in (request.json or {}).get("inputs", [])]
            page["results"] = [copy.deepcopy(self.deals[i]) for i in ids if i in self.deals]
            return FakeResponse(200, page)
        if request.method == "GET" and (m := OWNER.match(path)):
            bad = self._bad_query(request, {"archived": ("true", "false"), "idProperty": ("id", "userId")})
            if bad is not None:
                return bad
            owner = self.owners.get(m.group(1))
            return FakeResponse(200, owner) if owner else FakeResponse(404, self.fault_body(404))
        if request.method == "GET" and (m := ASSOCIATIONS.match(path)):
            page = template("associations_page")
            page["results"] = copy.deepcopy(self.associations.get((m.group(1), m.group(2)), []))
            return FakeResponse(200, page)
        if request.method == "GET" and (m := COMPANY.match(path)):
            bad = self._bad_query(request, {"archived": ("true", "false")})
            if bad is not None:
                return bad
            company = self.companies.get(m.group(1))
            return FakeResponse(200, company) if company else FakeResponse(404, self.fault_body(404))
        return FakeResponse(404, self.fault_body(404))

    def _bad_query(self, request: FakeRequest, allowed: dict[str, tuple[str, ...]]) -> FakeResponse | None:
        """HubSpot's 400 for a query parameter outside its enum (booleans are `true`/`false`, case-sensitive)."""
        for name, values in allowed.items():
            value = request.query.get(name)
            if value is not None and value not in values:
                body = template("error")
                body.update(category="VALIDATION_ERROR",
                            message=f"Unable to process query parameter {name}={value}: expected one of "
                                    f"{', '.join(values)}")
                return FakeResponse(400, body)
        return None

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        wanted = None
        for group in body.get("filterGroups", []):
            for f in group.get("filters", []):
                if f.get("propertyName") == "email" and f.get("operator") == "EQ":
                    wanted = str(f.get("value", "")).lower()
        # HubSpot matches email case-insensitively and returns only the asked-for properties.
        asked = set(body.get("properties") or []) | {"createdate", "lastmodifieddate", "hs_object_id"}
        found = []
        for c in self.contacts.values():
            if c["properties"].get("email", "").lower() == wanted:
                view = copy.deepcopy(c)
                view["properties"] = {k: v for k, v in view["properties"].items() if k in asked}
                found.append(view)
        page = template("search_page")
        page.update(total=len(found), results=found[: int(body.get("limit") or 10)])
        return page
