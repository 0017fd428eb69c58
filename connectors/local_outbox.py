"""The embedded default: with no Zendesk or Slack credentials, would-be tickets and alerts land as files."""
from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from connectors.delivery import AlertRequest, AlertResult, TicketRequest, TicketResult
from handoff.core.masking import TICKET_KINDS, for_ticket, mask_json

# what the outbox keeps is what Zendesk or Slack would have received: no card or credential either
_KEEP_AS_IS = frozenset({"url", "action_id", "block_id", "value", "dm_user_id", "channel", "external_id"})

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


class LocalTicketSink:
    """Writes the would-be Zendesk ticket to `<outbox>/zendesk/<handoff id>.json` (and the note as .txt)."""

    def __init__(self, outbox: str | Path) -> None:
        self.dir = Path(outbox) / "zendesk"

    async def upsert_ticket(self, request: TicketRequest) -> TicketResult:
        """Write (or rewrite, identically) the ticket file; idempotent by external id."""
        name = _SAFE.sub("_", request.external_id)
        path = self.dir / f"{name}.json"
        created = not path.exists()
        request = replace(request, subject=for_ticket(request.subject), note=for_ticket(request.note),
                          requester_name=for_ticket(request.requester_name) if request.requester_name else None)
        await asyncio.to_thread(_write_atomic, path, {"ticket": asdict(request)})
        await asyncio.to_thread((self.dir / f"{name}.txt").write_text, request.note, "utf-8")
        return TicketResult(ticket_id=None, url=path.resolve().as_uri(), created=created)


class LocalAlertSink:
    """Writes the would-be Slack alert (text and Block Kit) to `<outbox>/slack/<handoff id>.json`."""

    def __init__(self, outbox: str | Path) -> None:
        self.dir = Path(outbox) / "slack"

    async def post_alert(self, request: AlertRequest, *, check_existing: bool = False) -> AlertResult:
        """Write the alert file; idempotent by handoff id."""
        path = self.dir / f"{_SAFE.sub('_', request.handoff_id)}.json"
        await asyncio.to_thread(_write_atomic, path, {"alert": mask_json(asdict(request), TICKET_KINDS,
                                                                         skip_keys=_KEEP_AS_IS)})
        return AlertResult(channel=request.channel, ts=None)


class LocalOutbox:
    """Both local sinks behind one target name, plus `keep` for follow-up writes (updates, notes)."""

    def __init__(self, outbox: str | Path) -> None:
        self.dir = Path(outbox)
        self.tickets = LocalTicketSink(outbox)
        self.alerts = LocalAlertSink(outbox)

    async def upsert_ticket(self, request: TicketRequest) -> TicketResult:
        """Keep the ticket locally."""
        return await self.tickets.upsert_ticket(request)

    async def post_alert(self, request: AlertRequest, *, check_existing: bool = False) -> AlertResult:
        """Keep the alert locally."""
        return await self.alerts.post_alert(request)

    async def keep(self, kind: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Keep any other write as `<outbox>/updates/<key>.json`."""
        path = self.dir / "updates" / f"{_SAFE.sub('_', key)}.json"
        kept = mask_json(payload, TICKET_KINDS, skip_keys=_KEEP_AS_IS)
        await asyncio.to_thread(_write_atomic, path, {"kind": kind, "payload": kept})
        return {"kept": str(path)}
