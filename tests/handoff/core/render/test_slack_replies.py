"""The /handoff command language and the Slack app's replies: parsing, content, masking, Slack's limits."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from handoff.core.render.slack_replies import (
    CALLBACKS_MAX,
    COMMANDS,
    QUEUE_ITEMS_MAX,
    Command,
    Reply,
    availability_reply,
    callbacks_reply,
    claim_reply,
    duration,
    failure_reply,
    help_reply,
    not_agent_reply,
    parse_command,
    queue_reply,
    slack_date,
    stats_reply,
    status_reply,
    unnecessary_reply,
    usage_reply,
    working_text,
)

CARD = "4242 4242 4242 4242"
EMAIL = "ana.lima@example.com"


def whole(reply: Reply) -> str:
    return reply.text + json.dumps(reply.blocks or [], ensure_ascii=False)


def assert_within_limits(reply: Reply) -> None:
    assert reply.text and len(reply.text) <= 3000
    for b in reply.blocks or []:
        assert b["type"] in ("header", "section")
        if b["type"] == "header":
            assert 0 < len(b["text"]["text"]) <= 150 and b["text"]["type"] == "plain_text"
        if "text" in b and b["type"] == "section":
            assert 0 < len(b["text"]["text"]) <= 3000
        assert len(b.get("fields", [])) <= 10
        assert all(0 < len(f["text"]) <= 2000 for f in b.get("fields", []))
    assert len(reply.blocks or []) <= 50


# -- parsing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("", Command("help", raw="")),
    ("   ", Command("help", raw="")),
    (None, Command("help", raw="")),
    ("help", Command("help", raw="help")),
    ("HELP", Command("help", raw="HELP")),
    ("queue", Command("queue", raw="queue")),
    ("queue billing", Command("queue", arg="billing", raw="queue billing")),
    ("queue billing extra", Command("queue", error="usage: `/handoff queue [team]`", raw="queue billing extra")),
    ("status h_0a1b", Command("status", arg="h_0a1b", raw="status h_0a1b")),
    ("status `h_0a1b`", Command("status", arg="h_0a1b", raw="status `h_0a1b`")),
    ("Claim *h_0a1b*", Command("claim", arg="h_0a1b", raw="Claim *h_0a1b*")),
    ("claim", Command("claim", error="usage: `/handoff claim ID`", raw="claim")),
    ("claim a b", Command("claim", error="usage: `/handoff claim ID`", raw="claim a b")),
    ("available", Command("available", raw="available")),
    ("away", Command("away", raw="away")),
    ("away now", Command("away", error="`away` takes no argument; usage: `/handoff away`", raw="away now")),
    ("callbacks", Command("callbacks", raw="callbacks")),
    ("stats", Command("stats", raw="stats")),
    ("frobnicate 3", Command("unknown", arg="frobnicate", raw="frobnicate 3")),
])
def test_parse_command(text: str | None, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["status h_1;drop", "claim <!channel>x", "status ../../etc"])
def test_ids_with_odd_characters_are_refused_and_escaped(text: str) -> None:
    cmd = parse_command(text)
    assert cmd.arg is None and cmd.error and "is not a handoff id" in cmd.error
    assert "<!" not in cmd.error


def test_every_command_is_documented_in_help() -> None:
    text = whole(help_reply())
    for usage, _ in COMMANDS.values():
        assert f"/handoff {usage}" in text
    assert "Unknown" not in text


def test_help_for_an_unknown_word_says_so_escaped() -> None:
    reply = help_reply("<!here>")
    assert "Unknown command `&lt;!here&gt;`" in whole(reply)
    assert "<!here>" not in json.dumps(reply.blocks)


def test_usage_and_working_texts() -> None:
    assert usage_reply(parse_command("claim")).text == ":warning: usage: `/handoff claim ID`"
    assert working_text(parse_command("claim h_1")) == "Claiming `h_1`…"
    assert working_text(parse_command("queue")) == "Looking up the queue…"


def test_not_agent_reply_names_the_user_id_and_the_setting() -> None:
    text = not_agent_reply("claim handoffs", "U0123ABC").text
    assert "Only Handoff agents listed in settings.toml can claim handoffs" in text
    assert "(`U0123ABC`)" in text and 'slack_user_id = "U0123ABC"' in text


def test_failure_reply_gives_no_detail() -> None:
    assert failure_reply("claiming").text.startswith(":x: Something went wrong while claiming.")


# -- results --------------------------------------------------------------------------------------

def test_claim_replies() -> None:
    ok = claim_reply({"ok": True, "handoff_id": "h_1", "status": "claimed", "claimed_by": "a1", "message": "Yours now."})
    assert ok.text == ":white_check_mark: You claimed `h_1`; the alert now shows it. Yours now."
    refused = claim_reply({"ok": False, "handoff_id": "h_1", "message": "already claimed by Sam"})
    assert refused.text == ":warning: Could not claim `h_1`: already claimed by Sam"


@pytest.mark.parametrize("result, expected", [
    ({"available": True, "active": 2}, ["*available*", "You hold 2 active handoffs."]),
    ({"available": True, "active": 1}, ["*available*", "You hold 1 active handoff."]),
    ({"available": False, "active": 0}, ["*away*", "the ones you hold stay yours", "You hold 0 active handoffs."]),
    ({"available": True, "active": ["h_1", "h_2", "h_3"]}, ["You hold 3 active handoffs."]),
    ({"available": True, "active": False}, ["inactive in settings.toml"]),
    ({"available": True, "active": True}, ["*available*"]),
])
def test_availability_reply(result: dict[str, Any], expected: list[str]) -> None:
    text = availability_reply(result).text
    for bit in expected:
        assert bit in text


def test_unnecessary_replies() -> None:
    assert "recorded that the AI could have handled `h_1`" in unnecessary_reply({"ok": True, "message": ""}, "h_1").text
    assert unnecessary_reply({"ok": False, "message": "no handoff h_1"}, "h_1").text == \
        ":warning: Could not record feedback on `h_1`: no handoff h_1"


def queue_item(i: int, **extra: Any) -> dict[str, Any]:
    item = {"handoff_id": f"h_{i:04x}", "team": "billing", "priority": "urgent", "category": "billing_dispute",
            "created_at": "2026-03-02T10:00:00+00:00", "agent": None,
            "summary": f"Charged twice on card {CARD}, mail {EMAIL} <!channel>"}
    item.update(extra)
    return item


def test_queue_lists_items_masked_and_escaped() -> None:
    reply = queue_reply({"open": [queue_item(1), queue_item(2, agent="Jo", priority="low")], "dead_deliveries": []},
                        "billing")
    text = whole(reply)
    assert reply.text == "2 open handoffs in team billing"
    assert reply.blocks and reply.blocks[0]["text"]["text"] == "Open handoffs in team billing: 2"
    assert "`h_0001`" in text and "`h_0002`" in text and "billing dispute" in text
    assert "unassigned" in text and "→ Jo" in text
    assert CARD not in text and "•••• 4242" in text
    assert EMAIL not in text and "a***@example.com" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<!date^1772445600^{date_short_pretty} {time}|2026-03-02 10:00 UTC>" in text
    assert_within_limits(reply)


def test_empty_queue_and_dead_deliveries() -> None:
    reply = queue_reply({"open": [], "dead_deliveries": [
        {"handoff_id": "h_9", "kind": "slack_alert", "last_error": f"rejected: channel_not_found for {EMAIL}"}]})
    text = whole(reply)
    assert "Nothing open" in text
    assert "1 delivery failed for good" in text and "`h_9` slack alert: rejected: channel_not_found" in text
    assert EMAIL not in text
    assert reply.text == "0 open handoffs, 1 failed deliveries"


def test_a_long_queue_is_cut_and_counted_within_slack_limits() -> None:
    items = [queue_item(i, summary="x" * 5000) for i in range(QUEUE_ITEMS_MAX + 7)]
    dead = [{"handoff_id": f"h_{i}", "kind": "zendesk_ticket", "last_error": "e" * 5000} for i in range(30)]
    reply = queue_reply({"open": items, "dead_deliveries": dead})
    text = whole(reply)
    assert "… and 7 more" in text and "… and 10 more" in text
    assert f"`h_{QUEUE_ITEMS_MAX - 1:04x}`" in text and f"`h_{QUEUE_ITEMS_MAX:04x}`" not in text
    assert_within_limits(reply)


STATUS = {
    "handoff_id": "h_0a1b", "conversation_id": "c-17", "status": "claimed", "source": "api",
    "created_at": "2026-03-02T10:00:00+00:00", "category": "billing_dispute", "priority": "urgent",
    "reasons": [{"trigger": "explicit_request", "message_index": 4, "evidence": f"talk to a human, card {CARD}"}],
    "team": "billing", "agent": "a1", "claimed_by": "Jo", "callback_at": None, "zendesk_ticket_id": 901,
    "deliveries": [
        {"kind": "zendesk_ticket", "target": "zendesk", "status": "sent", "attempts": 1, "last_error": None},
        {"kind": "slack_alert", "target": "slack", "status": "dead", "attempts": 5, "last_error": "rejected: not_in_channel"},
    ],
    "briefing": {"summary": f"Ana was charged twice ({EMAIL})", "customer": {"name": "Ana Lima", "email": EMAIL}},
}


def test_status_reply() -> None:
    reply = status_reply(STATUS, "h_0a1b")
    text = whole(reply)
    assert reply.text == "Handoff h_0a1b: claimed"
    assert "*Agent*\\nJo" in text and "*Team*\\nbilling" in text and "ticket #901" in text
    assert "Ana Lima (a***@example.com)" in text and EMAIL not in text
    assert "explicit request [msg 5]" in text and CARD not in text
    assert "zendesk ticket → zendesk: *sent* after 1 attempt" in text
    assert "slack alert → slack: *dead* after 5 attempts (rejected: not_in_channel)" in text
    assert_within_limits(reply)


def test_status_of_a_sparse_or_missing_handoff() -> None:
    sparse = status_reply({"handoff_id": "h_1", "status": "open"}, "h_1")
    assert "unassigned" in whole(sparse) and "unknown customer" in whole(sparse)
    assert_within_limits(sparse)
    missing = status_reply(None, "h_dead")
    assert missing.text.startswith(":mag: No handoff `h_dead`")


def test_callbacks_reply() -> None:
    assert callbacks_reply([]).text == ":telephone_receiver: No callbacks scheduled."
    items = [{"handoff_id": f"h_{i}", "team": "billing", "callback_at": "2026-03-03T09:00:00Z",
              "customer": {"name": "Ana", "email": EMAIL}} for i in range(CALLBACKS_MAX + 2)]
    reply = callbacks_reply(items)
    text = whole(reply)
    assert reply.text == f"{CALLBACKS_MAX + 2} scheduled callbacks"
    assert "Ana (a***@example.com)" in text and EMAIL not in text and "… and 2 more" in text
    assert "|2026-03-03 09:00 UTC>" in text
    assert callbacks_reply([{"handoff_id": "h_1", "customer": EMAIL}]).blocks is not None
    assert EMAIL not in whole(callbacks_reply([{"handoff_id": "h_1", "customer": EMAIL}]))


def test_stats_reply() -> None:
    data = {
        "conversations": 200, "handoffs": 30, "handoff_rate": 0.15,
        "by_reason": {"explicit_request": 12, "frustration": 20, "loop": 1},
        "by_category": {"billing_dispute": 9},
        "time_to_handoff_seconds": {"median": 95, "p90": 600},
        "time_to_first_human_response_seconds": {"median": 4000, "p90": 200000},
        "resolution_seconds": {"median": None, "p90": None},
        "csat": {"handoff": {"rate": 0.875}, "ai_only": {"rate": None}}, "repeat_contact_rate": None,
        "unnecessary_rate": 0.1, "quality_score": {"mean": 81.23, "count": 30},
        "dead_deliveries": 2,
    }
    reply = stats_reply(data)
    text = whole(reply)
    for bit in ("*Handoff rate*\\n15.0%", "median 1m · p90 10m", "median 1h 6m · p90 2d 7h", "median – · p90 –",
                "*CSAT after handoff / AI-only*\\n87.5% / –", "*Unnecessary rate*\\n10.0%",
                "*Quality score*\\n81.2 / 100 (30 handoffs)",
                "*Repeat contact rate*\\n–", "frustration 20, explicit request 12, loop 1", "billing dispute 9",
                "2 deliveries failed for good"):
        assert bit in text, bit
    assert reply.text == "Handoff stats: 30 handoffs, rate 15.0%"
    assert_within_limits(reply)
    assert_within_limits(stats_reply({}))


@pytest.mark.parametrize("seconds, expected", [
    (None, "–"), ("12", "–"), (True, "–"), (0, "0s"), (59.6, "1m"), (61, "1m"), (3599, "59m"),
    (3600, "1h 0m"), (86399, "23h 59m"), (90000, "1d 1h"),
])
def test_duration(seconds: Any, expected: str) -> None:
    assert duration(seconds) == expected


@pytest.mark.parametrize("value, expected", [
    (None, "–"),
    ("2026-03-02T10:00:00Z", "<!date^1772445600^{date_short_pretty} {time}|2026-03-02 10:00 UTC>"),
    ("2026-03-02T10:00:00", "<!date^1772445600^{date_short_pretty} {time}|2026-03-02 10:00 UTC>"),
    (datetime(2026, 3, 2, 11, 0, tzinfo=timezone.utc), "<!date^1772449200^{date_short_pretty} {time}|2026-03-02 11:00 UTC>"),
    ("soon <!here>", "soon &lt;!here&gt;"),
])
def test_slack_date(value: Any, expected: str) -> None:
    assert slack_date(value) == expected


def test_reply_kwargs() -> None:
    assert Reply("t").kwargs() == {"text": "t"}
    assert Reply("t", [{"type": "divider"}]).kwargs() == {"text": "t", "blocks": [{"type": "divider"}]}


def test_stats_reply_reads_the_analytics_shapes():
    from handoff.core.render.slack_replies import stats_reply

    reply = stats_reply({"conversations": 10, "handoffs": 2, "handoff_rate": 0.2,
                         "csat": {"handoff": {"rate": 0.75}, "ai_only": {"rate": 0.5}},
                         "quality_score": {"mean": 82.35, "median": 80.0, "count": 2}})
    fields = " ".join(f["text"] for b in reply.blocks if b.get("fields") for f in b["fields"])
    assert "75.0%" in fields and "50.0%" in fields
    assert "82.3 / 100 (2 handoffs)" in fields or "82.4 / 100 (2 handoffs)" in fields
