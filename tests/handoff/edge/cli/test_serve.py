"""`handoff serve`: several worker processes on one port, and the larger default executor."""
from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
from fastapi import FastAPI

from handoff.edge.cli.serve import IO_THREADS, with_io_threads
from handoff.devtools.support.processes import child_pids, free_port, start_process, stop_process, wait_healthy, wait_until

API_KEY = "serve-test-key-0123456789"


def _serve_two_workers(tmp_path: Path, database_url: str, port: int) -> subprocess.Popen[bytes]:
    """`serve --workers 2 --no-jobs`, once it answers /healthz with both workers started."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[service]\noutbox_dir = "{(tmp_path / "outbox").as_posix()}"\n', encoding="utf-8")
    env = {"DATABASE_URL": database_url, "HANDOFF_API_KEYS": API_KEY}
    proc = start_process(["serve", "--settings", str(settings), "--port", str(port), "--workers", "2", "--no-jobs"],
                         env, tmp_path, tmp_path / "server.log")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, tmp_path / "server.log", timeout=60)
        wait_until(lambda: len(child_pids(proc.pid)) >= 2, 60, "two workers", (proc,))
    except BaseException:
        stop_process(proc)
        raise
    return proc


def test_workers_share_the_port_and_each_answers_turns(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    proc = _serve_two_workers(tmp_path, database_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            # new connections each time, so both workers get turns; the answers must still be in order
            answers = [httpx.post(f"{base}/v1/conversations/multi/messages", headers=headers, timeout=10,
                                  json={"role": "customer" if i % 2 == 0 else "ai", "text": f"question number {i}",
                                        "message_id": f"m{i}"}).json() for i in range(6)]
            assert [a["message_index"] for a in answers] == list(range(6))
            repeat = client.post("/v1/conversations/multi/messages",
                                 json={"role": "customer", "text": "question number 0", "message_id": "m0"}).json()
            assert repeat["message_index"] == 0  # idempotent across processes
        assert len(child_pids(proc.pid)) >= 2
    finally:
        stop_process(proc)


def _turns_total(text: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    return sum(s.value for f in text_string_to_metric_families(text) if f.name == "handoff_turns"
               for s in f.samples if s.name == "handoff_turns_total")


def test_metrics_count_the_turns_of_every_worker_whichever_answers(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    proc = _serve_two_workers(tmp_path, database_url, port)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    try:
        workers = child_pids(proc.pid) - {proc.pid}
        shared = {dict(kv.split("=", 1) for kv in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in kv)
                  .get("PROMETHEUS_MULTIPROC_DIR") for pid in workers}
        shared.discard(None)
        assert len(shared) == 1, shared  # one directory, handed to every worker
        metrics_dir = Path(shared.pop())
        assert metrics_dir.is_dir() and metrics_dir.stat().st_mode & 0o077 == 0  # private to this user
        # a new connection per turn until both workers have counted some (each writes counter_<pid>.db)
        sent = 0
        while sent < 10 or len(list(metrics_dir.glob("counter_*.db"))) < 2:
            assert sent < 200, "every turn landed on one worker"
            r = httpx.post(f"{base}/v1/conversations/spread-{sent}/messages", headers=headers, timeout=10,
                           json={"role": "customer", "text": f"question number {sent}", "message_id": "m0"})
            assert r.status_code == 200, r.text
            sent += 1
        # whichever worker a scrape lands on, it reports every worker's turns
        for _ in range(8):
            scrape = httpx.get(f"{base}/metrics", headers=headers, timeout=10)  # keys set: /metrics needs one
            assert scrape.status_code == 200
            assert _turns_total(scrape.text) == sent
            assert 'handoff_turn_seconds_bucket{le="0.0025"}' in scrape.text
    finally:
        stop_process(proc)
    assert not metrics_dir.exists()  # removed when serve exits


async def test_with_io_threads_sets_a_larger_default_executor_for_the_apps_life() -> None:
    seen: list[int] = []
    app = FastAPI()

    @app.get("/threads")
    async def threads() -> dict[str, int]:
        executor = asyncio.get_running_loop()._default_executor  # type: ignore[attr-defined]
        seen.append(executor._max_workers)
        return {"max": executor._max_workers}

    with_io_threads(app, threads=IO_THREADS)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.get("/threads").json() == {"max": IO_THREADS}
    assert seen == [IO_THREADS]
