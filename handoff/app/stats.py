"""`handoff stats`: the store read into records, measured by handoff.core.measure.analytics."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Group
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.product_signals import collect_signals
from handoff.core.decide.categories import topic_for
from handoff.core.measure.analytics import compute_stats
from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.signal_settings import SignalSettings
from handoff.core.measure.records import ConversationRecord, HandoffRecord
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffEventRow, HandoffRow, MessageRow

BRIEFING_FIELDS = ("summary", "category", "sentiment", "ai_attempts", "account", "recommended_action", "greeting",
                   "transcript", "page_url")
TEXT_LIMIT = 2000  # customer texts are only compared for repeats; long pastes need not be whole


def load_records(sessions: sessionmaker[Session], *, since: datetime | None = None, until: datetime | None = None,
                 repeat_window_days: int = 7) -> tuple[list[HandoffRecord], list[ConversationRecord]]:
    """Handoffs and conversations in the window (handoffs a repeat window beyond it, for repeat contacts)."""
    horizon = until + timedelta(days=repeat_window_days) if until else None
    with sessions() as s:
        hq = select(HandoffRow)
        if since:
            hq = hq.where(HandoffRow.created_at >= since)
        if horizon:
            hq = hq.where(HandoffRow.created_at < horizon)
        handoffs = s.scalars(hq.order_by(HandoffRow.created_at)).all()
        cq = select(ConversationRow.id, ConversationRow.created_at, ConversationRow.handoff_id, ConversationRow.csat)
        if since:
            cq = cq.where(ConversationRow.created_at >= since)
        if until:
            cq = cq.where(ConversationRow.created_at < until)
        conversations = s.execute(cq).all()
        ids = [h.conversation_id for h in handoffs]
        started: dict[str, datetime] = {}
        texts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rehandoffs = _rehandoffs(s, [h.id for h in handoffs if h.rehandoff_of])
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            started.update(s.execute(
                select(MessageRow.conversation_id, func.min(func.coalesce(MessageRow.sent_at, MessageRow.received_at)))
                .where(MessageRow.conversation_id.in_(chunk)).group_by(MessageRow.conversation_id)).all())
            for cid, idx, text in s.execute(
                select(MessageRow.conversation_id, MessageRow.idx, MessageRow.text)
                .where(MessageRow.conversation_id.in_(chunk), MessageRow.role == "customer")
                .order_by(MessageRow.conversation_id, MessageRow.idx)).all():
                texts[cid].append((idx, text[:TEXT_LIMIT]))
    teams = {h.id: h.team for h in handoffs}
    h_records = [_handoff_record(h, started.get(h.conversation_id), texts.get(h.conversation_id, []),
                                 rehandoffs.get(h.id)) for h in handoffs]
    c_records = [ConversationRecord(id=cid, started_at=created, handed_off=hid is not None, csat=csat,
                                    team=teams.get(hid) if hid else None)
                 for cid, created, hid, csat in conversations]
    return h_records, c_records


def _rehandoffs(s: Session, ids: list[str]) -> dict[str, str]:
    """Handoff id → "same_agent" | "routed", from the `rehandoff` events of the handoffs that continued another."""
    out: dict[str, str] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for hid, data in s.execute(select(HandoffEventRow.handoff_id, HandoffEventRow.data).where(
                HandoffEventRow.handoff_id.in_(chunk), HandoffEventRow.kind == "rehandoff")).all():
            out[hid] = "same_agent" if (data or {}).get("same_agent") else "routed"
    return out


def _handoff_record(h: HandoffRow, started: datetime | None, texts: list[tuple[int, str]],
                    rehandoff: str | None = None) -> HandoffRecord:
    briefing = h.briefing or {}
    account = briefing.get("account") or {}
    sources = {str(name): str(v["status"]) for name, v in account.items() if isinstance(v, dict) and v.get("status")}
    cut = h.message_index if h.message_index is not None else -1
    return HandoffRecord(
        id=h.id, conversation_id=h.conversation_id, team=h.team, category=h.category, priority=h.priority,
        triggers=tuple(dict.fromkeys(r.get("trigger") for r in h.reasons or [] if r.get("trigger"))),
        created_at=h.created_at, conversation_started_at=started, claimed_at=h.claimed_at,
        first_response_at=h.first_response_at, solved_at=h.solved_at, reassigned=h.reassigned or 0,
        unnecessary=bool(h.unnecessary), csat=h.csat, customer_email=h.customer_email, sources=sources,
        briefing_fields={f: bool(briefing.get(f)) for f in BRIEFING_FIELDS},
        pre_handoff_customer_texts=tuple(t for i, t in texts if i <= cut),
        post_handoff_customer_texts=tuple(t for i, t in texts if i > cut),
        summary=str(briefing.get("summary") or ""),
        # handoffs from before topics were stored get the one their category implies
        topic=str(briefing.get("topic") or topic_for(h.category, {})),
        reoffers=h.reoffers or 0, released_via=h.released_via,
        rehandoff=rehandoff or ("routed" if h.rehandoff_of else None),
    )


def delivery_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Deliveries by kind and status ("slack_alert:dead": 2)."""
    with sessions() as s:
        rows = s.execute(select(DeliveryRow.kind, DeliveryRow.status, func.count())
                         .group_by(DeliveryRow.kind, DeliveryRow.status)).all()
    return {f"{kind}:{status}": n for kind, status, n in rows}


