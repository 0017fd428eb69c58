"""`POST /v1/handoffs/{id}/choice` and the `update` field of `GET /v1/conversations/{id}`."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import CustomerUpdateRow, DeliveryRow, HandoffRow
from jobs.waiting import send_waiting_updates
from tests.waiting_support import SETTINGS, queued_handoff

KEY = "k-one-123456"


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(SETTINGS, HANDOFF_API_KEYS=KEY), clock=Clock())
    yield rt
    rt.close()


def client_for(rt, key=KEY):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False), client=("127.0.0.1", 5555)),
                             base_url="http://handoff.test", headers={"Authorization": f"Bearer {key}"} if key else {})


def counts(rt):
    with rt.sessions() as s:
        return (len(s.scalars(select(CustomerUpdateRow.id)).all()), len(s.scalars(select(DeliveryRow.id)).all()),
                tuple(s.scalars(select(HandoffRow.status).order_by(HandoffRow.id)).all()))


async def test_the_conversation_shows_the_latest_update_and_its_choices(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    async with client_for(runtime) as c:
        assert (await c.get("/v1/conversations/c-1")).json()["update"] is None  # nothing said since the handoff
        for _ in range(8):
            runtime.clock.advance(75)
            send_waiting_updates(runtime.sessions, runtime.config.settings, runtime.clock, "local")
        view = (await c.get("/v1/conversations/c-1")).json()
        assert view["update"]["kind"] == "alternatives" and view["update"]["at"] == runtime.clock().isoformat()
        assert [x["choice"] for x in view["update"]["choices"]] == ["callback", "email", "keep_waiting"]
        r = await c.post(f"/v1/handoffs/{hid}/choice", json={"choice": "callback"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "callback_scheduled" and body["changed"] is True
        view = (await c.get("/v1/conversations/c-1")).json()
    assert view["status"] == "callback_scheduled" and view["callback_at"]
    assert view["update"]["kind"] == "choice_confirmed" and view["update"]["choices"] == []
    assert view["update"]["callback_at"] == body["callback_at"]


async def test_a_conversation_with_the_ai_has_no_update(runtime):
    async with client_for(runtime) as c:
        await c.post("/v1/conversations/c-ai/messages", json={"role": "customer", "text": "How do I export?"})
        assert (await c.get("/v1/conversations/c-ai")).json()["update"] is None


@pytest.mark.parametrize("body", [{"choice": "phone"}, {"choice": "email", "extra": 1}, {}, {"choice": None}])
async def test_a_malformed_choice_is_422_and_changes_nothing(runtime, body):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    before = counts(runtime)
    async with client_for(runtime) as c:
        r = await c.post(f"/v1/handoffs/{hid}/choice", json=body)
        no_body = await c.post(f"/v1/handoffs/{hid}/choice")
    assert r.status_code == 422 and r.json()["error"].startswith("invalid request")
    assert no_body.status_code == 422
    assert counts(runtime) == before


async def test_unknown_handoff_404_taken_handoff_409_no_key_401(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    async with client_for(runtime) as c:
        assert (await c.post("/v1/handoffs/h_0123456789abcdef01234567/choice", json={"choice": "email"})).status_code == 404
        assert (await c.post("/v1/handoffs/not-an-id/choice", json={"choice": "email"})).status_code == 422
        await runtime.operations.set_available("sam", True)
        await runtime.operations.claim(hid, "sam")
        before = counts(runtime)
        r = await c.post(f"/v1/handoffs/{hid}/choice", json={"choice": "email"})
        assert r.status_code == 409 and "claimed" in r.json()["error"]
        assert counts(runtime) == before
    async with client_for(runtime, key=None) as c:
        assert (await c.post(f"/v1/handoffs/{hid}/choice", json={"choice": "email"})).status_code == 401
