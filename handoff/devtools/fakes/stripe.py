"""A fake Stripe API on 127.0.0.1 answering with Stripe's real object shapes, with per-endpoint faults."""
from __future__ import annotations

import copy
import itertools
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from handoff.devtools.fakes.http import FakeRequest, FakeResponse, FakeServer

DATA = Path(__file__).parent / "data" / "stripe"
API_KEY = "sk_test_fake_enrichment"


def template(name: str) -> dict[str, Any]:
    """A fresh copy of one example object from handoff/devtools/fakes/data/stripe."""
    return json.loads((DATA / f"{name}.json").read_text())


@dataclass
class EndpointFault:
    """How one endpoint misbehaves: stall, then answer `status` (or garbage) `times` times (None: always)."""

    delay: float = 0.0
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    garbage: bool = False
    times: int | None = None


class EndpointFaultServer(FakeServer):
    """FakeServer plus faults per path prefix, and a fixed delay per request that stalls outside the lock."""

    def __init__(self) -> None:
        super().__init__()
        self.endpoint_faults: dict[str, EndpointFault] = {}
        self.arrivals: list[str] = []  # paths in order of arrival, including requests still stalled

    def fail_endpoint(self, path_prefix: str, *, status: int | None = None, headers: dict[str, str] | None = None,
                      body: Any = None, delay: float = 0.0, garbage: bool = False, times: int | None = None) -> None:
        """Make requests whose path starts with `path_prefix` stall and/or fail."""
        with self._lock:
            self.endpoint_faults[path_prefix] = EndpointFault(delay, status, dict(headers or {}), body, garbage, times)

    def _fault_for(self, path: str) -> EndpointFault | None:
        with self._lock:
            for prefix, fault in self.endpoint_faults.items():
                if path.startswith(prefix):
                    return fault
        return None

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        # The base writes headers and body separately; without NODELAY, Nagle plus the client's delayed
        # ACK adds ~40 ms to every answer on a kept-alive connection, which would swamp the bench.
        http.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        path = urlsplit(http.path).path
        with self._lock:
            self.arrivals.append(path)
        fault = self._fault_for(path)
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)  # stalls only this connection's thread
        super()._serve(http)

    def endpoint_response(self, request: FakeRequest) -> FakeResponse | None:
        """The injected answer for this request, if its endpoint is set to fail."""
        fault = self._fault_for(request.path)
        if fault is None or (fault.status is None and not fault.garbage):
            return None
        if fault.times is not None:
            if fault.times <= 0:
                return None
            fault.times -= 1
        if fault.garbage:
            return FakeResponse(200, b'{"object": "list", "data": [tru', content_type="application/json")
        body = fault.body if fault.body is not None else self.fault_body(fault.status or 500)
        return FakeResponse(fault.status or 500, body, fault.headers)

    def count(self, path_prefix: str) -> int:
        """How many requests arrived at paths starting with `path_prefix` (answered or still stalled)."""
        with self._lock:
            return sum(1 for p in self.arrivals if p.startswith(path_prefix))


def _expansions(request: FakeRequest) -> set[str]:
    return {v for k, v in request.query.items() if k.startswith("expand")}


def _expanded(path: str, expand: set[str]) -> bool:
    """Whether `path` is expanded: named itself or as the prefix of a deeper expansion (Stripe expands both)."""
    return any(e == path or e.startswith(path + ".") for e in expand)


MAX_EXPAND_DEPTH = 4  # Stripe refuses deeper expansions


def _listing(url: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False, "url": url}


