"""A waiting customer's choice: callback (fired by the callbacks job), e-mail follow-up, keep waiting; each once,
with its update, event, notes and metric; refused when the customer is no longer waiting."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from handoff import metrics
from handoff.app.choices import ChoiceRefused
from handoff.app.handoff_reads import NotFoundError
from handoff.app.stats import collect_stats
from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import CustomerUpdateRow, DeliveryRow, HandoffEventRow, HandoffRow
from jobs.callbacks import fire_due_callbacks
from jobs.waiting import send_waiting_updates
from tests.waiting_support import SETTINGS, queued_handoff


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(SETTINGS), clock=Clock())
    yield rt
    rt.close()


def waiting_job(rt):
    return send_waiting_updates(rt.sessions, rt.config.settings, rt.clock, rt.targets["bot"])


def chosen_count(choice):
    return metrics.REGISTRY.get_sample_value("handoff_alternatives_chosen_total", {"choice": choice}) or 0


def rows(rt, table, hid):
    with rt.sessions() as s:
        return s.scalars(select(table).where(table.handoff_id == hid).order_by(table.id)).all()


async def offered(rt, cid, **kw):
    hid = (await queued_handoff(rt, cid, **kw))["handoff_id"]
    for _ in range(8):
        rt.clock.advance(75)
        waiting_job(rt)
    assert rows(rt, CustomerUpdateRow, hid)[-1].kind == "alternatives"
    return hid


async def test_a_callback_is_scheduled_at_the_offered_slot_and_fired_by_the_callbacks_job(runtime):
    hid = await offered(runtime, "c-1")
    offer = rows(runtime, CustomerUpdateRow, hid)[-1]
    before = chosen_count("callback")
    runtime.clock.advance(30)
    result = await runtime.service.choose(hid, "callback")
    assert result["changed"] and result["status"] == "callback_scheduled" and result["owner"] == "human"
    assert result["callback_at"] == offer.data["callback_at"]  # the time the customer was offered
    assert result["update"]["kind"] == "choice_confirmed"
    assert result["update"]["text"].startswith("Done: our billing team will get back to you today at")
    assert chosen_count("callback") == before + 1
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        assert h.status == "callback_scheduled" and h.callback_at.isoformat() == offer.data["callback_at"]
    [event] = [e for e in rows(runtime, HandoffEventRow, hid) if e.kind == "choice"]
    assert event.data["choice"] == "callback" and event.actor == "customer"
    keys = {d.dedupe_key for d in rows(runtime, DeliveryRow, hid)}
    assert {f"{hid}:choice:callback:zendesk", f"{hid}:choice:callback:slack", f"{hid}:choice:callback:bot"} <= keys
    note = next(d for d in rows(runtime, DeliveryRow, hid) if d.dedupe_key.endswith("choice:callback:zendesk"))
    assert note.payload["note"].startswith("The customer chose a callback instead of waiting: due 2026-")
    assert waiting_job(runtime) == []  # a callback waits for its time, not in the line
    runtime.clock.set(datetime.fromisoformat(offer.data["callback_at"]))
    assert fire_due_callbacks(runtime.sessions, runtime.config.settings, runtime.clock, runtime.targets) == [hid]
    with runtime.sessions() as s:
        assert s.get(HandoffRow, hid).status == "open"


async def test_an_email_follow_up_is_noted_on_the_ticket_and_ends_the_chat_updates(runtime):
    hid = (await queued_handoff(runtime, "c-1", language="de", name="Jonas"))["handoff_id"]
    result = await runtime.service.choose(hid, "email")  # the bot may offer it before the job does
    assert result["status"] == "queued" and result["update"]["language"] == "de"
    assert result["update"]["text"].startswith("Erledigt: Unser billing-Team antwortet Ihnen per E-Mail")
    note = next(d for d in rows(runtime, DeliveryRow, hid) if d.dedupe_key == f"{hid}:choice:email:zendesk")
    assert "prefers an e-mail follow-up" in note.payload["note"] and note.payload["tags"] == ["handoff_chose_email"]
    for _ in range(10):
        runtime.clock.advance(75)
        assert waiting_job(runtime) == []
    with pytest.raises(ChoiceRefused, match="already chose email"):
        await runtime.service.choose(hid, "callback")


async def test_keep_waiting_stops_the_offer_but_not_the_updates(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    await runtime.service.choose(hid, "keep_waiting")
    for _ in range(10):
        runtime.clock.advance(75)
        waiting_job(runtime)
    kinds = [u.kind for u in rows(runtime, CustomerUpdateRow, hid)]
    assert kinds[0] == "choice_confirmed" and "alternatives" not in kinds and kinds.count("waiting") >= 9
    # later they may still take a callback
    assert (await runtime.service.choose(hid, "callback"))["status"] == "callback_scheduled"


async def test_the_same_choice_again_changes_nothing(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    first = await runtime.service.choose(hid, "callback")
    again = await runtime.service.choose(hid, "callback")
    assert not again["changed"] and again["callback_at"] == first["callback_at"] and again["update"] == first["update"]
    assert len([e for e in rows(runtime, HandoffEventRow, hid) if e.kind == "choice"]) == 1


async def test_no_choice_for_a_handoff_nobody_waits_on(runtime):
    with pytest.raises(NotFoundError):
        await runtime.service.choose("h_0123456789abcdef01234567", "email")
    claimed = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    await runtime.operations.set_available("sam", True)
    await runtime.operations.claim(claimed, "sam")
    released = (await queued_handoff(runtime, "c-2"))["handoff_id"]
    await runtime.service.release(released)
    for hid, status in ((claimed, "claimed"), (released, "released")):
        before = (len(rows(runtime, CustomerUpdateRow, hid)), len(rows(runtime, DeliveryRow, hid)))
        with pytest.raises(ChoiceRefused, match=status):
            await runtime.service.choose(hid, "callback")
        with runtime.sessions() as s:
            assert s.get(HandoffRow, hid).status == status  # nothing changed
        assert (len(rows(runtime, CustomerUpdateRow, hid)), len(rows(runtime, DeliveryRow, hid))) == before


async def test_stats_count_the_alternatives_chosen(runtime):
    a = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    b = (await queued_handoff(runtime, "c-2"))["handoff_id"]
    c = (await queued_handoff(runtime, "c-3"))["handoff_id"]
    await runtime.service.choose(a, "callback")
    await runtime.service.choose(b, "keep_waiting")
    await runtime.service.choose(c, "keep_waiting")
    stats = collect_stats(runtime.sessions, now=runtime.clock())
    assert stats["alternatives_chosen"] == {"callback": 1, "keep_waiting": 2}


async def test_the_stats_report_shows_the_alternatives_chosen(runtime):
    from rich.console import Console

    from handoff.app.stats import render_stats

    await runtime.service.choose((await queued_handoff(runtime, "c-1"))["handoff_id"], "email")
    console = Console(record=True, width=200)
    console.print(render_stats(collect_stats(runtime.sessions, now=runtime.clock())))
    text = console.export_text()
    assert "alternatives chosen" in text and "email 1" in text
