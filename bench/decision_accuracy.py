"""Accuracy of the decision on conversations the learned layer was not trained on: the README's backtest table.

Fits a model on the shipped corpus without one fifth of the conversations written for this project (`--fold`,
by a hash of the id; fold 0 is the fifth `handoff train` holds back), then back-tests, with the rules alone and with
the rules and that model: the held-back fifth of each written file, the examples, and, given `--eval DIR`
(labelled sets kept outside the project), every `*.jsonl` there, with `multilingual/hr-*.jsonl` split into the
odd lines (measured) and the even ones (already in the corpus as hr-train-*). The examples are measured with
the shipped model too. Prints a Markdown table of recall and false-positive rate per set.

    python bench/decision_accuracy.py [--eval DIR] [--model held-out-model.json.gz] [--errors DIR] [--jobs 2]

`--model` reuses a model this script wrote before (it prints where) instead of fitting again (about a minute
of CPU); `--errors DIR` writes every miss and false positive of each set with the reasons, one file per set.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from handoff.app.backtest.errors import ErrorsFile  # noqa: E402
from handoff.app.backtest.run import run_backtest  # noqa: E402
from handoff.app.training import HOLD_OUT, fold_of  # noqa: E402
from handoff.core.decide.config import TriggerSettings  # noqa: E402
from handoff.core.decide.learned.build import corpus_files  # noqa: E402
from handoff.core.decide.learned.examples import all_examples  # noqa: E402
from handoff.core.decide.learned.model import SHIPPED, load  # noqa: E402
from handoff.core.decide.learned.probes import page_and_offer  # noqa: E402
from handoff.core.decide.learned.train import TrainOptions, fit, to_bytes  # noqa: E402
from handoff.core.formats.conversations import Conversation, read_conversations  # noqa: E402
from handoff.settings import load_config  # noqa: E402


def _held_out_model(out: Path, fold: int, options: TrainOptions) -> float:
    """Fit on the corpus less the written fold `fold`; the seconds it took."""
    started = time.perf_counter()
    convs: list[Conversation] = []
    for path in corpus_files():
        for c in read_conversations(path):
            if not (path.name.startswith("written-") and fold_of(c.id) == fold):
                convs.append(c)
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    data, _ = fit(all_examples(convs, page_kind, ai_offer), options, meta={"held_out": f"written fold {fold}"})
    out.write_bytes(to_bytes(data))
    return time.perf_counter() - started


def _sets(eval_dir: Path | None, fold: int) -> list[tuple[str, list[Conversation]]]:
    sets: list[tuple[str, list[Conversation]]] = []
    written_all: list[Conversation] = []
    for path in corpus_files():
        if path.name.startswith("written-"):
            held = [c for c in read_conversations(path) if fold_of(c.id) == fold]
            written_all += held
            sets.append((f"written {path.stem.removeprefix('written-')}", held))
    sets.append(("written, all", written_all))
    if eval_dir is not None:
        hr_all: list[Conversation] = []
        for path in sorted((eval_dir / "multilingual").glob("hr-*.jsonl")):
            odd = [c for i, c in enumerate(read_conversations(path)) if i % 2 == 1]
            hr_all += odd
            sets.append((f"hr odd lines {path.stem.removeprefix('hr-')}", odd))
        if hr_all:
            sets.append(("hr odd lines, all", hr_all))
        for path in sorted(eval_dir.glob("*.jsonl")):
            sets.append((path.stem, list(read_conversations(path))))
    sets.append(("examples", list(read_conversations(REPO / "examples" / "conversations.jsonl"))))
    return sets


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Fit the held-out model (or take --model), back-test every set, print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, help="folder of labelled sets kept outside the project")
    ap.add_argument("--model", type=Path, help="a held-out model written by an earlier run")
    ap.add_argument("--settings", type=Path, default=REPO / "settings.toml")
    ap.add_argument("--errors", type=Path, help="folder to write each set's misses and false positives to")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--fold", type=int, default=0, choices=range(HOLD_OUT),
                    help="which fifth of the written conversations to hold out: 0 is the one `handoff train` holds "
                         "back and the README reports; tune on another, so that 0 stays unseen")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    ap.add_argument("--c", type=float, default=TrainOptions().c, help="the fit's inverse regularisation (as train.py)")
    ap.add_argument("--threshold", type=float, help="the learned layer's threshold instead of the settings'")
    args = ap.parse_args(argv)

    model = args.model
    if model is not None:
        # a model held out on another fold has seen this fold's conversations: its figures would flatter it
        held_out = load(str(model)).meta.get("held_out")
        if held_out != f"written fold {args.fold}":
            ap.error(f"{model} was fitted with {held_out or 'nothing'} held out, not written fold {args.fold}")
    else:
        model = Path(tempfile.mkdtemp(prefix="handoff-accuracy-")) / "held-out-model.json.gz"
        secs = _held_out_model(model, args.fold, TrainOptions(c=args.c))
        print(f"held-out model fitted in {secs:.0f} s: {model} (pass --model to reuse it)", file=sys.stderr)
    base = load_config(args.settings).settings.triggers
    if args.threshold is not None:
        base = base.model_copy(update={"learned": base.learned.model_copy(update={"threshold": args.threshold})})
    off = base.model_copy(update={"learned": base.learned.model_copy(update={"enabled": False})})
    held = base.model_copy(update={"learned": base.learned.model_copy(update={"enabled": True, "model_path": str(model)})})
    shipped = base.model_copy(update={"learned": base.learned.model_copy(update={"enabled": True, "model_path": SHIPPED})})
    if args.errors:
        args.errors.mkdir(parents=True, exist_ok=True)

    rows = []
    for name, convs in _sets(args.eval, args.fold):
        if not convs:
            continue
        row: dict[str, object] = {"set": name, "n": len(convs)}
        runs = [("rules", off), ("rules+learned", held)] + ([("shipped", shipped)] if name == "examples" else [])
        for label, settings in runs:
            if args.errors and label == "rules+learned":
                with ErrorsFile.open(args.errors / (name.replace(" ", "_").replace(",", "") + ".jsonl")) as ef:
                    report = run_backtest(convs, settings, jobs=args.jobs, on_error=ef.write)
            else:
                report = run_backtest(convs, settings, jobs=args.jobs)
            pos = report.true_positives + report.false_negatives
            neg = report.false_positives + report.true_negatives
            row[label] = {"recall": report.recall if pos else None, "fp": report.false_positive_rate if neg else None,
                          "missed": report.false_negatives, "false_positives": report.false_positives}
        rows.append(row)

    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    cols = ["rules", "rules+learned", "shipped"]
    print("| set | n | " + " | ".join(f"{c}: recall / FP %" for c in cols) + " |")
    print("| --- | ---: |" + " --- |" * len(cols))
    for row in rows:
        cells = []
        for c in cols:
            r = row.get(c)
            if not isinstance(r, dict):
                cells.append("")
                continue
            rec = "–" if r["recall"] is None else _pct(r["recall"])
            fp = "–" if r["fp"] is None else _pct(r["fp"])
            cells.append(f"{rec} / {fp} ({r['missed']} missed, {r['false_positives']} FP)")
        print(f"| {row['set']} | {row['n']} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
