"""Rebuild the shipped intent model from the shipped corpus: `python -m handoff.core.decide.learned.build`.

The corpus is handoff/core/decide/data/corpus/*.jsonl (sources and licences in NOTICE); the same files give the
same model file, byte for byte, on the same library versions.
"""
from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from pathlib import Path

from handoff.core.formats.conversations import read_conversations
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.examples import all_examples
from handoff.core.decide.learned.train import TrainOptions, fit, to_bytes
from handoff.core.decide.learned.probes import page_and_offer


def corpus_files() -> list[Path]:
    """The shipped corpus, in a fixed order."""
    folder = Path(str(resources.files("handoff.core.decide.data").joinpath("corpus")))
    return sorted(folder.glob("*.jsonl"))


def main(argv: list[str] | None = None) -> int:
    """Fit on the shipped corpus and write the shipped model (or --out)."""
    ap = argparse.ArgumentParser(description=__doc__)
    default_out = Path(str(resources.files("handoff.core.decide.data").joinpath("intent_model.json.gz")))
    ap.add_argument("--out", type=Path, default=default_out)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    conversations = [c for path in corpus_files() for c in read_conversations(path)]
    examples = all_examples(conversations, page_kind, ai_offer)
    data, _ = fit(examples, TrainOptions(), meta={"corpus": [p.name for p in corpus_files()]})
    args.out.write_bytes(to_bytes(data))
    meta = data["meta"]
    print(f"{len(conversations)} conversations, {len(examples)} examples, {meta['features']} features "  # type: ignore[index]
          f"-> {args.out} ({args.out.stat().st_size // 1024} KB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
