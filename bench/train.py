"""Benchmark of `handoff train`: wall and CPU time of the command on a generated history.

Writes a labelled file of `--conversations` conversations (default 10,000: the labelled conversations of
examples/conversations.jsonl, in five languages, repeated under new ids, as `bench/backtest.py` does) and runs
`handoff train FILE --json` as its own process, by default (the shipped corpus added) and with `--only-mine`,
alternately, `--runs` times each. Prints the median and every run's wall time, the CPU seconds, the examples
and features the model was fitted on, and the load average before and after (other work on the cores shows
there). Target: under 60 s on 10,000 conversations with the shipped corpus added.

    python bench/train.py [--conversations 10000] [--runs 3] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from backtest import CLI, _cpu_of_children, write_conversations  # noqa: E402


def timed(file: Path, out: Path, only_mine: bool) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one `handoff train FILE --json`, and the report it printed."""
    args = [*CLI, "train", str(file), "--json", "--out", str(out), "--settings", str(REPO / "settings.toml")]
    if only_mine:
        args.append("--only-mine")
    cpu, start = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    seconds, cpu = time.perf_counter() - start, _cpu_of_children() - cpu
    if done.returncode != 0:
        raise SystemExit(f"handoff train failed:\n{done.stderr}")
    return seconds, cpu, json.loads(done.stdout)


def run(file: Path, runs: int, out_dir: Path) -> dict:
    """Both ways of training, alternated so that both meet the same background load."""
    load_before = os.getloadavg()[0]
    result: dict[str, dict] = {}
    for _ in range(runs):
        for name, only_mine in (("with the shipped corpus", False), ("--only-mine", True)):
            seconds, cpu, report = timed(file, out_dir / "model.json.gz", only_mine)
            r = result.setdefault(name, {"wall": [], "cpu": [], "examples": report["examples"],
                                         "features": report["features"]})
            r["wall"].append(round(seconds, 2))
            r["cpu"].append(round(cpu, 2))
    for r in result.values():
        r["median_wall"] = statistics.median(r["wall"])
        r["median_cpu"] = statistics.median(r["cpu"])
    return {"conversations": sum(1 for line in file.open("rb") if line.strip()), "runs": runs,
            "cores": len(os.sched_getaffinity(0)), "ways": result,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def main() -> None:
    """Command line entry: table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000, help="how many to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs of each way; the median is shown")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "history.jsonl"
        write_conversations(file, args.conversations)
        result = run(file, args.runs, Path(tmp))
    if args.json:
        print(json.dumps(result))
        return
    print(f"handoff train on {result['conversations']} conversations, {result['cores']} cores, "
          f"median of {result['runs']} runs")
    print(f"{'':<24}  {'wall s':>7}  {'cpu s':>6}  {'examples':>8}  {'features':>8}  wall s of each run")
    for name, r in result["ways"].items():
        print(f"{name:<24}  {r['median_wall']:>7.1f}  {r['median_cpu']:>6.1f}  {r['examples']:>8}  "
              f"{r['features']:>8}  {', '.join(f'{s:.1f}' for s in r['wall'])}")
    print(f"load average {result['load_average'][0]} -> {result['load_average'][1]} on {result['cores']} cores")


if __name__ == "__main__":
    main()
