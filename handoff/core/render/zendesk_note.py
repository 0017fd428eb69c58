"""The briefing as a Zendesk private note: plain text, top line first, then short labelled sections.

Zendesk shows a comment `body` as plain text, so the note uses only line breaks, capitals
and dashes; an agent should get the story from the first line and find any detail by its
section heading. Card numbers and credentials (and IBANs and SSNs) are masked here too
(`handoff.core.masking.for_ticket`): a ticket is no place for them (PCI), while e-mail addresses and
phone numbers stay for the agent to call or write back. Each text is masked before it is cut (a cut
can split a card number past recognition), and every line once more at the end, so no part of the
note (a name, a page URL, a KB title) is left out.

The note's size does not grow with the conversation: it quotes the messages the briefing carries
(the last `transcript_messages`) and the last `ai_attempts` AI replies, says how many earlier ones
it leaves out, and links to the full transcript (`GET /v1/handoffs/{id}`).
"""
from __future__ import annotations

from datetime import datetime

from handoff.core.brief import Briefing, BriefingSettings, clip, masked_clip
from handoff.core.brief.text import counted
from handoff.core.masking import for_ticket
from handoff.core.render.similar_cases import note_lines

_ROLE = {"customer": "Customer", "ai": "AI", "agent": "Agent"}
_SOURCE = {"signals": "Account", "stripe": "Stripe", "hubspot": "HubSpot", "zendesk": "Zendesk"}


def _m(text: str) -> str:
    return for_ticket(text)


def _when(t: datetime | None) -> str:
    if t is None:
        return ""
    offset = t.utcoffset()
    zone = "" if offset is None else (" UTC" if not offset else t.strftime(" %z"))
    return t.strftime("%Y-%m-%d %H:%M") + zone


def _heading(title: str, note: str = "") -> str:
    return f"\n{title.upper()}" + (f" ({note})" if note else "")


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def _transcript(b: Briefing, settings: BriefingSettings, transcript_url: str | None) -> list[str]:
    shown = b.transcript[-settings.transcript_messages :]
    omitted = max(b.transcript_total, len(b.transcript)) - len(shown)
    lines = []
    if omitted:
        where = f": {transcript_url}" if transcript_url else ""
        lines.append(f"… {counted(omitted, 'earlier message')} not shown (full transcript{where})")
    for m in shown:
        meta = [_ROLE.get(m.role, m.role)]
        when = _when(m.sent_at)
        if when:
            meta.append(when)
        if m.role == "ai" and m.confidence is not None:
            meta.append(f"confidence {m.confidence:.2f}")
        lines.append(f"[{m.index + 1}] {', '.join(meta)}: {masked_clip(m.text, settings.note_message_chars, _m)}")
    return lines


