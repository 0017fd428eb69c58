"""Benchmark of the similar-cases lookup: milliseconds for the top 5 of 100,000 past cases.

The past cases are made from the customer messages of the shipped corpus (handoff/core/decide/data/corpus:
real support wording in five languages), two to four messages drawn at random per case, so the words are
distributed as in support text; the queries are other draws. Prints a table (the first build, a rebuild with
the cases' words kept as a process keeps them, then the lookup's median, p99 and max over `--queries`
queries for each size), or with `--json` one object. `--cpu N` pins the
process to one core.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handoff.core.formats.conversations import read_conversations  # noqa: E402
from handoff.core.similar import PastCase, SimilarIndex, SimilarQuery  # noqa: E402
from handoff.core.similar.index import case_terms  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "handoff" / "core" / "decide" / "data" / "corpus"
TOPICS = ("billing", "technical", "account_access", "cancellation", "sales", "general")


def customer_messages() -> list[str]:
    """Every customer message of the shipped corpus."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for conv in read_conversations(path):
            out.extend(m.text for m in conv.messages if m.role == "customer")
    return out


def cases(n: int, texts: list[str], rng: random.Random) -> list[PastCase]:
    """`n` synthetic past cases of two to four corpus messages each."""
    made = []
    for i in range(n):
        said = "\n".join(rng.choice(texts) for _ in range(rng.randint(2, 4)))
        made.append(PastCase(source="handoff", ref=f"h_{i}", text=said, title=said[:120], topic=rng.choice(TOPICS),
                             category=None, page=f"/settings/{rng.choice(TOPICS)}", resolution="Refunded the charge.",
                             tags=("handoff",), resolved_in_seconds=3600.0, resolved_at=None))
    return made


def run(sizes: list[int], queries: int, seed: int) -> dict[str, dict[str, float]]:
    """Build an index per size and time `queries` top-5 lookups on it."""
    rng = random.Random(seed)
    texts = customer_messages()
    results: dict[str, dict[str, float]] = {}
    for n in sizes:
        past = cases(n, texts, rng)
        t0 = time.perf_counter()
        index = SimilarIndex(past)
        build = time.perf_counter() - t0
        words = [case_terms(c) for c in past]
        t0 = time.perf_counter()
        SimilarIndex(past, terms=words)  # a rebuild after a change: the loaded cases' words are kept
        rebuild = time.perf_counter() - t0
        asks = [SimilarQuery("\n".join(rng.choice(texts) for _ in range(3)), topic=rng.choice(TOPICS),
                             page=f"/settings/{rng.choice(TOPICS)}") for _ in range(queries)]
        for q in asks[:20]:
            index.top(q, 5)  # warm caches
        took = []
        for q in asks:
            t = time.perf_counter()
            index.top(q, 5)
            took.append((time.perf_counter() - t) * 1000)
        took.sort()
        results[str(n)] = {"build_seconds": round(build, 2), "rebuild_seconds": round(rebuild, 2),
                           "p50_ms": round(statistics.median(took), 2),
                           "p99_ms": round(took[int(len(took) * 0.99) - 1], 2), "max_ms": round(took[-1], 2)}
    return results


def main() -> None:
    """Run the benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of past cases")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, help="pin the process to this core (Linux)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    results = run([int(s) for s in args.sizes.split(",")], args.queries, args.seed)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"| {'past cases':>10} | {'build':>8} | {'rebuild':>8} | {'top-5 p50':>9} | {'p99':>8} | {'max':>8} |")
    print(f"| {'-' * 9}: | {'-' * 7}: | {'-' * 7}: | {'-' * 8}: | {'-' * 7}: | {'-' * 7}: |")
    for n, r in results.items():
        print(f"| {int(n):>10,} | {r['build_seconds']:>6.2f} s | {r['rebuild_seconds']:>6.2f} s | "
              f"{r['p50_ms']:>6.2f} ms | "
              f"{r['p99_ms']:>5.2f} ms | {r['max_ms']:>5.2f} ms |")


if __name__ == "__main__":
    main()
