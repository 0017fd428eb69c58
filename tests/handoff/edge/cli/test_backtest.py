"""`handoff backtest --jobs N --errors FILE`: the same report on N processes, every error written, clear refusals."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import handoff.app.backtest
from handoff.app.backtest import MAX_WORST
from handoff.edge.cli.main import app

REPO = Path(__file__).resolve().parents[4]
runner = CliRunner()
CARD = "4111 1111 1111 1111"


def line(cid: str, texts: list[str], label: dict | None) -> str:
    msgs = [{"role": "customer" if i % 2 == 0 else "ai", "text": t} | ({} if i % 2 == 0 else {"confidence": 0.9})
            for i, t in enumerate(texts)]
    return json.dumps({"id": cid, "messages": msgs, "label": label})


MISS = {"escalate": True, "turn": 1, "category": "frustration"}
ROUTINE = {"escalate": False, "turn": None, "category": "routine"}


def history(n: int = 150) -> list[str]:
    """More misses than the report lists, false positives (one quoting a card), late, right and unlabelled."""
    out = []
    for i in range(n):
        match i % 5:
            case 0:
                out.append(line(f"miss-{i}", ["where is search", "Press /."] * (1 + i % 3), MISS))
            case 1:
                out.append(line(f"fp-{i}", [f"agent pls, card {CARD} was charged twice"], ROUTINE))
            case 2:
                out.append(line(f"late-{i}", ["where is search", "Press /.", "agent pls"],
                                {"escalate": True, "turn": 0, "category": "explicit"}))
            case 3:
                out.append(line(f"tn-{i}", ["how do I export to csv?", "Settings, Export."], ROUTINE))
            case _:
                out.append(line(f"unlabelled-{i}", ["agent pls"], None))
    return out


@pytest.fixture
def env(tmp_path, monkeypatch, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    convs = tmp_path / "convs.jsonl"
    convs.write_text("\n".join(history()) + "\n")
    return tmp_path, convs


def invoke(*args: str):
    return runner.invoke(app, ["backtest", *args, "--settings", str(REPO / "settings.toml")])


def test_jobs_print_the_report_and_errors_of_one_process(env):
    tmp, convs = env
    outputs = {}
    for jobs in ("1", "2", "0"):
        r = invoke(str(convs), "--json", "--jobs", jobs, "--errors", str(tmp / f"errors-{jobs}.jsonl"))
        assert r.exit_code == 0, r.output
        outputs[jobs] = (json.loads(r.stdout), (tmp / f"errors-{jobs}.jsonl").read_bytes())
    assert outputs["2"] == outputs["1"] and outputs["0"] == outputs["1"]
    table = [invoke(str(convs), "--jobs", jobs) for jobs in ("1", "2")]
    assert table[0].exit_code == table[1].exit_code == 0
    assert table[0].stdout == table[1].stdout and "Worst misses" in table[0].stdout


def test_errors_lists_every_miss_not_just_the_worst(env):
    tmp, convs = env
    out = tmp / "errors.jsonl"
    r = invoke(str(convs), "--json", "--jobs", "2", "--errors", str(out))
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    errors = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    kinds = [e["kind"] for e in errors]
    assert kinds.count("missed") == report["false_negatives"] == 30 > MAX_WORST == len(report["worst_misses"])
    assert kinds.count("false_positive") == report["false_positives"] == 30
    assert kinds.count("late") == report["late"] == 30
    assert [e["id"] for e in errors] == [json.loads(x)["id"] for x in history() if not x.startswith('{"id": "tn-')
                                         and not x.startswith('{"id": "unlabelled-')]
    fp = next(e for e in errors if e["kind"] == "false_positive")
    assert fp["engine"]["reasons"] and fp["engine"]["category"] == "billing_dispute"
    assert CARD not in out.read_text(encoding="utf-8") and "•••• 1111" in fp["customer_messages"][0]["text"]
    assert f"90 misses, false positives and late or early handoffs written to {out}" in r.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # it quotes customers


@pytest.mark.parametrize("where", ["missing-dir/errors.jsonl", "."])
def test_an_unwritable_errors_path_is_refused_before_the_replay(env, monkeypatch, where):
    _, convs = env

    def must_not_run(*args, **kwargs):
        raise AssertionError("replayed although the errors file cannot be written")

    monkeypatch.setattr(handoff.app.backtest, "run_backtest", must_not_run)
    r = invoke(str(convs), "--errors", where)
    assert r.exit_code == 2
    assert f"error: --errors {where}: cannot write there" in r.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failed_run_leaves_the_old_errors_file(env, jobs):
    tmp, _ = env
    bad = tmp / "bad.jsonl"
    bad.write_text("\n".join(history(40)) + '\n{"id": "x", "messages": [{"role": "bot", "text": "hi"}]}\n')
    out = tmp / "errors.jsonl"
    out.write_text("from the last run\n")
    r = invoke(str(bad), "--jobs", jobs, "--errors", str(out))
    assert r.exit_code == 2 and "line 41" in r.output
    assert out.read_text() == "from the last run\n"
    assert not [p for p in os.listdir(tmp) if p.endswith(".tmp")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("convs.jsonl", "--jobs", "-1"), "Invalid value for '--jobs'"),
        (("--from-history", "--compare-with", "x.toml", "--jobs", "2"), "do not go with --compare-with"),
        (("--from-history", "--compare-with", "x.toml", "--errors", "e.jsonl"), "do not go with --compare-with"),
    ],
)
def test_unclear_jobs_and_errors_are_refused(env, args, message):
    r = invoke(*args)
    assert r.exit_code == 2 and message in r.output


def test_the_command_in_a_process_of_its_own(env):
    # no test-session threads there: its workers are forked, as when a team runs it
    tmp, convs = env
    command = [sys.executable, "-c", "from handoff.edge.cli.main import main; main()", "backtest", str(convs), "--json",
               "--settings", str(REPO / "settings.toml")]
    two = subprocess.run([*command, "--jobs", "2", "--errors", "two.jsonl"], capture_output=True, text=True, cwd=tmp,
                         timeout=300)
    assert two.returncode == 0, two.stderr
    one = invoke(str(convs), "--json", "--errors", str(tmp / "one.jsonl"))
    assert json.loads(two.stdout) == json.loads(one.stdout)
    assert (tmp / "two.jsonl").read_bytes() == (tmp / "one.jsonl").read_bytes()
