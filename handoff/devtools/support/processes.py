"""Real `handoff` processes for tests: a free port, start, wait until healthy, stop, poll with a deadline."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], T], timeout: float, what: str,
               procs: tuple[subprocess.Popen[bytes], ...] = (), interval: float = 0.05) -> T:
    """Poll until `predicate()` is truthy (and return it); fail after `timeout` or if a process died."""
    deadline = time.monotonic() + timeout
    while True:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"a process exited early with {p.returncode} while waiting for {what}")
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def start_process(args: list[str], env: dict[str, str], cwd: Path, log: Path,
                  preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[bytes]:
    """`python -m handoff ARGS` with stdout and stderr into `log` (`preexec_fn`: e.g. set an rlimit)."""
    out = open(log, "ab")  # noqa: SIM115 - the child owns the handle for its life
    try:
        return subprocess.Popen([sys.executable, "-m", "handoff", *args], env={**os.environ, **env},
                                stdout=out, stderr=subprocess.STDOUT, cwd=cwd, preexec_fn=preexec_fn)
    finally:
        out.close()


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a child we started and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Wait until `base`/healthz answers 200; fail with the end of the log if the process exits."""
    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            return httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, timeout, "the server to answer /healthz")


def child_pids(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc; Linux)."""
    out: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.add(int(entry.name))
    return out
