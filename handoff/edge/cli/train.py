"""`handoff train`: fit the learned decision layer on a team's own conversations."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


from handoff.edge.cli.base import SettingsOpt, app, bot_ids, config_from, fail


@app.command()
def train(
    files: Annotated[list[Path], typer.Argument(help="labelled conversations (JSON Lines) or Zendesk exports")],
    out: Annotated[Path, typer.Option("--out", "-o", help="model file to write")] = Path("handoff-intent-model.json.gz"),
    settings: SettingsOpt = None,
    only_mine: Annotated[bool, typer.Option("--only-mine", help="fit on these files alone, without the shipped corpus")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Fit the learned decision layer on your own labelled history; prints a before/after backtest."""
    from rich.table import Table

    from handoff.core.formats.conversations import ConversationFileError
    from handoff.app.training import train as run_training

    config = config_from(settings)
    for f in files:
        if not f.exists():
            fail(f"{f} does not exist")
    try:
        report = run_training(files, out, config.settings.triggers, with_shipped=not only_mine, bot_user_ids=bot_ids(config))
    except ConversationFileError as e:
        fail(f"{files[0] if len(files) == 1 else 'input'}: {e}")
        raise
    except ValueError as e:
        fail(str(e))
        raise
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"trained on {report.conversations} conversations ({report.held_back} held back), "
                  f"{report.examples} examples, {report.features} features in {report.seconds:.1f} s")
    console.print(f"wrote {report.out} ({report.size_bytes // 1024} KB): set \\[triggers.learned] model_path = \"{report.out}\"")
    t = Table("intent", "examples", "words that weigh most", title="what it learned", title_justify="left")
    for intent, n in report.intents.items():
        if intent == "none":
            t.add_row("none (routine)", str(n), "-")
            continue
        t.add_row(intent, str(n), ", ".join(report.top_features.get(intent, [])) or "-")
    console.print(t)
    if report.before is not None and report.after is not None:
        b = Table("on the held-back part", "recall", "false positives", "missed", title="before / after", title_justify="left")
        for name, r in (("current settings", report.before), ("with the new model", report.after)):
            b.add_row(name, f"{r.recall:.1%}", f"{r.false_positives} ({r.false_positive_rate:.1%})", str(r.false_negatives))
        console.print(b)
    else:
        console.print("fewer than 5 conversations: nothing held back to compare on")
