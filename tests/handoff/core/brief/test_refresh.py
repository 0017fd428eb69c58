"""A refresh's account section, what changed, and its ticket note."""
from __future__ import annotations

from datetime import UTC, datetime

from handoff.core.brief.models import AccountFact
from handoff.core.brief.refresh import NOTE_CHANGES_MAX, account_section, changed_facts, refresh_note, stored_facts
from handoff.core.models import AccountContext, SourceResult

WHEN = datetime(2026, 3, 2, 15, 1, tzinfo=UTC)


def test_changed_facts_lists_new_changed_and_gone_facts() -> None:
    before = (AccountFact("stripe", "MRR", "$49.00"), AccountFact("stripe", "Delinquent", "yes"),
              AccountFact("zendesk", "Open tickets", "1"))
    after = (AccountFact("stripe", "MRR", "$99.00"), AccountFact("zendesk", "Open tickets", "1"),
             AccountFact("hubspot", "Owner", "Sam"))
    assert changed_facts(before, after) == (
        "stripe MRR: $49.00 → $99.00", "hubspot Owner: Sam (new)", "stripe Delinquent: no longer shown (was yes)")
    assert changed_facts(after, after) == ()


def test_account_section_round_trips_through_stored_facts() -> None:
    account = AccountContext((SourceResult("stripe", "ok", {"mrr": {"amount": 499.0, "currency": "usd"}}),
                              SourceResult("hubspot", "unavailable", reason="HTTP 503")))
    section = account_section(account)
    assert set(section) == {"account", "account_facts", "open_tickets"}
    assert section["account"]["hubspot"]["status"] == "unavailable"
    facts = stored_facts(section["account_facts"])
    assert AccountFact("stripe", "MRR", "$499.00") in facts
    assert AccountFact("hubspot", "Status", "unavailable: HTTP 503") in facts
    assert stored_facts(None) == () and stored_facts([{"source": "x", "label": "y", "value": "z"}, "junk"]) == (
        AccountFact("x", "y", "z"),)


def test_refresh_note_says_when_and_what_changed() -> None:
    facts = (AccountFact("stripe", "MRR", "$99.00"),)
    note = refresh_note(WHEN, ("stripe MRR: $49.00 → $99.00",), facts)
    assert note.startswith("Account facts refreshed at 2026-03-02 15:01 UTC: what changed\n- stripe MRR: $49.00 → $99.00")
    assert note.endswith("Account facts now:\n- stripe MRR: $99.00")
    assert "nothing changed" in refresh_note(WHEN, (), facts)
    many = refresh_note(WHEN, tuple(f"c{i}" for i in range(NOTE_CHANGES_MAX + 5)), facts)
    lines = many.split("\n")
    assert "(+5 more)" in lines[NOTE_CHANGES_MAX + 1] and f"- c{NOTE_CHANGES_MAX - 1}" in lines and f"- c{NOTE_CHANGES_MAX}" not in lines
