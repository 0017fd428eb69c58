"""The Zendesk private note: top line, labelled sections, masked card numbers, bounded transcript."""
from __future__ import annotations

from handoff.core.brief import Briefing, BriefingSettings
from handoff.core.models import Message
from handoff.core.render.zendesk_note import render_zendesk_note

SECTIONS = [
    "WHY ESCALATED",
    "CUSTOMER & ACCOUNT",
    "WHAT THE AI TRIED",
    "OPEN TICKETS",
    "RECOMMENDED NEXT ACTION",
    "SUGGESTED GREETING",
    "TRANSCRIPT",
]


def test_rich_note_top_line_and_sections(rich: Briefing) -> None:
    note = render_zendesk_note(rich, handoff_id="h-42")
    lines = note.splitlines()
    assert lines[0] == (
        "[URGENT] cancellation: Enterprise customer, third failed payment in 90 days, open dispute on $49.00, "
        "third contact in 60 days, expressing cancellation intent, very unhappy, on billing settings page"
    )
    positions = [note.index("\n" + s) for s in SECTIONS]
    assert positions == sorted(positions), "sections in the documented order"
    assert lines[-1] == "handoff-ref: h-42"


def test_rich_note_content(rich: Briefing) -> None:
    note = render_zendesk_note(rich)
    assert '- cancellation at message 3: "I want to cancel"' in note
    assert "- explicit request at message 5" in note
    assert "Customer: Ana Lima <ana.lima@example.com>, language en" in note
    assert "trajectory RED" in note
    assert "Page: https://app.example.com/settings/billing (billing settings page)" in note
    assert "Stripe: Plan Business (monthly, past_due, 12 seats); MRR $2,400.00; Failed payments (90d) 3" in note
    assert "Open disputes dp_123 $49.00 duplicate" in note
    assert "HubSpot: Company Acme" in note and "Owner Sam Lee" in note
    assert "- [2] (confidence 0.55): I think this may be a pending authorization" in note
    assert "  KB: kb-12 Pending charges" in note
    assert "  Actions: sent_article:kb-12" in note
    assert "AI confidence: last 0.40, min 0.40, avg 0.47" in note
    assert "- #812 Double charge (open, 2026-02-20)" in note
    assert "Retention case" in note and "open ticket #812" in note
    assert "Hi Ana, thanks for your patience." in note
    assert "[1] Customer, 2026-03-02 10:00 UTC: My card •••• 4242 was charged twice" in note
    assert "[2] AI, 2026-03-02 10:00 UTC, confidence 0.55:" in note
    assert "handoff-id" not in note


def test_note_masks_cards_and_secrets_but_keeps_contact_details(rich: Briefing) -> None:
    note = render_zendesk_note(rich)
    assert "4242 4242 4242 4242" not in note
    assert "sk_live_abcdefgh12345678" not in note and "sk_live_••••" in note
    # the agent needs to reach the customer: e-mail stays in the ticket
    assert "ana.lima@example.com" in note


def test_note_is_plain_text(rich: Briefing) -> None:
    note = render_zendesk_note(rich)
    assert "<b>" not in note and "**" not in note and "```" not in note


def test_everything_unavailable(unavailable: Briefing) -> None:
    note = render_zendesk_note(unavailable)
    assert note.splitlines()[0] == "[NORMAL] explicit request: Customer, asking for a human"
    assert "Stripe: unavailable: timeout after 2.0s" in note
    assert "HubSpot: unavailable: HTTP 503 from HubSpot" in note
    assert "Zendesk: not configured: ZENDESK_API_TOKEN not set" in note
    assert "Customer: unknown name" in note
    assert "- no AI replies before the handoff" in note
    assert "- unknown (Zendesk history unavailable)" in note
    assert "Hi there," in note
    assert "Page:" not in note


def test_long_transcript_keeps_the_last_messages_and_counts_the_rest(make_briefing) -> None:  # type: ignore[no-untyped-def]
    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", f"message number {i}", i) for i in range(1432))
    b = make_briefing(messages=msgs, settings=BriefingSettings(transcript_messages=20, note_message_chars=100))
    note = render_zendesk_note(b, transcript_url="https://handoff.example.com/v1/handoffs/h_1")
    transcript = note.split("\nTRANSCRIPT (1,432 messages, the last 20 shown)\n")[1].splitlines()
    assert transcript[0] == (
        "… 1,412 earlier messages not shown (full transcript: https://handoff.example.com/v1/handoffs/h_1)"
    )
    assert transcript[1].startswith("[1413] Customer")
    assert transcript[-1].startswith("[1432] AI")
    assert len([t for t in transcript if t.startswith("[")]) == 20


