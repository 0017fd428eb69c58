"""The Zendesk sidebar app in a real browser without Zendesk: its assets served on 127.0.0.1, a stub of the ZAF
client in place of Zendesk's SDK, and a real Handoff HTTP app (uvicorn, on 127.0.0.1) with three tickets.

Used by tests/apps/zendesk_sidebar (what an agent sees, the buttons), apps/zendesk-sidebar/tools/screenshots.py
and bench/zendesk_app.py. The stub does what Zendesk's proxy does for `client.request({secure: true})`: it puts
the secure setting's value in the header, then asks the service. It records every `invoke` (e.g.
`ticket.editor.insert`) and every request in `window.__zaf`.
"""
from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]
APP_DIR = ROOT / "apps" / "zendesk-sidebar"
CHROMIUM = "/usr/bin/chromium"
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
APP_KEY = "sidebar-test-key-0123456789"
API_KEY = "sidebar-api-key-0123456789"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York: the team is on shift

ZAF_STUB = r"""
(() => {
  const cfg = window.__zafConfig;
  const zaf = window.__zaf = { invoked: [], requests: [], events: {} };
  const client = {
    get(paths) {
      const list = Array.isArray(paths) ? paths : [paths];
      const out = {};
      for (const p of list) out[p] = p.split(".").reduce((o, k) => (o == null ? undefined : o[k]), cfg.context);
      return Promise.resolve(out);
    },
    metadata() { return Promise.resolve({ settings: cfg.settings }); },
    invoke(name, ...args) { zaf.invoked.push([name, ...args]); return Promise.resolve({}); },
    on(name, fn) { (zaf.events[name] = zaf.events[name] || []).push(fn); },
    async request(o) {
      zaf.requests.push({ url: o.url, type: o.type, secure: !!o.secure, cors: o.cors,
                          authorization: (o.headers || {}).Authorization });
      // what Zendesk's proxy does for a secure request: fill the secure settings in, server-side
      const headers = {};
      for (const [k, v] of Object.entries(o.headers || {}))
        headers[k] = o.secure ? String(v).replace(/\{\{setting\.(\w+)\}\}/g, (_, n) => cfg.secure[n] ?? "") : v;
      if (o.contentType) headers["Content-Type"] = o.contentType;
      const r = await fetch(o.url, { method: o.type || "GET", headers, body: o.data });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch (e) {}
      if (!r.ok) throw { status: r.status, responseText: text, responseJSON: json };
      return json;
    },
  };
  window.ZAFClient = { init: () => client };
})();
"""


