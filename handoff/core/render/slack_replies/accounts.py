"""The answers to `lookup EMAIL` and `refresh ID`: a customer's account facts, source by source, masked."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from handoff.core.brief.models import KNOWN_SOURCES, AccountFact
from handoff.core.masking import mask_email
from handoff.core.render.slack_replies.parts import Reply, code, header, packed, reply, text

SOURCE_TITLES = {"signals": "Signals", "stripe": "Stripe", "hubspot": "HubSpot", "zendesk": "Zendesk"}
CHANGES_MAX = 15
_DOWN = ("unavailable", "not configured", "timed out")


def _fact_lines(facts: Iterable[AccountFact]) -> list[str]:
    """One line per source: its title, then its facts; a source that could not answer says so."""
    by_source: dict[str, list[AccountFact]] = {}
    for f in facts:
        by_source.setdefault(f.source, []).append(f)
    order = ["signals", *KNOWN_SOURCES, *(s for s in by_source if s not in ("signals", *KNOWN_SOURCES))]
    lines = []
    for source in order:
        rows = by_source.get(source)
        if not rows:
            continue
        title = SOURCE_TITLES.get(source, source)
        status = rows[0].value if len(rows) == 1 and rows[0].label == "Status" else None
        if status is not None and status.startswith(_DOWN):
            lines.append(f":warning: *{text(title, 40)}*: {text(status, 300)}")
        elif status is not None:
            lines.append(f"*{text(title, 40)}*: {text(status, 300)}")
        else:
            shown = "; ".join(f"{text(r.label, 60)}: {text(r.value, 300)}" for r in rows)
            lines.append(f"*{text(title, 40)}*: {shown}")
    return lines or ["No account facts: no enrichment source is set up."]


def lookup_reply(email: str, facts: Sequence[AccountFact]) -> Reply:
    """The account facts of the customer asked for, masked (the e-mail too), for the asking agent only."""
    who = mask_email(email) or "?"
    return reply(f"Account facts for {text(who, 200)}",
                 [header(f"Account facts for {who}"), *packed(_fact_lines(facts))])


def refresh_reply(handoff_id: str, changes: Sequence[str], facts: Sequence[AccountFact]) -> Reply:
    """The answer to a refresh: what changed, the facts now, and that the ticket gets a note."""
    hid = code(handoff_id)
    if changes:
        shown = [f"• {text(c, 300)}" for c in changes[:CHANGES_MAX]]
        if len(changes) > CHANGES_MAX:
            shown.append(f"(+{len(changes) - CHANGES_MAX} more)")
        head = [f":arrows_counterclockwise: Refreshed the account facts of {hid}: what changed", *shown]
    else:
        head = [f":arrows_counterclockwise: Refreshed the account facts of {hid}: nothing changed"]
    tail = "_A private note with the fresh facts is on its way to the ticket._"
    return reply(f"Refreshed the account facts of {text(handoff_id, 80)}",
                 packed([*head, "", *_fact_lines(facts), tail]))


def refresh_refused(handoff_id: str, why: str) -> Reply:
    """A refresh that could not run: an unknown handoff, or one back with the AI."""
    return Reply(f":warning: Could not refresh {code(handoff_id)}: {text(why, 300)}")


def lookups_off_reply() -> Reply:
    """This process has no enrichment wired in."""
    return Reply(":warning: Account lookups are not set up in this Handoff service.")
