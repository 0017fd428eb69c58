"""The past cases table: upserts by (source, ref), a version that moves on every change, erasure's deletes."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from handoff.core.similar import PastCase
from handoff.storage.past_cases import erase_past_cases, load_past_cases, revisions, upsert_past_cases, version
from handoff.storage.tables import PastCaseRow

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def case(ref: str, source="zendesk", **over) -> PastCase:
    base = PastCase(source=source, ref=ref, text="charged twice", title="double charge", topic="billing",
                    category=None, page=None, resolution="Refunded.", tags=("refund",), resolved_in_seconds=60.0,
                    resolved_at=NOW, conversation_id=f"zendesk-{ref}", customer_email="Ana@Example.com")
    return replace(base, **over)


def test_upserts_add_change_and_leave_alone(sessions):
    with sessions() as s:
        first = upsert_past_cases(s, [case("1"), case("2"), case("2", resolution="later")], NOW)
        s.commit()
    assert (first.added, first.changed, first.unchanged) == (2, 0, 0)
    with sessions() as s:
        v1 = version(s.connection())
        same = upsert_past_cases(s, [case("1"), case("2", resolution="later")], NOW)
        s.commit()
        assert (same.added, same.changed, same.unchanged) == (0, 0, 2)
        assert version(s.connection()) == v1  # nothing changed: every index stays as it is
        moved = upsert_past_cases(s, [case("1", resolution="Refunded and credited.")], NOW)
        s.commit()
        assert moved.changed == 1 and version(s.connection()) != v1
        # the same ref from another source is another case
        assert upsert_past_cases(s, [case("1", source="handoff")], NOW).added == 1
        s.commit()
        assert s.scalar(select(func.count()).select_from(PastCaseRow)) == 3


def test_loads_what_was_stored(sessions):
    with sessions() as s:
        upsert_past_cases(s, [case("1")], NOW)
        s.commit()
        conn = s.connection()
        revs = revisions(conn)
        loaded = load_past_cases(conn, list(revs))
    (got,) = loaded.values()
    assert got == replace(case("1"), customer_email=None)  # the e-mail key is kept for erasure, never loaded


def test_erasure_deletes_by_handoff_conversation_and_email_and_moves_the_version(sessions):
    with sessions() as s:
        upsert_past_cases(s, [case("h_1", source="handoff", customer_email=None, conversation_id="c-1"),
                              case("2", customer_email=None), case("3"), case("4", customer_email="bob@example.com")],
                          NOW)
        s.commit()
        before = version(s.connection())
        assert erase_past_cases(s, handoff_ids=["h_1"], conversation_ids=["zendesk-2"], email="ANA@example.com",
                                dry_run=True) == 3
        assert version(s.connection()) == before
        assert erase_past_cases(s, handoff_ids=["h_1"], conversation_ids=["zendesk-2"], email="ana@example.com") == 3
        s.commit()
        assert [r.ref for r in s.scalars(select(PastCaseRow))] == ["4"]
        assert version(s.connection()) != before
        assert erase_past_cases(s, handoff_ids=[], conversation_ids=[], email=None) == 0
