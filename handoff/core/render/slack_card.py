"""The briefing as a Slack Block Kit card, within Slack's limits, with PII masked.

Every piece of text that is not the renderer's own goes through `_mrkdwn` or `_plain`
(`handoff.core.masking.for_slack`): mask PII, escape what Slack would read as markup and neutralise its
formatting (a customer typing `<!channel>` must not ping a channel, `*…*` must not look like our
headings), then cut to the field's limit without leaving half an escape behind.

Its size does not grow with the conversation: it quotes the last `slack_transcript_messages` messages and the
last `ai_attempts` AI replies, counts the earlier ones, and links to the full transcript.
"""
from __future__ import annotations

import re
from typing import Any

from handoff.core.brief import Briefing, BriefingSettings, masked_clip
from handoff.core.brief.text import counted
from handoff.core.masking import (
    for_slack,
    for_slack_plain,
    mask_email,
    mask_pii,
    slack_escape,
)
from handoff.core.models import Route
from handoff.core.render.similar_cases import card_lines

HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
BLOCKS_MAX = 50
CONTEXT_ELEMENTS_MAX = 10
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255
FALLBACK_MAX = 300

ACTION_CLAIM = "handoff_claim"
ACTION_OPEN_TICKET = "handoff_open_ticket"
ACTION_UNNECESSARY = "handoff_unnecessary"
ACTION_RELEASE = "handoff_release"

