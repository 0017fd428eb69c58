"""Benchmark: does a big conversation stall the service? A short and a 45 MB conversation, side by side.

For each case a real `handoff serve` process (one worker, Zendesk and Slack not configured, so tickets and
alerts are kept in the local outbox) gets one conversation over HTTP, turn by turn: customer and AI turns
alternating, AI replies of `--ai-chars` characters (30,000 by default: 1,500 of them make 45 MB; the same
conversation as handoff/devtools/support/big_conversation.py), then a customer turn asking for a person. While that handoff turn is processed, a poller calls `/healthz` back to back on its own
connection; the longest gap between two of its answers is how long the service stopped answering. Then
`--later` customer turns follow (the conversation is with a human now), each timed.

Printed per case: messages and megabytes of text stored, the median of the conversation's last 20 routine
turns, the handoff turn, the longest `/healthz` gap during it, the median later turn and the
longest `/healthz` gap during the later turns, and the sizes of the stored briefing, the Zendesk note and
the Slack card. Goal (issue 12): the 45 MB case hands off with no `/healthz` gap over 100 ms, and its
later turns cost what the short case's do.

    python bench/big_conversation.py [--db sqlite|postgres|both] [--ai-turns 1500] [--ai-chars 30000]
                                     [--later 20] [--json] [--pg-url URL]

Everything talks to 127.0.0.1 only; PostgreSQL gets a throw-away database on `--pg-url`, dropped afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import httpx  # noqa: E402

from handoff.devtools.support.big_conversation import HANDOFF_TEXT, conversation  # noqa: E402
from bench.load import fresh_database  # noqa: E402  (one way to make a throwaway database for both benches)
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until  # noqa: E402

API_KEY = "bench-key-0123456789abcdef"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def running_service(database_url: str, workdir: Path) -> Iterator[str]:
    """A real `handoff serve` process on a free port with a local outbox; yields its base URL."""
    port = free_port()
    settings = workdir / "settings.toml"
    settings.write_text(f'[service]\noutbox_dir = "{(workdir / "outbox").as_posix()}"\n'
                        f'public_url = "http://127.0.0.1:{port}"\nmax_body_bytes = 262144\n'
                        "[delivery]\npoll_seconds = 1\n", encoding="utf-8")
    env = {"DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings), "HANDOFF_API_KEYS": API_KEY}
    proc = start_process(["serve", "--host", "127.0.0.1", "--port", str(port)], env, workdir, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, workdir / "server.log", timeout=60)
        yield base
    finally:
        stop_process(proc)


class HealthPoller:
    """Calls /healthz back to back on its own connection; `max_gap` is the longest wait between two answers."""

    def __init__(self, base: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=30)
        self.stamps: list[float] = []
        self.failures = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Poll until stopped."""
        self.stamps.append(time.perf_counter())
        while not self._stop.is_set():
            r = await self.client.get("/healthz")
            self.failures += r.status_code != 200
            self.stamps.append(time.perf_counter())

    async def stop(self) -> None:
        """Stop polling (after the answer in flight) and close the connection."""
        self._stop.set()

    def max_gap(self) -> float:
        """The longest time between two answers (or the start and the first), in seconds."""
        return max((b - a for a, b in zip(self.stamps, self.stamps[1:])), default=0.0)


async def while_polled(base: str, work: Any) -> tuple[Any, float, int]:
    """Run the coroutine `work` while /healthz is polled; (its result, the longest gap, polls)."""
    poller = HealthPoller(base)
    gc.collect()
    gc.disable()  # this process's own pauses must not count as the service's
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.05)  # a few answers before the work starts
    try:
        result = await work
    finally:
        await poller.stop()
        await task
        await poller.client.aclose()
        gc.enable()
    return result, poller.max_gap(), len(poller.stamps)