def choice_counts(sessions: sessionmaker[Session], *, since: datetime | None = None,
                  until: datetime | None = None) -> dict[str, int]:
    """What waiting customers chose when offered alternatives, by choice ("callback": 3), in the window."""
    q = select(HandoffEventRow.data).where(HandoffEventRow.kind == "choice")
    if since:
        q = q.where(HandoffEventRow.at >= since)
    if until:
        q = q.where(HandoffEventRow.at < until)
    counts: dict[str, int] = {}
    with sessions() as s:
        for data in s.scalars(q):
            choice = (data or {}).get("choice")
            if choice:  # an erased event keeps no data
                counts[str(choice)] = counts.get(str(choice), 0) + 1
    return dict(sorted(counts.items()))


def collect_stats(sessions: sessionmaker[Session], quality: QualitySettings | None = None, *,
                  since: datetime | None = None, until: datetime | None = None, team: str | None = None,
                  bucket: str = "day", now: datetime | None = None,
                  records: tuple[list[HandoffRecord], list[ConversationRecord]] | None = None,
                  signals: SignalSettings | None = None) -> dict[str, Any]:
    """The stats object of `handoff stats --json` (DESIGN §4 keys, plus deliveries, dead letters and signals)."""

    quality = quality or QualitySettings()
    handoffs, conversations = records or load_records(sessions, since=since, until=until,
                                                      repeat_window_days=quality.repeat_window_days)
    data = compute_stats(handoffs, conversations, settings=quality, since=since, until=until, team=team,
                         bucket=bucket, now=now)  # type: ignore[arg-type]
    deliveries = delivery_counts(sessions)
    data["deliveries"] = deliveries
    data["dead_deliveries"] = sum(n for k, n in deliveries.items() if k.endswith(":dead"))
    data["alternatives_chosen"] = choice_counts(sessions, since=since, until=until)
    data["signals"] = collect_signals(sessions, signals or SignalSettings(), since=since, until=until,
                                      now=now or datetime.now(UTC), team=team)
    return data


def _dur(d: dict[str, Any] | None) -> str:
    from handoff.core.measure.quality import format_duration

    if not d or d.get("median") is None:
        return "-"
    return f"median {format_duration(d['median'])}, p90 {format_duration(d['p90'])} ({d['count']})"


def _pct(x: Any) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _precision(p: dict[str, Any] | None) -> str:
    # 100% with nobody having said a word would read as agents' approval
    if not p or not (p.get("flagged_unnecessary") or p.get("confirmed")):
        return "no feedback yet"
    return _pct(p.get("precision"))


def _offers(o: dict[str, Any] | None) -> str:
    if not o:
        return "-"
    return (f"{o.get('reoffered', 0)} handoffs ({o.get('reoffers', 0)} re-offers); "
            f"{o.get('claimed_after_reoffer', 0)} of {o.get('claimed', 0)} claims came after one")


def _hand_backs(h: dict[str, Any] | None) -> str:
    if not h or not h.get("total"):
        return "0"
    return f"{h['total']} (" + ", ".join(f"{k}: {n}" for k, n in (h.get("by_source") or {}).items()) + ")"


def _rehandoffs_line(r: dict[str, Any] | None) -> str:
    if not r:
        return "0"
    return f"{r.get('within_window', 0)} ({r.get('same_agent', 0)} back to the same agent)"