class FakeStripe(EndpointFaultServer):
    """Stripe's /v1 customers, subscriptions, invoices, charges and disputes over an in-memory world."""

    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.customers: list[dict[str, Any]] = []
        self.subscriptions: list[dict[str, Any]] = []
        self.invoices: list[dict[str, Any]] = []
        self.charges: list[dict[str, Any]] = []
        self.disputes: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._id_lock = threading.Lock()

    def _id(self, prefix: str) -> str:
        with self._id_lock:
            return f"{prefix}_fake{next(self._ids):06d}"

    # -- building the world ------------------------------------------------------------------
    def add_customer(self, email: str, *, name: str | None = None, delinquent: bool = False,
                     card: tuple[str, str] | None = ("visa", "4242"), created: int = 1_700_000_000) -> dict[str, Any]:
        """A customer; `card` becomes the default payment method (brand, last4)."""
        c = template("customer")
        c.update(id=self._id("cus"), email=email, name=name, delinquent=delinquent, created=created, discount=None)
        pm = None
        if card:
            pm = template("payment_method")
            pm.update(id=self._id("pm"), customer=c["id"])
            pm["card"].update(brand=card[0], display_brand=card[0], last4=card[1])
        c["invoice_settings"]["default_payment_method"] = pm
        with self._lock:
            self.customers.append(c)
        return c

    def add_subscription(self, customer_id: str, *, unit_amount: int, interval: str = "month",
                         interval_count: int = 1, quantity: int = 1, status: str = "active",
                         lookup_key: str | None = None, nickname: str | None = None, product: str = "prod_fake_pro",
                         cancel_at_period_end: bool = False, currency: str = "usd",
                         percent_off: float | None = None) -> dict[str, Any]:
        """A subscription with one item whose price is embedded, as Stripe returns it."""
        s = template("subscription")
        price = template("price")
        price.update(id=self._id("price"), unit_amount=unit_amount, unit_amount_decimal=str(unit_amount),
                     lookup_key=lookup_key, nickname=nickname, product=product, currency=currency)
        price["recurring"].update(interval=interval, interval_count=interval_count, usage_type="licensed")
        item = s["items"]["data"][0]
        item.update(id=self._id("si"), price=price, quantity=quantity, subscription=None)
        s.update(id=self._id("sub"), customer=customer_id, status=status, currency=currency,
                 cancel_at_period_end=cancel_at_period_end, cancel_at=None, canceled_at=None, ended_at=None,
                 discounts=[])
        item["subscription"] = s["id"]
        s["items"]["url"] = f"/v1/subscription_items?subscription={s['id']}"
        if percent_off is not None:
            d = template("discount")
            coupon = template("coupon")
            coupon.update(id=self._id("co"), percent_off=percent_off, amount_off=None)
            d.update(id=self._id("di"), customer=customer_id, subscription=s["id"],
                     source={"coupon": coupon, "type": "coupon"})
            s["discounts"] = [d]
        with self._lock:
            self.subscriptions.append(s)
        return s

    def add_invoice(self, customer_id: str, *, created: int, amount_due: int, status: str = "paid",
                    attempt_count: int = 1, currency: str = "usd") -> dict[str, Any]:
        """An invoice; `attempt_count` > 1 or status open/uncollectible marks payment trouble."""
        i = template("invoice")
        paid = status == "paid"
        i.update(id=self._id("in"), customer=customer_id, created=created, amount_due=amount_due,
                 amount_paid=amount_due if paid else 0, amount_remaining=0 if paid else amount_due,
                 status=status, attempt_count=attempt_count, attempted=attempt_count > 0, currency=currency,
                 number=f"F00D-{len(self.invoices) + 1:04d}", next_payment_attempt=None)
        with self._lock:
            self.invoices.append(i)
        return i

    def add_charge(self, customer_id: str, *, created: int, amount: int, status: str = "succeeded",
                   failure_code: str | None = None, disputed: bool = False, refund: int | None = None,
                   refund_created: int | None = None, card: tuple[str, str] = ("visa", "4242"),
                   currency: str = "usd") -> dict[str, Any]:
        """A charge with card details; `refund` adds a refund of that amount."""
        c = template("charge")
        c.update(id=self._id("ch"), customer=customer_id, created=created, amount=amount, currency=currency,
                 status=status, paid=status == "succeeded", captured=status == "succeeded",
                 failure_code=failure_code, failure_message="Your card was declined." if failure_code else None,
                 disputed=disputed, refunded=False, amount_refunded=refund or 0)
        c["outcome"]["reason"] = "insufficient_funds" if failure_code else None
        c["payment_method_details"]["card"].update(brand=card[0], last4=card[1])
        refunds = []
        if refund:
            r = template("refund")
            r.update(id=self._id("re"), charge=c["id"], amount=refund, currency=currency,
                     created=refund_created or created, reason="requested_by_customer")
            refunds.append(r)
        c["refunds"] = _listing(f"/v1/charges/{c['id']}/refunds", refunds)
        with self._lock:
            self.charges.append(c)
        return c

    def add_dispute(self, charge_id: str, *, amount: int, status: str = "needs_response",
                    reason: str = "fraudulent", created: int = 1_700_000_000) -> dict[str, Any]:
        """A dispute against a charge."""
        d = template("dispute")
        d.update(id=self._id("dp"), charge=charge_id, amount=amount, status=status, reason=reason, created=created)
        with self._lock:
            self.disputes.append(d)
        return d

    # -- answering ---------------------------------------------------------------------------
    def fault_body(self, status: int) -> Any:
        """Stripe's error envelope for an injected status."""
        kinds = {401: ("invalid_request_error", None, "Invalid API Key provided: sk_test_****"),
                 429: ("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly."),
                 404: ("invalid_request_error", "resource_missing", "No such object")}
        kind, code, message = kinds.get(status, ("api_error", None, "Something went wrong on Stripe's end."))
        return {"error": {"type": kind, "code": code, "message": message}}

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route one /v1 request."""
        injected = self.endpoint_response(request)
        if injected is not None:
            return injected
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return FakeResponse(401, self.fault_body(401))
        q, expand, path = request.query, _expansions(request), request.path
        too_deep = next((e for e in sorted(expand) if e.count(".") >= MAX_EXPAND_DEPTH), None)
        if too_deep is not None:
            return FakeResponse(400, {"error": {
                "type": "invalid_request_error", "param": "expand",
                "message": f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property. "
                           f"Property: {too_deep}"}})
        if request.method == "GET" and path == "/v1/customers":
            found = [self._customer_view(c, expand) for c in self.customers if c["email"] == q.get("email")]
            return FakeResponse(200, _listing(path, found[: int(q.get("limit", 10))]))
        if request.method == "GET" and path == "/v1/subscriptions":
            subs = [s for s in self.subscriptions if s["customer"] == q.get("customer")
                    and (q.get("status") == "all" or s["status"] not in ("canceled", "incomplete_expired"))]
            return FakeResponse(200, _listing(path, [self._subscription_view(s, expand) for s in subs]))
        if request.method == "GET" and path == "/v1/invoices":
            since = int(q.get("created[gte]", 0))
            return FakeResponse(200, _listing(path, [i for i in self.invoices
                                                     if i["customer"] == q.get("customer") and i["created"] >= since]))
        if request.method == "GET" and path == "/v1/charges":
            mine = sorted((c for c in self.charges if c["customer"] == q.get("customer")), key=lambda c: -c["created"])
            return FakeResponse(200, _listing(path, [self._charge_view(c, expand) for c in mine]))
        if request.method == "GET" and path == "/v1/disputes":
            return FakeResponse(200, _listing(path, [d for d in self.disputes if d["charge"] == q.get("charge")]))
        return FakeResponse(404, {"error": {"type": "invalid_request_error",
                                            "message": f"Unrecognized request URL ({request.method}: {path})."}})

    @staticmethod
    def _customer_view(c: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        view = copy.deepcopy(c)
        pm = view["invoice_settings"]["default_payment_method"]
        if pm is not None and "data.invoice_settings.default_payment_method" not in expand:
            view["invoice_settings"]["default_payment_method"] = pm["id"]
        return view

    @staticmethod
    def _subscription_view(s: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        """As Stripe: discounts are ids unless expanded, an expanded discount's coupon an id unless expanded."""
        view = copy.deepcopy(s)
        if not _expanded("data.discounts", expand):
            view["discounts"] = [d["id"] for d in view["discounts"]]
            return view
        if not _expanded("data.discounts.source.coupon", expand):
            for d in view["discounts"]:
                coupon = (d.get("source") or {}).get("coupon")
                if isinstance(coupon, dict):
                    d["source"]["coupon"] = coupon["id"]
        return view

    @staticmethod
    def _charge_view(c: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        view = copy.deepcopy(c)
        if "data.refunds" not in expand:
            view.pop("refunds", None)  # not included unless expanded since API version 2022-11-15
        return view
