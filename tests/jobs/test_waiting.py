"""The waiting job: live place in line and wait, one update each interval, alternatives once, exactly once across
processes; a claim stops the updates and introduces the agent."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

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


def run(rt):
    return send_waiting_updates(rt.sessions, rt.config.settings, rt.clock, rt.targets["bot"])


def updates(rt, hid):
    with rt.sessions() as s:
        return s.scalars(select(CustomerUpdateRow).where(CustomerUpdateRow.handoff_id == hid)
                         .order_by(CustomerUpdateRow.id)).all()


async def test_waiting_customers_hear_their_live_place_each_interval_and_once_each(runtime):
    first = await queued_handoff(runtime, "c-1")
    runtime.clock.advance(1)  # the line is in the order the handoffs were made
    second = await queued_handoff(runtime, "c-2", language="es", name="José Pérez")
    a, b = first["handoff_id"], second["handoff_id"]
    assert (first["queue_position"], second["queue_position"]) == (1, 2)
    runtime.clock.advance(73)
    assert run(runtime) == []  # the handoff's own message told them where they stand
    runtime.clock.advance(1)
    assert run(runtime) == [f"{a}:waiting:1"]  # the first has waited 75 s, the second 74 s
    runtime.clock.advance(1)
    assert run(runtime) == [f"{b}:waiting:1"]
    assert run(runtime) == []  # nothing twice
    assert updates(runtime, a)[0].text == "You're next in line. Someone will be with you in about 10 minutes."
    u = updates(runtime, b)[0]
    assert (u.language, u.data["queue_position"], u.data["expected_wait_seconds"]) == ("es", 2, 1200)
    assert u.text == "Ahora estás en el 2.º lugar de la fila. Alguien te atenderá en aproximadamente 20 minutos."
    runtime.clock.advance(73)
    assert run(runtime) == []
    runtime.clock.advance(1)
    assert run(runtime) == [f"{a}:waiting:2"]
    runtime.clock.advance(1)
    assert run(runtime) == [f"{b}:waiting:2"]


async def test_the_line_moves_when_the_one_ahead_is_taken(runtime):
    first = await queued_handoff(runtime, "c-1")
    second = await queued_handoff(runtime, "c-2")
    await runtime.operations.set_available("sam", True)
    assert (await runtime.operations.claim(first["handoff_id"], "sam"))["ok"]
    runtime.clock.advance(80)
    assert run(runtime) == [f"{second['handoff_id']}:waiting:1"]  # the claimed one hears nothing more
    assert updates(runtime, second["handoff_id"])[0].text.startswith("You're next in line.")


async def test_the_conversation_shows_the_live_place_in_line_not_the_one_at_handoff_time(runtime):
    first = await queued_handoff(runtime, "c-1")
    runtime.clock.advance(1)
    second = await queued_handoff(runtime, "c-2")
    view = runtime.service.conversation("c-2")
    assert (view["status"], view["queue_position"], view["expected_wait_seconds"]) == ("queued", 2, 1200)
    await runtime.operations.set_available("sam", True)
    assert (await runtime.operations.claim(first["handoff_id"], "sam"))["ok"]
    await runtime.operations.set_available("sam", False)
    view = runtime.service.conversation("c-2")
    assert (view["queue_position"], view["expected_wait_seconds"]) == (1, 600)  # the one ahead was taken
    assert second["queue_position"] == 2  # what the handoff's answer said at the time


async def test_past_ten_minutes_the_alternatives_are_offered_once(runtime):
    hid = (await queued_handoff(runtime, "c-1"))["handoff_id"]
    for _ in range(8):  # 8 × 75 s = 600 s
        runtime.clock.advance(75)
        run(runtime)
    kinds = [u.kind for u in updates(runtime, hid)]
    assert kinds == ["waiting"] * 7 + ["alternatives"]
    offer = updates(runtime, hid)[-1]
    assert [c["choice"] for c in offer.data["choices"]] == ["callback", "email", "keep_waiting"]
    assert offer.data["callback_at"] > runtime.clock().isoformat()
    for _ in range(4):
        runtime.clock.advance(75)
        run(runtime)
    assert [u.kind for u in updates(runtime, hid)].count("alternatives") == 1


async def test_every_update_is_queued_for_the_bot_in_its_transaction(runtime):
    answer = await queued_handoff(runtime, "c-1")
    hid = answer["handoff_id"]
    await runtime.dispatcher.idle()  # the handoff's own deliveries are done: nothing else sends meanwhile
    runtime.clock.advance(75)
    [key] = run(runtime)
    with runtime.sessions() as s:
        d = s.scalars(select(DeliveryRow).where(DeliveryRow.dedupe_key == f"{key}:bot")).one()
    assert (d.kind, d.target, d.status) == ("bot_webhook", "local", "pending")
    assert d.payload["conversation_id"] == "c-1" and d.payload["handoff_id"] == hid
    assert (d.payload["owner"], d.payload["status"]) == ("human", "queued")
    assert d.payload["update"]["id"] == key and d.payload["update"]["kind"] == "waiting"
    assert d.payload["update"]["text"].startswith("You're next in line.")


async def test_a_claim_introduces_the_agent_from_the_briefing(runtime):
    hid = (await queued_handoff(runtime, "c-1", first="Where do I put my new card 4111 1111 1111 1111 in the app"))["handoff_id"]
    await runtime.operations.set_available("sam", True)
    assert (await runtime.operations.claim(hid, "sam"))["ok"]
    [intro] = updates(runtime, hid)
    assert intro.kind == "warm_intro" and intro.language == "en"
    assert intro.text.startswith("I'm bringing in Sam from our billing team. Sam, Ana wrote: “Where do I put my new card •••• 1111 in the app”.")
    assert "4111 1111 1111 1111" not in intro.text
    assert intro.text.endswith("What I've already done: checked the return window.")
    with runtime.sessions() as s:
        d = s.scalars(select(DeliveryRow).where(DeliveryRow.dedupe_key == f"{hid}:warm_intro:sam:bot")).one()
    assert d.payload["status"] == "claimed" and d.payload["update"]["kind"] == "warm_intro"
    await runtime.operations.claim(hid, "sam")  # "you already have it": no second introduction
    assert len(updates(runtime, hid)) == 1


async def test_two_processes_deciding_at_once_write_each_update_once(runtime, make_config):
    """Two runtimes (two processes' worth of engines and sessions) run the job at the same instant."""
    other = build_runtime(make_config(SETTINGS), clock=runtime.clock, run_migrations=False)
    try:
        hids = [(await queued_handoff(runtime, f"c-{i}"))["handoff_id"] for i in range(5)]
        runtime.clock.advance(75)
        start = threading.Barrier(2)
        results: list[list[str]] = [[], []]

        def go(i, rt):
            start.wait()
            results[i] = run(rt)

        threads = [threading.Thread(target=go, args=(i, rt)) for i, rt in enumerate((runtime, other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        keys = results[0] + results[1]
        assert sorted(keys) == sorted(f"{h}:waiting:1" for h in hids)  # each once, whoever won it
        with runtime.sessions() as s:
            assert len(s.scalars(select(CustomerUpdateRow.id)).all()) == 5
            assert len(s.scalars(select(DeliveryRow.id).where(DeliveryRow.kind == "bot_webhook")).all()) == 5
    finally:
        other.close()


async def test_the_job_can_be_turned_off(make_config):
    rt = build_runtime(make_config(SETTINGS + "\n[waiting]\nenabled = false\n"), clock=Clock())
    try:
        await queued_handoff(rt, "c-1")
        rt.clock.advance(900)
        assert run(rt) == []
    finally:
        rt.close()


def test_every_process_runs_the_waiting_job_at_its_interval(make_config):
    rt = build_runtime(make_config(SETTINGS + "\n[waiting]\ncheck_seconds = 20\n"), clock=Clock())
    try:
        job = rt.scheduler().get_job("waiting_updates")
        assert job is not None and job.trigger.interval.total_seconds() == 20
    finally:
        rt.close()