_TRAJECTORY = {"green": ":large_green_circle:", "yellow": ":large_yellow_circle:", "red": ":red_circle:"}
_PRIORITY = {"urgent": ":rotating_light:", "high": ":warning:", "normal": ":speech_balloon:", "low": ":speech_balloon:"}
_ROLE = {"customer": "Customer", "ai": "AI", "agent": "Agent"}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup."""
    return slack_escape(text)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters with an ellipsis, never splitting an `&amp;`-style escape."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    cut = re.sub(r"&[a-z]{0,4}$", "", cut)
    return cut + "…"


def _mrkdwn(text: str, limit: int) -> str:
    return truncate(for_slack(text), limit)


def _plain(text: str, limit: int) -> str:
    return truncate(for_slack_plain(text), limit)


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_MAX)}}
    if block_id:
        block["block_id"] = block_id[:BLOCK_ID_MAX]
    return block


def _titled(title: str, lines: list[str]) -> dict[str, Any]:
    """A section `*Title*` plus lines, dropping whole lines (then cutting) to stay within 3000."""
    head = f"*{title}*"
    body: list[str] = []
    used = len(head)
    for i, line in enumerate(lines):
        if used + 1 + len(line) > SECTION_TEXT_MAX - 40:
            body.append(f"_… {len(lines) - i} more_")
            break
        body.append(line)
        used += 1 + len(line)
    return _section("\n".join([head, *body]))


def _field(label: str, value: str) -> dict[str, str]:
    text = f"*{label}*\n{value}"
    return {"type": "mrkdwn", "text": truncate(text, FIELD_TEXT_MAX)}


def _button(text: str, action_id: str, **extra: Any) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT_MAX), "emoji": True},
        "action_id": action_id[:ACTION_ID_MAX],
    }
    button.update(extra)
    return button


def _reason_lines(b: Briefing) -> list[str]:
    """One line per reason, messages numbered from 1; two triggers on one message quote it once."""
    lines, quoted = [], set()
    for r in b.reasons:
        again = (r.message_index, r.evidence) in quoted
        quoted.add((r.message_index, r.evidence))
        at = f" [msg {r.message_index + 1}]" if r.message_index >= 0 else ""
        lines.append(f"• {_mrkdwn(r.trigger.replace('_', ' '), 200)}{at}"
                     + (f": “{_mrkdwn(r.evidence, 300)}”" if r.evidence and not again else ""))
    return lines


def _wait(route: Route) -> str | None:
    if not route.on_shift and route.callback_at is not None:
        return f"off hours, callback {route.callback_at.strftime('%Y-%m-%d %H:%M %Z').strip()}"
    bits = []
    if route.agent is None and route.queue_position:  # 0 means an agent was picked: nobody is in line
        bits.append(f"#{route.queue_position} in queue")
    if route.expected_wait_seconds is not None:
        minutes = max(1, round(route.expected_wait_seconds / 60))
        bits.append(f"~{minutes} min")
    return ", ".join(bits) or None


def _fields(b: Briefing, route: Route | None) -> list[dict[str, str]]:
    c = b.customer
    who = c.name or "unknown"
    if c.email:
        who += f" ({mask_email(c.email)})"
    # values from outside (the customer, the bot, Stripe, HubSpot, settings) are rendered; ours are not
    ext = lambda value: _mrkdwn(value, FIELD_TEXT_MAX) if value else None  # noqa: E731
    candidates: list[tuple[str, str | None]] = [
        ("Customer", ext(who)),
        ("Priority", f"{_PRIORITY.get(b.priority, '')} {b.priority}".strip()),
        (
            "Sentiment",
            f"{_TRAJECTORY.get(b.trajectory, '')} {b.trajectory}"
            + (f" ({b.sentiment_now:+.2f})" if b.sentiment_now is not None else ""),
        ),
        ("Tier", ext(next((f.value for f in b.account_facts if f.label == "Tier"), None))),
    ]
    if route is not None:
        team = route.team + (f" → {route.agent_name or route.agent}" if (route.agent_name or route.agent) else "")
        candidates.append(("Team", ext(team)))
        candidates.append(("Wait", _wait(route)))
    conf = b.ai_confidence.get("last")
    if conf is not None:
        candidates.append(("AI confidence", f"last {conf:.2f}, min {b.ai_confidence.get('min') or 0:.2f}"))
    plan = next((f.value for f in b.account_facts if f.source == "stripe" and f.label == "Plan"), None)
    mrr = next((f.value for f in b.account_facts if f.source == "stripe" and f.label == "MRR"), None)
    if plan or mrr:
        candidates.append(("Plan", ext(" · ".join(x for x in (plan, mrr) if x))))
    if b.page_label or b.page_url:
        candidates.append(("Page", ext(b.page_label or b.page_url)))
    zendesk = b.account.source("zendesk")
    known = zendesk is not None and zendesk.status == "ok"
    candidates.append(("Open tickets", str(len(b.open_tickets)) if known else "unknown"))
    fields = [_field(label, value) for label, value in candidates if value]
    return fields[:FIELDS_MAX]


def _account_lines(b: Briefing) -> list[str]:
    shown = {"Tier", "Plan", "MRR"}
    lines: dict[str, list[str]] = {}
    for f in b.account_facts:
        if f.source == "signals" or f.label in shown and f.source == "stripe":
            continue
        text = f.value if f.label == "Status" else f"{f.label}: {f.value}"
        lines.setdefault(f.source, []).append(text)
    names = {"stripe": "Stripe", "hubspot": "HubSpot", "zendesk": "Zendesk"}
    return [f"*{names.get(k, k)}*: {_mrkdwn(' · '.join(v), 600)}" for k, v in lines.items()]


def _transcript_lines(b: Briefing, settings: BriefingSettings) -> list[str]:
    n = settings.slack_transcript_messages
    if n <= 0:
        return []
    out = []
    for m in b.transcript[-n:]:
        text = _mrkdwn(masked_clip(m.text, settings.slack_message_chars, mask_pii), settings.slack_message_chars + 200)
        out.append(f"> *{_ROLE.get(m.role, m.role)}* [{m.index + 1}]: {text}")
    return out


def _link(url: str | None, label: str) -> str:
    # a URL with Slack's link syntax in it would break out of the link: show the label alone then
    if not url or any(c in url for c in "<>| "):
        return label
    return f"<{url}|{label}>"


def render_slack_card(
    b: Briefing,
    *,
    handoff_id: str,
    ticket_url: str | None,
    route: Route | None,
    settings: BriefingSettings | None = None,
    transcript_url: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Render the briefing as (fallback text, Block Kit blocks) for a Slack alert; `transcript_url` is where
    the full transcript is."""
    settings = settings or b.settings
    category = (b.category or "handoff").replace("_", " ")
    header = _plain(f"{b.priority.upper()} handoff: {category} ({b.customer.name or 'customer'})", HEADER_MAX)
    fallback = _mrkdwn(f"{b.priority.upper()} handoff ({category}): {b.summary}", FALLBACK_MAX)

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        _section(_mrkdwn(b.summary, SECTION_TEXT_MAX)),
    ]
    fields = _fields(b, route)
    if fields:
        blocks.append({"type": "section", "fields": fields})
    if b.reasons:
        blocks.append(
            _titled(
                "Why escalated",
                _reason_lines(b),
            )
        )
    if b.ai_attempts:
        listed = b.ai_attempts[-settings.ai_attempts :]
        lines = []
        for a in listed:
            conf = f" ({a.confidence:.2f})" if a.confidence is not None else ""
            kb = f" · KB: {_mrkdwn(', '.join(k.title or k.id for k in a.kb_articles), 200)}" if a.kb_articles else ""
            # mask the whole message, then cut: a cut can split a card number past recognition
            excerpt = masked_clip(a.full_text or a.excerpt, min(settings.excerpt_chars, 400), mask_pii)
            lines.append(f"• [{a.message_index + 1}]{conf} {_mrkdwn(excerpt, 600)}{kb}")
        omitted = max(b.ai_attempts_total, len(b.ai_attempts)) - len(listed)
        if omitted:
            lines.insert(0, f"_… {counted(omitted, 'earlier reply', 'earlier replies')} not shown_")
        blocks.append(_titled("What the AI tried", lines))
    account = _account_lines(b)
    if account:
        blocks.append(_titled("Account", account))
    if b.similar:
        blocks.append(_titled("Similar cases", card_lines(b.similar, _mrkdwn)))
    blocks.append(_titled("Recommended next action", [_mrkdwn(b.recommended_action, 2000)]))
    # the replies share the greeting's block: the card stays within Slack's block limit
    replies = [f"{i}. {_mrkdwn(r, 450)}" for i, r in enumerate(b.suggested_replies, 1)]
    if replies:
        replies.insert(0, "_Suggested replies" + (" (LLM)" if b.suggested_replies_source == "llm" else "") + ":_")
    blocks.append(_titled("Suggested greeting", [_mrkdwn(b.greeting, 1000), *replies]))
    transcript = _transcript_lines(b, settings)
    if transcript:
        total = max(b.transcript_total, len(b.transcript))
        omitted = total - min(len(b.transcript), settings.slack_transcript_messages)
        if omitted:
            transcript.insert(0, f"_… {counted(omitted, 'earlier message')} not shown · {_link(transcript_url, 'full transcript')}_")
        blocks.append(_titled("Last message" if total == 1 else f"Last messages ({total:,} in all)", transcript))
    context = [f"handoff `{_mrkdwn(handoff_id, 300)}`", f"conversation `{_mrkdwn(b.conversation_id, 300)}`"]
    if b.summary_source == "llm":
        context.append("summary written by an LLM")
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": truncate(t, 3000)} for t in context][:CONTEXT_ELEMENTS_MAX],
        }
    )

    value = handoff_id[:BUTTON_VALUE_MAX]
    buttons = [_button("Claim", ACTION_CLAIM, value=value, style="primary")]
    if ticket_url and len(ticket_url) <= BUTTON_URL_MAX:
        buttons.append(_button("Open in Zendesk", ACTION_OPEN_TICKET, url=ticket_url, value=value))
    buttons.append(_button("Hand back to AI", ACTION_RELEASE, value=value))
    buttons.append(_button("AI could have handled this", ACTION_UNNECESSARY, value=value))
    actions = {"type": "actions", "block_id": f"handoff_actions:{handoff_id}"[:BLOCK_ID_MAX], "elements": buttons}
    # The buttons are the point of the card: if anything must go, it's content before them.
    blocks = blocks[: BLOCKS_MAX - 1] + [actions]
    return fallback, blocks


