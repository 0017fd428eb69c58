"""Fingerprint every decision the engine makes on a set of conversations, to prove a speed-up changed none.

Each conversation is stepped through all of its messages (past the handoff too: later steps still score
sentiment) under the default settings, with and without the learned layer; every step's decision and the
state after it are serialised and hashed per conversation. `--write FILE` stores the digests (JSON Lines);
`--check FILE` recomputes them and lists the conversations whose decisions differ.

    python bench/decision_digest.py --write /tmp/before.jsonl      # on the old code
    python bench/decision_digest.py --check /tmp/before.jsonl      # on the new code: exit 1 on any change
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handoff.core.formats.conversations import Conversation, read_conversations  # noqa: E402
from handoff.core.decide import TriggerSettings, initial_state, step  # noqa: E402
from handoff.core.decide.learned.build import corpus_files  # noqa: E402
from handoff.core.decide.replay import context_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {"learned": TriggerSettings(), "rules": TriggerSettings(learned={"enabled": False})}


def default_files() -> list[Path]:
    """examples/conversations.jsonl and the shipped corpus."""
    return [ROOT / "examples" / "conversations.jsonl", *corpus_files()]


def conversations(files: list[Path], every: int = 1) -> Iterator[tuple[str, Conversation]]:
    """(file:id, conversation) of every `every`-th conversation of the files."""
    n = 0
    for path in files:
        for conv in read_conversations(path):
            if n % every == 0:
                yield f"{path.name}:{conv.id}", conv
            n += 1


def trace(conv: Conversation, settings: TriggerSettings) -> list[dict]:
    """Every step's decision and the state after it, as JSON values."""
    ctx = context_for(conv)
    state = initial_state()
    out = []
    for message in conv.messages:
        state, decision = step(state, message, ctx, settings)
        out.append({"decision": dataclasses.asdict(decision), "state": state.to_json()})
    return out


def digest(conv: Conversation) -> dict[str, str]:
    """One hash per settings variant of the conversation's whole trace."""
    return {name: hashlib.sha256(json.dumps(trace(conv, s), sort_keys=True, default=str).encode()).hexdigest()[:20]
            for name, s in VARIANTS.items()}


def main() -> int:
    """Write or check digests."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    ap.add_argument("--every", type=int, default=1, help="only every N-th conversation")
    args = ap.parse_args()
    files = default_files()
    if args.write:
        with args.write.open("w") as fh:
            for key, conv in conversations(files, args.every):
                fh.write(json.dumps({"key": key, **digest(conv)}) + "\n")
        return 0
    expected = {}
    for line in args.check.read_text().splitlines():
        row = json.loads(line)
        expected[row.pop("key")] = row
    checked, differ = 0, []
    for key, conv in conversations(files, args.every):
        if key not in expected:
            continue
        checked += 1
        if digest(conv) != expected[key]:
            differ.append(key)
    print(f"{checked} conversations checked, {len(differ)} differ")
    for key in differ[:50]:
        print("  " + key)
    return 1 if differ or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