def _bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class AssetServer:
    """The app's folder over HTTP on 127.0.0.1 (the page is /assets/iframe.html)."""

    def __init__(self, folder: Path = APP_DIR) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        Quiet.extensions_map = {**Quiet.extensions_map, ".js": "text/javascript"}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def origin(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "AssetServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ServedApp:
    """A FastAPI app served by uvicorn in a thread on 127.0.0.1 (an ephemeral port)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = _bound_socket()
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> "ServedApp":
        from handoff.devtools.support.processes import wait_until

        self.thread.start()
        wait_until(lambda: self.server.started, 20, "uvicorn to start")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@dataclass
class Scene:
    """The three tickets, the service and the app's page."""

    service: str  # the Handoff base URL
    assets: str  # the app's origin
    runtime: Any
    full: str  # handoff ids
    full_ticket: int  # the full one's Zendesk ticket (the fake's), found by ticket id alone
    unavailable: str  # its ticket could not be created: found by the external id
    fakes: dict[str, Any] = field(default_factory=dict)

    def config(self, ticket_id: int, external_id: str | None, *, email: str = "sam.rivera@example.com",
               locale: str = "en-US") -> dict[str, Any]:
        """The stub's `window.__zafConfig` for one ticket view."""
        return {"context": {"ticket": {"id": ticket_id, "externalId": external_id},
                            "currentUser": {"email": email, "locale": locale}},
                "settings": {"service_url": self.service}, "secure": {"service_key": APP_KEY}}

    def handoff(self, handoff_id: str) -> dict[str, Any]:
        """The handoff as GET /v1/handoffs/{id} shows it."""
        r = httpx.get(f"{self.service}/v1/handoffs/{handoff_id}", headers={"Authorization": f"Bearer {API_KEY}"},
                      timeout=10)
        r.raise_for_status()
        data: dict[str, Any] = r.json()
        return data


SETTINGS = """
[service]
outbox_dir = "{outbox}"
[zendesk]
subdomain = "acme"
[zendesk_app]
allowed_origins = ["{origin}"]
[enrichment]
budget_seconds = 3.0
failure_ttl_seconds = 0
[similar]
enabled = false
[[routing.teams]]
name = "billing"
[[routing.teams]]
name = "general"
[[routing.agents]]
id = "sam"
name = "Sam Rivera"
email = "sam.rivera@example.com"
teams = ["billing", "general"]
"""

FULL_TURNS = [
    {"role": "customer", "text": "Hi, I have a question about my Pro plan invoice for this month."},
    {"role": "ai", "text": "The second line is usually a pending authorisation that drops off in a few days.",
     "confidence": 0.52, "ai_actions": ["looked up invoices"],
     "kb_articles": [{"id": "KB-112", "title": "Pending charges", "url": "https://help.example.com/kb/112"}]},
    {"role": "customer", "text": "It is not pending. I see the same $499 payment twice on my card 4242 4242 4242 4242. "
                                 "This is ridiculous.", "page_url": "https://app.example.com/billing/invoices"},
]
UNAVAILABLE_TURNS = [
    {"role": "customer", "text": "My export keeps failing with error 500 and I need it today. Get me a human agent."},
]


def _post_turns(base: str, cid: str, turns: list[dict[str, Any]], customer: dict[str, str]) -> str:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    answer: dict[str, Any] = {}
    for i, turn in enumerate(turns):
        body = {**turn, "message_id": f"{cid}-{i}"}
        if turn["role"] == "customer":
            body["customer"] = customer
        answer = httpx.post(f"{base}/v1/conversations/{cid}/messages", json=body, headers=headers, timeout=30).json()
        last = i == len(turns) - 1
        assert (answer.get("decision") == "handoff") == last, (i, answer)  # handed off on the last turn
    return str(answer["handoff_id"])


def _seed_accounts(stripe: Any, hubspot: Any, zendesk: Any) -> None:
    ana = stripe.add_customer("ana@example.com", name="Ana Lima")
    stripe.add_subscription(ana["id"], unit_amount=49_900)  # $499.00 a month
    stripe.add_invoice(ana["id"], created=int(NOW.timestamp()) - 86_400, amount_due=49_900, status="open")
    contact = hubspot.add_contact("ana@example.com", firstname="Ana", lastname="Lima")
    hubspot.add_company(contact, name="Biglytics")
    hubspot.add_deal(contact, dealname="Enterprise renewal", amount="24000.00")
    zendesk.add_ticket(subject="Invoice PDF missing VAT number", status="open", requester_email="ana@example.com")


def _ticket_of(runtime: Any, handoff_id: str) -> int | None:
    from handoff.storage.tables import HandoffRow

    with runtime.sessions() as s:
        h = s.get(HandoffRow, handoff_id)
        return h.zendesk_ticket_id if h else None


@contextmanager
def scene(tmp_path: Path, database_url: str) -> Iterator[Scene]:
    """The service with the three tickets' data, and the app's assets, both on 127.0.0.1."""
    from handoff.bootstrap import build_runtime
    from handoff.devtools.fakes.hubspot import FakeHubSpot
    from handoff.devtools.fakes.stripe import FakeStripe
    from handoff.devtools.fakes.zendesk import FakeZendesk
    from handoff.devtools.support.clock import Clock
    from handoff.devtools.support.processes import wait_until
    from handoff.settings import load_config

    with ExitStack() as stack:
        assets = stack.enter_context(AssetServer())
        stripe, hubspot = stack.enter_context(FakeStripe()), stack.enter_context(FakeHubSpot())
        zendesk = FakeZendesk().start()
        stack.callback(zendesk.stop)
        _seed_accounts(stripe, hubspot, zendesk)
        settings = tmp_path / "settings.toml"
        settings.write_text(SETTINGS.format(outbox=(tmp_path / "outbox").as_posix(), origin=assets.origin),
                            encoding="utf-8")
        env = {"DATABASE_URL": database_url, "HANDOFF_API_KEYS": API_KEY, "HANDOFF_ZENDESK_APP_KEY": APP_KEY,
               "STRIPE_API_KEY": stripe.api_key, "STRIPE_API_BASE": stripe.url,
               "HUBSPOT_ACCESS_TOKEN": hubspot.token, "HUBSPOT_URL": hubspot.url,
               "ZENDESK_EMAIL": zendesk.email, "ZENDESK_API_TOKEN": zendesk.token, "ZENDESK_URL": zendesk.url}
        runtime = build_runtime(load_config(settings, environ=env), clock=Clock(NOW))
        stack.callback(runtime.close)
        served = stack.enter_context(ServedApp(runtime.app(jobs=False)))
        full = _post_turns(served.url, "conv-full", FULL_TURNS, {"email": "ana@example.com", "name": "Ana Lima"})
        full_ticket = wait_until(lambda: _ticket_of(runtime, full), 20, "the first handoff's ticket")
        # every source down for the second customer: each answers 503
        stripe.fail_endpoint("/v1/", status=503)
        hubspot.fail_next(503, times=100)
        zendesk.fail_next(503, times=100)
        unavailable = _post_turns(served.url, "conv-down", UNAVAILABLE_TURNS,
                                  {"email": "bo@example.com", "name": "Bo Chen"})
        yield Scene(service=served.url, assets=assets.origin, runtime=runtime, full=full, full_ticket=full_ticket,
                    unavailable=unavailable,
                    fakes={"stripe": stripe, "hubspot": hubspot, "zendesk": zendesk})


def open_sidebar(browser: Any, scene_: Scene, ticket_id: int, external_id: str | None, *,
                 width: int = 340, **who: Any) -> Any:
    """A page showing the sidebar for one ticket: the stub in place of Zendesk's SDK, nothing else from outside.

    The page's `outside` list holds every request to anywhere but 127.0.0.1 (there should be none)."""
    context = browser.new_context(viewport={"width": width, "height": 240}, device_scale_factor=1)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=scene_.assets)
    page = context.new_page()
    page.outside = []  # type: ignore[attr-defined]

    def route(r: Any) -> None:
        url = r.request.url
        if url == ZAF_SDK:
            return r.fulfill(status=200, content_type="text/javascript", body=ZAF_STUB)
        if url.startswith("http://127.0.0.1:"):
            return r.continue_()
        page.outside.append(url)  # type: ignore[attr-defined]
        return r.abort()

    page.route("**/*", route)
    page.add_init_script(f"window.__zafConfig = {json.dumps(scene_.config(ticket_id, external_id, **who))};")
    page.goto(f"{scene_.assets}/assets/iframe.html")
    page.wait_for_function("window.__handoffRendered !== undefined", timeout=20_000)
    return page
