"""`/zendesk-app/` on the real runtime: auth (service key, JWT), hostile ids, CORS, and claim / hand back."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, update

from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import DeliveryRow, HandoffRow

KEY = "zd-app-key-0123456789"
SECRET = "zd-shared-secret-abcdef-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday afternoon
ZENDESK = "https://acme.zendesk.com"
CARD = "4242 4242 4242 4242"
HUMAN = {"role": "customer", "text": f"My card {CARD} was charged twice, I want to talk to a real person",
         "customer": {"email": "ana@example.com", "name": "Ana Lima"}}
AGENTS = ("[zendesk]\nsubdomain = 'acme'\n[[routing.teams]]\nname = 'general'\n"
          "[[routing.agents]]\nid = 'sam'\nname = 'Sam Rivera'\nemail = 'Sam.Rivera@example.com'\nteams = ['general']\n"
          "[[routing.agents]]\nid = 'priya'\nname = 'Priya Shah'\nemail = 'priya@example.com'\nteams = ['general']\n")


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(AGENTS, HANDOFF_API_KEYS="api-key-123456", HANDOFF_ZENDESK_APP_KEY=KEY,
                                   HANDOFF_ZENDESK_APP_SECRET=SECRET), clock=Clock(NOW))
    yield rt
    rt.close()


def client_for(rt):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False)), base_url="http://handoff.test")


async def hand_off(c) -> str:
    r = await c.post("/v1/conversations/c-1/messages", json=HUMAN, headers={"Authorization": "Bearer api-key-123456"})
    assert r.json()["decision"] == "handoff", r.text
    return r.json()["handoff_id"]


def jwt(claims: dict, secret: str = SECRET, alg: str = "HS256") -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    head, body = part({"alg": alg, "typ": "JWT"}), part(claims)
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_ticket_without_a_handoff_says_so(runtime):
    async with client_for(runtime) as c:
        r = await c.get("/zendesk-app/tickets/123", headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {"ticket_id": 123, "external_id": None, "handoff": None}


async def test_the_handoff_is_found_by_external_id_then_by_ticket_id_and_masked(runtime):
    async with client_for(runtime) as c:
        hid = await hand_off(c)
        by_external = (await c.get(f"/zendesk-app/tickets/777?external_id={hid}", headers=AUTH)).json()
        with runtime.sessions() as s:
            s.execute(update(HandoffRow).where(HandoffRow.id == hid).values(zendesk_ticket_id=555))
            s.commit()
        by_ticket = (await c.get("/zendesk-app/tickets/555", headers=AUTH)).json()
        # the external id no longer finds it for another ticket: the handoff names its own
        other = (await c.get(f"/zendesk-app/tickets/777?external_id={hid}", headers=AUTH)).json()
    view = by_external["handoff"]
    assert view["handoff_id"] == hid and view["customer"]["name"] == "Ana Lima"
    assert view["sentiment"]["level"] in ("green", "yellow", "red") and view["sentiment"]["label"]
    assert any(r["trigger"] == "explicit_request" for r in view["reasons"])
    assert [s["source"] for s in view["account"]["sources"]] == ["stripe", "hubspot", "zendesk"]
    assert all(not s["available"] and s["reason"] for s in view["account"]["sources"])  # none configured here
    assert view["greeting"] and view["recommended_action"]
    assert CARD not in json.dumps(by_external) and "4242" in json.dumps(by_external)  # masked like the note
    assert by_ticket["handoff"]["handoff_id"] == hid and by_ticket["handoff"]["ticket_id"] == 555
    assert other["handoff"] is None


@pytest.mark.parametrize("ticket", ["abc", "0", "-4", "1.5", str(2**63)])
async def test_a_ticket_id_that_is_not_a_positive_integer_is_refused(runtime, ticket):
    async with client_for(runtime) as c:
        r = await c.get(f"/zendesk-app/tickets/{ticket}", headers=AUTH)
    assert r.status_code == 422 and "ticket_id" in r.json()["error"]


@pytest.mark.parametrize("headers, why", [
    ({}, "missing bearer"),
    ({"Authorization": "Bearer wrong-key"}, "invalid credentials"),
    ({"Authorization": f"Basic {KEY}"}, "missing bearer"),
    (bearer(jwt({"exp": NOW.timestamp() - 120, "iat": NOW.timestamp() - 600})), "expired"),
    (bearer(jwt({"exp": NOW.timestamp() + 600, "iat": NOW.timestamp() + 600})), "future"),
    (bearer(jwt({"exp": NOW.timestamp() + 600, "iat": NOW.timestamp() - 7200})), "too old"),
    (bearer(jwt({"exp": NOW.timestamp() + 600})), "'iat'"),
    (bearer(jwt({"exp": NOW.timestamp() + 600, "iat": NOW.timestamp()}, secret="other")), "bad signature"),
    (bearer(jwt({"exp": NOW.timestamp() + 600, "iat": NOW.timestamp()}, alg="none")), "only HS256"),
])
async def test_missing_or_bad_credentials_get_401(runtime, headers, why):
    async with client_for(runtime) as c:
        r = await c.get("/zendesk-app/tickets/1", headers=headers)
        claim = await c.post("/zendesk-app/handoffs/h_abc/claim", headers=headers, json={"agent_email": "priya@example.com"})
    assert r.status_code == 401 and why in r.json()["error"], r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert claim.status_code == 401


async def test_the_api_keys_are_not_the_apps_key(runtime):
    async with client_for(runtime) as c:
        r = await c.get("/zendesk-app/tickets/1", headers={"Authorization": "Bearer api-key-123456"})
    assert r.status_code == 401


async def test_without_key_or_secret_every_request_is_refused_saying_what_to_set(make_config):
    rt = build_runtime(make_config(AGENTS))
    try:
        async with client_for(rt) as c:
            r = await c.get("/zendesk-app/tickets/1", headers=AUTH)
    finally:
        rt.close()
    assert r.status_code == 401 and "HANDOFF_ZENDESK_APP_KEY" in r.json()["error"]


async def test_claim_and_hand_back_as_the_slack_buttons_do(runtime):
    async with client_for(runtime) as c:
        hid = await hand_off(c)
        stranger = await c.post(f"/zendesk-app/handoffs/{hid}/claim", headers=AUTH, json={"agent_email": "eve@example.com"})
        claimed = await c.post(f"/zendesk-app/handoffs/{hid}/claim", headers=AUTH,
                               json={"agent_email": "sam.rivera@EXAMPLE.com"})
        taken = await c.post(f"/zendesk-app/handoffs/{hid}/claim", headers=AUTH, json={"agent_email": "priya@example.com"})
        back = await c.post(f"/zendesk-app/handoffs/{hid}/hand-back", headers=AUTH, json={"agent_email": "priya@example.com"})
        again = await c.post(f"/zendesk-app/handoffs/{hid}/hand-back", headers=AUTH, json={"agent_email": "priya@example.com"})
        missing = await c.post("/zendesk-app/handoffs/h_ffff/claim", headers=AUTH, json={"agent_email": "priya@example.com"})
    assert stranger.status_code == 403 and "not an agent" in stranger.json()["error"]
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["handoff"]["status"] == "claimed"
    assert claimed.json()["handoff"]["claimed_by"] == {"id": "sam", "name": "Sam Rivera"}
    assert taken.status_code == 409 and "Sam Rivera" in taken.json()["message"]
    assert back.status_code == 200 and back.json()["handoff"]["status"] == "released"
    assert again.status_code == 409 and again.json()["ok"] is False
    assert missing.status_code == 404
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        notes = [d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))]
    assert h.claimed_by == "sam" and h.released_via == "zendesk_app"
    assert any("claimed in the Zendesk app by Sam Rivera" in json.dumps(p) for p in notes)


async def test_a_jwt_email_claim_is_who_acts_whatever_the_body_says(runtime):
    token = jwt({"exp": NOW.timestamp() + 600, "iat": NOW.timestamp() - 5, "email": "priya@example.com"})
    async with client_for(runtime) as c:
        hid = await hand_off(c)
        r = await c.post(f"/zendesk-app/handoffs/{hid}/claim", headers=bearer(token),
                         json={"agent_email": "sam.rivera@example.com"})
    assert r.status_code == 200 and r.json()["handoff"]["claimed_by"]["id"] == "priya"


async def test_cors_answers_only_the_accounts_zendesk_origin(runtime):
    async with client_for(runtime) as c:
        ok = await c.get("/zendesk-app/tickets/1", headers={**AUTH, "Origin": ZENDESK})
        wrong = await c.get("/zendesk-app/tickets/1", headers={**AUTH, "Origin": "https://evil.example"})
        pre_ok = await c.options("/zendesk-app/tickets/1", headers={
            "Origin": ZENDESK, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
        pre_wrong = await c.options("/zendesk-app/tickets/1", headers={
            "Origin": "https://acme.zendesk.com.evil.example", "Access-Control-Request-Method": "GET"})
        unauthenticated = await c.get("/zendesk-app/tickets/1", headers={"Origin": ZENDESK})
    assert ok.headers["access-control-allow-origin"] == ZENDESK
    assert "access-control-allow-origin" not in wrong.headers and wrong.status_code == 200
    assert pre_ok.status_code == 204 and pre_ok.headers["access-control-allow-origin"] == ZENDESK
    assert "Authorization" in pre_ok.headers["access-control-allow-headers"]
    assert pre_wrong.status_code == 403 and "access-control-allow-origin" not in pre_wrong.headers
    # the app can read why it was refused
    assert unauthenticated.status_code == 401 and unauthenticated.headers["access-control-allow-origin"] == ZENDESK


def test_allowed_origins_must_be_origins(make_config):
    from handoff.settings import SettingsError, zendesk_app_origins

    with pytest.raises(SettingsError, match="not an origin"):
        make_config("[zendesk_app]\nallowed_origins = ['https://acme.zendesk.com/agent']\n")
    config = make_config("[zendesk_app]\nallowed_origins = ['https://help.acme.com/']\n")
    assert zendesk_app_origins(config.settings) == ["https://help.acme.com"]
    assert zendesk_app_origins(make_config("[zendesk]\nsubdomain = 'acme'\n").settings) == [ZENDESK]
    assert zendesk_app_origins(make_config("").settings) == []


@pytest.mark.parametrize("path, body", [
    ("/zendesk-app/handoffs/not-an-id/claim", {"agent_email": "priya@example.com"}),
    ("/zendesk-app/handoffs/h_abc/claim", {"agent_email": "p" * 400 + "@example.com"}),
    ("/zendesk-app/handoffs/h_abc/claim", {"agent_email": "priya@example.com", "agent": "sam"}),
    ("/zendesk-app/handoffs/h_abc/hand-back", {"agent_email": ["priya@example.com"]}),
])
async def test_a_malformed_action_is_refused_and_changes_nothing(runtime, path, body):
    async with client_for(runtime) as c:
        r = await c.post(path, headers=AUTH, json=body)
    assert r.status_code == 422 and r.json()["error"].startswith("invalid request")
    with runtime.sessions() as s:
        assert s.scalars(select(HandoffRow)).first() is None


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the test signs with it on purpose
def test_a_shared_secret_too_short_for_hs256_opens_nothing() -> None:
    import jwt

    from handoff.edge.http.zendesk_app_auth import Refused, ZendeskAppAuth

    short = "only-23-bytes-of-secret"
    token = jwt.encode({"exp": NOW.timestamp() + 60, "iat": NOW.timestamp()}, short, algorithm="HS256")
    for auth in (ZendeskAppAuth(key=None, secret=short, clock=lambda: NOW),
                 ZendeskAppAuth(key=KEY, secret=short, clock=lambda: NOW)):
        with pytest.raises(Refused, match="shorter than 32 bytes"):
            auth.check(f"Bearer {token}")
    assert ZendeskAppAuth(key=KEY, secret=short, clock=lambda: NOW).check(f"Bearer {KEY}").via == "key"
