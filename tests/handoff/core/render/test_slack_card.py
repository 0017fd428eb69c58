"""The Slack Block Kit card: content, buttons, masking, escaping and Slack's limits under huge inputs."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from handoff.core.brief import Briefing
from handoff.core.models import AccountContext, Customer, Decision, KBArticle, Message, Reason, Route, SourceResult
from handoff.core.render.slack_card import (
    ACTION_CLAIM,
    ACTION_OPEN_TICKET,
    ACTION_RELEASE,
    ACTION_UNNECESSARY,
    escape,
    render_slack_card,
    truncate,
)

TICKET_URL = "https://acme.zendesk.com/agent/tickets/901"


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        out.extend(f["text"] for f in b.get("fields", []))
        out.extend(e["text"] for e in b.get("elements", []) if isinstance(e.get("text"), str))
    return out


def assert_within_slack_limits(text: str, blocks: list[dict[str, Any]]) -> None:
    assert text and len(text) <= 3000
    assert 1 <= len(blocks) <= 50
    for b in blocks:
        if b["type"] == "header":
            assert b["text"]["type"] == "plain_text" and len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            assert "text" in b or "fields" in b
            if "text" in b:
                assert 0 < len(b["text"]["text"]) <= 3000
            fields = b.get("fields", [])
            assert len(fields) <= 10
            assert all(0 < len(f["text"]) <= 2000 for f in fields)
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75
                assert len(e.get("value", "")) <= 2000
                assert len(e.get("url", "")) <= 3000
                assert len(e["action_id"]) <= 255
        if b["type"] == "context":
            assert len(b["elements"]) <= 10
        if "block_id" in b:
            assert len(b["block_id"]) <= 255


def test_rich_card(rich: Briefing) -> None:
    text, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=TICKET_URL, route=Route("retention", agent_name="Jo", queue_position=2, expected_wait_seconds=300))
    assert_within_slack_limits(text, blocks)
    assert text.startswith("URGENT handoff (cancellation): Enterprise customer, third failed payment")
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "URGENT handoff: cancellation (Ana Lima)", "emoji": True}}
    assert blocks[1]["text"]["text"] == rich.summary
    fields = {f["text"].split("\n")[0]: f["text"].split("\n", 1)[1] for f in blocks[2]["fields"]}
    assert fields["*Customer*"] == "Ana Lima (a***@example.com)"
    assert fields["*Sentiment*"] == ":red_circle: red (-0.60)"
    assert fields["*Tier*"] == "enterprise"
    assert fields["*Team*"] == "retention → Jo"
    assert fields["*Wait*"] == "#2 in queue, ~5 min"
    assert fields["*AI confidence*"] == "last 0.40, min 0.40"
    assert fields["*Plan*"] == "Business (monthly, past_due, 12 seats) · $2,400.00"
    assert fields["*Page*"] == "billing settings page"
    texts = block_texts(blocks)
    assert any(t.startswith("*Why escalated*\n• cancellation [msg 3]: “I want to cancel”") for t in texts)
    assert any(t.startswith("*What the AI tried*\n• [2] (0.55) I think this may be") and "KB: Pending charges" in t for t in texts)
    assert any(t.startswith("*Recommended next action*\nRetention case") for t in texts)
    assert any(t.startswith("*Suggested greeting*\nHi Ana,") for t in texts)
    assert any("*Stripe*: " in t and "Open disputes: dp_123 $49.00 duplicate" in t for t in texts)
    transcript = next(t for t in texts if t.startswith("*Last messages (5 in all)*"))
    assert transcript.count("\n> ") == 4


def test_buttons(rich: Briefing) -> None:
    _, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=TICKET_URL, route=None)
    actions = blocks[-1]
    assert actions["type"] == "actions"
    by_id = {e["action_id"]: e for e in actions["elements"]}
    assert list(by_id) == [ACTION_CLAIM, ACTION_OPEN_TICKET, ACTION_RELEASE, ACTION_UNNECESSARY]
    assert by_id[ACTION_RELEASE]["text"]["text"] == "Hand back to AI" and by_id[ACTION_RELEASE]["value"] == "h-42"
    assert by_id["handoff_claim"]["value"] == "h-42" and by_id["handoff_claim"]["style"] == "primary"
    assert by_id["handoff_open_ticket"]["url"] == TICKET_URL
    assert by_id["handoff_unnecessary"]["value"] == "h-42"
    assert by_id["handoff_unnecessary"]["text"]["text"] == "AI could have handled this"


def test_no_ticket_url_no_open_button(rich: Briefing) -> None:
    _, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=None, route=None)
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [ACTION_CLAIM, ACTION_RELEASE, ACTION_UNNECESSARY]


def test_everything_is_masked(rich: Briefing) -> None:
    text, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=None, route=None)
    dumped = text + all_text(blocks)
    for secret in ("4242 4242 4242 4242", "ana.lima@example.com", "sk_live_abcdefgh12345678", "sam@example.com"):
        assert secret not in dumped
    assert "sk_live_••••" in dumped and "a***@example.com" in dumped


def test_customer_markup_is_escaped(rich: Briefing) -> None:
    _, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=None, route=None)
    dumped = all_text(blocks)
    # a customer typing <!channel> must not ping the channel
    assert "<!channel>" not in dumped
    assert "&lt;!channel&gt;" in dumped


def test_everything_unavailable(unavailable: Briefing) -> None:
    text, blocks = render_slack_card(unavailable, handoff_id="h-1", ticket_url=None, route=None)
    assert_within_slack_limits(text, blocks)
    account = next(t for t in block_texts(blocks) if t.startswith("*Account*"))
    assert "*Stripe*: unavailable: timeout after 2.0s" in account
    assert "*HubSpot*: unavailable: HTTP 503 from HubSpot" in account
    assert "*Zendesk*: not configured: ZENDESK_API_TOKEN not set" in account
    fields = {f["text"].split("\n")[0]: f["text"].split("\n", 1)[1] for f in blocks[2]["fields"]}
    assert fields["*Customer*"] == "unknown"
    assert fields["*Open tickets*"] == "unknown"
    assert not any(t.startswith("*What the AI tried*") for t in block_texts(blocks))


def test_off_hours_shows_callback(rich: Briefing) -> None:
    route = Route("billing", on_shift=False, callback_at=datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc))
    _, blocks = render_slack_card(rich, handoff_id="h", ticket_url=None, route=route)
    fields = [f["text"] for f in blocks[2]["fields"]]
    assert "*Wait*\noff hours, callback 2026-03-03 09:00 UTC" in fields


HUGE = "Ünïcödé & <b>markup</b> 4242 4242 4242 4242 " * 3000


def huge_briefing(make_briefing) -> Briefing:  # type: ignore[no-untyped-def]
    msgs = tuple(
        Message(
            "customer" if i % 2 == 0 else "ai",
            HUGE,
            i,
            confidence=None if i % 2 == 0 else 0.3,
            kb_articles=tuple(KBArticle(f"kb-{j}", HUGE[:500]) for j in range(30)) if i % 2 else (),
            ai_actions=tuple(f"action-{j}" for j in range(30)) if i % 2 else (),
        )
        for i in range(300)
    )
    decision = Decision(
        True,
        tuple(Reason(f"trigger_{i}" + "x" * 300, i, HUGE, HUGE) for i in range(200)),
        category="c" * 500,
        priority="urgent",
        sentiment=-1.0,
        trajectory="red",
    )
    account = AccountContext(
        (
            SourceResult("stripe", "ok", {"plan": {"product": HUGE}, "mrr": {"amount": 1e12}, "open_disputes": [{"id": HUGE}] * 50}),
            SourceResult("hubspot", "ok", {"company": {"name": HUGE}, "health": {f"k{i}": HUGE for i in range(50)}}),
            SourceResult("zendesk", "ok", {"open_tickets": [{"id": i, "subject": HUGE} for i in range(500)]}),
        )
    )
    return make_briefing(
        messages=msgs,
        decision=decision,
        account=account,
        customer=Customer(name=HUGE, email="x" * 300 + "@example.com"),
        page_url="https://app.example.com/" + "/".join(["settings"] * 500),
    )


def test_limits_under_huge_inputs(make_briefing) -> None:  # type: ignore[no-untyped-def]
    b = huge_briefing(make_briefing)
    route = Route("t" * 5000, agent_name="a" * 5000, queue_position=10**9, expected_wait_seconds=10**9)
    text, blocks = render_slack_card(b, handoff_id="h" * 5000, ticket_url="https://x.test/" + "t" * 5000, route=route)
    assert_within_slack_limits(text, blocks)
    assert blocks[-1]["type"] == "actions"
    assert "4242 4242 4242 4242" not in text + all_text(blocks)
    # cutting never leaves half an escape like "&am" behind
    for t in block_texts(blocks):
        assert not re.search(r"&[a-z]{0,3}…", t)
    # a URL too long for a button is left out rather than broken
    assert ACTION_OPEN_TICKET not in [e["action_id"] for e in blocks[-1]["elements"]]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("abcdefghij", 5, "abcd…"),
        ("ab &amp; cd", 5, "ab …"),
        ("ab&lt;", 5, "ab…"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    out = truncate(text, limit)
    assert out == expected
    assert len(out) <= limit


def test_escape() -> None:
    assert escape("a & <b> <@U123>") == "a &amp; &lt;b&gt; &lt;@U123&gt;"


def test_card_at_the_cut_does_not_leak(make_briefing) -> None:  # type: ignore[no-untyped-def]
    text = "x" * 185 + " 4242 4242 4242 4242 and more text after it"
    b = make_briefing(messages=(Message("customer", text, 0), Message("ai", text, 1, confidence=0.9)))
    _, blocks = render_slack_card(b, handoff_id="h", ticket_url=None, route=None)
    assert "4242 4242" not in all_text(blocks)


def test_ticket_button_is_added_once_next_to_claim():
    from handoff.core.render.slack_card import ACTION_OPEN_TICKET, with_ticket_button

    blocks = [{"type": "actions", "elements": [{"type": "button", "action_id": "handoff_claim"},
                                               {"type": "button", "action_id": "handoff_unnecessary"}]}]
    once = with_ticket_button(blocks, "h_1", "https://acme.zendesk.com/agent/tickets/7")
    twice = with_ticket_button(once, "h_1", "https://acme.zendesk.com/agent/tickets/7")
    ids = [e["action_id"] for e in twice[0]["elements"]]
    assert ids == ["handoff_claim", ACTION_OPEN_TICKET, "handoff_unnecessary"]
    assert twice[0]["elements"][1]["url"].endswith("/7")
    assert blocks[0]["elements"][0]["action_id"] == "handoff_claim" and len(blocks[0]["elements"]) == 2  # input untouched


def test_the_card_of_a_45_mb_conversation_quotes_the_last_replies_and_counts_the_rest(make_briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import handoff.core.render.slack_card as slack_card
    from handoff.devtools.support.big_conversation import conversation

    masked: list[int] = []
    real = slack_card.mask_pii

    def counting(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        masked.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(slack_card, "mask_pii", counting)
    b = make_briefing(messages=conversation())  # 1,500 AI replies of 30 KB
    url = "https://handoff.example.com/v1/handoffs/h_1"
    text, blocks = render_slack_card(b, handoff_id="h_1", ticket_url=None, route=None, transcript_url=url)
    assert_within_slack_limits(text, blocks)
    assert len(all_text(blocks)) < 20_000
    assert sum(masked) < 60_000, f"masked {sum(masked):,} characters for one card"
    tried = next(t for t in block_texts(blocks) if t.startswith("*What the AI tried*"))
    assert tried.splitlines()[1] == "_… 1,495 earlier replies not shown_"
    assert [line.split("]")[0] for line in tried.splitlines()[2:]] == ["• [2992", "• [2994", "• [2996", "• [2998", "• [3000"]
    last = next(t for t in block_texts(blocks) if t.startswith("*Last messages (3,001 in all)*"))
    assert last.splitlines()[1] == f"_… 2,997 earlier messages not shown · <{url}|full transcript>_"


def test_the_cards_count_of_ai_replies_follows_the_setting(make_briefing) -> None:  # type: ignore[no-untyped-def]
    from handoff.core.brief import BriefingSettings

    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", f"message number {i}", i) for i in range(40))
    b = make_briefing(messages=msgs, settings=BriefingSettings(ai_attempts=2))
    _, blocks = render_slack_card(b, handoff_id="h_1", ticket_url=None, route=None)
    tried = next(t for t in block_texts(blocks) if t.startswith("*What the AI tried*")).splitlines()
    assert tried[1:] == ["_… 18 earlier replies not shown_", "• [38] message number 37", "• [40] message number 39"]
    last = next(t for t in block_texts(blocks) if t.startswith("*Last messages (40 in all)*"))
    assert "_… 36 earlier messages not shown · full transcript_" in last  # no link without a URL


def test_an_assigned_handoff_shows_no_queue_place_and_one_quote_per_message(rich) -> None:
    from dataclasses import replace

    from handoff.core.models import Reason, Route

    b = replace(rich, reasons=(Reason("always_human", 0, "I want to cancel"), Reason("explicit_request", 0, "I want to cancel")))
    route = Route(team="billing", agent="sam", agent_name="Sam Rivera", queue_position=0, expected_wait_seconds=120)
    text, blocks = render_slack_card(b, handoff_id="h-1", ticket_url=None, route=route)
    dump = json.dumps(blocks, ensure_ascii=False)
    assert "in queue" not in dump and "~2 min" in dump
    why = next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("*Why escalated*"))
    assert why.count("I want to cancel") == 1 and "explicit request [msg 1]" in why
    queued = Route(team="billing", agent=None, queue_position=3, expected_wait_seconds=600)
    assert "#3 in queue" in json.dumps(render_slack_card(b, handoff_id="h-1", ticket_url=None, route=queued)[1])
