"""Erasure reaches what waiting customers were told: update texts and data erased, none shown again."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from handoff.app.erasure import ERASED, ERASED_PAYLOAD, erase
from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import CustomerUpdateRow, DeliveryRow
from jobs.waiting import send_waiting_updates
from tests.waiting_support import SETTINGS, queued_handoff


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(SETTINGS), clock=Clock())
    yield rt
    rt.close()


async def test_erasure_erases_the_updates_and_the_api_shows_none(runtime):
    hid = (await queued_handoff(runtime, "ana@example.com", first="Refund on invoice INV-7731 please"))["handoff_id"]
    runtime.clock.advance(75)
    send_waiting_updates(runtime.sessions, runtime.config.settings, runtime.clock, "local")
    await runtime.service.choose(hid, "keep_waiting")
    await runtime.operations.set_available("sam", True)
    await runtime.operations.claim(hid, "sam")
    with runtime.sessions() as s:
        texts = [u.text for u in s.scalars(select(CustomerUpdateRow))]
    assert any("INV-7731" in t for t in texts) and len(texts) == 3

    await runtime.dispatcher.idle()  # the bot deliveries kept in the local outbox, as files
    outbox = Path(runtime.config.settings.service.outbox_dir)
    kept = list(outbox.glob(f"updates/{hid}*warm_intro*"))
    assert kept and "INV-7731" in kept[0].read_text(encoding="utf-8")

    report = erase(runtime.sessions, runtime.clock, email="ana@example.com", outbox=outbox)
    assert report.customer_updates == 3
    assert not any(p.exists() for p in kept)
    [new_id] = report.renamed.values()
    with runtime.sessions() as s:
        rows = s.scalars(select(CustomerUpdateRow)).all()
        bot = s.scalars(select(DeliveryRow).where(DeliveryRow.kind == "bot_webhook")).all()
    assert {(u.text, str(u.data)) for u in rows} == {(ERASED, "{}")}
    assert {u.conversation_id for u in rows} == {new_id}  # the e-mail id is gone from this table too
    assert len(bot) == 3 and all(d.payload == ERASED_PAYLOAD for d in bot)
    view = runtime.service.conversation(new_id)
    assert view["update"] is None  # no "[erased]" reaches the bot


async def test_the_dry_run_counts_the_updates_and_changes_nothing(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    await runtime.service.choose(hid, "email")
    report = erase(runtime.sessions, runtime.clock, conversation_id="c-1", dry_run=True)
    assert report.customer_updates == 1 and report.as_dict()["customer_updates"] == 1
    assert runtime.service.conversation("c-1")["update"]["kind"] == "choice_confirmed"
