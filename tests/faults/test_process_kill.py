"""A process killed with -9 mid-send, or between storing a handoff and its first delivery attempt: the next
process delivers the ticket and the alert exactly once (real `handoff worker` / `handoff serve` processes)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.storage.tables import DeliveryRow
from tests.faults.conftest import make_handoff
from tests.faults.support import (API_KEY, CHANNEL, HUMAN_PLEASE, alert_for, alerts_by_handoff, heal,
                                  stall_answers, tickets_by_handoff, vendor_env)
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_until

LEASE_SECONDS = 5.0  # the shortest lease settings.toml allows: the survivor waits this long for the row

SETTINGS = f"""
[zendesk]
subdomain = "acme"
[slack]
default_channel = "{CHANNEL}"
[delivery]
lease_seconds = {LEASE_SECONDS}
poll_seconds = 0.2
backoff_initial_seconds = 0.5
"""


def _deliveries(rt, handoff_id: str) -> dict[str, DeliveryRow]:
    with rt.sessions() as s:
        return {d.kind: d for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == handoff_id))}


def _env(config, database_url: str, fake_zendesk, fake_slack) -> dict[str, str]:
    return {**vendor_env(fake_zendesk, fake_slack), "DATABASE_URL": database_url,
            "HANDOFF_SETTINGS": str(config.path), "HANDOFF_API_KEYS": API_KEY}


async def test_worker_killed_mid_send_is_finished_once_by_the_next(make_config, database_url, tmp_path: Path,
                                                                   fake_zendesk, fake_slack):
    config = make_config(SETTINGS, **vendor_env(fake_zendesk, fake_slack))
    rt = build_runtime(config)  # the real clock, like the workers
    rt.service.on_handoff = lambda _id: None
    hid = await make_handoff(rt)
    # both vendors do the write, then never answer: the worker is stuck mid-send on each
    stall_answers(fake_zendesk, 120, lambda http: http.command == "POST")
    stall_answers(fake_slack, 120, lambda http: http.path == "/api/chat.postMessage")
    env = _env(config, database_url, fake_zendesk, fake_slack)
    first = start_process(["worker"], env, tmp_path, tmp_path / "first.log")
    try:
        wait_until(lambda: tickets_by_handoff(fake_zendesk)[hid] == 1 and alert_for(fake_slack, hid), 20,
                   "the first worker's ticket and alert to reach the vendors", (first,))
        assert {d.status for d in _deliveries(rt, hid).values()} == {"sending"}  # recorded as in flight only
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop_process(first)
    heal(fake_zendesk)
    heal(fake_slack)

    second = start_process(["worker"], env, tmp_path, tmp_path / "second.log")
    try:
        wait_until(lambda: {d.status for d in _deliveries(rt, hid).values()} == {"sent"}, LEASE_SECONDS + 20,
                   "the second worker to take over after the lease", (second,))
    finally:
        stop_process(second)
    rows = _deliveries(rt, hid)
    assert rows["zendesk_ticket"].attempts == 2 and rows["slack_alert"].attempts == 2
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}
    assert rows["zendesk_ticket"].result["created"] is False  # found by external_id, not created again
    log = (tmp_path / "second.log").read_text(errors="replace")
    assert f"handoff_id={hid}" in log and "delivered" in log
    rt.close()


async def test_serve_killed_after_storing_a_handoff_is_delivered_once_by_a_worker(make_config, database_url,
                                                                                  tmp_path: Path, fake_zendesk,
                                                                                  fake_slack):
    config = make_config(SETTINGS, **vendor_env(fake_zendesk, fake_slack))
    rt = build_runtime(config)
    env = _env(config, database_url, fake_zendesk, fake_slack)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = start_process(["serve", "--port", str(port), "--no-jobs"], env, tmp_path, tmp_path / "serve.log")
    try:
        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 30, "serve to answer /healthz", (serve,))
        answer = httpx.post(f"{base}/v1/conversations/c-kill/messages", timeout=10,
                            headers={"Authorization": f"Bearer {API_KEY}"},
                            json={"role": "customer", "text": HUMAN_PLEASE, "message_id": "m-1",
                                  "customer": {"email": "ana@example.com", "name": "Ana"}}).json()
        hid = answer["handoff_id"]
        os.kill(serve.pid, signal.SIGKILL)  # the answer is out, the handoff committed: the process dies here
        serve.wait(timeout=10)
    finally:
        stop_process(serve)
    at_kill = _deliveries(rt, hid)
    assert {"zendesk_ticket", "slack_alert"} <= set(at_kill)  # stored with the handoff, in one transaction
    # `serve --no-jobs` still wakes its dispatcher for a new handoff (see the report), so a row may have
    # been claimed already; either way the worker below must deliver each exactly once.
    assert {d.status for d in at_kill.values()} <= {"pending", "sending", "sent"}

    worker = start_process(["worker"], env, tmp_path, tmp_path / "worker.log")
    try:
        wait_until(lambda: {d.status for d in _deliveries(rt, hid).values()} == {"sent"}, 30,
                   "the worker to deliver what serve left", (worker,))
    finally:
        stop_process(worker)
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}
    for kind, row in _deliveries(rt, hid).items():
        if kind in at_kill:  # (a "slack_update" adds the ticket link to an alert that went out first)
            assert row.attempts == at_kill[kind].attempts + (0 if at_kill[kind].status == "sent" else 1)
    rt.close()
