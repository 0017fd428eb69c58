"""The local outbox keeps what Zendesk and Slack would have received: never a card or a credential."""
from __future__ import annotations

import json
from pathlib import Path

from connectors.delivery import AlertRequest, TicketRequest
from connectors.local_outbox import LocalOutbox

RAW = "card 4111 1111 1111 1111 123, pw hunter2, https://bob:s3cret@db.example/ ana@example.com 07700 900123"


def _files(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file())


async def test_tickets_alerts_and_updates_are_kept_masked(tmp_path: Path) -> None:
    outbox = LocalOutbox(tmp_path)
    await outbox.upsert_ticket(TicketRequest(external_id="h_1", subject=RAW, note=RAW, requester_email="ana@example.com",
                                             requester_name=f"Ana {RAW}"))
    await outbox.post_alert(AlertRequest(handoff_id="h_1", channel="C1", text=RAW,
                                         blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": RAW}}]))
    await outbox.keep("slack_message", "h_1:slack:callback", {"thread": True, "text": RAW, "channel": "C1"})
    kept = _files(tmp_path)
    assert len(list(tmp_path.rglob("*.json"))) == 3
    for raw in ("4111 1111", "1111 123", "hunter2", "s3cret"):
        assert raw not in kept
    # contact details stay, as in a Zendesk ticket
    ticket = json.loads((tmp_path / "zendesk" / "h_1.json").read_text(encoding="utf-8"))["ticket"]
    assert "ana@example.com" in ticket["note"] and "07700 900123" in ticket["subject"]
    assert ticket["requester_name"].startswith("Ana card •••• 1111 •••, pw ••••")
    assert (tmp_path / "zendesk" / "h_1.txt").read_text(encoding="utf-8") == ticket["note"]


def test_every_sink_has_the_interface_the_dispatcher_calls(tmp_path):
    """The protocols in connectors/delivery.py are the dispatcher's view of the sinks: they must not drift."""
    from connectors.delivery import AlertSink, AlertThreadSink, OutboxSink, TicketSink
    from connectors.local_outbox import LocalAlertSink, LocalOutbox, LocalTicketSink
    from connectors.slack import SlackConnector
    from connectors.zendesk import ZendeskConnector

    assert isinstance(LocalOutbox(tmp_path), OutboxSink)
    assert isinstance(LocalTicketSink(tmp_path), TicketSink) and isinstance(LocalAlertSink(tmp_path), AlertSink)
    assert issubclass(ZendeskConnector, TicketSink)  # type: ignore[misc]
    assert issubclass(SlackConnector, AlertThreadSink)  # type: ignore[misc]
