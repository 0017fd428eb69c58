"""Zendesk messaging end to end: a handoff of a conversation that lives in Sunshine Conversations passes it to
the agent workspace once (metadata within 4 KB), its release gives it back once, and a Sunshine that is down
or rate limiting delays neither the ticket nor the alert and loses nothing.

Real connectors against the local fakes (Zendesk, Slack, Sunshine); the test drives the dispatcher and the clock.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import select, update

from handoff.app.turns import TurnInput
from handoff.bootstrap import Runtime, build_runtime
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.models import Customer
from handoff.core.render.switchboard import METADATA_MAX_BYTES, metadata_size
from handoff.devtools.fakes.sunshine import FakeSunshine
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import DeliveryRow
from tests.faults.conftest import FAULT_SETTINGS
from tests.faults.support import HUMAN_PLEASE, alerts_by_handoff, tickets_by_handoff, vendor_env

CONV = "5e4af71a81966cfff3ef6550"
ANA = Customer(email="ana@example.com", name="Ana Souza", language="en")


def sunshine_env(fake: FakeSunshine) -> dict[str, str]:
    return {"SUNSHINE_KEY_ID": fake.key_id, "SUNSHINE_KEY_SECRET": fake.key_secret, "SUNSHINE_API_URL": fake.url}


def sunshine_settings(fake: FakeSunshine) -> str:
    return f'[sunshine]\napp_id = "{fake.app_id}"\ntimeout_seconds = 0.5\n'


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack, fake_sunshine, clock, request) -> Iterator[Runtime]:
    fake_sunshine.add_conversation(CONV)
    extra = getattr(request, "param", "")  # more settings, by indirect parametrisation
    config = make_config(FAULT_SETTINGS + sunshine_settings(fake_sunshine) + extra,
                         **vendor_env(fake_zendesk, fake_slack), **sunshine_env(fake_sunshine))
    rt = build_runtime(config, clock=clock)
    rt.service.on_handoff = lambda _id: None  # the test drives the dispatcher itself
    rt.service.on_deliveries = lambda: None
    try:
        yield rt
    finally:
        rt.close()


async def say(rt: Runtime, text: str, message_id: str, *, messaging: str | None = CONV, role: str = "customer",
              cid: str = "c-msg") -> dict[str, Any]:
    return await rt.service.post_message(cid, TurnInput(role=role, text=text, message_id=message_id, customer=ANA,
                                                        sunshine_conversation_id=messaging))


async def drain(rt: Runtime, clock: Clock, rounds: int = 6) -> None:
    """Run the dispatcher until nothing is due, moving the clock past any backoff."""
    for _ in range(rounds):
        while await rt.dispatcher.run_due() > 0:
            pass
        clock.advance(120)


def controls(rt: Runtime) -> list[DeliveryRow]:
    with rt.sessions() as s:
        return list(s.scalars(select(DeliveryRow).where(DeliveryRow.kind == DeliveryKind.SUNSHINE_CONTROL)
                              .order_by(DeliveryRow.id)))


class JapaneseSummariser:
    """An LLM summary in Japanese: 1,000 characters are 6,000 bytes as the client escapes them, over 4 KB."""

    async def summarise(self, messages):
        return "請求書が二重に請求されており返金を希望しています。" * 60


@pytest.mark.parametrize("runtime", ["[briefing]\nsummary_max_chars = 1000\n"], indirect=True)
async def test_a_handoff_passes_the_conversation_once_with_bounded_metadata(runtime, clock, fake_sunshine,
                                                                           fake_zendesk, fake_slack):
    runtime.service.summariser = JapaneseSummariser()
    # only the first turn says where the conversation lives: the handoff two turns later still knows
    await say(runtime, "Hi, I have a question about my invoice", "m-1")
    await say(runtime, "Which invoice do you mean?", "m-2", role="ai", messaging=None)
    answer = await say(runtime, HUMAN_PLEASE, "m-3", messaging=None)
    assert answer["decision"] == "handoff"
    hid = answer["handoff_id"]
    again = await say(runtime, HUMAN_PLEASE, "m-3", messaging=None)
    assert again["handoff_id"] == hid  # a retried turn: stored once, nothing queued again
    await say(runtime, "Hello? Anyone there?", "m-4")  # with a human now: forwarded, no second pass
    await drain(runtime, clock)

    assert fake_sunshine.actions_on(CONV) == ["pass"]
    [action] = fake_sunshine.actions
    assert action["body"]["switchboardIntegration"] == "zd-agentWorkspace"
    metadata = action["body"]["metadata"]
    assert metadata_size(metadata) <= METADATA_MAX_BYTES
    assert metadata["handoff_id"] == hid and metadata["handoff_priority"] == answer["priority"]
    assert metadata["handoff_category"] == answer["category"] and metadata["handoff_team"] == answer["team"]
    summary = runtime.service.get_handoff(hid)["briefing"]["summary"]
    assert len(json.dumps(summary)) > METADATA_MAX_BYTES  # the briefing keeps it whole; the metadata cuts it
    assert metadata["handoff_summary"].endswith("…") and summary.startswith(metadata["handoff_summary"][:-1])
    assert "explicit_request" in metadata["handoff_triggers"]
    assert fake_sunshine.conversations[(fake_sunshine.app_id, CONV)]["active"] == "zd-agentWorkspace"
    [row] = controls(runtime)
    assert (row.status, row.target, row.dedupe_key) == ("sent", "sunshine", f"{hid}:sunshine:pass")
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1
    shown = runtime.service.get_handoff(hid)["deliveries"]
    assert [(d["kind"], d["target"], d["status"]) for d in shown if d["kind"] == "sunshine_control"] == [
        ("sunshine_control", "sunshine", "sent")]


async def test_release_gives_the_conversation_back_once(runtime, clock, fake_sunshine):
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await drain(runtime, clock)
    await runtime.service.release(hid, "answered in the help centre")
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]
    assert fake_sunshine.actions[-1]["body"] == {
        "metadata": {"handoff_id": hid, "handoff_release_reason": "answered in the help centre"}}
    assert fake_sunshine.conversations[(fake_sunshine.app_id, CONV)]["active"] == "bot"
    from handoff.app.release import AlreadyReleased

    with pytest.raises(AlreadyReleased):
        await runtime.service.release(hid)
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]
    assert [(r.payload["action"], r.status) for r in controls(runtime)] == [("pass", "sent"), ("release", "sent")]

    # a later handoff of the same conversation is a new one: passed again (the id is remembered)
    again = await say(runtime, "I still want to talk to a human please, a real person", "m-9", messaging=None)
    assert again["decision"] == "handoff" and again["handoff_id"] != hid
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release", "pass"]


async def test_sunshine_down_neither_delays_the_handoff_nor_loses_the_pass(runtime, clock, fake_sunshine,
                                                                          fake_zendesk, fake_slack):
    fake_sunshine.fail_next(503, times=3)
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await runtime.dispatcher.run_due()
    # the ticket and the alert went out in the same run; the pass waits for its next attempt
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1
    [row] = controls(runtime)
    assert row.status == "pending" and "503" in row.last_error
    assert row.next_attempt_at.replace(tzinfo=UTC) > clock()
    assert fake_sunshine.actions == []
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass"]
    assert controls(runtime)[0].status == "sent"


async def test_a_slow_sunshine_does_not_hold_back_the_ticket_or_the_alert(runtime, fake_sunshine, fake_zendesk,
                                                                         fake_slack):
    fake_sunshine.delay = 2.0  # beyond the connector's 0.5 s timeout
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await runtime.dispatcher.run_due()
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1
    assert controls(runtime)[0].status == "pending" and "timed out" in controls(runtime)[0].last_error


async def test_rate_limited_pass_waits_for_retry_after(runtime, clock, fake_sunshine):
    fake_sunshine.fail_next(429, headers={"Retry-After": "30"})
    await say(runtime, HUMAN_PLEASE, "m-1")
    await runtime.dispatcher.run_due()
    [row] = controls(runtime)
    wait = (row.next_attempt_at.replace(tzinfo=UTC) - clock()).total_seconds()
    assert row.status == "pending" and wait >= 30  # past the 5 s in-process cap: rescheduled, not slept through
    clock.advance(wait)
    await runtime.dispatcher.run_due()
    assert controls(runtime)[0].status == "sent" and fake_sunshine.actions_on(CONV) == ["pass"]


async def test_an_unknown_conversation_is_given_up_on_at_once(runtime, clock, fake_sunshine, fake_zendesk):
    hid = (await say(runtime, HUMAN_PLEASE, "m-1", messaging="not-a-sunshine-conversation"))["handoff_id"]
    await runtime.dispatcher.run_due()
    [row] = controls(runtime)
    assert row.status == "dead" and "404" in row.last_error and row.attempts == 1
    assert tickets_by_handoff(fake_zendesk)[hid] == 1  # the rest of the handoff is unaffected


async def test_release_before_the_pass_was_tried_sends_nothing(runtime, clock, fake_sunshine):
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await runtime.service.release(hid)  # before any delivery ran
    await drain(runtime, clock)
    assert fake_sunshine.actions == [] and fake_sunshine.requests == []
    [row] = controls(runtime)
    assert row.payload["action"] == "pass" and row.status == "cancelled"


async def test_release_after_a_failed_try_still_releases(runtime, clock, fake_sunshine):
    """A pass tried and not answered may have landed: the release undoes it rather than trusting it did not."""
    fake_sunshine.fail_next(503, times=2)  # both of the dispatcher's quick tries
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await runtime.dispatcher.run_due()
    assert controls(runtime)[0].status == "pending" and controls(runtime)[0].attempts == 1
    await runtime.service.release(hid)
    await drain(runtime, clock)
    assert [(r.payload["action"], r.status) for r in controls(runtime)] == [("pass", "cancelled"), ("release", "sent")]
    assert fake_sunshine.actions_on(CONV) == ["release"]


async def test_release_waits_for_a_pass_in_flight(runtime, clock, fake_sunshine):
    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    with runtime.sessions() as s:  # another process is sending the pass right now
        s.execute(update(DeliveryRow).where(DeliveryRow.kind == DeliveryKind.SUNSHINE_CONTROL)
                  .values(status="sending", lease_owner="elsewhere", lease_until=clock()))
        s.execute(update(DeliveryRow).where(DeliveryRow.kind != DeliveryKind.SUNSHINE_CONTROL).values(status="sent"))
        s.commit()
    await runtime.service.release(hid)
    await runtime.dispatcher.run_due()
    release = controls(runtime)[1]
    assert release.status == "pending" and "still on its way" in release.last_error
    assert fake_sunshine.actions == []  # the release never overtakes the pass
    clock.advance(120)  # the other process's lease ran out: the pass is taken over, then the release follows
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]


async def test_a_conversation_outside_messaging_passes_nothing(runtime, clock, fake_sunshine):
    hid = (await say(runtime, HUMAN_PLEASE, "m-1", messaging=None, cid="c-web"))["handoff_id"]
    await drain(runtime, clock)
    await runtime.service.release(hid)
    await drain(runtime, clock)
    assert controls(runtime) == [] and fake_sunshine.requests == []


async def test_the_bots_own_request_passes_the_conversation(runtime, clock, fake_sunshine):
    other = fake_sunshine.add_conversation("6a0bf82b92a77dfff4fa7661")
    answer = await runtime.service.request_handoff("c-bot", "the customer asked for an agent", ANA, other)
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(other) == ["pass"]
    assert fake_sunshine.actions[-1]["body"]["metadata"]["handoff_id"] == answer["handoff_id"]


async def test_hand_back_from_slack_releases_too(make_config, fake_zendesk, fake_slack, fake_sunshine, clock):
    fake_sunshine.add_conversation(CONV)
    agents = '[[routing.agents]]\nid = "sam"\nname = "Sam"\nslack_user_id = "U0SAM"\nteams = ["general"]\n'
    config = make_config(FAULT_SETTINGS + sunshine_settings(fake_sunshine) + agents,
                         **vendor_env(fake_zendesk, fake_slack), **sunshine_env(fake_sunshine))
    rt = build_runtime(config, clock=clock)
    rt.service.on_handoff = lambda _id: None
    try:
        hid = (await say(rt, HUMAN_PLEASE, "m-1"))["handoff_id"]
        await drain(rt, clock)
        assert (await rt.operations.release(hid, "sam"))["ok"]
        await drain(rt, clock)
    finally:
        rt.close()
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]


async def test_without_credentials_the_switchboard_actions_are_kept_locally(make_config, clock, tmp_path):
    rt = build_runtime(make_config('[sunshine]\napp_id = "5963c0d619a30a2e00de36b8"\n'), clock=clock)
    rt.service.on_handoff = lambda _id: None
    try:
        hid = (await say(rt, HUMAN_PLEASE + " my card is 4242 4242 4242 4242", "m-1"))["handoff_id"]
        await drain(rt, clock)
        await rt.service.release(hid)
        await drain(rt, clock)
        rows = controls(rt)
    finally:
        rt.close()
    assert [(r.target, r.status) for r in rows] == [("local", "sent"), ("local", "sent")]
    kept = {p.name: json.loads(p.read_text()) for p in (tmp_path / "outbox" / "updates").glob(f"{hid}_sunshine_*")}
    passed, released = kept[f"{hid}_sunshine_pass.json"], kept[f"{hid}_sunshine_release.json"]
    assert passed["kind"] == "sunshine_control" and passed["payload"]["action"] == "pass"
    assert passed["payload"]["conversation_id"] == CONV and passed["payload"]["metadata"]["handoff_id"] == hid
    assert "4242 4242 4242 4242" not in json.dumps(passed)
    assert released["payload"]["action"] == "release" and released["payload"]["conversation_id"] == CONV


async def test_an_erasure_names_the_messaging_conversation_and_erases_its_id(runtime, clock, fake_sunshine):
    from handoff.app.erasure import erase
    from handoff.storage.tables import MessageRow

    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await drain(runtime, clock)
    report = erase(runtime.sessions, clock, email=ANA.email)
    assert report.messaging_conversations == [CONV] and CONV in report.as_text()
    with runtime.sessions() as s:
        assert all(not m.extra for m in s.scalars(select(MessageRow)))  # the id went with the messages' metadata
    # the pass's payload is erased, but where it went is kept: an agent can still hand the conversation back
    await runtime.service.release(hid, "card 4242 4242 4242 4242 on file")
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]
    assert "4242 4242 4242 4242" not in json.dumps(fake_sunshine.actions[-1]["body"])


async def test_a_solved_ticket_gives_the_messaging_conversation_back_too(runtime, clock, fake_sunshine):
    from handoff.storage.tables import HandoffRow

    hid = (await say(runtime, HUMAN_PLEASE, "m-1"))["handoff_id"]
    await drain(runtime, clock)
    with runtime.sessions() as s:
        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id
    assert ticket_id is not None
    assert runtime.operations.ticket_event(ticket_id, "solved", {"actor_id": 1}, clock()) == hid
    await drain(runtime, clock)
    assert fake_sunshine.actions_on(CONV) == ["pass", "release"]
    assert fake_sunshine.actions[-1]["body"]["metadata"]["handoff_release_reason"] == "ticket solved"
    assert fake_sunshine.conversations[(fake_sunshine.app_id, CONV)]["active"] == "bot"
