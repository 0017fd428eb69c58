"""The weekly digest is due at the configured local time and sent once per week across processes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.settings import DigestSettings
from jobs.digest import claim_run, due_period, run_digest
from handoff.devtools.support.clock import Clock

SETTINGS = DigestSettings(weekday="mon", time="09:00", timezone="America/New_York")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 9, 12, 59, tzinfo=UTC), None),  # Monday 08:59 EDT (DST began Sunday)
        (datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "2026-W11"),  # Monday 09:00 EDT
        (datetime(2026, 3, 13, 22, 0, tzinfo=UTC), "2026-W11"),  # later that week: still that week's
        (datetime(2026, 3, 2, 14, 0, tzinfo=UTC), "2026-W10"),  # Monday 09:00 EST
        (datetime(2026, 3, 2, 13, 59, tzinfo=UTC), None),
        (datetime(2026, 3, 16, 3, 0, tzinfo=UTC), "2026-W11"),  # Sunday 23:00 local: the old week
    ],
)
def test_due_period(now, expected):
    assert due_period(now, SETTINGS) == expected


def test_one_claim_per_period(sessions):
    now = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert claim_run(sessions, "2026-W11", "a", now) is True
    assert claim_run(sessions, "2026-W11", "b", now) is False
    assert claim_run(sessions, "2026-W12", "b", now) is True


async def test_sent_once_and_retried_after_a_failure(sessions):
    clock = Clock(datetime(2026, 3, 9, 13, 5, tzinfo=UTC))
    sent: list[str] = []
    failures = [RuntimeError("slack down")]

    async def send(text, blocks):
        if failures:
            raise failures.pop()
        sent.append(text)
        return {"ts": "1.2"}

    def stats_between(start, end):
        return {"handoffs": 3, "start": start.isoformat(), "end": end.isoformat()}

    def render(current, previous):
        return f"{current['handoffs']} handoffs from {current['start'][:10]}", []

    kwargs = dict(sessions=sessions, settings=SETTINGS, clock=clock, owner="p1", stats_between=stats_between,
                  render=render, send=send)
    assert await run_digest(**kwargs) is None  # failed: recorded, not sent
    assert await run_digest(**kwargs) == "2026-W11"  # the next check retries
    assert await run_digest(**kwargs) is None  # and never again that week
    assert await run_digest(**{**kwargs, "owner": "p2"}) is None
    assert sent == ["3 handoffs from 2026-03-02"]


async def test_runtime_posts_the_digest_once_locally(make_config, tmp_path):
    from handoff.bootstrap import build_runtime
    from handoff.app.turns import TurnInput
    from handoff.devtools.support.settings import shipped_settings

    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")),
                       clock=Clock(datetime(2026, 3, 5, 15, 0, tzinfo=UTC)))
    try:
        await rt.service.post_message("c-1", TurnInput(role="customer", text="I want a human"))
        rt.clock.set(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))  # Monday 10:00 New York
        assert await rt.run_digest() == "2026-W11"
        assert await rt.run_digest() is None
        [kept] = (tmp_path / "outbox" / "updates").glob("digest-*.json")
        assert "1 handoff in 1 conversation (100.0%)" in kept.read_text()
    finally:
        rt.close()


async def test_the_digest_flags_an_injected_page_spike(make_config, tmp_path):
    """Two handoffs a week from the billing page for four weeks, then eight: the digest says so, masked."""
    import json

    from handoff.bootstrap import build_runtime
    from handoff.app.turns import TurnInput
    from handoff.devtools.support.settings import shipped_settings

    clock = Clock(datetime(2026, 2, 3, 15, 0, tzinfo=UTC))
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=clock)
    n = 0

    async def handoff_from(page: str) -> None:
        nonlocal n
        n += 1
        await rt.service.post_message(f"c-{n}", TurnInput(role="customer", text="I want a human", page_url=page))

    try:
        for week in range(4):  # Feb 3, 10, 17, 24: the four weeks before the digest's week
            clock.set(datetime(2026, 2, 3, 15, 0, tzinfo=UTC) + timedelta(weeks=week))
            for i in range(2):
                await handoff_from(f"https://app.example.com/settings/billing/invoices/{week}{i}42?email=a@b.co")
            await handoff_from(f"https://app.example.com/orders/{week}77/refund")
        clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # the week before the digest
        for i in range(8):
            await handoff_from(f"https://app.example.com/settings/billing?card=4242424242424242&i={i}")
        await handoff_from("https://app.example.com/orders/9977/refund")
        clock.set(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))  # Monday 10:00 New York
        assert await rt.run_digest() == "2026-W11"
        [kept] = (tmp_path / "outbox" / "updates").glob("digest-*.json")
        body = json.loads(kept.read_text())
        text = "\n".join(b["text"]["text"] for b in body["payload"]["blocks"]
                         if b.get("type") == "section")
        assert "*Product signals: spikes against the previous 4 weeks*" in text
        assert "/settings/billing: 8 handoffs this week, 4.0× the usual 2; top reason: explicit request (8)" in text
        assert "orders" not in text  # one a week, as usual: no spike
        assert "4242" not in kept.read_text() and "a@b.co" not in kept.read_text()
    finally:
        rt.close()
