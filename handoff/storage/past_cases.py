"""The past cases table: upserts by (source, ref), the cheap version a process checks, loads and erasure."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select
from sqlalchemy.orm import Session

from handoff.core.similar import PastCase
from handoff.storage.db import changed_rows
from handoff.storage.keys import email_key
from handoff.storage.tables import PastCaseRow

# rows read or compared per statement (an IN list of this many stays far below every database's limit)
CHUNK = 500
_FIELDS = ("conversation_id", "customer_email", "text", "title", "topic", "category", "page", "resolution", "tags",
           "resolved_in_seconds", "resolved_at")


@dataclass(frozen=True)
class Upserted:
    """What an upsert did: rows added, rows changed, rows that were already so."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0


def _values(case: PastCase) -> dict[str, Any]:
    return {"conversation_id": case.conversation_id, "customer_email": email_key(case.customer_email),
            "text": case.text, "title": case.title, "topic": case.topic, "category": case.category, "page": case.page,
            "resolution": case.resolution, "tags": list(case.tags), "resolved_in_seconds": case.resolved_in_seconds,
            "resolved_at": case.resolved_at}


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def upsert_past_cases(s: Session, cases: Iterable[PastCase], now: datetime) -> Upserted:
    """Add or update `cases` in the caller's transaction (the caller commits); a case stored as it is now is
    left alone, so its revision, and every process's index, stay as they are."""
    latest: dict[tuple[str, str], PastCase] = {(c.source, c.ref): c for c in cases}  # the last of repeats wins
    if not latest:
        return Upserted()
    revision = (s.scalar(select(func.max(PastCaseRow.revision))) or 0) + 1
    added = changed = 0
    keys = list(latest)
    for source in {k[0] for k in keys}:
        refs = [ref for src, ref in keys if src == source]
        for part in _chunks(refs):
            stored = {r.ref: r for r in s.scalars(select(PastCaseRow).where(PastCaseRow.source == source,
                                                                          PastCaseRow.ref.in_(part)))}
            for ref in part:
                values = _values(latest[(source, ref)])
                row = stored.get(ref)
                if row is None:
                    s.add(PastCaseRow(source=source, ref=ref, revision=revision, updated_at=now, **values))
                    added += 1
                elif any(getattr(row, f) != values[f] for f in _FIELDS):
                    for f in _FIELDS:
                        setattr(row, f, values[f])
                    row.revision, row.updated_at = revision, now
                    changed += 1
            s.flush()
    return Upserted(added, changed, len(latest) - added - changed)


def version(conn: Connection) -> tuple[int, int]:
    """The table's version: its row count and the sum of its revisions. Every insert, update (a higher
    revision) and delete changes it, whichever process wrote."""
    count, total = conn.execute(select(func.count(), func.coalesce(func.sum(PastCaseRow.revision), 0))).one()
    return int(count), int(total)


def revisions(conn: Connection) -> dict[int, int]:
    """Every row's id and revision: what a process compares its loaded cases with."""
    return {int(i): int(r) for i, r in conn.execute(select(PastCaseRow.id, PastCaseRow.revision))}


def load_past_cases(conn: Connection, ids: Sequence[int]) -> dict[int, PastCase]:
    """The cases with these row ids."""
    out: dict[int, PastCase] = {}
    for part in _chunks(list(ids)):
        for r in conn.execute(select(PastCaseRow).where(PastCaseRow.id.in_(part))).mappings():
            out[int(r["id"])] = PastCase(
                source=r["source"], ref=r["ref"], text=r["text"], title=r["title"], topic=r["topic"],
                category=r["category"], page=r["page"], resolution=r["resolution"], tags=tuple(r["tags"] or ()),
                resolved_in_seconds=r["resolved_in_seconds"], resolved_at=r["resolved_at"],
                conversation_id=r["conversation_id"])
    return out


def erase_past_cases(s: Session, *, handoff_ids: Sequence[str], conversation_ids: Sequence[str],
                     email: str | None, dry_run: bool = False) -> int:
    """Delete (or, `dry_run`, count) the past cases holding a customer's words: of their handoffs, of their
    conversations (an exported ticket's conversation id too) and under their e-mail address."""
    where: list[Any] = []
    if handoff_ids:
        where.append((PastCaseRow.source == "handoff") & PastCaseRow.ref.in_(list(handoff_ids)))
    if conversation_ids:
        where.append(PastCaseRow.conversation_id.in_(list(conversation_ids)))
    key = email_key(email)
    if key is not None:
        where.append(PastCaseRow.customer_email == key)
    if not where:
        return 0
    if dry_run:
        return int(s.scalar(select(func.count()).select_from(PastCaseRow).where(or_(*where))) or 0)
    return changed_rows(s, delete(PastCaseRow).where(or_(*where)))