async def run_case(base: str, workdir: Path, *, ai_turns: int, ai_chars: int, later: int) -> dict[str, Any]:
    """One conversation of `ai_turns` AI replies through the service; what it cost."""
    turns = conversation(ai_turns, ai_chars)
    cid = f"bench-{ai_turns}-{uuid.uuid4().hex[:6]}"
    headers = {"authorization": f"Bearer {API_KEY}"}
    stored_chars = 0
    routine: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        async def post(body: dict[str, Any]) -> tuple[dict[str, Any], float]:
            t0 = time.perf_counter()
            r = await client.post(f"/v1/conversations/{cid}/messages", json=body)
            took = time.perf_counter() - t0
            r.raise_for_status()
            return r.json(), took

        for m in turns:
            body: dict[str, Any] = {"role": m.role, "text": m.text}
            if m.confidence is not None:
                body["confidence"] = m.confidence
            if m.index == 0:
                body["customer"] = {"email": "big@example.com", "name": "Bea Big"}
            answer, took = await post(body)
            if answer["decision"] != "continue":
                raise SystemExit(f"the conversation handed off early, at message {m.index}: {answer.get('reasons')}")
            stored_chars += len(m.text)
            if m.index >= len(turns) - 20:
                routine.append(took)
        messages = len(turns)
        handoff, gap, polls = await while_polled(base, post({"role": "customer", "text": HANDOFF_TEXT}))
        answer, handoff_s = handoff
        if answer["decision"] != "handoff":
            raise SystemExit(f"no handoff: {answer}")
        hid = answer["handoff_id"]

        async def later_turns() -> list[float]:
            took_all = []
            for n in range(later):
                _, took = await post({"role": "customer", "text": f"Still there? Message {n} while I wait."})
                took_all.append(took)
            return took_all

        later_s, later_gap, _ = await while_polled(base, later_turns())
        got = await client.get(f"/v1/handoffs/{hid}")
        got.raise_for_status()
        briefing_bytes = len(json.dumps(got.json()["briefing"]))
    outbox = workdir / "outbox"
    note_file = wait_until(lambda: next(iter((outbox / "zendesk").glob(f"{hid}.json")), None), 60, "the ticket")
    card_file = wait_until(lambda: next(iter((outbox / "slack").glob(f"{hid}.json")), None), 60, "the alert")
    note = json.loads(note_file.read_text(encoding="utf-8"))
    card = json.loads(card_file.read_text(encoding="utf-8"))
    return {
        "messages": messages + 1,
        "megabytes": round(stored_chars / 1e6, 1),
        "routine_ms": round(statistics.median(routine) * 1000, 1) if routine else None,
        "handoff_ms": round(handoff_s * 1000, 1),
        "healthz_gap_ms": round(gap * 1000, 1),
        "healthz_polls": polls,
        "later_ms": round(statistics.median(later_s) * 1000, 1),
        "later_gap_ms": round(later_gap * 1000, 1),
        "briefing_bytes": briefing_bytes,
        "note_bytes": len(note["ticket"]["note"].encode()),
        "card_bytes": len(json.dumps(card["alert"]["blocks"]).encode()),
    }


def bench(db: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The short and the big case on one database kind."""
    rows = []
    for name, turns in (("short", args.short_turns), ("big", args.ai_turns)):
        with tempfile.TemporaryDirectory(prefix="handoff-bigconv-") as tmp:
            workdir = Path(tmp)
            with fresh_database(db, workdir, args.pg_url) as url, running_service(url, workdir) as base:
                row = asyncio.run(run_case(base, workdir, ai_turns=turns, ai_chars=args.ai_chars, later=args.later))
        rows.append({"db": db, "case": name, **row})
    return rows


COLUMNS = (("db", "db"), ("case", "case"), ("messages", "messages"), ("MB", "megabytes"),
           ("routine turn ms", "routine_ms"), ("handoff turn ms", "handoff_ms"),
           ("max /healthz gap ms", "healthz_gap_ms"), ("later turn ms", "later_ms"),
           ("later max gap ms", "later_gap_ms"), ("briefing B", "briefing_bytes"), ("note B", "note_bytes"),
           ("card B", "card_bytes"))


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a fixed-width text table."""
    cells = [[h for h, _ in COLUMNS]] + [["-" if r[k] is None else str(r[k]) for _, k in COLUMNS] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c[i].rjust(widths[i]) for i in range(len(COLUMNS))) for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or JSON)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    p.add_argument("--ai-turns", type=int, default=1500, help="AI replies in the big conversation")
    p.add_argument("--short-turns", type=int, default=5, help="AI replies in the short conversation")
    p.add_argument("--ai-chars", type=int, default=30_000, help="characters of each AI reply (at most 32,000)")
    p.add_argument("--later", type=int, default=20, help="customer turns timed after the handoff")
    p.add_argument("--pg-url", default=DEFAULT_PG)
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = p.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for db in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        rows.extend(bench(db, args))
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
