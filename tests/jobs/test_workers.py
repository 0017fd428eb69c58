"""Several real `handoff worker` processes on one PostgreSQL share the work: each due callback fires
once and each delivery is sent once."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from handoff.bootstrap import build_runtime
from handoff.app.turns import TurnInput
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow
from tests.conftest import requires_postgres
from tests.support.clock import Clock
from tests.support.processes import start_process, stop_process, wait_until
from tests.support.settings import shipped_settings

HANDOFFS = 12


@requires_postgres
async def test_two_workers_share_callbacks_and_deliveries_exactly_once(make_config, tmp_path, fake_zendesk, fake_slack,
                                                                       database_url):
    settings_text = shipped_settings(tmp_path / "outbox", {
        '# subdomain = "acme"': 'subdomain = "acme"',
        "poll_seconds = 5.0": "poll_seconds = 0.2",
        "callbacks_check_seconds = 30.0": "callbacks_check_seconds = 0.2",
    })
    env = {"ZENDESK_EMAIL": fake_zendesk.email, "ZENDESK_API_TOKEN": fake_zendesk.token, "ZENDESK_URL": fake_zendesk.url,
           "SLACK_BOT_TOKEN": fake_slack.token, "SLACK_API_URL": fake_slack.api_url}
    config = make_config(settings_text, **env)
    # record the handoffs on a Saturday (off hours) without sending anything: the workers will
    rt = build_runtime(config, clock=Clock(datetime(2026, 3, 7, 15, 0, tzinfo=UTC)))
    rt.service.on_handoff = lambda _id: None
    ids = []
    for i in range(HANDOFFS):
        r = await rt.service.post_message(f"c-{i}", TurnInput(role="customer", text="I want to talk to a human"))
        ids.append(r["handoff_id"])
    with rt.sessions() as s:
        assert {h.status for h in s.scalars(select(HandoffRow))} == {"callback_scheduled"}
        # the planned opening has come (for the workers' real clock)
        s.execute(update(HandoffRow).values(callback_at=datetime.now(UTC) - timedelta(minutes=1)))
        s.execute(update(DeliveryRow).values(next_attempt_at=datetime.now(UTC) - timedelta(minutes=1)))
        s.commit()

    proc_env = {**env, "DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(config.path)}
    procs = tuple(start_process(["worker"], proc_env, tmp_path, tmp_path / f"worker{n}.log") for n in range(2))
    try:
        def done() -> bool:
            with rt.sessions() as s:
                fired = s.scalars(select(HandoffRow.callback_fired_at)).all()
                pending = s.scalars(select(DeliveryRow.id).where(DeliveryRow.status != "sent")).all()
            return all(fired) and not pending

        wait_until(done, 60, "every callback fired and every delivery sent", procs, interval=0.1)
    finally:
        for p in procs:
            stop_process(p)

    with rt.sessions() as s:
        fired = Counter(e.handoff_id for e in s.scalars(select(HandoffEventRow).where(HandoffEventRow.kind == "callback_fired")))
    assert fired == Counter({hid: 1 for hid in ids})  # each callback fired exactly once
    tickets = Counter(t["external_id"] for t in fake_zendesk.tickets.values())
    assert tickets == Counter({hid: 1 for hid in ids})  # one ticket per handoff, none twice
    alerts = Counter((m.get("metadata") or {}).get("event_payload", {}).get("handoff_id")
                     for m in fake_slack.messages
                     if m["thread_ts"] is None and m["channel"].startswith("C") and "Callback due" not in (m["text"] or ""))
    assert alerts == Counter({hid: 1 for hid in ids})  # one alert per handoff
    callback_notes = [m for m in fake_slack.messages if m["thread_ts"] and "Callback due" in (m["text"] or "")]
    assert len(callback_notes) == HANDOFFS
    for path in (tmp_path / "worker0.log", tmp_path / "worker1.log"):
        assert fake_zendesk.token not in path.read_text(errors="replace")
    rt.close()
