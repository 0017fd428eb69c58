"""Benchmark: many concurrent bots posting turns to a real `handoff serve` over HTTP, for a fixed time.

Zendesk and Slack are local fakes that answer every request after `--delay` seconds (1 s by default),
so handoffs (about 5% of conversations) deliver to slow upstreams in the background, and enrichment of
a handing-off customer waits on Zendesk's ticket history. Beside the bots, a webhook sender posts
Zendesk-signed webhook calls at a fixed rate; their processing also reads the slow fake Zendesk.

Prints, per database, turns per second and the `/v1` latency (all turns, and routine turns that
stay with the AI), webhook acks per second and their latency, and every non-2xx answer as an error.
Beside the client's figures: the server's own p50/p99 of the same turns (from the `handoff_turn_seconds`
buckets scraped from `/metrics` when measuring starts and ends) and how late the load generator's own
timers fire (its event-loop lag), to tell a slow service from a busy load generator.
Targets on a 2-core machine: ≥ 300 turns/s on PostgreSQL, `/v1` p99 < 50 ms, and webhook acks as
fast as when upstreams are instant.

    python bench/load.py [--db sqlite|postgres|both] [--seconds 10] [--bots 50] [--workers 2] [--json]
                         [--rate 300 (turns/s offered; 0 = as fast as answered)] [--warmup 2] [--delay 1.0]
                         [--webhook-rate 20] [--max-turns 200000] [--connect-spread 0] [--runs 1]

PostgreSQL: a fresh database is created on `--pg-url` (default postgresql://postgres@127.0.0.1:5432/postgres,
trust auth) and dropped afterwards. Everything talks to 127.0.0.1 only; the load stops by itself after
`--seconds` or `--max-turns`, whichever comes first.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

# httpcore looks for sniffio on every request; when it is not installed, each look is a failed import that
# searches sys.path on disk, which made this load generator, not the service, the bottleneck. None in
# sys.modules makes the failed import instant (httpcore then assumes asyncio, which is right here).
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx  # noqa: E402

from handoff.core.formats.zendesk_events import sign  # noqa: E402
from handoff.devtools.fakes.slack import FakeSlack  # noqa: E402
from handoff.devtools.fakes.zendesk import FakeZendesk  # noqa: E402
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy  # noqa: E402

API_KEY = "bench-key-0123456789abcdef"
METRICS_AUTH = {"Authorization": f"Bearer {API_KEY}"}  # with keys set, /metrics needs one too
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
HANDOFF_SHARE = 0.05  # conversations that end with the customer asking for a person
TURNS_PER_CONVERSATION = 8

# Routine turns: neutral product questions and confident AI answers that no trigger escalates.
CUSTOMER_LINES = (
    "How do I export my dashboard to CSV?",
    "Where can I change the notification settings for my team?",
    "Is there a keyboard shortcut for creating a new report?",
    "Can I share a report with someone outside my workspace?",
    "How often does the data refresh on the overview page?",
    "What file types can I upload to the library?",
    "Does the mobile app support dark mode?",
    "How do I add a new teammate to my project?",
    "Can I schedule a report to be emailed every Monday?",
    "Where do I find the API documentation?",
)
AI_LINES = (
    "Open Reports, choose the dashboard and click Export, then pick CSV.",
    "Go to Settings > Notifications; each team has its own section there.",
    "Press N on any page to start a new report.",
    "Yes: use Share > Invite by email, guests get read-only access.",
    "The overview refreshes every fifteen minutes.",
    "You can upload PDF, PNG, JPG, CSV and XLSX files up to 50 MB.",
    "Yes, the mobile app follows your phone's dark mode setting.",
    "Open the project, click Members and then Invite.",
    "Yes, open the report and choose Schedule > Weekly > Monday.",
    "The API reference is linked from Settings > Developers.",
)
HANDOFF_LINE = "This is not working for me, can I talk to a real person please?"


@dataclass
class Sample:
    """One timed request."""

    kind: str  # "routine", "handoff" or "webhook"
    seconds: float
    status: int  # 0 when the request failed without an answer
    at: float = 0.0  # time.monotonic() when the request was sent


@dataclass
class Run:
    """Everything measured against one database."""

    db: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    measure_from: float = 0.0  # samples sent earlier are warm-up and not counted
    errors: dict[str, int] = field(default_factory=dict)
    # the server's own view: handoff_turn_seconds buckets {le: count} scraped from /metrics when measuring
    # starts and when it ends (under --workers N one scrape covers every worker)
    server_before: dict[float, float] = field(default_factory=dict)
    server_after: dict[float, float] = field(default_factory=dict)
    loop_lag: list[float] = field(default_factory=list)  # how late this load generator's timers fire

    def error(self, what: str) -> None:
        """Count one non-2xx answer or transport failure by its kind."""
        self.errors[what] = self.errors.get(what, 0) + 1


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def turn_buckets(exposition: str) -> dict[float, float]:
    """The cumulative `handoff_turn_seconds` bucket counts {upper bound: count} of a /metrics answer."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[float, float] = {}
    for family in text_string_to_metric_families(exposition):
        if family.name == "handoff_turn_seconds":
            for sample in family.samples:
                if sample.name == "handoff_turn_seconds_bucket":
                    le = float(sample.labels["le"])
                    out[le] = out.get(le, 0.0) + sample.value
    return out


