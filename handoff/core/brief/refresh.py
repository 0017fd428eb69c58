"""A briefing's account section run again: the new section, what changed in it, and the ticket note saying so."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from handoff.core.brief.facts import account_facts, open_tickets, zendesk_of
from handoff.core.brief.models import AccountFact, account_json
from handoff.core.models import AccountContext

NOTE_CHANGES_MAX = 20  # changed facts listed in the note; the rest are counted


def account_section(account: AccountContext) -> dict[str, Any]:
    """The briefing keys the enrichment fills: `account`, `account_facts` and `open_tickets` (JSON form)."""
    return {
        "account": account_json(account),
        "account_facts": [f.as_dict() for f in account_facts(account)],
        "open_tickets": [dict(t) for t in open_tickets(zendesk_of(account))],
    }


def stored_facts(rows: Any) -> tuple[AccountFact, ...]:
    """The `account_facts` of a stored briefing as AccountFacts (unreadable rows skipped)."""
    if not isinstance(rows, list):
        return ()
    return tuple(AccountFact(str(r.get("source", "")), str(r.get("label", "")), str(r.get("value", "")))
                 for r in rows if isinstance(r, Mapping))


def _by_key(facts: Iterable[AccountFact]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for f in facts:
        key = (f.source, f.label)
        out[key] = f"{out[key]}; {f.value}" if key in out else f.value
    return out


def changed_facts(before: Iterable[AccountFact], after: Iterable[AccountFact]) -> tuple[str, ...]:
    """What differs between two sets of account facts, one line each ("stripe MRR: $49.00 → $99.00")."""
    old, new = _by_key(before), _by_key(after)
    lines: list[str] = []
    for key, value in new.items():
        if key not in old:
            lines.append(f"{key[0]} {key[1]}: {value} (new)")
        elif old[key] != value:
            lines.append(f"{key[0]} {key[1]}: {old[key]} → {value}")
    lines.extend(f"{key[0]} {key[1]}: no longer shown (was {value})" for key, value in old.items() if key not in new)
    return tuple(lines)


def refresh_note(at: datetime, changes: tuple[str, ...], facts: Iterable[AccountFact]) -> str:
    """The private note of a refresh: when, what changed, then every fact as it stands now (unmasked: the caller
    masks it for the ticket)."""
    when = at.strftime("%Y-%m-%d %H:%M UTC")
    if changes:
        shown = list(changes[:NOTE_CHANGES_MAX])
        if len(changes) > NOTE_CHANGES_MAX:
            shown.append(f"(+{len(changes) - NOTE_CHANGES_MAX} more)")
        head = f"Account facts refreshed at {when}: what changed\n" + "\n".join(f"- {c}" for c in shown)
    else:
        head = f"Account facts refreshed at {when}: nothing changed"
    now = "\n".join(f"- {f.source} {f.label}: {f.value}" for f in facts) or "- no facts"
    return f"{head}\n\nAccount facts now:\n{now}"
