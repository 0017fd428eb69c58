"""Arbitrary bodies on both webhooks: Zendesk bodies correctly signed (so they reach the parser and the
store), Slack bodies signed and unsigned. Never a 5xx; every 2xx stored exactly once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import is_ssl_check, mount_slack
from handoff.storage.tables import InboundEventRow
from handoff.core.formats.zendesk_events import SUBSCRIBED_EVENT_TYPES, TRIGGER_BODY
from tests.hostile.conftest import BlockingClient, hostile_app

SECRET = "zd-fuzz-secret-0123456789"
SLACK_SECRET = "slack-fuzz-secret-0123456789"
FUZZ = settings(max_examples=80, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

# Text with what breaks stores and parsers: NUL, lone surrogates, placeholders left unrendered.
awkward_text = st.one_of(st.text(max_size=20),
                         st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "{{ticket.id}}", "", " ", "9" * 25]))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | awkward_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(awkward_text, inner, max_size=4),
    max_leaves=16,
)
ids = st.one_of(st.integers(min_value=-5, max_value=2**64), st.integers(1, 10**6).map(str), awkward_text)
trigger_bodies = st.fixed_dictionaries({"ticket_id": ids}, optional={k: json_values for k in TRIGGER_BODY if k != "ticket_id"})
event_bodies = st.fixed_dictionaries(
    {"type": st.sampled_from([*SUBSCRIBED_EVENT_TYPES, "zen:event-type:ticket.tags_changed",
                              "zen:event-type:user.created", "other"]),
     "id": awkward_text,
     "detail": st.fixed_dictionaries({"id": ids}, optional={"status": json_values, "tags": json_values,
                                                            "assignee_id": ids, "actor_id": ids}),
     },
    optional={"subject": awkward_text, "time": awkward_text, "event": json_values, "account_id": ids},
)
zendesk_bodies = st.one_of(
    trigger_bodies.map(lambda v: json.dumps(v).encode()),
    event_bodies.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


def zendesk_headers(body: bytes, invocation: str) -> dict[str, str]:
    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = base64.b64encode(hmac.new(SECRET.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return {"x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts,
            "x-zendesk-webhook-id": "01HFUZZ", "x-zendesk-webhook-invocation-id": invocation,
            "content-type": "application/json"}


def test_signed_arbitrary_zendesk_bodies_never_5xx(make_config):
    rt = build_runtime(make_config(ZENDESK_WEBHOOK_SECRET=SECRET))
    rt.inbound.wake = lambda: None  # the HTTP edge is under test here, not the processing of what it stored
    seen: dict[int, int] = {}
    try:
        with BlockingClient(hostile_app(rt)) as client:
            counter = iter(range(10**9))

            @given(body=zendesk_bodies)
            @FUZZ
            def run(body: bytes) -> None:
                with rt.sessions() as s:
                    before = s.scalar(select(func.count()).select_from(InboundEventRow))
                r = client.post("/webhooks/zendesk", content=body, headers=zendesk_headers(body, f"i{next(counter)}"))
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                assert r.status_code in (200, 202, 400, 413, 422), (r.status_code, r.text, body[:200])
                assert "error" in r.json() or "status" in r.json()
                with rt.sessions() as s:
                    after = s.scalar(select(func.count()).select_from(InboundEventRow))
                assert after - before == (1 if r.status_code == 202 else 0)

            run()
    finally:
        rt.close()
    assert seen.get(202) and (seen.get(400) or seen.get(422)), seen  # both sides were reached


def slack_forms() -> st.SearchStrategy[tuple[bytes, str]]:
    form = st.dictionaries(st.sampled_from(["payload", "command", "text", "user_id", "ssl_check", "type", "token"]),
                           st.one_of(awkward_text.filter(lambda t: "\ud800" not in t and "\udfff" not in t),
                                     json_values.map(json.dumps)), max_size=4)
    return st.one_of(
        form.map(lambda f: (urlencode(f).encode(), "application/x-www-form-urlencoded")),
        json_values.map(lambda v: (json.dumps(v).encode(), "application/json")),
        st.binary(max_size=200).map(lambda b: (b, "application/x-www-form-urlencoded")),
    )


class _NoOps:
    def agent_for_slack_user(self, slack_user_id: str) -> Any:
        return None


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_arbitrary_slack_bodies_never_5xx(make_config, fake_slack, signed):
    from slack_sdk.web.async_client import AsyncWebClient

    rt = build_runtime(make_config())
    app = FastAPI()
    bolt = build_slack_app(_NoOps(), token=fake_slack.token, signing_secret=SLACK_SECRET,  # type: ignore[arg-type]
                           client=AsyncWebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    mount_slack(app, bolt, sessions=rt.sessions)
    try:
        with BlockingClient(app) as client:

            @given(case=slack_forms())
            @FUZZ
            def run(case: tuple[bytes, str]) -> None:
                body, content_type = case
                headers = {"Content-Type": content_type}
                if signed:
                    ts = str(int(time.time()))
                    digest = hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
                    headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
                r = client.post("/slack/events", content=body, headers=headers)
                assert r.status_code < 500, (r.status_code, r.text, body[:200])
                if not signed:
                    assert r.status_code == (200 if is_ssl_check(body) else 401)

            run()
    finally:
        rt.close()
