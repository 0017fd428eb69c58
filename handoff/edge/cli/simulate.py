"""`handoff simulate`: run conversations through the whole pipeline without sending anything."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from handoff.settings import Config

from handoff.edge.cli.base import AtOpt, SettingsOpt, app, bot_ids, config_from, fail, out, parse_at


def _simulate_one(config: Config, conversation: Any, now: datetime) -> dict[str, Any]:
    from handoff.bootstrap import build_enricher
    from handoff.core.decide.replay import replay
    from handoff.core.models import AccountContext
    from handoff.app.packaging import package_handoff
    from handoff.core.route import AgentLoad, Roster

    result = replay(conversation, config.settings.triggers)
    decision = result.decision
    base: dict[str, Any] = {
        "conversation_id": conversation.id,
        "decision": "handoff" if decision.handoff else "continue",
        "handoff_at": result.handoff_at,
        "reasons": [r.as_dict() for r in decision.reasons],
        "category": decision.category,
        "priority": decision.priority,
        "briefing": None,
        "route": None,
        "customer_message": None,
    }
    if not decision.handoff:
        return base
    enricher = build_enricher(config)
    account: AccountContext = asyncio.run(enricher.enrich(conversation.customer))
    roster = Roster(agents=tuple(AgentLoad(agent=a.id) for a in getattr(config.settings.routing, "agents", [])))
    upto = result.handoff_at if result.handoff_at is not None else len(conversation.messages) - 1
    messages = conversation.messages[: upto + 1]
    page = conversation.page_url
    for m in messages:
        page = m.page_url or page
    pkg = package_handoff(
        handoff_id="simulated", conversation_id=conversation.id, messages=messages, decision=decision,
        account=account, customer=conversation.customer, page_url=page, roster=roster, now=now,
        settings=config.settings, similar=_similar_cases(config, messages, decision.topic, page),
    )
    route = pkg.route.as_dict()
    from handoff.core.render.simulate_view import simulated_briefing

    return {
        **base,
        "priority": pkg.priority,
        "briefing": simulated_briefing(pkg.briefing, messages),
        "route": route,
        "customer_message": pkg.route.customer_message,
        "zendesk_note": pkg.ticket.note,
    }


def _similar_cases(config: Config, messages: Any, topic: str | None, page: str | None) -> tuple[Any, ...]:
    """The similar cases from the store's past cases, as a handoff would show them; none when there is no
    store (simulate creates none) or it cannot be read."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from handoff.app.similar_cases import SimilarCases
    from handoff.core.similar.cases import query_for
    from handoff.storage.db import make_engine, make_sessionmaker

    query = query_for(messages, topic=topic, page_url=page)
    url = config.database_url()
    if query is None or not config.settings.similar.enabled:
        return ()
    sqlite_file = make_url(url).database if url.startswith("sqlite") else None
    if url.startswith("sqlite") and not (sqlite_file and Path(sqlite_file).is_file()):
        return ()
    try:
        engine = make_engine(url)
    except Exception:  # noqa: BLE001 - a simulation without similar cases is still a simulation
        return ()
    try:
        if not inspect(engine).has_table("past_cases"):
            return ()
        index = SimilarCases(make_sessionmaker(engine), config.settings.similar, lambda: datetime.now(UTC))
        index.refresh_now()
        return index.top(query)
    except Exception:  # noqa: BLE001 - likewise: an unreachable store shows no similar cases
        return ()
    finally:
        engine.dispose()


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="conversation file (JSON Lines) or a Zendesk export")],
    settings: SettingsOpt = None,
    conversation_id: Annotated[Optional[str], typer.Option("--id", help="which conversation (default: the first)")] = None,
    at: AtOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run one conversation through decide, enrich, package and route, and print the result."""
    from handoff.core.formats.conversations import ConversationFileError
    from handoff.core.formats.zendesk_export import read_any

    config = config_from(settings)
    now = parse_at(at)
    if not file.exists():
        fail(f"{file} does not exist")
    chosen = None
    try:
        for conv in read_any(file, bot_user_ids=bot_ids(config)):
            if conversation_id is None or conv.id == conversation_id:
                chosen = conv
                break
    except ConversationFileError as e:
        fail(f"{file}: {e}")
    except OSError as e:
        fail(f"{file}: {e.strerror or e}")
    if chosen is None:
        fail(f"{file}: no conversation" + (f" with id {conversation_id!r}" if conversation_id else ""))
    result = _simulate_one(config, chosen, now)
    if as_json:
        result.pop("zendesk_note", None)
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    from handoff.core.render.simulate_view import render_simulation

    out.print(render_simulation(chosen, result))