def render_zendesk_note(
    b: Briefing,
    *,
    handoff_id: str | None = None,
    settings: BriefingSettings | None = None,
    transcript_url: str | None = None,
) -> str:
    """Render the briefing as a plain-text Zendesk private note; `transcript_url` is where the full transcript is."""
    settings = settings or b.settings
    category = (b.category or "handoff").replace("_", " ")
    lines = [f"[{b.priority.upper()}] {category}: {_m(b.summary)}"]

    lines.append(_heading("Why escalated"))
    if b.reasons:
        quoted: set[tuple[int, str]] = set()
        for r in b.reasons:
            # two triggers on one message quote it once
            again = (r.message_index, r.evidence) in quoted
            quoted.add((r.message_index, r.evidence))
            evidence = f': "{_m(r.evidence)}"' if r.evidence and not again else ""
            detail = f" ({_m(r.detail)})" if r.detail else ""
            at = f" at message {r.message_index + 1}" if r.message_index >= 0 else ""  # numbered from 1 for people
            lines.append(f"- {r.trigger.replace('_', ' ')}{at}{evidence}{detail}")
    else:
        lines.append("- requested by the AI agent")

    lines.append(_heading("Customer & account"))
    c = b.customer
    who = c.name or "unknown name"
    if c.email:
        who += f" <{c.email}>"
    if c.language:
        who += f", language {c.language}"
    lines.append(f"Customer: {who}")
    history = " → ".join(_score(s) for s in b.sentiment_history[-6:])
    lines.append(
        f"Sentiment: {_score(b.sentiment_now)} now, trajectory {b.trajectory.upper()}"
        + (f" (customer messages: {history})" if history else "")
    )
    if b.intent:
        lines.append(f"Intent: {_m(b.intent)}")
    if b.page_url:
        lines.append(f"Page: {b.page_url}" + (f" ({b.page_label})" if b.page_label else ""))
    by_source: dict[str, list[str]] = {}
    for f in b.account_facts:
        by_source.setdefault(f.source, []).append(f.value if f.label == "Status" else f"{f.label} {f.value}")
    for source, items in by_source.items():
        lines.append(f"{_SOURCE.get(source, source)}: {_m('; '.join(items))}")

    lines.append(_heading("What the AI tried"))
    if b.ai_attempts:
        listed = b.ai_attempts[-settings.ai_attempts :]
        omitted = max(b.ai_attempts_total, len(b.ai_attempts)) - len(listed)
        if omitted:
            lines.append(f"- … {counted(omitted, 'earlier AI reply', 'earlier AI replies')} not shown")
        for a in listed:
            conf = f" (confidence {a.confidence:.2f})" if a.confidence is not None else ""
            # mask the whole message, then cut: a cut can split a card number past recognition
            excerpt = masked_clip(a.full_text or a.excerpt, settings.excerpt_chars, _m)
            lines.append(f"- [{a.message_index + 1}]{conf}: {excerpt}")
            if a.kb_articles:
                lines.append("  KB: " + "; ".join(f"{k.id} {k.title}".strip() for k in a.kb_articles))
            if a.actions:
                lines.append("  Actions: " + ", ".join(a.actions))
        confidence = b.ai_confidence
        if confidence.get("last") is not None:
            lines.append(
                f"AI confidence: last {confidence['last']:.2f}, min {confidence['min']:.2f}, "
                f"avg {confidence['avg']:.2f}"
            )
    else:
        lines.append("- no AI replies before the handoff")
    if b.kb_articles:
        lines.append(
            "KB articles used: "
            + "; ".join(f"{k.id} {k.title}".strip() + (f" ({k.url})" if k.url else "") for k in b.kb_articles)
        )

    lines.append(_heading("Open tickets"))
    if b.open_tickets:
        for t in b.open_tickets:
            bits = [f"#{t.get('id')}"]
            if t.get("subject"):
                bits.append(clip(_m(str(t["subject"])), 120))
            meta = ", ".join(str(t[k]) for k in ("status", "created_at") if t.get(k))
            lines.append("- " + " ".join(bits) + (f" ({meta})" if meta else ""))
    else:
        zendesk = b.account.source("zendesk")
        known = zendesk is not None and zendesk.status == "ok"
        lines.append("- none" if known else "- unknown (Zendesk history unavailable)")

    if b.similar:
        lines.append(_heading("Similar cases", "how earlier ones like this were resolved"))
        lines.extend(note_lines(b.similar, _m))

    lines.append(_heading("Recommended next action"))
    lines.append(_m(b.recommended_action))
    lines.append(_heading("Suggested greeting"))
    lines.append(b.greeting)
    if b.suggested_replies:
        by = " (drafted by an LLM)" if b.suggested_replies_source == "llm" else ""
        lines.append(_heading("Suggested replies", "for you to pick and edit; never sent automatically" + by))
        lines.extend(f"{i}. {r}" for i, r in enumerate(b.suggested_replies, 1))
    total = max(b.transcript_total, len(b.transcript))
    shown = min(len(b.transcript), settings.transcript_messages)
    lines.append(_heading("Transcript", counted(total, "message") + (f", the last {shown} shown" if shown < total else "")))
    lines.extend(_transcript(b, settings, transcript_url))
    if handoff_id:
        lines.append("")
        lines.append(reference_line(handoff_id))
    return "\n".join(_m(line) for line in lines) + "\n"


def reference_line(handoff_id: str) -> str:
    """The note's last line, `handoff-ref: <id>`: agents quote it, and the Zendesk connector finds notes by it."""
    return f"handoff-ref: {handoff_id}"
