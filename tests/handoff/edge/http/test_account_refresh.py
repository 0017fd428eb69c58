"""`POST /v1/handoffs/{id}/refresh` on the real runtime (no vendor credentials: every source not configured)."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.storage.tables import DeliveryRow

KEY = {"Authorization": "Bearer k-one-123456"}
HUMAN = {"role": "customer", "text": "I want to talk to a real person please",
         "customer": {"email": "ana@example.com", "name": "Ana"}}


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(HANDOFF_API_KEYS="k-one-123456"))
    yield rt
    rt.close()


def client_for(rt):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False)), base_url="http://handoff.test")


def refresh_keys(rt, hid):
    with rt.sessions() as s:
        return [k for k in s.scalars(select(DeliveryRow.dedupe_key).where(DeliveryRow.handoff_id == hid))
                if ":zendesk:refresh:" in k]


async def test_refresh_queues_one_note_per_request(runtime):
    async with client_for(runtime) as c:
        hid = (await c.post("/v1/conversations/c-1/messages", json=HUMAN, headers=KEY)).json()["handoff_id"]
        assert (await c.post(f"/v1/handoffs/{hid}/refresh")).status_code == 401
        first = await c.post(f"/v1/handoffs/{hid}/refresh", headers=KEY)
        second = await c.post(f"/v1/handoffs/{hid}/refresh", headers=KEY)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["handoff_id"] == hid and body["number"] == 1 and body["changes"] == []
    assert {"source": "stripe", "label": "Status", "value": "not configured (set STRIPE_API_KEY)"} in body["account_facts"]
    assert second.json()["number"] == 2
    assert len(refresh_keys(runtime, hid)) == 2


async def test_refresh_of_unknown_released_or_malformed_handoffs(runtime):
    async with client_for(runtime) as c:
        assert (await c.post("/v1/handoffs/h_ffff/refresh", headers=KEY)).status_code == 404
        assert (await c.post("/v1/handoffs/not-an-id/refresh", headers=KEY)).status_code == 422
        hid = (await c.post("/v1/conversations/c-1/messages", json=HUMAN, headers=KEY)).json()["handoff_id"]
        assert (await c.post(f"/v1/handoffs/{hid}/release", headers=KEY)).status_code == 200
        refused = await c.post(f"/v1/handoffs/{hid}/refresh", headers=KEY)
    assert refused.status_code == 409 and "released" in refused.text
    assert refresh_keys(runtime, hid) == []
