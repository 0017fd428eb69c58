"""The `/handoff` command language and every reply the Slack app sends: pure text and Block Kit.

Nothing here talks to Slack. Everything shown passes `_text` (`handoff.core.masking.for_slack`): PII
masked (anyone in the workspace may read the queue, see `handoff.edge.slack.app`), Slack markup escaped and
its formatting neutralised, cut to the field's limit; headers pass `for_slack_plain`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handoff.core.masking import for_slack, for_slack_plain, mask_email
from handoff.core.render.slack_card import SECTION_TEXT_MAX, truncate

QUEUE_ITEMS_MAX = 20  # items listed by `queue`; the rest are counted
CALLBACKS_MAX = 20
REASONS_MAX = 8
SUMMARY_CHARS = 200
FALLBACK_MAX = 300
BLOCKS_MAX = 50

COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("help", "this list"),
    "queue": ("queue [team]", "open handoffs (of one team) and deliveries that failed for good"),
    "status": ("status ID", "where one handoff stands: route, agent, deliveries"),
    "claim": ("claim ID", "take a handoff yourself (agents only)"),
    "available": ("available", "let routing send you new handoffs (agents only)"),
    "away": ("away", "stop new handoffs coming to you; active ones stay yours (agents only)"),
    "callbacks": ("callbacks", "scheduled callbacks to customers, soonest first"),
    "stats": ("stats", "handoff rate, reasons, response times, quality"),
}
AGENT_ONLY: frozenset[str] = frozenset({"claim", "available", "away"})
_NEEDS_ID: frozenset[str] = frozenset({"status", "claim"})
_HANDOFF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_TEAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_PRIORITY = {"urgent": ":rotating_light:", "high": ":warning:", "normal": ":speech_balloon:", "low": ":speech_balloon:"}


@dataclass(frozen=True)
class Command:
    """One parsed `/handoff` line: a subcommand, its argument, or why it cannot run."""

    name: str  # a key of COMMANDS, or "unknown"
    arg: str | None = None
    error: str | None = None  # a usage problem: shown instead of running the command
    raw: str = ""


@dataclass(frozen=True)
class Reply:
    """A message for Slack: `text` is the notification fallback, or the whole message without blocks."""

    text: str
    blocks: list[dict[str, Any]] | None = None

    def kwargs(self) -> dict[str, Any]:
        """The arguments for ack/respond/chat.postEphemeral."""
        return {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}


def _strip_wrapping(word: str) -> str:
    # people paste ids from the card, where they are in `code` or *bold*
    return word.strip("`*_\"'<>“”‘’")


def parse_command(text: str | None) -> Command:
    """Parse the text after `/handoff` (case-insensitive subcommand; empty means help)."""
    raw = (text or "").strip()
    words = raw.split()
    if not words:
        return Command("help", raw=raw)
    name = words[0].lower()
    rest = [w for w in (_strip_wrapping(w) for w in words[1:]) if w]
    if name not in COMMANDS:
        return Command("unknown", arg=words[0], raw=raw)
    usage = f"usage: `/handoff {COMMANDS[name][0]}`"
    if name in _NEEDS_ID:
        if len(rest) != 1:
            return Command(name, error=usage, raw=raw)
        if not _HANDOFF_ID.fullmatch(rest[0]):
            return Command(name, error=f"{_code(rest[0])} is not a handoff id; {usage}", raw=raw)
        return Command(name, arg=rest[0], raw=raw)
    if name == "queue":
        if len(rest) > 1 or (rest and not _TEAM.fullmatch(rest[0])):
            return Command(name, error=usage, raw=raw)
        return Command(name, arg=rest[0] if rest else None, raw=raw)
    if rest:
        return Command(name, error=f"`{name}` takes no argument; {usage}", raw=raw)
    return Command(name, raw=raw)


# -- helpers --------------------------------------------------------------------------------------


def _text(value: Any, limit: int = SECTION_TEXT_MAX) -> str:
    """Any value as safe mrkdwn: masked, escaped, formatting neutralised, on one line, cut."""
    return truncate(for_slack(value), limit)


def _code(value: Any) -> str:
    return f"`{_text(value, 80)}`"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_MAX)}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(for_slack_plain(text), 150), "emoji": True}}


def _packed(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit Slack's 3000 characters each."""
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, SECTION_TEXT_MAX)
        if current and size + 1 + len(line) > SECTION_TEXT_MAX:
            blocks.append(_section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        blocks.append(_section("\n".join(current)))
    return blocks


def _reply(fallback: str, blocks: list[dict[str, Any]]) -> Reply:
    return Reply(truncate(fallback, FALLBACK_MAX), blocks[:BLOCKS_MAX])


def slack_date(value: Any) -> str:
    """A time as Slack's date token (shown in each reader's own time zone), or "–"."""
    if value in (None, ""):
        return "–"
    when: datetime | None = value if isinstance(value, datetime) else None
    if when is None:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return _text(value, 80)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    fallback = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def duration(seconds: Any) -> str:
    """Seconds as `45s`, `12m`, `3h 5m`, `2d 4h`; "–" when unknown."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "–"
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def _percent(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "–"
    return f"{value * 100:.1f}%"


def _customer(value: Any) -> str:
    if isinstance(value, Mapping):
        name = value.get("name")
        email = mask_email(value.get("email")) if value.get("email") else None
        who = " ".join(x for x in (name, f"({email})" if email and name else email) if x)
        return _text(who or "unknown customer", 200)
    return _text(value or "unknown customer", 200)


def _words(value: Any) -> str:
    return str(value or "").replace("_", " ")


# -- fixed texts ----------------------------------------------------------------------------------


def help_reply(unknown: str | None = None, command: str = "/handoff") -> Reply:
    """The list of subcommands; with `unknown`, says that word was not one."""
    lines = [f"`{command} {usage}`: {what}" for usage, what in COMMANDS.values()]
    head = f":grey_question: Unknown command `{_text(unknown, 40)}`. " if unknown else ""
    intro = f"{head}*Handoff commands*"
    note = ("_Anyone in the workspace can read the queue, status, callbacks and stats (customer details are "
            "masked); claiming and availability are for agents listed in settings.toml._")
    text = "\n".join([intro, *lines, note])
    fallback = (f"Unknown command {_text(unknown, 40)}. " if unknown else "") + f"Handoff commands: {command} help"
    return Reply(truncate(fallback, FALLBACK_MAX), [_section(text)])


def usage_reply(cmd: Command) -> Reply:
    """A command typed wrong: what was wrong and how it is written."""
    return Reply(f":warning: {cmd.error}")


def not_agent_reply(action: str, slack_user_id: str) -> Reply:
    """Refusal for someone who is not an agent in settings.toml."""
    uid = _text(slack_user_id or "unknown", 40)
    return Reply(
        f":no_entry: Only Handoff agents listed in settings.toml can {action}; ask an admin to add your "
        f"Slack user id (`{uid}`) to your agent entry (`slack_user_id = \"{uid}\"`)."
    )


def working_text(cmd: Command) -> str:
    """The short acknowledgement shown at once while the answer is being prepared."""
    return {
        "queue": "Looking up the queue…",
        "status": f"Looking up {_code(cmd.arg)}…",
        "claim": f"Claiming {_code(cmd.arg)}…",
        "available": "Marking you available…",
        "away": "Marking you away…",
        "callbacks": "Looking up callbacks…",
        "stats": "Computing stats…",
    }.get(cmd.name, "Working on it…")


def failure_reply(what: str) -> Reply:
    """Something failed behind the command; no detail (it may hold customer data), where to look."""
    return Reply(f":x: Something went wrong while {what}. Try again; if it keeps failing, "
                 "check the Handoff service logs.")


# -- results of operations ------------------------------------------------------------------------


def claim_reply(result: Mapping[str, Any]) -> Reply:
    """The answer to a claim (command or button)."""
    hid = _code(result.get("handoff_id") or "?")
    message = _text(result.get("message") or "", 500)
    if result.get("ok"):
        tail = f" {message}" if message else ""
        return Reply(f":white_check_mark: You claimed {hid}; the alert now shows it.{tail}")
    return Reply(f":warning: Could not claim {hid}: {message or 'refused'}")


def availability_reply(result: Mapping[str, Any]) -> Reply:
    """The answer to `available` / `away`."""
    active = result.get("active")
    if result.get("available"):
        text = ":large_green_circle: You're *available*: new handoffs can be routed to you."
    else:
        text = (":double_vertical_bar: You're *away*: no new handoffs will be routed to you; "
                "the ones you hold stay yours.")
    if isinstance(active, bool):
        if not active:
            text += " Note: your agent entry is inactive in settings.toml, so routing skips you anyway."
    elif isinstance(active, int):
        text += f" You hold {active} active handoff{'s' if active != 1 else ''}."
    elif isinstance(active, Sequence) and not isinstance(active, str):
        text += f" You hold {len(active)} active handoff{'s' if len(active) != 1 else ''}."
    return Reply(text)


def unnecessary_reply(result: Mapping[str, Any], handoff_id: str) -> Reply:
    """The answer to "AI could have handled this"."""
    message = _text(result.get("message") or "", 500)
    if result.get("ok"):
        tail = f" {message}" if message else ""
        return Reply(f":memo: Thanks: recorded that the AI could have handled {_code(handoff_id)}.{tail}")
    return Reply(f":warning: Could not record feedback on {_code(handoff_id)}: {message or 'refused'}")


def _queue_line(item: Mapping[str, Any]) -> str:
    priority = str(item.get("priority") or "normal")
    bits = [f"{_PRIORITY.get(priority, ':speech_balloon:')} *{_text(priority, 20)}*", _code(item.get("handoff_id"))]
    if item.get("category"):
        bits.append(_text(_words(item["category"]), 60))
    if item.get("team"):
        bits.append(f"team {_text(item['team'], 60)}")
    bits.append(f"→ {_text(item['agent'], 80)}" if item.get("agent") else "unassigned")
    bits.append(f"since {slack_date(item.get('created_at'))}")
    line = " · ".join(bits)
    if item.get("summary"):
        line += f"\n> {_text(item['summary'], SUMMARY_CHARS)}"
    return line


def queue_reply(data: Mapping[str, Any], team: str | None = None) -> Reply:
    """Open handoffs, oldest first as given, and deliveries that failed for good."""
    items = list(data.get("open") or [])
    dead = list(data.get("dead_deliveries") or [])
    where = f" in team {_text(team, 60)}" if team else ""
    blocks: list[dict[str, Any]] = [_header(f"Open handoffs{f' in team {team}' if team else ''}: {len(items)}")]
    if items:
        lines = [_queue_line(i) for i in items[:QUEUE_ITEMS_MAX]]
        if len(items) > QUEUE_ITEMS_MAX:
            lines.append(f"_… and {len(items) - QUEUE_ITEMS_MAX} more_")
        blocks.extend(_packed(lines))
    else:
        blocks.append(_section(f":tada: Nothing open{where}."))
    if dead:
        head = (f":x: *{len(dead)} deliver{'ies' if len(dead) != 1 else 'y'} failed for good* "
                "(nothing retries them; check the service logs and `handoff stats`):")
        lines = [head] + [
            f"• {_code(d.get('handoff_id'))} {_text(_words(d.get('kind')), 40)}: "
            f"{_text(d.get('last_error') or 'no error recorded', 300)}"
            for d in dead[:QUEUE_ITEMS_MAX]
        ]
        if len(dead) > QUEUE_ITEMS_MAX:
            lines.append(f"_… and {len(dead) - QUEUE_ITEMS_MAX} more_")
        blocks.extend(_packed(lines))
    fallback = f"{len(items)} open handoffs{where}" + (f", {len(dead)} failed deliveries" if dead else "")
    return _reply(fallback, blocks)


def status_reply(data: Mapping[str, Any] | None, handoff_id: str) -> Reply:
    """Where one handoff stands; a clear "not found" when there is no such handoff."""
    if data is None:
        return Reply(f":mag: No handoff {_code(handoff_id)}. Ids look like `h_3f9a…` (see the alert's footer).")
    briefing = data.get("briefing") if isinstance(data.get("briefing"), Mapping) else {}
    status = str(data.get("status") or "unknown")
    priority = str(data.get("priority") or "normal")
    blocks: list[dict[str, Any]] = [_header(f"Handoff {data.get('handoff_id') or handoff_id}: {_words(status)}")]
    if briefing.get("summary"):
        blocks.append(_section(_text(briefing["summary"], 1500)))
    agent = data.get("claimed_by") or data.get("agent")
    rows = [
        ("Priority", f"{_PRIORITY.get(priority, '')} {_text(priority, 20)}".strip()),
        ("Category", _text(_words(data.get("category") or "–"), 80)),
        ("Team", _text(data.get("team") or "–", 80)),
        ("Agent", _text(agent, 80) if agent else "unassigned"),
        ("Customer", _customer(briefing.get("customer") or "unknown customer")),
        ("Created", slack_date(data.get("created_at"))),
    ]
    if data.get("callback_at"):
        rows.append(("Callback", slack_date(data["callback_at"])))
    if data.get("zendesk_ticket_id"):
        rows.append(("Zendesk", f"ticket #{_text(data['zendesk_ticket_id'], 20)}"))
    blocks.append({"type": "section", "fields": [
        {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", 2000)} for label, value in rows[:10]
    ]})
    reasons = [r for r in data.get("reasons") or [] if isinstance(r, Mapping)]
    if reasons:
        lines = ["*Why escalated*"] + [
            f"• {_text(_words(r.get('trigger')), 60)}"
            + (f" [msg {_text(r.get('message_index'), 10)}]" if r.get("message_index") is not None else "")
            + (f": “{_text(r['evidence'], 200)}”" if r.get("evidence") else "")
            for r in reasons[:REASONS_MAX]
        ]
        blocks.extend(_packed(lines))
    deliveries = [d for d in data.get("deliveries") or [] if isinstance(d, Mapping)]
    if deliveries:
        lines = ["*Deliveries*"]
        for d in deliveries[:QUEUE_ITEMS_MAX]:
            line = (f"• {_text(_words(d.get('kind')), 40)} → {_text(d.get('target') or '–', 40)}: "
                    f"*{_text(d.get('status'), 20)}*")
            if d.get("attempts"):
                line += f" after {_text(d['attempts'], 6)} attempt{'s' if d['attempts'] != 1 else ''}"
            if d.get("last_error") and d.get("status") != "sent":
                line += f" ({_text(d['last_error'], 200)})"
            lines.append(line)
        blocks.extend(_packed(lines))
    fallback = f"Handoff {_text(data.get('handoff_id') or handoff_id, 80)}: {_text(_words(status), 40)}"
    return _reply(fallback, blocks)


def callbacks_reply(items: Sequence[Mapping[str, Any]]) -> Reply:
    """Scheduled callbacks, as given (soonest first)."""
    if not items:
        return Reply(":telephone_receiver: No callbacks scheduled.")
    blocks: list[dict[str, Any]] = [_header(f"Scheduled callbacks: {len(items)}")]
    lines = [
        f"• {slack_date(c.get('callback_at'))} · {_code(c.get('handoff_id'))} · team {_text(c.get('team') or '–', 60)}"
        f" · {_customer(c.get('customer'))}"
        for c in items[:CALLBACKS_MAX]
    ]
    if len(items) > CALLBACKS_MAX:
        lines.append(f"_… and {len(items) - CALLBACKS_MAX} more_")
    blocks.extend(_packed(lines))
    return _reply(f"{len(items)} scheduled callbacks", blocks)


def _counts(value: Any, limit: int = REASONS_MAX) -> str:
    if not isinstance(value, Mapping) or not value:
        return "–"
    top = sorted(value.items(), key=lambda kv: (-(kv[1] if isinstance(kv[1], (int, float)) else 0), str(kv[0])))
    shown = ", ".join(f"{_text(_words(k), 40)} {_text(v, 12)}" for k, v in top[:limit])
    return shown + (f", … {len(top) - limit} more" if len(top) > limit else "")


def _spread(value: Any) -> str:
    if not isinstance(value, Mapping):
        return duration(value)
    return f"median {duration(value.get('median'))} · p90 {duration(value.get('p90'))}"


def _plain_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, Mapping):
        return _counts(value)
    return _text(value, 200)


def _csat(value: Any) -> str:
    if isinstance(value, Mapping):
        handoff = (value.get("handoff") or {}).get("rate")
        ai_only = (value.get("ai_only") or {}).get("rate")
        return f"{_percent(handoff)} / {_percent(ai_only)}"
    return _percent(value) if isinstance(value, float) else _plain_value(value)


def _quality(value: Any) -> str:
    if isinstance(value, Mapping):
        mean = value.get("mean")
        return "n/a" if mean is None else f"{mean:.1f} / 100 ({value.get('count', 0)} handoffs)"
    return _plain_value(value)


def stats_reply(data: Mapping[str, Any]) -> Reply:
    """The `handoff stats --json` object as one readable message."""
    rows: list[tuple[str, str]] = [
        ("Conversations", _plain_value(data.get("conversations"))),
        ("Handoffs", _plain_value(data.get("handoffs"))),
        ("Handoff rate", _percent(data.get("handoff_rate"))),
        ("Time to handoff", _spread(data.get("time_to_handoff_seconds"))),
        ("First human response", _spread(data.get("time_to_first_human_response_seconds"))),
        ("Resolution", _spread(data.get("resolution_seconds"))),
        ("CSAT after handoff / AI-only", _csat(data.get("csat"))),
        ("Repeat contact rate", _percent(data.get("repeat_contact_rate"))),
        ("Unnecessary rate", _percent(data.get("unnecessary_rate"))),
        ("Quality score", _quality(data.get("quality_score"))),
    ]
    blocks: list[dict[str, Any]] = [
        _header("Handoff stats"),
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", 2000)} for label, value in rows[:10]
        ]},
        _section(f"*By reason*: {_counts(data.get('by_reason'))}\n*By category*: {_counts(data.get('by_category'))}"),
    ]
    dead = data.get("dead_deliveries")
    if isinstance(dead, int) and not isinstance(dead, bool) and dead:
        noun = "deliveries" if dead != 1 else "delivery"
        blocks.append(_section(f":x: {dead} {noun} failed for good: see `/handoff queue`."))
    handoffs, rate = _plain_value(data.get("handoffs")), _percent(data.get("handoff_rate"))
    fallback = f"Handoff stats: {handoffs} handoffs, rate {rate}"
    return _reply(fallback, blocks)
