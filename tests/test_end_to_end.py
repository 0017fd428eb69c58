"""End to end: a real `handoff serve` process, a conversation posted over HTTP, the ticket and the
alert found in local fake Zendesk and Slack servers."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until

API_KEY = "e2e-key-0123456789"


@pytest.fixture
def server(tmp_path: Path, database_url: str, fake_zendesk, fake_slack):
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f"""
[service]
outbox_dir = "{(tmp_path / 'outbox').as_posix()}"
[zendesk]
subdomain = "acme"
[slack]
default_channel = "C0HANDOFF"
[delivery]
poll_seconds = 1
""",
        encoding="utf-8",
    )
    env = {
        "DATABASE_URL": database_url,
        "HANDOFF_SETTINGS": str(settings),
        "HANDOFF_API_KEYS": API_KEY,
        "ZENDESK_EMAIL": fake_zendesk.email,
        "ZENDESK_API_TOKEN": fake_zendesk.token,
        "ZENDESK_URL": fake_zendesk.url,
        "SLACK_BOT_TOKEN": fake_slack.token,
        "SLACK_API_URL": fake_slack.api_url,
    }
    log = tmp_path / "server.log"
    proc = start_process(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
    except AssertionError:
        stop_process(proc)
        raise
    try:
        yield base, log
    finally:
        stop_process(proc)


def test_conversation_over_http_produces_ticket_and_alert(server, fake_zendesk, fake_slack):
    base, log_path = server
    headers = {"Authorization": f"Bearer {API_KEY}"}
    customer = {"email": "ana@example.com", "name": "Ana Souza", "language": "en"}
    turns = [
        {"role": "customer", "text": "My dashboard export keeps failing", "customer": customer, "message_id": "m1",
         "page_url": "https://app.example.com/reports"},
        {"role": "ai", "text": "Try clearing the export cache from Settings > Reports.", "confidence": 0.82,
         "kb_articles": [{"id": "kb-7", "title": "Export troubleshooting"}], "message_id": "m2"},
        {"role": "customer", "text": "Can I get a real person on this please", "message_id": "m3"},
    ]
    answers = [httpx.post(f"{base}/v1/conversations/conv-e2e/messages", json=t, headers=headers, timeout=10).json()
               for t in turns]
    assert [a["decision"] for a in answers] == ["continue", "continue", "handoff"]
    handoff_id = answers[-1]["handoff_id"]
    assert "repeat" in answers[-1]["customer_message"]

    ticket = wait_until(lambda: next(iter(fake_zendesk.tickets.values()), None), 15, "the Zendesk ticket")
    assert ticket["external_id"] == handoff_id
    assert "handoff" in ticket["tags"]
    assert ticket["priority"] in ("normal", "high", "urgent")
    comments = fake_zendesk.comments[ticket["id"]]
    assert comments[0]["public"] is False
    assert "real person" in comments[0]["body"]

    alert = wait_until(lambda: next((m for m in fake_slack.messages if m["channel"] == "C0HANDOFF"), None), 15,
                        "the Slack alert")
    assert alert["text"]
    buttons = [e for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(b.get("action_id") == "handoff_claim" and b.get("value") == handoff_id for b in buttons)
    assert any(b.get("action_id") == "handoff_open_ticket" and b["url"].endswith(f"/agent/tickets/{ticket['id']}") for b in buttons)
    assert "ana@example.com" not in str(alert["blocks"])  # PII masked in Slack

    status = wait_until(
        lambda: (lambda d: d if all(x["status"] == "sent" for x in d["deliveries"]) else None)(
            httpx.get(f"{base}/v1/handoffs/{handoff_id}", headers=headers, timeout=5).json()), 15, "deliveries sent")
    assert status["zendesk_ticket_id"] == ticket["id"]
    assert {d["target"] for d in status["deliveries"]} == {"zendesk", "slack"}

    # a repeat of the same message gets the same answer and creates nothing new
    again = httpx.post(f"{base}/v1/conversations/conv-e2e/messages", json=turns[-1], headers=headers, timeout=10).json()
    assert again["handoff_id"] == handoff_id
    assert len(fake_zendesk.tickets) == 1

    logs = log_path.read_text(errors="replace")
    for secret in (fake_zendesk.token, fake_slack.token, API_KEY):
        assert secret not in logs