def bucket_quantile(before: dict[float, float], after: dict[float, float], q: float,
                    drop_slowest: int = 0) -> float | None:
    """The q-quantile of what was observed between two scrapes, interpolated in its bucket like PromQL's
    histogram_quantile (so it is only as precise as the buckets around it).

    `drop_slowest`: leave out that many of the slowest observations first (the handoffs, which wait ~1 s
    for enrichment by design and are slower than every routine turn), giving the routine turns' quantile.
    """
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] - drop_slowest <= 0:
        return None
    rank = q * (counts[-1] - drop_slowest)
    lower, below = 0.0, 0.0
    for bound, count in zip(bounds, counts):
        if count >= rank:
            if math.isinf(bound):
                return lower  # beyond the last finite bucket: its lower edge is all one can say
            return lower + (bound - lower) * ((rank - below) / (count - below) if count > below else 1.0)
        lower, below = bound, count
    return None


@contextmanager
def fresh_database(kind: str, workdir: Path, pg_url: str) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"handoff_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def running_service(database_url: str, workdir: Path, zendesk: FakeZendesk, slack: FakeSlack,
                    workers: int) -> Iterator[str]:
    """A real `handoff serve` process on a free port, pointed at the fakes; yields its base URL."""
    port = free_port()
    settings = workdir / "settings.toml"
    settings.write_text(
        f"""
[service]
outbox_dir = "{(workdir / 'outbox').as_posix()}"
[zendesk]
subdomain = "acme"
[slack]
default_channel = "C0HANDOFF"
[delivery]
poll_seconds = 1
""",
        encoding="utf-8",
    )
    env = {
        "DATABASE_URL": database_url,
        "HANDOFF_SETTINGS": str(settings),
        "HANDOFF_API_KEYS": API_KEY,
        "ZENDESK_EMAIL": zendesk.email,
        "ZENDESK_API_TOKEN": zendesk.token,
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.api_url,
    }
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)] + (["--workers", str(workers)] if workers != 1 else [])
    proc = start_process(args, env, workdir, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, workdir / "server.log", timeout=60)
        yield base
    finally:
        stop_process(proc)


