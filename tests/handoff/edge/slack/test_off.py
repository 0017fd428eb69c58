"""`POST /slack/events` without the Slack app's credentials: 503 with the reason, like the Zendesk webhook."""
from __future__ import annotations

import httpx
import pytest

from handoff.bootstrap import build_runtime


@pytest.mark.parametrize(("env", "missing"), [
    ({}, "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxb-test-token"}, "set SLACK_SIGNING_SECRET"),
])
async def test_slack_events_without_credentials_is_a_503_naming_what_is_missing(make_config, env, missing):
    rt = build_runtime(make_config(**env))
    try:
        transport = httpx.ASGITransport(app=rt.app(jobs=False), client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.post("/slack/events", content=b"token=x&command=/handoff",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 503
        assert r.json()["error"] == f"the Slack app is not configured: {missing}"
        assert r.headers["x-slack-no-retry"] == "1"
    finally:
        rt.close()