def _signal_tables(signals: dict[str, Any] | None) -> list[Any]:
    """Handoffs by page group and topic against their usual level, spikes marked and described."""
    from rich.markup import escape

    from handoff.core.measure.signals import describe_spike

    if not signals or not (signals.get("pages") or signals.get("topics")):
        return []
    days, periods = signals["period"]["days"], signals["baseline"]["periods"]
    known = signals["baseline"]["periods_with_data"]
    usual_title = f"usual (mean of {known} earlier period{'' if known == 1 else 's'})" if known else "usual (no history yet)"
    out: list[Any] = []
    for kind, rows in (("page", signals.get("pages") or []), ("topic", signals.get("topics") or [])):
        if not rows:
            continue
        t = Table(kind, f"handoffs ({days:g} days)", usual_title, "ratio", "top reason", "",
                  title=f"product signals by {kind}", title_justify="left")
        for r in rows:
            # page keys come from customers' URLs: "[" must not read as markup
            t.add_row(escape(str(r["key"])), str(r["current"]), f"{r['usual']:g}" if known else "-",
                      "new" if r["ratio"] is None and known else ("-" if r["ratio"] is None else f"{r['ratio']:.1f}×"),
                      escape(f"{r['top_reason']} ({r['top_reason_count']})"), "[bold red]SPIKE[/]" if r["spike"] else "")
        out.append(t)
    spikes = signals.get("spikes") or []
    if spikes:
        s = Table("spike", title="spikes", title_justify="left", show_header=False)
        for spike in spikes:
            s.add_row(escape(describe_spike(spike, days=days, baseline_periods=periods)))
        out.append(s)
    return out


def render_stats(data: dict[str, Any]) -> Group:
    """A readable summary of the stats."""
    t = Table(title="handoff stats", show_header=False, title_justify="left")
    t.add_column("metric", style="bold")
    t.add_column("value")
    csat = data.get("csat") or {}
    q = data.get("quality_score") or {}
    rows = [
        ("conversations", str(data.get("conversations", 0))),
        ("handoffs", f"{data.get('handoffs', 0)} ({_pct(data.get('handoff_rate'))} of conversations)"),
        ("time to handoff", _dur(data.get("time_to_handoff_seconds"))),
        ("time to first human response", _dur(data.get("time_to_first_human_response_seconds"))),
        ("resolution after handoff", _dur(data.get("resolution_seconds"))),
        ("time waiting before claim", _dur(data.get("time_to_claim_seconds"))),
        ("re-offered (not claimed in time)", _offers(data.get("offers"))),
        ("hand-backs to the AI", _hand_backs(data.get("hand_backs"))),
        ("re-handoffs within the window", _rehandoffs_line(data.get("rehandoffs"))),
        ("CSAT after handoff", _pct((csat.get("handoff") or {}).get("rate"))),
        ("CSAT AI-only", _pct((csat.get("ai_only") or {}).get("rate"))),
        ("repeat contact (7 days)", _pct(data.get("repeat_contact_rate"))),
        ("unnecessary escalations", _pct(data.get("unnecessary_rate"))),
        ("quality score", "-" if q.get("mean") is None else f"mean {q['mean']:.1f}, median {q['median']:.1f}"),
        ("dead deliveries", str(data.get("dead_deliveries", 0))),
        ("alternatives chosen", ", ".join(f"{k} {n}" for k, n in (data.get("alternatives_chosen") or {}).items()) or "-"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    parts: list[Any] = [t]
    if data.get("by_reason"):
        r = Table("trigger", "handoffs", "precision (agents' feedback)", title="by reason", title_justify="left")
        precision = data.get("trigger_precision") or {}
        for trig, n in data["by_reason"].items():
            r.add_row(trig, str(n), _precision(precision.get(trig)))
        parts.append(r)
    if data.get("by_category"):
        c = Table("category", "handoffs", title="by category", title_justify="left")
        for cat, n in data["by_category"].items():
            c.add_row(str(cat), str(n))
        parts.append(c)
    if data.get("by_topic"):
        t = Table("topic", "handoffs", title="by topic", title_justify="left")
        for topic, n in data["by_topic"].items():
            t.add_row(str(topic), str(n))
        parts.append(t)
    parts.extend(_signal_tables(data.get("signals")))
    if data.get("worst_handoffs"):
        w = Table("handoff", "score", "what lowered it", "summary", title="lowest quality", title_justify="left")
        w.columns[0].no_wrap = True  # whole ids: they are what `handoff erase` and the API take
        for h in data["worst_handoffs"]:
            w.add_row(h["id"], f"{h['score']:.0f}", "; ".join(h.get("notes") or []) or "-", (h.get("summary") or "")[:80])
        parts.append(w)
    return Group(*parts)