def with_ticket_button(blocks: list[dict[str, Any]], handoff_id: str, ticket_url: str) -> list[dict[str, Any]]:
    """The card's blocks with "Open in Zendesk" added once the ticket exists (cards are rendered before)."""
    if len(ticket_url) > BUTTON_URL_MAX:
        return blocks
    out = []
    for block in blocks:
        elements = block.get("elements", [])
        if block.get("type") == "actions" and not any(e.get("action_id") == ACTION_OPEN_TICKET for e in elements):
            button = _button("Open in Zendesk", ACTION_OPEN_TICKET, url=ticket_url, value=handoff_id[:BUTTON_VALUE_MAX])
            at = 1 if elements and elements[0].get("action_id") == ACTION_CLAIM else 0  # after Claim, if still there
            block = {**block, "elements": [*elements[:at], button, *elements[at:]]}
        out.append(block)
    return out


# -- the alert's later states: claimed, reassigned, solved, offered again -------------------------------

STATUS_BLOCK_PREFIX = "handoff_status:"


def _status_block_id(handoff_id: str) -> str:
    return f"{STATUS_BLOCK_PREFIX}{handoff_id}"[:BLOCK_ID_MAX]


def _who(agent_name: str | None, slack_user_id: str | None) -> str:
    if slack_user_id and re.fullmatch(r"[UW][A-Z0-9]{2,30}", slack_user_id):
        return f"<@{slack_user_id}>"
    return f"*{_mrkdwn(agent_name or 'an agent', 300)}*"