def test_former_key_name_still_sets_the_transcript_length(make_briefing) -> None:  # type: ignore[no-untyped-def]
    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", f"message number {i}", i) for i in range(30))
    b = make_briefing(messages=msgs, settings=BriefingSettings.model_validate({"note_transcript_max_messages": 8}))
    assert [m.index for m in b.transcript] == list(range(22, 30))


def test_what_the_ai_tried_lists_the_last_replies_and_counts_the_rest(make_briefing) -> None:  # type: ignore[no-untyped-def]
    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", f"message number {i}", i, confidence=0.9 if i % 2 else None)
                 for i in range(100))
    b = make_briefing(messages=msgs, settings=BriefingSettings(ai_attempts=3))
    note = render_zendesk_note(b)
    tried = note.split("\nWHAT THE AI TRIED\n")[1].split("\n\n")[0].splitlines()
    assert tried[0] == "- … 47 earlier AI replies not shown"
    assert [t.split("]")[0] for t in tried[1:4]] == ["- [96", "- [98", "- [100"]


def test_short_conversation_has_nothing_left_out(rich: Briefing) -> None:
    note = render_zendesk_note(rich, transcript_url="https://handoff.example.com/v1/handoffs/h_1")
    assert "not shown" not in note and "full transcript" not in note
    assert "\nTRANSCRIPT (5 messages)\n" in note


def test_long_message_is_clipped(make_briefing) -> None:  # type: ignore[no-untyped-def]
    b = make_briefing(messages=(Message("customer", "x " * 50_000, 0),), settings=BriefingSettings(note_message_chars=300))
    note = render_zendesk_note(b)
    line = next(li for li in note.splitlines() if li.startswith("[1] Customer"))
    assert len(line) < 340 and line.endswith("…")


def test_card_cut_by_an_excerpt_still_does_not_leak(make_briefing) -> None:  # type: ignore[no-untyped-def]
    text = "Please charge " + "x" * 150 + " my card 4242 4242 4242 4242 instead"
    b = make_briefing(messages=(Message("customer", "hi", 0), Message("ai", text, 1, confidence=0.9)))
    note = render_zendesk_note(b)
    assert "4242 4242" not in note


def test_the_note_of_a_45_mb_conversation_is_bounded_and_masks_a_bounded_amount(make_briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import handoff.core.render.zendesk_note as zendesk_note
    from tests.support.big_conversation import conversation

    masked: list[int] = []
    real = zendesk_note.for_ticket

    def counting(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        masked.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(zendesk_note, "for_ticket", counting)
    b = make_briefing(messages=conversation())  # 1,500 AI replies of 30 KB
    note = render_zendesk_note(b, handoff_id="h_1", transcript_url="https://handoff.example.com/v1/handoffs/h_1")
    assert len(note) < 40_000
    assert sum(masked) < 100_000, f"masked {sum(masked):,} characters for one note"
    assert "TRANSCRIPT (3,001 messages, the last 20 shown)" in note
    assert "… 2,981 earlier messages not shown (full transcript: https://handoff.example.com/v1/handoffs/h_1)" in note
    assert "- … 1,495 earlier AI replies not shown" in note


def test_two_triggers_on_one_message_quote_it_once(rich: Briefing) -> None:
    from dataclasses import replace

    from handoff.core.models import Reason

    b = replace(rich, reasons=(Reason("always_human", 0, "I want to cancel"), Reason("explicit_request", 0, "I want to cancel")))
    note = render_zendesk_note(b)
    assert note.count('"I want to cancel"') == 1
    assert "- explicit request at message 1\n" in note


def test_counts_read_right_for_one(rich: Briefing) -> None:
    from dataclasses import replace

    note = render_zendesk_note(replace(rich, transcript=rich.transcript[:1], transcript_total=1))
    assert "TRANSCRIPT (1 message)" in note
    assert "(1 messages)" not in note
