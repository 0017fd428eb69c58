"""handoff.storage.replay_guard: claims are atomic per source, given back on failure, and age out after twice the window."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from handoff.storage.replay_guard import ReplayGuard, signature_hash
from handoff.storage.tables import SeenSignatureRow
from handoff.devtools.support.clock import Clock


def guard(sessions, clock, source="zendesk"):
    return ReplayGuard(sessions, source, window_seconds=300, clock=clock)


def test_a_signature_is_claimed_once_per_source(sessions):
    clock = Clock()
    zendesk, slack = guard(sessions, clock), guard(sessions, clock, "slack")
    assert zendesk.claim(b"sig-1") is True
    assert zendesk.claim(b"sig-1") is False
    assert slack.claim(b"sig-1") is True  # another vendor's signature space
    assert zendesk.claim(b"sig-2") is True


def test_release_lets_the_retry_in(sessions):
    g = guard(sessions, Clock())
    assert g.claim(b"sig") is True
    g.release(b"sig")
    assert g.claim(b"sig") is True


def test_concurrent_claims_of_one_signature_let_exactly_one_through(sessions):
    g = guard(sessions, Clock())
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: g.claim(b"same"), range(8)))
    assert results.count(True) == 1


def test_rows_older_than_twice_the_window_are_pruned(sessions):
    clock = Clock()
    g = guard(sessions, clock)
    g.claim(b"old")
    clock.advance(300)
    g.claim(b"recent")
    clock.advance(301)  # "old" is now 601 s old: past 2 x 300 (pruning runs at most every 300 s)
    g.claim(b"new")
    with sessions() as s:
        kept = set(s.scalars(select(SeenSignatureRow.signature_hash)))
    assert kept == {signature_hash(b"recent"), signature_hash(b"new")}


def test_only_a_hash_of_the_signature_is_stored(sessions):
    g = guard(sessions, Clock())
    g.claim(b"\x01secret-looking-hmac")
    with sessions() as s:
        row = s.scalars(select(SeenSignatureRow)).one()
    assert row.signature_hash == signature_hash(b"\x01secret-looking-hmac") and len(row.signature_hash) == 64