def with_card_status(
    blocks: list[dict[str, Any]], *, handoff_id: str, text: str, drop_actions: frozenset[str] = frozenset(),
    drop_fields: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The card with one status line under its header (replacing an earlier one), some buttons and fields removed."""
    status = _section(truncate(text, SECTION_TEXT_MAX), _status_block_id(handoff_id))
    out: list[dict[str, Any]] = []
    for block in blocks:
        if str(block.get("block_id", "")).startswith(STATUS_BLOCK_PREFIX):
            continue  # a card is claimed, then reassigned, then solved: one status line, the latest
        if drop_fields and block.get("fields"):
            fields = [f for f in block["fields"] if not any(f.get("text", "").startswith(f"*{name}*") for name in drop_fields)]
            block = {**block, "fields": fields}
            if not fields:
                continue
        if block.get("type") == "actions":
            kept = [e for e in block.get("elements", []) if e.get("action_id") not in drop_actions]
            if not kept:
                continue  # Slack rejects an actions block without elements
            block = {**block, "elements": kept}
        out.append(block)
    at = 1 if out and out[0].get("type") == "header" else 0
    out.insert(at, status)
    while len(out) > BLOCKS_MAX:
        # drop content, never the header, the status or the buttons
        content = [i for i, b in enumerate(out) if b is not status and b.get("type") not in ("header", "actions")]
        if not content:
            break
        del out[content[-1]]
    return out


_WAITING_FIELDS = frozenset({"Wait"})


def render_claimed_card(
    blocks: list[dict[str, Any]],
    *,
    agent_name: str | None,
    handoff_id: str,
    slack_user_id: str | None = None,
    reassigned: bool = False,
) -> list[dict[str, Any]]:
    """The alert's blocks once claimed (or reassigned): "Claimed by X" under the header, no Claim button."""
    verb = "Reassigned to" if reassigned else "Claimed by"
    icon = ":arrows_counterclockwise:" if reassigned else ":raising_hand:"
    text = f"{icon} {verb} {_who(agent_name, slack_user_id)}"
    # someone has it: the place in the queue and the expected wait no longer say anything
    return with_card_status(blocks, handoff_id=handoff_id, text=text, drop_actions=frozenset({ACTION_CLAIM}),
                            drop_fields=_WAITING_FIELDS)


def render_solved_card(
    blocks: list[dict[str, Any]],
    *,
    handoff_id: str,
    agent_name: str | None = None,
    slack_user_id: str | None = None,
) -> list[dict[str, Any]]:
    """The alert's blocks once solved: a "Solved" line, no Claim button; the ticket and feedback buttons stay."""
    by = f" by {_who(agent_name, slack_user_id)}" if (agent_name or slack_user_id) else ""
    text = f":white_check_mark: *Solved*{by}"
    return with_card_status(blocks, handoff_id=handoff_id, text=text, drop_actions=frozenset({ACTION_CLAIM, ACTION_RELEASE}),
                            drop_fields=_WAITING_FIELDS)


def render_released_card(blocks: list[dict[str, Any]], *, handoff_id: str) -> list[dict[str, Any]]:
    """The alert's blocks once handed back to the AI: a "Back with the AI" line, no Claim button, no wait."""
    return with_card_status(blocks, handoff_id=handoff_id, text=":robot_face: *Handed back to the AI*",
                            drop_actions=frozenset({ACTION_CLAIM, ACTION_RELEASE}), drop_fields=_WAITING_FIELDS)


def render_offered_card(blocks: list[dict[str, Any]], handoff_id: str, *, agent_name: str | None,
                        slack_user_id: str | None, team: str | None) -> list[dict[str, Any]]:
    """The card once an unclaimed offer went on: whom it waits for now (Team field and a status line); Claim stays."""
    if agent_name or slack_user_id:
        text = f":hourglass_flowing_sand: Not claimed in time: offered to {_who(agent_name, slack_user_id)}"
    else:
        text = f":busts_in_silhouette: Not claimed in time: waiting in the *{_mrkdwn(team or 'team', 100)}* queue"
    shown = (team or "") + (f" → {agent_name}" if agent_name else "")
    out: list[dict[str, Any]] = []
    for block in with_card_status(blocks, handoff_id=handoff_id, text=text):
        if block.get("fields") and shown:
            block = {**block, "fields": [_field("Team", _mrkdwn(shown, FIELD_TEXT_MAX))
                                         if f.get("text", "").startswith("*Team*") else f for f in block["fields"]]}
        out.append(block)
    return out
