"""The fakes themselves behave like the vendors where the connectors' tests cannot see it."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from handoff.devtools.fakes.slack import FakeSlack
from handoff.devtools.fakes.zendesk import FakeZendesk


def call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read() or b"null")


def slack(fake: FakeSlack, method: str, *, form: dict[str, str] | None = None, token: str | None = None,
          body: dict[str, Any] | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token or fake.token}"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    else:
        data = urllib.parse.urlencode(form or {}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return call(fake.api_url + method, data=data, headers=headers)[2]


def test_slack_accepts_form_bodies_with_json_fields(fake_slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    answer = slack(fake_slack, "chat.postMessage", form={"channel": "C0ABC", "text": "hi",
                                                          "blocks": json.dumps(blocks)})

    assert answer["ok"] is True and answer["channel"] == "C0ABC"
    assert fake_slack.messages[0]["blocks"] == blocks


@pytest.mark.parametrize(("token", "error"), [("", "not_authed"), ("xoxb-other", "invalid_auth")])
def test_slack_checks_the_token(fake_slack: FakeSlack, token: str, error: str) -> None:
    req = urllib.request.Request(fake_slack.api_url + "auth.test", data=b"",
                                 headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.loads(resp.read()) == {"ok": False, "error": error}


def test_slack_history_wants_ids_not_names(fake_slack: FakeSlack) -> None:
    posted = slack(fake_slack, "chat.postMessage", body={"channel": "#support", "text": "x"})

    assert slack(fake_slack, "conversations.history", form={"channel": "#support"})["error"] == "channel_not_found"
    history = slack(fake_slack, "conversations.history", form={"channel": posted["channel"]})
    assert [m["text"] for m in history["messages"]] == ["x"]
    assert "metadata" not in history["messages"][0]


def test_slack_429_carries_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(429, headers={"Retry-After": "9"})
    status, headers, body = call(fake_slack.api_url + "auth.test", data=b"",
                                 headers={"Authorization": f"Bearer {fake_slack.token}"})

    assert (status, headers["Retry-After"], body["error"]) == (429, "9", "ratelimited")


def test_zendesk_requires_basic_token_auth(fake_zendesk: FakeZendesk) -> None:
    good = base64.b64encode(f"{fake_zendesk.email}/token:{fake_zendesk.token}".encode()).decode()
    bad = base64.b64encode(f"{fake_zendesk.email}:{fake_zendesk.token}".encode()).decode()
    url = fake_zendesk.url + "/api/v2/users/me.json"

    assert call(url, headers={"Authorization": f"Basic {good}"})[0] == 200
    assert call(url, headers={"Authorization": f"Basic {bad}"})[:3:2] == (401, {"error": "Couldn't authenticate you"})
    assert call(url)[0] == 401


def test_zendesk_unknown_ticket_is_record_not_found(fake_zendesk: FakeZendesk) -> None:
    auth = base64.b64encode(f"{fake_zendesk.email}/token:{fake_zendesk.token}".encode()).decode()

    status, _, body = call(fake_zendesk.url + "/api/v2/tickets/1.json", headers={"Authorization": f"Basic {auth}"})

    assert (status, body["error"]) == (404, "RecordNotFound")


def test_zendesk_search_subset(fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.add_ticket(subject="a", status="open", requester_email="ana@example.com",
                            created_at="2026-03-01T00:00:00Z")
    fake_zendesk.add_ticket(subject="b", status="closed", requester_email="ana@example.com",
                            created_at="2026-01-01T00:00:00Z")
    fake_zendesk.add_ticket(subject="c", status="open", requester_email="bo@example.com")
    auth = base64.b64encode(f"{fake_zendesk.email}/token:{fake_zendesk.token}".encode()).decode()

    def search(query: str) -> list[str]:
        url = fake_zendesk.url + "/api/v2/search.json?" + urllib.parse.urlencode({"query": query})
        return [r["subject"] for r in call(url, headers={"Authorization": f"Basic {auth}"})[2]["results"]]

    assert search("type:ticket requester:ana@example.com") == ["a", "b"]
    assert search("type:ticket requester:ana@example.com status<solved") == ["a"]
    assert search("type:ticket requester:ana@example.com created>2026-02-01") == ["a"]
    assert search("type:user") == []
