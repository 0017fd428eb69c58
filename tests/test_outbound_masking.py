"""Every text that leaves the service, whatever its path, carries no raw card, credential or Slack markup.

A poisoned conversation (a customer whose name and messages hold card numbers, passwords, tokens,
IBANs, phones, e-mails and Slack control sequences) is handed off, called back, reminded, claimed,
solved and digested; the `/handoff` replies about it are rendered. Then everything Slack and Zendesk
received (their fakes record every request, whatever the code path that sent it), and everything the
local outbox kept, is searched: a new outbound path that forgets masking fails here.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handoff.bootstrap import build_runtime
from handoff.core.models import Customer, KBArticle
from handoff.core.render.slack_replies import (
    callbacks_reply,
    claim_reply,
    help_reply,
    parse_command,
    queue_reply,
    stats_reply,
    status_reply,
    usage_reply,
)
from handoff.app.turns import TurnInput
from jobs.callbacks import fire_due_callbacks
from jobs.reminders import remind_unclaimed
from tests.support.clock import Clock
from tests.support.settings import shipped_settings

SATURDAY = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York: the team is closed
MONDAY_OPENING = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)

NAME = "Ana <!channel> 5555 5555 5555 4444 *boss* <@U0BOSS>"
EMAIL = "ana.lima@bücher.de"
PHONE = "07700 900123"
MESSAGES = [
    "My card 4111 1111 1111 1111 123 was charged twice! <!here> call me on 07700 900123 or ana.lima@bücher.de",
    "Also 5555555555554444 05/29 and IBAN gb82 west 1234 5698 7654 32, ssn 123-45-6789. my password is hunter2",
    "Our key sk_live_51H8abcDEFghiJKLmnop and pat-na1-12345678-abcd-1234-abcd-1234567890ab, "
    "db https://bob:s3cret@db.example/ <http://evil.example|click here> `rm` ~x~ I want a real person now",
]
PAGE = "https://bob:s3cret@app.example.com/settings/billing?card=4111111111111111"
KB = (KBArticle("kb-1", "Refunds for 4111 1111 1111 1111", "https://kb.example/pw hunter2"),)

# never anywhere: cards (and their CVC), credentials, financial identifiers
NEVER = ["4111 1111 1111 1111", "4111111111111111", "1111 123", "5555 5555 5555 4444", "5555555555554444",
         "hunter2", "sk_live_51H8", "pat-na1-12345678", "s3cret", "west 1234", "123-45-6789"]
# never in Slack either: contact details, and Slack control sequences typed by the customer
NOT_IN_SLACK = [*NEVER, "ana.lima@", "900123", "<!channel>", "<!here>", "<@U0BOSS>", "<http://evil"]
# and no formatting in mrkdwn (Slack reads none in plain_text, where these may stay as typed)
FORMATTING = ["*boss*", "`rm`", "~x~"]
PLAIN = "\0plain_text:"


def _strings(value: Any) -> list[str]:
    """Every string inside a value (JSON in strings included); plain_text ones marked with PLAIN."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return _strings(parsed) if isinstance(parsed, (dict, list)) else [value]
    if isinstance(value, dict):
        if value.get("type") == "plain_text" and isinstance(value.get("text"), str):
            return [PLAIN + value["text"]]
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _leaks(texts: list[str], forbidden: list[str]) -> list[tuple[str, str]]:
    found = [(f, t[:200]) for t in texts for f in forbidden if f in t]
    if forbidden is NOT_IN_SLACK:
        found += [(f, t[:200]) for t in texts if not t.startswith(PLAIN) for f in FORMATTING if f in t]
    # a card's digits with any separators between them
    found += [("card digits", t[:200]) for t in texts if re.search(r"411111111111|555555555555", re.sub(r"\D", "", t))]
    return found


def _poisoned_turns() -> list[TurnInput]:
    customer = Customer(email=EMAIL, name=NAME, language="en")
    return [
        TurnInput(role="customer", text=MESSAGES[0], customer=customer, page_url=PAGE),
        TurnInput(role="ai", text=f"I think it may be pending. {MESSAGES[1]}", confidence=0.4, kb_articles=KB,
                  ai_actions=("refund 4111111111111111",)),
        TurnInput(role="customer", text=MESSAGES[2]),
    ]


async def _live_a_poisoned_handoff(rt: Any) -> tuple[str, list[dict[str, Any]]]:
    """Hand off, call back, remind, claim and solve a poisoned conversation; the /handoff replies about it."""
    rt.service.on_handoff = lambda _id: None
    result: dict[str, Any] = {}
    for turn in _poisoned_turns():
        result = await rt.service.post_message("c-poison 4111111111111111", turn)
    assert result["decision"] == "handoff"
    hid = result["handoff_id"]
    replies = [queue_reply(await rt.operations.queue()), callbacks_reply(await rt.operations.callbacks()),
               status_reply(await rt.operations.status(hid), hid)]
    await _deliver(rt)

    rt.clock.set(MONDAY_OPENING)
    assert fire_due_callbacks(rt.sessions, rt.config.settings, rt.clock, rt.targets) == [hid]
    await _deliver(rt)
    rt.clock.advance(hours=3)
    assert remind_unclaimed(rt.sessions, rt.config.settings, rt.clock, rt.targets) == [hid]
    await _deliver(rt)
    replies.append(claim_reply(await rt.operations.claim(hid, "sam")))
    await _deliver(rt)
    with rt.sessions() as s:
        from handoff.storage.tables import HandoffRow

        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id or 0
    rt.operations.ticket_event(ticket_id, "solved", {"actor_id": 1}, rt.clock())
    await _deliver(rt)
    replies += [status_reply(await rt.operations.status(hid), hid), stats_reply(await rt.operations.stats()),
                queue_reply(await rt.operations.queue())]
    for typed in (f"status {NAME}", "status 4111111111111111", "nope <!channel> pw hunter2"):
        cmd = parse_command(typed)
        replies.append(usage_reply(cmd) if cmd.error else help_reply(cmd.arg) if cmd.name == "unknown"
                       else status_reply(await rt.operations.status(str(cmd.arg)), str(cmd.arg)))
    rt.clock.set(MONDAY_OPENING + timedelta(days=7, hours=2))
    assert await rt.run_digest() is not None
    return hid, [r.kwargs() for r in replies]


