"""`handoff train`: a team's labelled history in, a model file and a before/after back-test out."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from handoff.edge.cli.main import app
from handoff.app.training import held_back

runner = CliRunner()


def _line(cid: str, text: str, escalate: bool, category: str) -> str:
    return json.dumps({"id": cid, "messages": [{"role": "customer", "text": text}],
                       "label": {"escalate": escalate, "turn": 0 if escalate else None, "category": category}})


def team_file(tmp_path: Path) -> Path:
    lines = []
    for i in range(30):
        lines.append(_line(f"esc-{i}", f"please pause the retainer {i} and end our plan, we are leaving", True, "cancellation"))
        lines.append(_line(f"ok-{i}", f"how do I pause notifications for project {i}", False, "routine"))
    path = tmp_path / "team.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_writes_a_model_the_settings_can_use_and_compares(tmp_path: Path) -> None:
    out = tmp_path / "model.json.gz"
    result = runner.invoke(app, ["train", str(team_file(tmp_path)), "--out", str(out), "--only-mine", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert out.exists() and report["out"] == str(out) and report["conversations"] == 60
    assert report["held_back"] == sum(held_back(f"{k}-{i}") for k in ("esc", "ok") for i in range(30))
    assert report["intents"]["cancellation"] > 0 and report["intents"]["none"] > 0
    assert report["before"]["labelled"] == report["after"]["labelled"] == report["held_back"]
    assert report["after"]["recall"] >= report["before"]["recall"]
    settings = tmp_path / "s.toml"
    settings.write_text(f"[triggers.learned]\nmodel_path = '{out}'\n")
    sim = tmp_path / "one.jsonl"
    sim.write_text(_line("x", "please end our plan and pause the retainer, we are leaving", True, "cancellation") + "\n")
    res = runner.invoke(app, ["simulate", str(sim), "--settings", str(settings), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["decision"] == "handoff"


def test_train_prints_what_it_learned(tmp_path: Path) -> None:
    out = tmp_path / "model.json.gz"
    result = runner.invoke(app, ["train", str(team_file(tmp_path)), "--out", str(out), "--only-mine"])
    assert result.exit_code == 0, result.output
    assert "what it learned" in result.stdout and "cancellation" in result.stdout
    assert "before / after" in result.stdout and "[triggers.learned] model_path" in result.stdout


def test_train_refuses_unlabelled_or_broken_lines_with_their_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line("a", "hi", False, "routine") + "\n" + json.dumps({"id": "b", "messages": []}) + "\n")
    result = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path / "m.json.gz")])
    assert result.exit_code == 2 and "line 2" in result.output and "no label" in result.output
    assert not (tmp_path / "m.json.gz").exists()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(_line("a", "hi", False, "routine") + "\n{not json\n")
    result = runner.invoke(app, ["train", str(broken), "--out", str(tmp_path / "m.json.gz")])
    assert result.exit_code == 2 and "line 2" in result.output
    missing = runner.invoke(app, ["train", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_a_settings_file_pointing_at_a_bad_model_is_a_clear_error(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text(f"[triggers.learned]\nmodel_path = '{tmp_path / 'missing.json.gz'}'\n")
    res = runner.invoke(app, ["check-config", "--settings", str(settings)])
    assert res.exit_code == 2 and "missing.json.gz" in res.output


def test_what_it_learned_names_the_words_that_set_an_intent_apart(tmp_path: Path) -> None:
    lines = []
    for i in range(20):
        # "my account" is in every escalation and "2040" in some of each: neither tells the intents apart
        lines.append(_line(f"c-{i}", f"end the retainer on my account {2040 + i % 2}", True, "cancellation"))
        lines.append(_line(f"h-{i}", f"a human about my account {2040 + i % 2} please", True, "explicit_request"))
        lines.append(_line(f"r-{i}", f"how do I pause notifications for board {i}", False, "routine"))
    path = tmp_path / "team.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m.json.gz"), "--only-mine", "--json"])
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)["top_features"]
    assert "retainer" in top["cancellation"] and "human" in top["explicit_request"]
    assert not any(w in ("my account", "0000", "account 0000") for ws in top.values() for w in ws), top