def conversation_turns(rng: random.Random, ends_in_handoff: bool) -> list[dict[str, Any]]:
    """The turns of one conversation: customer and AI alternating, the last customer turn maybe asking for a person."""
    turns: list[dict[str, Any]] = []
    # no question or answer twice in one conversation: a repeat is a loop, which rightly escalates
    questions = iter(rng.sample(CUSTOMER_LINES, TURNS_PER_CONVERSATION // 2))
    answers = iter(rng.sample(AI_LINES, TURNS_PER_CONVERSATION // 2))
    customer = {"email": f"user{rng.randrange(10**6)}@example.com", "name": "Bench User", "language": "en"}
    for i in range(TURNS_PER_CONVERSATION):
        if i % 2 == 0:
            last = i == TURNS_PER_CONVERSATION - 2
            text = HANDOFF_LINE if ends_in_handoff and last else next(questions)
            turn: dict[str, Any] = {"role": "customer", "text": text, "page_url": "https://app.example.com/reports"}
            if i == 0:
                turn["customer"] = customer
        else:
            turn = {"role": "ai", "text": next(answers), "confidence": round(rng.uniform(0.8, 0.99), 2),
                    "kb_articles": [{"id": f"kb-{rng.randrange(50)}", "title": "Help article"}]}
        turn["message_id"] = f"m{i}"
        turns.append(turn)
    return turns


class KeepAliveClient:
    """A minimal HTTP/1.1 client on one keep-alive connection: POST JSON, read the answer.

    The bots' requests go through this rather than httpx, whose per-request cost (~1.3 ms of CPU here)
    made the load generator take a third of the machine the service is measured on.
    """

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port or 80)
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{self.port}", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request and return (status, body); reconnects once if the server closed the connection."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            head = (f"{method} {path} HTTP/1.1\r\n{self.fixed}Content-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            try:
                self.writer.write(head + body)
                return await self._answer()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self) -> tuple[int, bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(c[:-2] for c in chunks)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None


async def bot(base: str, run: Run, bot_id: int, stop_at: float, budget: list[int], seed: int,
              interval: float, bots: int = 1, connect_spread: float = 0.0) -> None:
    """One bot: conversation after conversation until time or the turn budget runs out.

    With `interval` > 0 the bot posts a turn every `interval` seconds (the customer and the AI take
    time too); a late answer makes the next turn go at once, so a slow server shows as fewer turns/s.
    """
    client = KeepAliveClient(base, {"Authorization": f"Bearer {API_KEY}"})  # one keep-alive connection per bot
    try:
        if connect_spread:  # bot i connects i/bots of the way into the spread, not all in one burst
            await asyncio.sleep(connect_spread * bot_id / bots)
        await client.request("GET", "/healthz")
        await _converse(client, run, bot_id, stop_at, budget, seed, interval)
    finally:
        await client.close()


async def _converse(client: KeepAliveClient, run: Run, bot_id: int, stop_at: float, budget: list[int], seed: int,
                    interval: float) -> None:
    rng = random.Random(seed * 10_000 + bot_id)
    conversation = 0
    next_at = time.monotonic() + rng.uniform(0, interval)  # spread the bots' phases
    while True:
        ends_in_handoff = rng.random() < HANDOFF_SHARE
        cid = f"bench-{seed}-{bot_id}-{conversation}"
        conversation += 1
        for turn in conversation_turns(rng, ends_in_handoff):
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at + interval, time.monotonic())
            if time.monotonic() >= stop_at or budget[0] <= 0:
                return
            budget[0] -= 1
            body = json.dumps(turn).encode()
            sent_at = time.monotonic()
            started = time.perf_counter()
            answer = b""
            try:
                status, answer = await asyncio.wait_for(
                    client.request("POST", f"/v1/conversations/{cid}/messages", body), 30)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as e:
                status = 0
                run.error(f"turn {type(e).__name__}")
                await client.close()
            elapsed = time.perf_counter() - started
            if status and not 200 <= status < 300:
                run.error(f"turn {status}")
            decision = json.loads(answer).get("decision") if status == 200 else None
            run.samples.append(Sample("handoff" if decision == "handoff" else "routine", elapsed, status, sent_at))
            if decision == "handoff":
                break  # the human takes over; the bot starts a new conversation


def webhook_call(ticket_id: int, n: int) -> tuple[bytes, dict[str, str]]:
    """A trigger-webhook call as Zendesk sends it: the recommended body, signed with the shared secret."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({
        "ticket_id": str(ticket_id), "status": "open", "requester_id": "", "assignee_id": "",
        "current_user_id": "", "comment_id": str(10**9 + n), "comment_author_id": "", "comment_public": "true",
        "satisfaction_score": "unoffered", "tags": "ai_agent", "updated_at": now,
    }).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Id": "01HBENCHWEBHOOK",
        "X-Zendesk-Webhook-Invocation-Id": f"bench-{uuid.uuid4().hex}",
        "X-Zendesk-Webhook-Signature-Timestamp": now,
        "X-Zendesk-Webhook-Signature": sign(WEBHOOK_SECRET, now, body),
    }
    return body, headers


async def webhook_sender(client: httpx.AsyncClient, run: Run, tickets: list[int], rate: float, stop_at: float) -> None:
    """Signed Zendesk webhook calls at a fixed rate (open loop: a slow ack does not slow the sender)."""
    if rate <= 0:
        return
    pending: set[asyncio.Task[None]] = set()

    async def one(n: int) -> None:
        body, headers = webhook_call(tickets[n % len(tickets)], n)
        sent_at = time.monotonic()
        started = time.perf_counter()
        try:
            r = await client.post("/webhooks/zendesk", content=body, headers=headers)
            status = r.status_code
        except httpx.HTTPError as e:
            status = 0
            run.error(f"webhook {type(e).__name__}")
        if status and not 200 <= status < 300:
            run.error(f"webhook {status}")
        run.samples.append(Sample("webhook", time.perf_counter() - started, status, sent_at))

    n = 0
    start = time.monotonic()
    while time.monotonic() < stop_at:
        task = asyncio.create_task(one(n))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
    if pending:
        await asyncio.wait(pending, timeout=10)


async def server_view(client: httpx.AsyncClient, run: Run, stop_at: float) -> None:
    """Scrape the service's turn-latency histogram when measuring starts; the end scrape follows the load."""
    await asyncio.sleep(max(0.0, run.measure_from - time.monotonic()))
    run.server_before = turn_buckets((await client.get("/metrics", headers=METRICS_AUTH)).text)


async def lag_probe(run: Run, stop_at: float, every: float = 0.005) -> None:
    """How late this process's timers fire: a busy load generator delays the bots' sends and reads too."""
    while True:
        before = time.monotonic()
        if before >= stop_at:
            return
        await asyncio.sleep(every)
        if before >= run.measure_from:
            run.loop_lag.append(time.monotonic() - before - every)


async def drive(base: str, run: Run, *, bots: int, seconds: float, warmup: float, max_turns: int, rate: float,
                webhook_rate: float, tickets: list[int], connect_spread: float = 0.0) -> None:
    """Run the bots and the webhook sender against `base` for `seconds`."""
    seed = random.randrange(10**6)
    async with httpx.AsyncClient(base_url=base, timeout=30) as hooks:
        budget = [max_turns]
        run.measure_from = time.monotonic() + warmup  # connections, threads and caches warm before it counts
        stop_at = run.measure_from + seconds
        await asyncio.gather(
            *(bot(base, run, i, stop_at, budget, seed, bots / rate if rate else 0.0, bots, connect_spread)
              for i in range(bots)),
            webhook_sender(hooks, run, tickets, webhook_rate, stop_at),
            server_view(hooks, run, stop_at),
            lag_probe(run, stop_at),
        )
        run.seconds = max(1e-9, min(time.monotonic(), stop_at) - run.measure_from)
        run.server_after = turn_buckets((await hooks.get("/metrics", headers=METRICS_AUTH)).text)


def summarise(run: Run) -> dict[str, Any]:
    """The figures of one run, latencies in milliseconds."""
    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    counted = [s for s in run.samples if s.at >= run.measure_from]
    turns = [s.seconds for s in counted if s.kind in ("routine", "handoff")]
    routine = [s.seconds for s in counted if s.kind == "routine"]
    handoff = [s.seconds for s in counted if s.kind == "handoff"]
    hooks = [s.seconds for s in counted if s.kind == "webhook"]
    ok_turns = sum(1 for s in counted if s.kind != "webhook" and 200 <= s.status < 300)
    ok_hooks = sum(1 for s in counted if s.kind == "webhook" and 200 <= s.status < 300)
    return {
        "db": run.db,
        "seconds": round(run.seconds, 2),
        "turns": len(turns),
        "turns_per_second": round(ok_turns / run.seconds, 1) if run.seconds else 0.0,
        "v1_p50_ms": ms(percentile(turns, 50)),
        "v1_p90_ms": ms(percentile(turns, 90)),
        "v1_p99_ms": ms(percentile(turns, 99)),
        "v1_max_ms": ms(max(turns) if turns else None),
        "routine_p50_ms": ms(percentile(routine, 50)),
        "routine_p99_ms": ms(percentile(routine, 99)),
        # the same turns timed inside the service (the /v1 handler, from handoff_turn_seconds buckets):
        # what the client sees on top is parsing, queueing in both event loops, and the wire
        "server_p50_ms": ms(bucket_quantile(run.server_before, run.server_after, 0.50)),
        "server_p99_ms": ms(bucket_quantile(run.server_before, run.server_after, 0.99)),
        "server_routine_p99_ms": ms(bucket_quantile(run.server_before, run.server_after, 0.99, len(handoff))),
        "client_lag_p99_ms": ms(percentile(run.loop_lag, 99)),
        "handoffs": len(handoff),
        "handoff_p50_ms": ms(percentile(handoff, 50)),
        "webhook_acks": ok_hooks,
        "webhook_acks_per_second": round(ok_hooks / run.seconds, 1) if run.seconds else 0.0,
        "webhook_p50_ms": ms(percentile(hooks, 50)),
        "webhook_p99_ms": ms(percentile(hooks, 99)),
        "errors": sum(1 for s in counted if not 200 <= s.status < 300),
        "error_kinds": dict(run.errors),
    }


def bench_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    """Fakes, a fresh database, a service process, the load; everything torn down afterwards."""
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp, FakeZendesk() as zendesk, FakeSlack() as slack:
        workdir = Path(tmp)
        # tickets the webhook calls are about: the bot's, with a routine customer comment each
        tickets = [zendesk.add_ticket(subject=f"Question {i}", tags=["ai_agent"], requester_email=f"t{i}@example.com",
                                      comments=[CUSTOMER_LINES[i % len(CUSTOMER_LINES)]])["id"] for i in range(20)]
        zendesk.delay = slack.delay = args.delay  # after seeding: only the service's calls are slow
        with fresh_database(db, workdir, args.pg_url) as url, \
                running_service(url, workdir, zendesk, slack, args.workers) as base:
            run = Run(db=db, seconds=args.seconds)
            asyncio.run(drive(base, run, bots=args.bots, seconds=args.seconds, warmup=args.warmup,
                              max_turns=args.max_turns, rate=args.rate,
                              webhook_rate=args.webhook_rate, tickets=tickets,
                              connect_spread=args.connect_spread))
        if os.environ.get("HANDOFF_BENCH_TIMELINE"):
            timeline(run)
        return summarise(run)


def timeline(run: Run) -> None:
    """Per second: routine turns answered, their median and slowest latency (to stderr; for finding stalls)."""
    turns = [s for s in run.samples if s.kind == "routine"]
    if not turns:
        return
    t0 = run.measure_from
    by: dict[int, list[float]] = {}
    for s in turns:
        by.setdefault(math.floor(s.at - t0), []).append(s.seconds)
    for sec in sorted(by):
        print(f"{sec:4d}s {len(by[sec]):5d} routine turns  p50 {percentile(by[sec], 50) * 1000:7.1f} ms  "
              f"p99 {percentile(by[sec], 99) * 1000:7.1f} ms  max {max(by[sec]) * 1000:7.1f} ms", file=sys.stderr)


def table(results: list[dict[str, Any]]) -> str:
    """The results as an aligned text table."""
    cols = [("DB", "db"), ("run", "run"), ("turns/s", "turns_per_second"),
            ("routine p50", "routine_p50_ms"), ("routine p99", "routine_p99_ms"), ("server routine p99", "server_routine_p99_ms"),
            ("all p50", "v1_p50_ms"), ("all p99", "v1_p99_ms"), ("max", "v1_max_ms"),
            ("handoffs", "handoffs"), ("handoff p50", "handoff_p50_ms"), ("client lag p99", "client_lag_p99_ms"),
            ("acks/s", "webhook_acks_per_second"), ("ack p50", "webhook_p50_ms"), ("ack p99", "webhook_p99_ms"),
            ("errors", "errors")]
    rows = [[h for h, _ in cols]] + [["-" if r.get(k) is None else str(r[k]) for _, k in cols] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(cols))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]]) + (
        "\n(latencies in ms; routine: turns that stay with the AI; all: with the turns that hand off, which wait"
        " for enrichment)")


