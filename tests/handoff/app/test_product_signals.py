"""Product signals read from the store: the page and topic come out of the stored briefing on every database."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from handoff.app.product_signals import collect_signals, load_signal_records, signal_window
from handoff.app.stats import collect_stats, render_stats
from handoff.core.measure.signal_settings import SignalSettings
from handoff.storage.tables import ConversationRow, HandoffRow

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
SETTINGS = SignalSettings(page_groups=[{"pattern": "/settings/billing*", "name": "/settings/billing"}])


def _seed(sessions, rows: list[tuple[datetime, dict, str | None]]) -> None:
    with sessions() as s:
        for i, (at, briefing, category) in enumerate(rows):
            s.add(ConversationRow(id=f"c{i}", customer={}, state={}, created_at=at, updated_at=at, handoff_id=f"h_{i:x}"))
            s.add(HandoffRow(id=f"h_{i:x}", conversation_id=f"c{i}", source="api", status="open", priority="normal",
                             team="billing", category=category, briefing=briefing, created_at=at, updated_at=at))
        s.commit()


def _billing(at: datetime, invoice: int, category: str = "billing") -> tuple[datetime, dict, str]:
    return at, {"page_url": f"https://app.example.com/settings/billing/invoices/{invoice}?c=cus_1", "topic": "billing",
                "summary": "x"}, category


def test_an_injected_page_spike_is_flagged_in_the_stats(sessions) -> None:
    rows = [_billing(NOW - timedelta(days=7 * w + 2, hours=i), 1000 + i) for w in range(1, 5) for i in range(2)]
    rows += [_billing(NOW - timedelta(hours=i + 1), 2000 + i, "payment_failed") for i in range(9)]
    rows += [(NOW - timedelta(hours=3), {}, "frustration")]  # stored before briefings had a page or topic
    rows += [(NOW - timedelta(days=60), {"page_url": "/settings/billing", "topic": "billing"}, "billing")]  # too old
    _seed(sessions, rows)
    data = collect_stats(sessions, since=NOW - timedelta(days=7), until=NOW, now=NOW, signals=SETTINGS)
    signals = data["signals"]
    assert signals["baseline"]["periods_with_data"] == 4
    [page] = signals["pages"]
    assert (page["key"], page["current"], page["usual"], page["ratio"], page["spike"]) == (
        "/settings/billing", 9, 2.0, 4.5, True)
    assert page["top_reason"] == "payment failed"
    assert signals["without_page"] == 1
    # the old handoff's topic comes from its category
    assert {r["key"]: r["current"] for r in signals["topics"]} == {"billing": 9, "general": 1}
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(render_stats(data))
    out = console.export_text()
    assert "product signals by page" in out and "SPIKE" in out
    assert "/settings/billing: 9 handoffs this week, 4.5× the usual 2; top reason: payment failed (9)" in out


def test_the_lean_read_keeps_the_window_and_reads_pages_on_every_database(sessions) -> None:
    _seed(sessions, [_billing(NOW - timedelta(days=1), 1), _billing(NOW - timedelta(days=40), 2),
                     (NOW - timedelta(days=2), {"page_url": None}, None)])
    records = load_signal_records(sessions, since=NOW - timedelta(days=35), until=NOW)
    assert sorted((r.page_url or "", r.topic) for r in records) == [
        ("", "general"), ("https://app.example.com/settings/billing/invoices/1?c=cus_1", "billing")]


def test_the_window_is_the_stats_window_or_the_last_week() -> None:
    assert signal_window(None, None, NOW) == (NOW, timedelta(days=7))
    assert signal_window(NOW - timedelta(days=30), NOW - timedelta(days=2), NOW) == (
        NOW - timedelta(days=2), timedelta(days=28))
    assert signal_window(NOW, NOW - timedelta(days=1), NOW) is None


def test_an_empty_store_has_no_signals_to_flag(sessions) -> None:
    signals = collect_signals(sessions, SETTINGS, since=None, until=None, now=NOW)
    assert signals is not None and signals["pages"] == [] and signals["spikes"] == []