def _queued(rt: Any) -> dict[str, list[str]]:
    """The texts of every delivery queued, by destination: what producers wrote, before any connector."""
    from sqlalchemy import select

    from handoff.storage.tables import DeliveryRow

    with rt.sessions() as s:
        rows = s.scalars(select(DeliveryRow)).all()
    out: dict[str, list[str]] = {"slack": [], "zendesk": []}
    for row in rows:
        out["slack" if row.kind.startswith("slack") else "zendesk"].extend(_strings(row.payload))
    assert {r.kind for r in rows} >= {"zendesk_ticket", "zendesk_update", "slack_alert", "slack_update", "slack_message"}
    return out


async def _deliver(rt: Any) -> None:
    # a few rounds: updates wait for the alert and the ticket they belong to
    for _ in range(4):
        await rt.dispatcher.run_due()
        rt.clock.advance(seconds=120)


@pytest.fixture
def vendors_runtime(make_config, tmp_path, fake_zendesk, fake_slack):
    text = shipped_settings(tmp_path / "outbox", {
        '# subdomain = "acme"': 'subdomain = "acme"',
    })
    env = {"ZENDESK_EMAIL": fake_zendesk.email, "ZENDESK_API_TOKEN": fake_zendesk.token, "ZENDESK_URL": fake_zendesk.url,
           "SLACK_BOT_TOKEN": fake_slack.token, "SLACK_API_URL": fake_slack.api_url}
    rt = build_runtime(make_config(text, **env), clock=Clock(SATURDAY))
    yield rt
    rt.close()


async def test_nothing_raw_reaches_slack_or_zendesk(vendors_runtime, fake_slack, fake_zendesk):
    hid, replies = await _live_a_poisoned_handoff(vendors_runtime)

    methods = {name for name, _ in fake_slack.calls}
    assert {"chat.postMessage", "chat.update"} <= methods  # alert, DM, thread notes, card updates, digest
    threads = [m for m in fake_slack.messages if m["thread_ts"]]
    assert any("Callback due" in m["text"] for m in threads) and any("Still unclaimed" in m["text"] for m in threads)
    assert any(m["channel"].startswith("D") for m in fake_slack.messages)  # the DM to the agent
    slack_texts = [s for _, params in fake_slack.calls for s in _strings(params)] + _strings(replies)
    leaks = _leaks(slack_texts, NOT_IN_SLACK)
    assert leaks == [], "\n".join(map(str, leaks))
    # what the customer wrote is still there, masked and defused
    joined = "\n".join(slack_texts)
    assert "•••• 1111 •••" in joined and "&lt;!channel&gt;" in joined and "＊boss＊" in joined

    queued = _queued(vendors_runtime)
    leaks = _leaks(queued["slack"], NOT_IN_SLACK) + _leaks(queued["zendesk"], NEVER)
    assert leaks == [], "\n".join(map(str, leaks))
    assert any(EMAIL in t for t in queued["zendesk"])

    zendesk = [s for r in fake_zendesk.requests if r.method in ("POST", "PUT") for s in _strings(r.json)]
    assert zendesk and _leaks(zendesk, NEVER) == []
    note = next(s for s in zendesk if "WHY ESCALATED" in s)
    # agents call and write back: contact details stay in the ticket
    assert EMAIL in note and PHONE in note and "•••• 1111" in note
    subjects = [t["subject"] for t in fake_zendesk.tickets.values()]
    assert subjects and all("5555" not in s and "[Handoff] Ana" in s for s in subjects)
    assert [u["name"] for u in fake_zendesk.users.values() if u.get("email") == EMAIL] == ["Ana <!channel> •••• 4444 *boss* <@U0BOSS>"]


async def test_nothing_raw_is_kept_in_the_local_outbox(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock(SATURDAY))
    try:
        await _live_a_poisoned_handoff(rt)
    finally:
        rt.close()
    files = sorted(p for p in (tmp_path / "outbox").rglob("*") if p.is_file())
    assert {p.parent.name for p in files} >= {"zendesk", "slack", "updates"}
    kept = [s for p in files for s in _strings(p.read_text(encoding="utf-8"))]
    assert _leaks(kept, NEVER) == []
    slack = [s for p in files if p.parent.name == "slack" for s in _strings(p.read_text(encoding="utf-8"))]
    assert _leaks(slack, NOT_IN_SLACK) == []
    note = (tmp_path / "outbox" / "zendesk").glob("*.txt")
    assert all(EMAIL in p.read_text(encoding="utf-8") for p in note)


def test_the_poison_would_leak_unmasked() -> None:
    # the check above can fail: the poison holds every forbidden string before masking
    raw = [NAME, EMAIL, *MESSAGES, PAGE, KB[0].title, KB[0].url or ""]
    assert {f for f, _ in _leaks(raw, NOT_IN_SLACK)} == set(NOT_IN_SLACK) | set(FORMATTING) | {"card digits"}