def median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over several runs against one database."""
    out: dict[str, Any] = {"db": runs[0]["db"], "run": "median"}
    for key, value in runs[0].items():
        if key != "run" and isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
            out[key] = round(statistics.median(values), 1) if values else None
    return out


def verdict(runs: list[dict[str, Any]], offered: float) -> list[str]:
    """The issue's targets against the PostgreSQL runs: throughput, routine /v1 p99, webhook ack."""
    pg = [r for r in runs if r["db"] == "postgres" and r.get("run") != "median"]
    if not pg:
        return []
    p99s = [r["routine_p99_ms"] for r in pg if r["routine_p99_ms"] is not None]
    under = sum(1 for v in p99s if v < 50)
    rates = [r["turns_per_second"] for r in pg]
    lines = [f"PostgreSQL, {len(pg)} run(s): turns/s {min(rates)}-{max(rates)} "
             f"({'offered ' + format(offered, 'g') if offered else 'as fast as answered'}); "
             f"routine /v1 p99 median {statistics.median(p99s) if p99s else '-'} ms, under 50 ms in {under} of {len(p99s)}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the load on each database, print the figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--seconds", type=float, default=10.0, help="how long the load runs per database")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring starts")
    p.add_argument("--bots", type=int, default=50, help="concurrent bots, each on its own keep-alive connection")
    p.add_argument("--rate", type=float, default=300.0,
                   help="turns per second offered by all bots together (0: every bot posts as fast as it is answered)")
    p.add_argument("--workers", type=int, default=2, help="`handoff serve --workers` (1: a single process)")
    p.add_argument("--webhook-rate", type=float, default=20.0, help="signed Zendesk webhook calls per second")
    p.add_argument("--delay", type=float, default=1.0, help="seconds the Zendesk and Slack fakes take to answer")
    p.add_argument("--max-turns", type=int, default=200_000, help="stop after this many turns even if time remains")
    p.add_argument("--pg-url", default=os.environ.get("HANDOFF_BENCH_PG_URL", DEFAULT_PG),
                   help="PostgreSQL server to create the throw-away database on")
    p.add_argument("--connect-spread", type=float, default=0.0,
                   help="seconds over which the bots open their connections (0: all at once, as at a fleet's "
                        "restart; then one worker may accept most of them)")
    p.add_argument("--runs", type=int, default=1, help="runs per database (each with a fresh database and service); "
                   "with more than one, a median row follows")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.bots <= 1000 or args.workers < 1:
        p.error("--seconds must be in (0, 600], --bots in [1, 1000], --workers ≥ 1")
    if not 0 <= args.connect_spread <= args.warmup:
        p.error("--connect-spread must be in [0, --warmup]: connecting is part of the warm-up")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if not 1 <= args.runs <= 20:
        p.error("--runs must be in [1, 20]")
    results: list[dict[str, Any]] = []
    for db in dbs:
        runs = [{**bench_one(db, args), "run": i + 1} for i in range(args.runs)]
        results += runs + ([median_row(runs)] if args.runs > 1 else [])
    if args.json:
        print(json.dumps({"bots": args.bots, "workers": args.workers, "seconds": args.seconds,
                          "offered_turns_per_second": args.rate or None,
                          "upstream_delay_seconds": args.delay, "webhook_rate": args.webhook_rate,
                          "cpus": os.cpu_count(), "results": results}))
    else:
        offered = f"{args.rate:g} turns/s offered" if args.rate else "as fast as answered"
        print(f"{args.bots} bots ({offered}), {args.seconds:g} s per database, serve --workers {args.workers}, "
              f"upstreams answer after {args.delay:g} s, {args.webhook_rate:g} webhook calls/s, {os.cpu_count()} CPUs")
        print(table(results))
        for r in results:
            if r.get("error_kinds"):
                print(f"{r['db']} run {r['run']} errors: {r['error_kinds']}")
        for line in verdict(results, args.rate):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
