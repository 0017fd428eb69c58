"""A 45 MB conversation (1,500 AI replies of 30 KB) handed off by a real `handoff serve` process: `/healthz`
keeps answering while the handoff turn is processed, and the ticket, alert and stored briefing are bounded.

The conversation is stored in bulk (handoff/devtools/support/big_conversation.py) rather than posted turn by turn,
which would take a minute; the handoff turn and the turns after it go over HTTP. The 100 ms bound is the
issue's; bench/big_conversation.py measures the same against a short conversation.
"""
from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handoff.settings import load_config
from handoff.devtools.support.big_conversation import HANDOFF_TEXT, conversation, store_conversation
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until

API_KEY = "big-conversation-key-0123456789"
MAX_HEALTHZ_GAP_SECONDS = 0.100


class HealthPoller:
    """Calls /healthz back to back from its own thread; `max_gap()` is the longest wait between two answers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stamps: list[float] = []
        self.failures: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            self.stamps.append(time.perf_counter())
            while not self._stop.is_set():
                status = client.get("/healthz").status_code
                if status != 200:
                    self.failures.append(status)
                self.stamps.append(time.perf_counter())

    def __enter__(self) -> "HealthPoller":
        # this process's own pauses must not count: a full collection of the test run's objects takes
        # a few hundred milliseconds, in which no thread here polls
        gc.collect()
        gc.disable()
        self._thread.start()
        wait_until(lambda: len(self.stamps) > 5, 10, "the first /healthz answers")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        gc.enable()

    def max_gap(self) -> float:
        """The longest time between two answers, in seconds."""
        return max(b - a for a, b in zip(self.stamps, self.stamps[1:]))

    def report(self) -> str:
        """The longest gaps and when they ended, for a failure message."""
        start = self.stamps[0]
        gaps = sorted(((b - a, b - start) for a, b in zip(self.stamps, self.stamps[1:])), reverse=True)[:5]
        return f"{len(self.stamps)} answers; longest gaps (s, ending at s): " + ", ".join(
            f"{g:.3f} at {end:.3f}" for g, end in gaps)


@pytest.fixture
def served(tmp_path: Path, database_url: str, sessions) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """A `handoff serve` process (no Zendesk or Slack: tickets and alerts kept in its outbox) whose store holds
    the 45 MB conversation "big"; yields its base URL and outbox."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    outbox = tmp_path / "outbox"
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[service]\noutbox_dir = "{outbox.as_posix()}"\npublic_url = "{base}"\n', encoding="utf-8")
    triggers = load_config(settings, environ={"DATABASE_URL": database_url}).settings.triggers
    store_conversation(sessions, "big", conversation(), triggers)
    env = {"DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings), "HANDOFF_API_KEYS": API_KEY}
    log = tmp_path / "server.log"
    proc = start_process(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, log)
    try:
        wait_healthy(base, proc, log)
        yield base, outbox
    finally:
        stop_process(proc)


def test_a_45_mb_conversation_hands_off_without_stalling_healthz_and_with_bounded_briefings(served) -> None:
    base, outbox = served
    # the client exists before the polling starts: building one (its TLS context) would stall this process
    bot = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
    path = "/v1/conversations/big/messages"
    with bot, HealthPoller(base) as handing_off:
        answer = bot.post(path, json={"role": "customer", "text": HANDOFF_TEXT}).json()
    assert answer["decision"] == "handoff", answer
    hid = answer["handoff_id"]
    assert handing_off.failures == []
    assert handing_off.max_gap() < MAX_HEALTHZ_GAP_SECONDS, handing_off.report()

    bot = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
    with bot:
        with HealthPoller(base) as later:
            for n in range(5):
                assert bot.post(path, json={"role": "customer", "text": f"Still there? ({n})"}).json()["handoff_id"] == hid
        assert later.max_gap() < MAX_HEALTHZ_GAP_SECONDS, later.report()
        got = bot.get(f"/v1/handoffs/{hid}").json()

    ticket = wait_until(lambda: _read(outbox / "zendesk" / f"{hid}.json"), 30, "the kept ticket")["ticket"]
    alert = wait_until(lambda: _read(outbox / "slack" / f"{hid}.json"), 30, "the kept alert")["alert"]
    note = ticket["note"]
    assert len(note.encode()) < 40_000
    assert f"… 2,982 earlier messages not shown (full transcript: {base}/v1/handoffs/{hid})" in note
    assert "- … 1,495 earlier AI replies not shown" in note
    blocks = json.dumps(alert["blocks"], ensure_ascii=False)
    assert len(blocks.encode()) < 20_000
    assert f"2,998 earlier messages not shown · <{base}/v1/handoffs/{hid}|full transcript>" in blocks

    briefing = got["briefing"]
    assert len(briefing["transcript"]) == 20 and briefing["transcript_total"] == 3002
    assert len(json.dumps(briefing)) < 700_000
    assert got["transcript"]["total"] == 3007 and got["transcript"]["messages"][0]["index"] == 0


def _read(path: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
