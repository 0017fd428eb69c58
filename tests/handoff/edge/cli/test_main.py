"""The `handoff` command: simulate, backtest, check-config, stats and setup, with clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff.edge.cli.main import app

REPO = Path(__file__).resolve().parents[4]
runner = CliRunner()

CONVERSATION = {
    "id": "c-17", "channel": "chat", "page_url": "https://app.example.com/settings/billing",
    "customer": {"email": "ana@example.com", "name": "Ana", "language": "en"},
    "messages": [
        {"role": "customer", "text": "My card was charged twice", "sent_at": "2026-03-02T10:00:00Z"},
        {"role": "ai", "text": "I think this may be a pending authorization...", "confidence": 0.55,
         "kb_articles": [{"id": "kb-12", "title": "Pending charges"}], "ai_actions": ["sent_article:kb-12"]},
    ],
    "label": {"escalate": True, "turn": 0, "category": "billing_dispute"},
}
ROUTINE = {"id": "c-18", "messages": [{"role": "customer", "text": "how do I download my invoice?"}],
           "label": {"escalate": False, "turn": None}}


@pytest.fixture
def files(tmp_path, monkeypatch, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for var in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "SLACK_BOT_TOKEN", "STRIPE_API_KEY", "HUBSPOT_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    conv = tmp_path / "convs.jsonl"
    conv.write_text(json.dumps(CONVERSATION) + "\n" + json.dumps(ROUTINE) + "\n")
    return tmp_path, conv


def invoke(*args):
    return runner.invoke(app, [*args, "--settings", str(REPO / "settings.toml")])


def test_simulate_json_has_the_documented_keys(files):
    _, conv = files
    r = invoke("simulate", str(conv), "--json", "--at", "2026-03-02T15:00:00Z")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    for key in ("decision", "handoff_at", "reasons", "category", "priority", "briefing", "route", "customer_message"):
        assert key in out
    assert out["decision"] == "handoff" and out["handoff_at"] == 0
    assert {"trigger", "message_index", "evidence"} <= set(out["reasons"][0])
    for key in ("summary", "sentiment", "ai_attempts", "recommended_action", "greeting", "account"):
        assert key in out["briefing"]
    assert out["briefing"]["account"]["stripe"]["status"] == "not_configured"
    assert 2 <= len(out["briefing"]["suggested_replies"]) <= 3 and out["briefing"]["suggested_replies_source"] == "rules"
    assert out["briefing"]["suggested_replies"][0].startswith("Could you confirm the date and amount of the charge")
    for key in ("team", "agent", "queue_position", "expected_wait_seconds", "callback_at"):
        assert key in out["route"]
    assert out["route"]["team"] == "billing"


def test_simulate_off_hours_plans_a_callback(files):
    _, conv = files
    r = invoke("simulate", str(conv), "--json", "--at", "2026-03-07T15:00:00Z")  # Saturday
    out = json.loads(r.stdout)
    assert out["route"]["callback_at"].startswith("2026-03-09T09:00")
    assert "Monday" in out["customer_message"]


def test_simulate_shows_the_whole_transcript_of_a_long_conversation(files):
    tmp, _ = files
    from handoff.devtools.support.big_conversation import conversation

    messages = [{"role": m.role, "text": m.text, **({"confidence": m.confidence} if m.confidence else {})}
                for m in conversation(20, 400)]  # 41 messages no trigger fires on
    messages.append({"role": "customer", "text": "Get me a real person please"})
    conv = tmp / "long.jsonl"
    conv.write_text(json.dumps({"id": "c-long", "messages": messages}) + "\n")
    r = invoke("simulate", str(conv), "--json", "--at", "2026-03-02T15:00:00Z")
    assert r.exit_code == 0, r.output
    briefing = json.loads(r.stdout)["briefing"]
    assert [m["index"] for m in briefing["transcript"]] == list(range(42)) and briefing["transcript_total"] == 42
    assert len(briefing["ai_attempts"]) == 5 and briefing["ai_attempts_total"] == 20
    r = invoke("simulate", str(conv), "--at", "2026-03-02T15:00:00Z")
    assert r.exit_code == 0 and "22 earlier messages not shown" in r.stdout


def test_simulate_picks_by_id_and_prints_a_readable_view(files):
    _, conv = files
    r = invoke("simulate", str(conv), "--id", "c-18")
    assert r.exit_code == 0 and "continue" in r.stdout
    r = invoke("simulate", str(conv), "--id", "missing")
    assert r.exit_code == 2 and "no conversation with id 'missing'" in r.output


def test_backtest_json_and_table(files):
    _, conv = files
    r = invoke("backtest", str(conv), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    for key in ("conversations", "labelled", "true_positives", "false_positives", "false_negatives",
                "true_negatives", "false_positive_rate", "recall", "late"):
        assert key in out
    assert (out["conversations"], out["true_positives"], out["true_negatives"]) == (2, 1, 1)
    table = invoke("backtest", str(conv))
    assert table.exit_code == 0 and "recall" in table.stdout.lower()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "messages": []}\n{"id": "b", "messages": [\n', "line 2"),
        ('{"id": "a", "messages": [{"role": "bot", "text": "x"}]}\n', "line 1"),
        (b'{"id": "a", "messages": [{"role": "customer", "text": "\xff"}]}\n', "line 1"),
    ],
)
def test_unreadable_input_exits_non_zero_with_the_line(files, content, message):
    tmp, _ = files
    bad = tmp / "bad.jsonl"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    r = invoke("backtest", str(bad))
    assert r.exit_code == 2 and message in r.output
    if message == "line 1":  # simulate reads only as far as the conversation it runs
        r = invoke("simulate", str(bad))
        assert r.exit_code == 2 and message in r.output


def test_missing_file_and_bad_clock(files):
    tmp, conv = files
    assert "does not exist" in invoke("backtest", str(tmp / "nope.jsonl")).output
    r = invoke("simulate", str(conv), "--at", "next tuesday")
    assert r.exit_code == 2 and "ISO-8601" in r.output


def test_check_config_prints_what_it_understood_without_secrets(files, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    r = invoke("check-config")
    assert r.exit_code == 0
    assert "billing" in r.stdout and "settings are valid" in r.stdout
    assert "xoxb-very-secret-token" not in r.stdout


def test_check_config_names_the_bad_key(files):
    tmp, _ = files
    bad = tmp / "bad.toml"
    bad.write_text("[routing]\ndefault_teem = 'x'\n")
    r = runner.invoke(app, ["check-config", "--settings", str(bad)])
    assert r.exit_code == 2 and "routing.default_teem" in r.output


def test_stats_json_keys(files):
    r = invoke("stats", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    for key in ("conversations", "handoffs", "handoff_rate", "by_reason", "by_category", "time_to_handoff_seconds",
                "time_to_first_human_response_seconds", "resolution_seconds", "csat", "repeat_contact_rate",
                "unnecessary_rate", "quality_score"):
        assert key in out


def test_setup_zendesk_needs_credentials(files):
    r = invoke("setup", "zendesk", "--url", "https://handoff.example.com/webhooks/zendesk")
    assert r.exit_code == 2 and "ZENDESK_EMAIL" in r.output


def test_setup_zendesk_creates_webhook_and_hides_the_secret(files, fake_zendesk, monkeypatch):
    monkeypatch.setenv("ZENDESK_EMAIL", fake_zendesk.email)
    monkeypatch.setenv("ZENDESK_API_TOKEN", fake_zendesk.token)
    monkeypatch.setenv("ZENDESK_URL", fake_zendesk.url)
    tmp, _ = files
    settings = tmp / "zd.toml"
    settings.write_text("[zendesk]\nsubdomain = 'acme'\n")
    args = ["setup", "zendesk", "--url", "https://handoff.example.com/webhooks/zendesk", "--settings", str(settings)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "ZENDESK_WEBHOOK_SECRET" in first.output
    [secret] = fake_zendesk.webhook_secrets.values()
    assert secret not in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0
    assert len(fake_zendesk.requests_to("/api/v2/webhooks", "POST")) == 1  # idempotent


def test_stats_of_real_handoffs_with_filters(files):
    from handoff.bootstrap import build_runtime
    from handoff.app.turns import TurnInput
    from handoff.settings import load_config

    import asyncio

    rt = build_runtime(load_config(REPO / "settings.toml"))
    try:
        for i, text in enumerate(["I want a human", "I was charged twice, refund me", "how do I export?"]):
            asyncio.run(rt.service.post_message(f"s-{i}", TurnInput(role="customer", text=text,
                                                                   customer=None)))
    finally:
        rt.close()
    out = json.loads(invoke("stats", "--json", "--since", "7d").stdout)
    assert out["conversations"] == 3 and out["handoffs"] == 2
    assert out["by_reason"]["explicit_request"] == 1
    assert out["quality_score"]["count"] == 2
    billing = json.loads(invoke("stats", "--json", "--team", "billing").stdout)
    assert billing["handoffs"] == 1
    assert invoke("stats", "--team", "nope").exit_code == 2
    bad = invoke("stats", "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.output
    table = invoke("stats")
    assert table.exit_code == 0 and "by reason" in table.stdout
    assert "no feedback yet" in table.stdout  # nobody claimed, solved or flagged anything: not "100%"
    assert "100.0%" not in table.stdout.split("by reason")[1].split("by category")[0]
    report = files[0] / "report.html"
    written = invoke("stats", "--html", str(report))
    assert written.exit_code == 0 and "report written" in written.stdout
    page = report.read_text()
    assert page.count('<figure class="chart"') >= 4 and 'data-chart="reasons"' in page
    assert "explicit_request" in page


def test_erase_dry_run_then_for_real(files):
    from handoff.bootstrap import build_runtime
    from handoff.core.models import Customer
    from handoff.app.turns import TurnInput
    from handoff.settings import load_config

    import asyncio

    rt = build_runtime(load_config(REPO / "settings.toml"))
    try:
        asyncio.run(rt.service.post_message("e-1", TurnInput(role="customer", text="I want a human",
                                                             customer=Customer(email="ana@example.com"))))
    finally:
        rt.close()
    dry = json.loads(invoke("erase", "--email", "ANA@example.com", "--json").stdout)
    assert dry["dry_run"] is True and dry["conversations"] == 1 and dry["conversation_ids"] == ["e-1"]
    text = invoke("erase", "--email", "ana@example.com")
    assert "1 conversation(s) would be erased: e-1." in text.stdout and "--yes" in text.stdout
    done = json.loads(invoke("erase", "--email", "ana@example.com", "--yes", "--json").stdout)
    assert done["dry_run"] is False and done["conversation_ids"] == dry["conversation_ids"]
    assert done["messages"] == dry["messages"] == 1 and done["handoffs"] == dry["handoffs"] == 1
    assert done["deliveries_cancelled"] == dry["deliveries_cancelled"]
    assert json.loads(invoke("erase", "--email", "ana@example.com", "--json").stdout)["conversations"] == 0
    assert invoke("erase").exit_code == 2
    assert invoke("erase", "--email", "a@b.c", "--conversation", "x").exit_code == 2


@pytest.mark.parametrize(("email", "says"), [
    ("", "empty"), ("   ", "empty"), ("%", "not an e-mail address"), ("ana", "not an e-mail address"),
    ("ana@", "not an e-mail address"), ("a b@example.com", "not an e-mail address"),
    ("a" * 320 + "@example.com", "longer than 320"),
])
def test_erase_refuses_an_empty_or_invalid_email_and_touches_nothing(files, email, says):
    from handoff.bootstrap import build_runtime
    from handoff.app.turns import TurnInput
    from handoff.settings import load_config
    from handoff.core.models import Customer

    import asyncio

    rt = build_runtime(load_config(REPO / "settings.toml"))
    try:
        asyncio.run(rt.service.post_message("e-1", TurnInput(role="customer", text="hello",
                                                             customer=Customer(email="ana@example.com"))))
    finally:
        rt.close()
    r = invoke("erase", "--email", email, "--yes")
    assert r.exit_code == 2 and says in r.output and "--email" in r.output
    assert json.loads(invoke("erase", "--email", "ana@example.com", "--json").stdout)["messages"] == 1


def test_setup_zendesk_defaults_to_the_public_url(files, fake_zendesk, monkeypatch):
    monkeypatch.setenv("ZENDESK_EMAIL", fake_zendesk.email)
    monkeypatch.setenv("ZENDESK_API_TOKEN", fake_zendesk.token)
    monkeypatch.setenv("ZENDESK_URL", fake_zendesk.url)
    settings = files[0] / "zd.toml"
    settings.write_text("[service]\npublic_url = 'https://handoff.acme.test/'\n[zendesk]\nsubdomain = 'acme'\n")
    r = runner.invoke(app, ["setup", "zendesk", "--settings", str(settings)])
    assert r.exit_code == 0, r.output
    [hook] = fake_zendesk.requests_to("/api/v2/webhooks", "POST")
    assert hook.json["webhook"]["endpoint"] == "https://handoff.acme.test/webhooks/zendesk"


@pytest.mark.parametrize("url", [None, "http://localhost:8000/webhooks/zendesk", "http://10.0.0.5/webhooks/zendesk",
                                 "http://[::1]:8000/webhooks/zendesk", "https://handoff.local/webhooks/zendesk",
                                 "http://192.168.1.20:8000/webhooks/zendesk"])
def test_setup_zendesk_refuses_a_url_zendesk_cannot_reach(files, fake_zendesk, monkeypatch, url):
    """Without --url the default public_url is http://127.0.0.1:8000: it was registered with Zendesk as is."""
    monkeypatch.setenv("ZENDESK_EMAIL", fake_zendesk.email)
    monkeypatch.setenv("ZENDESK_API_TOKEN", fake_zendesk.token)
    monkeypatch.setenv("ZENDESK_URL", fake_zendesk.url)
    settings = files[0] / "zd.toml"
    settings.write_text("[zendesk]\nsubdomain = 'acme'\n")
    r = runner.invoke(app, ["setup", "zendesk", "--settings", str(settings), *(["--url", url] if url else [])])
    assert r.exit_code == 2
    assert "--allow-local" in r.output and "[service] public_url" in r.output and "--url" in r.output
    assert fake_zendesk.requests_to("/api/v2/webhooks", "POST") == []
    allowed = runner.invoke(app, ["setup", "zendesk", "--settings", str(settings), "--allow-local",
                                  *(["--url", url] if url else [])])
    assert allowed.exit_code == 0, allowed.output
    [hook] = fake_zendesk.requests_to("/api/v2/webhooks", "POST")
    assert hook.json["webhook"]["endpoint"] == (url or "http://127.0.0.1:8000/webhooks/zendesk")
