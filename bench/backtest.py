"""Benchmark of `handoff backtest --jobs`: wall time of the command on one process and on two.

Writes a labelled file of `--conversations` conversations (default 5,000: the labelled conversations of
examples/conversations.jsonl, in five languages, repeated under new ids), or takes `--file`. Runs
`handoff backtest FILE --json --jobs N` as its own process for N = 1 and N = 2, alternately, `--runs`
times each, checks that both print the same report, and prints the median wall time of each, the
conversations per second, the CPU seconds used (the workers' included) and the ratio. The command's
start-up (imports, settings), which both pay and the wall ratio includes, is timed too, on an empty file;
the replay ratio leaves it out.
Whether other work shared the cores shows in the load average before and after, and in what
`--jobs` processes of plain Python arithmetic gain over one, timed beside each run (the machine's ceiling).
Target: ratio >= 1.8 on 2 cores for 5,000 conversations.

    python bench/backtest.py [--file FILE] [--conversations 5000] [--runs 3] [--jobs 2] [--json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "conversations.jsonl"
CLI = [sys.executable, "-c", "from handoff.edge.cli.main import main; main()"]


def write_conversations(path: Path, n: int) -> None:
    """`n` labelled conversations: the examples in turn, each copy under its own id."""
    seeds = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            conv = dict(seeds[i % len(seeds)])
            conv["id"] = f"{conv['id']}-{i}"
            out.write(json.dumps(conv, ensure_ascii=False) + "\n")


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(file: Path, jobs: int) -> tuple[float, float, str]:
    """Wall and CPU seconds (its workers' included) of one `handoff backtest FILE --json --jobs N`, and its output."""
    args = [*CLI, "backtest", str(file), "--json", "--jobs", str(jobs), "--settings", str(REPO / "settings.toml")]
    cpu, start = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    seconds, cpu = time.perf_counter() - start, _cpu_of_children() - cpu
    if done.returncode != 0:
        raise SystemExit(f"handoff backtest --jobs {jobs} failed:\n{done.stderr}")
    return seconds, cpu, done.stdout


def _burn(n: int = 3_000_000) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def ceiling(jobs: int) -> float:
    """What `jobs` processes of plain Python gain on this machine now: `jobs` when the cores are free."""
    start = time.perf_counter()
    for _ in range(jobs):
        _burn()
    alone = time.perf_counter() - start
    start = time.perf_counter()
    procs = [multiprocessing.get_context("fork").Process(target=_burn) for _ in range(jobs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return alone / (time.perf_counter() - start)


def run(file: Path, runs: int, jobs: int) -> dict:
    """Median wall time of jobs 1 and `jobs`, alternating so that both meet the same background load."""
    conversations = sum(1 for line in file.open("rb") if line.strip())
    empty = file.with_name(file.name + ".empty.jsonl")
    empty.write_text("")
    load_before = os.getloadavg()[0]
    startup = statistics.median(timed(empty, 1)[0] for _ in range(runs))
    times: dict[int, list[float]] = {1: [], jobs: []}
    cpu: dict[int, list[float]] = {1: [], jobs: []}
    reports: dict[int, str] = {}
    ceilings = []
    for _ in range(runs):
        ceilings.append(ceiling(jobs))
        for n in (1, jobs):
            seconds, cpu_seconds, report = timed(file, n)
            times[n].append(seconds)
            cpu[n].append(cpu_seconds)
            if reports.setdefault(n, report) != report:
                raise SystemExit(f"--jobs {n} printed two different reports")
    empty.unlink()
    if reports[1] != reports[jobs]:
        raise SystemExit(f"--jobs {jobs} printed another report than --jobs 1")
    wall = {n: statistics.median(ts) for n, ts in times.items()}
    replay = {n: max(s - startup, 1e-9) for n, s in wall.items()}
    return {
        "conversations": conversations,
        "cores": len(os.sched_getaffinity(0)),
        "runs": runs,
        "startup_seconds": round(startup, 3),
        "wall_seconds": {str(n): round(s, 3) for n, s in wall.items()},
        "all_wall_seconds": {str(n): [round(s, 3) for s in ts] for n, ts in times.items()},
        "cpu_seconds": {str(n): round(statistics.median(ts), 3) for n, ts in cpu.items()},
        "conversations_per_second": {str(n): round(conversations / s) for n, s in wall.items()},
        "ratio": round(wall[1] / wall[jobs], 2),
        "replay_seconds": {str(n): round(s, 3) for n, s in replay.items()},
        "replay_ratio": round(replay[1] / replay[jobs], 2),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "machine_ceiling": round(statistics.median(ceilings), 2),
    }


def main() -> None:
    """Command line entry: table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="labelled conversations to replay (default: generated)")
    parser.add_argument("--conversations", type=int, default=5000, help="how many to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs of each --jobs value; the median is shown")
    parser.add_argument("--jobs", type=int, default=2, help="the --jobs to compare with 1")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        file = args.file
        if file is None:
            file = Path(tmp) / "conversations.jsonl"
            write_conversations(file, args.conversations)
        result = run(file, args.runs, args.jobs)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['conversations']} conversations, {result['cores']} cores, median of {result['runs']} runs")
    print(f"{'--jobs':>6}  {'wall s':>7}  {'replay s':>8}  {'conv/s':>7}  {'cpu s':>6}  wall s of each run")
    for n, seconds in result["wall_seconds"].items():
        runs = ", ".join(f"{s:.2f}" for s in result["all_wall_seconds"][n])
        print(f"{n:>6}  {seconds:>7.2f}  {result['replay_seconds'][n]:>8.2f}  "
              f"{result['conversations_per_second'][n]:>7}  {result['cpu_seconds'][n]:>6.2f}  {runs}")
    print(f"ratio --jobs 1 / --jobs {args.jobs}: {result['ratio']:.2f}x wall, {result['replay_ratio']:.2f}x replay "
          f"(replay = wall minus the command's start-up of {result['startup_seconds']:.2f} s that both pay)")
    print(f"load average {result['load_average'][0]} -> {result['load_average'][1]} on {result['cores']} cores; "
          f"{args.jobs} processes of plain Python gained {result['machine_ceiling']:.2f}x here meanwhile "
          f"({args.jobs}.00 on free cores): lower means other work shared the cores")


if __name__ == "__main__":
    main()
