"""Back-tests on the stored conversations: real outcomes as labels, and what a settings change would do."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from handoff.edge.cli.main import app
from handoff.bootstrap import build_runtime
from handoff.core.formats.conversations import Label
from handoff.app.history import compare, labelled_from_store, render_comparison
from handoff.app.turns import TurnInput
from handoff.settings import load_config
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings

REPO = Path(__file__).resolve().parents[3]
EXPLICIT_OFF = {"[triggers.explicit_request]\nenabled = true": "[triggers.explicit_request]\nenabled = false"}
START = Clock().now


async def say(rt, cid: str, role: str, text: str, confidence: float | None = None) -> dict:
    result = await rt.service.post_message(cid, TurnInput(role=role, text=text, confidence=confidence))
    rt.clock.advance(seconds=30)
    return result


@pytest.fixture
async def seeded(make_config, tmp_path):
    """A store holding one conversation of each outcome; the clock ends two hours after the first."""
    clock = Clock()
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=clock)
    try:
        # explicit request on the third message; what the customer says to the human afterwards is not replayed
        await say(rt, "c-explicit", "customer", "where do I find the search box?")
        await say(rt, "c-explicit", "ai", "Press the / key anywhere in the app.", 0.95)
        assert (await say(rt, "c-explicit", "customer", "I need to talk to a human now"))["decision"] == "handoff"
        await say(rt, "c-explicit", "customer", "thanks for picking this up, this is ridiculous")
        # always-human topic the agent said the AI could have handled
        cancelled = await say(rt, "c-unneeded", "customer", "how do I cancel my subscription?")
        assert cancelled["decision"] == "handoff"
        await rt.dispatcher.idle()
        noted = await rt.operations.mark_unnecessary(cancelled["handoff_id"], "U0AGENT01")
        assert noted["ok"]
        # routine, answered by the AI
        await say(rt, "c-routine", "customer", "how do I export my data to csv?")
        assert (await say(rt, "c-routine", "ai", "Settings, Export, then CSV.", 0.93))["decision"] == "continue"
        # the bot itself asked for a human after its second message
        await say(rt, "c-bot", "customer", "can you change the billing address on my invoice?")
        await say(rt, "c-bot", "ai", "Let me get someone who can edit invoices.", 0.9)
        asked = await rt.service.request_handoff("c-bot", "needs invoice edit", None)
        assert asked["created"]
        # still going at the end: must not count as "did not escalate" yet
        clock.advance(hours=2)
        await say(rt, "c-fresh", "customer", "where is my profile page?")
        await rt.dispatcher.idle()
        yield rt
    finally:
        rt.close()


def _by_id(convs):
    return {c.id: c for c in convs}


async def test_labels_are_the_real_outcomes(seeded):
    convs = _by_id(labelled_from_store(seeded.sessions, settled_before=seeded.clock.now - timedelta(minutes=30)))
    assert set(convs) == {"c-explicit", "c-unneeded", "c-routine", "c-bot"}
    assert convs["c-explicit"].label == Label(True, 2, "explicit_request")
    assert convs["c-unneeded"].label == Label(False, None, "unnecessary")
    assert convs["c-routine"].label == Label(False, None, "no_handoff")
    assert convs["c-bot"].label.escalate and convs["c-bot"].label.turn == 1
    # replayed transcript stops at the handoff, in order, with the stored fields
    assert [m.index for m in convs["c-explicit"].messages] == [0, 1, 2]
    assert convs["c-explicit"].messages[1].confidence == 0.95
    assert [m.role for m in convs["c-routine"].messages] == ["customer", "ai"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["c-explicit", "c-unneeded", "c-routine", "c-bot", "c-fresh"]),
        ({"limit": 2}, ["c-explicit", "c-unneeded"]),
        ({"since": START + timedelta(minutes=2, seconds=15)}, ["c-routine", "c-bot", "c-fresh"]),
        ({"until": START + timedelta(minutes=1)}, ["c-explicit"]),
        ({"batch_size": 1}, ["c-explicit", "c-unneeded", "c-routine", "c-bot", "c-fresh"]),
        ({"batch_size": 2, "limit": 3}, ["c-explicit", "c-unneeded", "c-routine"]),
    ],
)
async def test_window_limit_and_batches(seeded, kwargs, expected):
    assert [c.id for c in labelled_from_store(seeded.sessions, **kwargs)] == expected


async def test_disabling_explicit_request_shows_what_it_would_cost(seeded, tmp_path):
    current = load_config(REPO / "settings.toml", environ={}).settings.triggers
    switched_off = current.explicit_request.model_copy(update={"enabled": False})
    proposed = current.model_copy(update={"explicit_request": switched_off})
    convs = labelled_from_store(seeded.sessions, settled_before=seeded.clock.now - timedelta(minutes=30))
    result = compare(convs, current, proposed)
    d = result.as_dict()
    changes = d["changes"]
    assert changes["no_longer_escalates"]["count"] == 1
    gone = changes["no_longer_escalates"]["examples"][0]
    assert gone["id"] == "c-explicit" and gone["effect"] == "new_miss"
    assert gone["current"]["handoff_at"] == 2 and "explicit_request" in gone["current"]["triggers"]
    assert gone["proposed"]["handoff_at"] is None
    assert changes["newly_escalates"]["count"] == 0
    assert changes["fired_by_trigger"]["explicit_request"] == {"current": 1, "proposed": 0, "delta": -1}
    assert d["current"]["true_positives"] == 1 and d["proposed"]["true_positives"] == 0
    assert d["proposed"]["recall"] < d["current"]["recall"]
    assert changes["metrics"]["recall"]["delta"] < 0
    # the unnecessary cancellation is a false positive under both settings: it does not move
    assert d["current"]["false_positives"] == d["proposed"]["false_positives"] == 1
    json.dumps(d)

    console = Console(record=True, width=160)
    console.print(render_comparison(result))
    text = console.export_text()
    for expected in ("No longer escalate", "c-explicit", "new miss", "explicit_request", "recall"):
        assert expected in text


async def test_same_settings_change_nothing(seeded):
    triggers = load_config(REPO / "settings.toml", environ={}).settings.triggers
    result = compare(labelled_from_store(seeded.sessions), triggers, triggers)
    assert sum(result.counts.values()) == 0
    assert result.current.as_dict() == result.proposed.as_dict()


@pytest.fixture
def cli_env(seeded, monkeypatch, tmp_path, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    proposed = tmp_path / "proposed.toml"
    proposed.write_text(shipped_settings(tmp_path / "outbox", EXPLICIT_OFF), encoding="utf-8")
    return seeded, proposed


def invoke(*args: str):
    return CliRunner().invoke(app, ["backtest", *args, "--settings", str(REPO / "settings.toml")])


async def test_cli_compare_json(cli_env):
    rt, proposed = cli_env
    at = (rt.clock.now + timedelta(minutes=5)).isoformat()
    r = invoke("--from-history", "--compare-with", str(proposed), "--json", "--at", at)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"current", "proposed", "changes"}
    assert out["current"]["conversations"] == 4  # c-fresh is still in progress at --at
    assert out["changes"]["no_longer_escalates"]["examples"][0]["id"] == "c-explicit"
    assert out["proposed"]["recall"] < out["current"]["recall"]


async def test_cli_plain_history_backtest(cli_env):
    rt, _ = cli_env
    r = invoke("--from-history", "--json", "--since", "2026-03-02T15:01:45Z", "--settle-minutes", "0",
               "--at", rt.clock.now.isoformat())
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert "recall" in out and "changes" not in out
    assert out["conversations"] == 4  # c-explicit started before --since
    assert out["by_label_category"]["unnecessary"] == {"false_positives": 1}
    table = invoke("--from-history", "--at", rt.clock.now.isoformat())
    assert table.exit_code == 0 and "Backtest" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--from-history"),
        (("convs.jsonl", "--from-history"), "not both"),
        (("convs.jsonl", "--since", "2026-03-01"), "go with --from-history"),
        (("--from-history", "--since", "yesterday"), "--since"),
    ],
)
def test_cli_refuses_unclear_input(args, message, tmp_path, monkeypatch, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    (tmp_path / "convs.jsonl").write_text("")
    r = invoke(*args)
    assert r.exit_code == 2
    assert message in r.output


async def test_cli_history_backtest_on_two_processes_with_every_error(cli_env, tmp_path):
    rt, _ = cli_env
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"errors-{jobs}.jsonl"
        r = invoke("--from-history", "--json", "--settle-minutes", "0", "--at", rt.clock.now.isoformat(),
                   "--jobs", jobs, "--errors", str(out))
        assert r.exit_code == 0, r.output
        runs[jobs] = (json.loads(r.stdout), [json.loads(x) for x in out.read_text().splitlines()])
    assert runs["2"] == runs["1"]
    report, errors = runs["1"]
    assert len(errors) == report["false_negatives"] + report["false_positives"] + report["late"] + report["early"]
    unneeded = next(e for e in errors if e["id"] == "c-unneeded")
    assert unneeded["kind"] == "false_positive" and unneeded["label"]["category"] == "unnecessary"
    assert unneeded["engine"]["reasons"][0]["trigger"] == "always_human"


async def test_a_conversation_handed_off_again_after_a_release_is_listed_once_by_its_first_handoff(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock())
    try:
        first = await say(rt, "c-twice", "customer", "I want to talk to a human right now")
        await rt.service.release(first["handoff_id"])
        await say(rt, "c-twice", "customer", "where do I find the search box?")
        second = await say(rt, "c-twice", "customer", "I want to talk to a human right now, again")
        assert second["decision"] == "handoff" and second["handoff_id"] != first["handoff_id"]
        convs = [c for c in labelled_from_store(rt.sessions) if c.id == "c-twice"]
    finally:
        rt.close()
    assert len(convs) == 1
    assert convs[0].label is not None and convs[0].label.escalate and convs[0].label.turn == 0
