"""The database briefly unreachable (a TCP proxy in front of PostgreSQL, cut and restored): requests get a
clear 503 with Retry-After instead of a 500, the service recovers by itself, and nothing is half-stored."""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from handoff.bootstrap import build_runtime
from handoff.edge.http.errors import install_error_handlers
from handoff.storage.db import make_engine, make_sessionmaker
from handoff.storage.tables import DeliveryRow, HandoffRow, MessageRow
from tests.conftest import requires_postgres
from tests.faults.conftest import FAULT_SETTINGS, make_handoff
from tests.faults.support import API_KEY, HUMAN_PLEASE, alerts_by_handoff, tickets_by_handoff, vendor_env
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_until
from tests.faults.tcp_proxy import TcpProxy, proxied_database

AUTH = {"Authorization": f"Bearer {API_KEY}"}
OUTAGE_SECONDS = 2.0


@pytest.fixture
def proxied(database_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A cuttable proxy in front of the test PostgreSQL server, and the URL through it."""
    with proxied_database(database_url) as pair:
        yield pair


def turn(text: str, message_id: str) -> dict:
    return {"role": "customer", "text": text, "message_id": message_id, "customer": {"email": "ana@example.com"}}


@requires_postgres
async def test_outage_answers_503_then_recovers(make_config, proxied, fake_zendesk, fake_slack):
    proxy, url = proxied
    config = make_config(FAULT_SETTINGS, DATABASE_URL=url,
                         **vendor_env(fake_zendesk, fake_slack))
    rt = build_runtime(config)
    rt.service.on_handoff = lambda _id: None
    app = rt.app(jobs=False)
    install_error_handlers(app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as c:
            ok = await c.post("/v1/conversations/c-1/messages", json=turn("hello, my export fails", "m-1"))
            assert ok.status_code == 200

            proxy.cut()
            with capture_logs() as logs:
                down = await c.post("/v1/conversations/c-1/messages", json=turn(HUMAN_PLEASE, "m-2"))
                health = await c.get("/healthz")
            assert down.status_code == 503 and down.headers["retry-after"] == "2"
            assert "database is unavailable" in down.json()["error"]
            assert health.status_code == 503 and health.json()["ok"] is False
            [line] = [e for e in logs if e["event"] == "database unavailable; answered 503"]
            assert line["path"] == "/v1/conversations/c-1/messages" and "OperationalError" in line["error"]

            proxy.restore()
            again = await c.post("/v1/conversations/c-1/messages", json=turn(HUMAN_PLEASE, "m-2"))
            assert again.status_code == 200 and again.json()["decision"] == "handoff"
            assert (await c.get("/healthz")).status_code == 200
        with rt.sessions() as s:
            assert s.scalar(select(func.count()).select_from(MessageRow)) == 2
            assert s.scalar(select(func.count()).select_from(DeliveryRow)) == 2
    finally:
        rt.close()


async def test_bugs_still_answer_500(make_config):
    """Only an unreachable database is a 503: any other error stays a loud 500."""
    from sqlalchemy.exc import IntegrityError

    rt = build_runtime(make_config())
    app = rt.app(jobs=False)
    install_error_handlers(app)

    async def broken(*_a, **_k):
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    rt.service.post_message = broken  # type: ignore[method-assign]
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as c:
            r = await c.post("/v1/conversations/c-1/messages", json=turn("hi", "m-1"))
        assert r.status_code == 500
    finally:
        rt.close()


@pytest.mark.parametrize("kind", ["zendesk_ticket", "slack_alert"])
async def test_store_lost_after_a_send_is_retaken_at_once_and_not_sent_twice(runtime, fake_zendesk, fake_slack,
                                                                            monkeypatch, kind):
    """The vendor got the write but the database went away before it was recorded: as soon as the
    database answers, the same process takes the row back (no lease wait) and the sink finds the write."""
    from sqlalchemy.exc import OperationalError

    hid = await make_handoff(runtime)
    real = runtime.dispatcher._succeeded

    def lost(row, result):
        if row.kind == kind:
            raise OperationalError("UPDATE deliveries ...", {}, Exception("server closed the connection unexpectedly"))
        real(row, result)

    monkeypatch.setattr(runtime.dispatcher, "_succeeded", lost)
    with capture_logs() as logs, pytest.raises(OperationalError):
        await runtime.dispatcher.run_due()
    assert any(e["event"].startswith("delivered, but the database went away") and e["kind"] == kind for e in logs)
    with runtime.sessions() as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.handoff_id == hid, DeliveryRow.kind == kind))
    assert row.status == "sending"  # in the vendor, not in the store

    monkeypatch.setattr(runtime.dispatcher, "_succeeded", real)  # the database is back
    assert await runtime.dispatcher.run_due() >= 1  # same clock: no lease has run out
    with runtime.sessions() as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.handoff_id == hid, DeliveryRow.kind == kind))
    assert row.status == "sent" and row.attempts == 2
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}


class Bot:
    """Posts one handoff-triggering turn per conversation, retrying each until it is answered 200."""

    def __init__(self, base: str, conversations: int) -> None:
        self.base = base
        self.conversations = conversations
        self.statuses: Counter[int] = Counter()
        self.answers: dict[str, str] = {}  # conversation -> handoff id
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base, headers=AUTH, timeout=10) as c:
                for i in range(self.conversations):
                    cid = f"bot-{i}"
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline:
                        r = c.post(f"/v1/conversations/{cid}/messages", json=turn(HUMAN_PLEASE, "m-1"))
                        self.statuses[r.status_code] += 1
                        if r.status_code == 200:
                            self.answers[cid] = r.json()["handoff_id"]
                            break
                        assert r.status_code == 503 and r.headers.get("retry-after"), (r.status_code, r.text[:300])
                        time.sleep(0.05)  # a client's pause before retrying, not a wait for our work
                    else:
                        raise AssertionError(f"{cid} was never accepted")
        except BaseException as e:  # noqa: BLE001 - surfaced by the test
            self.error = e
        finally:
            self.done.set()


@requires_postgres
def test_serve_rides_out_a_database_outage(make_config, database_url, proxied, tmp_path: Path, fake_zendesk,
                                           fake_slack):
    proxy, url = proxied
    config = make_config(FAULT_SETTINGS + "poll_seconds = 0.2\n", **vendor_env(fake_zendesk, fake_slack))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**vendor_env(fake_zendesk, fake_slack), "DATABASE_URL": url,
           "HANDOFF_SETTINGS": str(config.path), "HANDOFF_API_KEYS": API_KEY}
    serve = start_process(["serve", "--port", str(port)], env, tmp_path, tmp_path / "serve.log")
    direct = make_engine(database_url)
    sessions = make_sessionmaker(direct)
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 30, "serve to answer /healthz", (serve,))
        bot = Bot(base, conversations=12)
        threading.Thread(target=bot.run, daemon=True).start()
        wait_until(lambda: len(bot.answers) >= 3 or bot.done.is_set(), 20, "the first turns to be answered", (serve,))
        proxy.cut()  # mid-traffic: open connections dropped, new ones refused
        cut_at = time.monotonic()
        # the outage lasts a couple of seconds, and at least five turns meet it
        wait_until(lambda: (bot.statuses[503] >= 5 and time.monotonic() - cut_at >= OUTAGE_SECONDS) or bot.done.is_set(),
                   20, "requests answered 503 during the outage", (serve,))
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 503
        proxy.restore()
        wait_until(bot.done.is_set, 60, "the bot to get every turn accepted after the restore", (serve,))
        assert bot.error is None, bot.error
        assert set(bot.statuses) <= {200, 503} and bot.statuses[503] >= 5

        def all_sent() -> bool:
            with sessions() as s:
                return s.scalar(select(func.count()).where(DeliveryRow.status != "sent")) == 0

        wait_until(all_sent, 30, "every delivery sent after the restore", (serve,))
        with sessions() as s:
            handoffs = s.scalars(select(HandoffRow.id)).all()
            per_handoff = Counter(s.scalars(select(DeliveryRow.handoff_id)).all())
            messages = Counter(s.scalars(select(MessageRow.conversation_id)).all())
        assert sorted(handoffs) == sorted(bot.answers.values())  # one per conversation, none lost
        assert per_handoff == Counter({h: 2 for h in handoffs})  # never a handoff without its deliveries
        assert messages == Counter({cid: 1 for cid in bot.answers})  # each turn stored once
        assert tickets_by_handoff(fake_zendesk) == Counter({h: 1 for h in handoffs})
        assert alerts_by_handoff(fake_slack) == Counter({h: 1 for h in handoffs})
        log = (tmp_path / "serve.log").read_text(errors="replace")
        assert "database unavailable; answered 503" in log
        assert "Exception in ASGI application" not in log and "Traceback" not in log  # one clear line each
    finally:
        stop_process(serve)
        direct.dispose()
