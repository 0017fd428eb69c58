"""`POST /v1/handoffs/{id}/refresh`: fetch a handoff's account facts again (handoff.app.account_lookup), mounted
by the composition root when the process has an enricher."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path

from handoff.app.account_lookup import HandoffReleased, Refreshed
from handoff.app.handoff_reads import NotFoundError
from handoff.edge.http.api import Auth
from handoff.edge.http.schemas import AccountFactOut, RefreshOut


def mount_account_refresh(app: FastAPI, refresh: Callable[[str, str | None], Awaitable[Refreshed]]) -> None:
    """Add the refresh route; `refresh(handoff_id, actor)` raises NotFoundError or HandoffReleased."""

    @app.post("/v1/handoffs/{handoff_id}/refresh", response_model=RefreshOut, tags=["handoffs"])
    async def refresh_account(handoff_id: Annotated[str, Path(max_length=64, pattern=r"^h_[0-9a-f]{1,40}$")],
                              _: Auth) -> RefreshOut:
        """Run the enrichment again, store the new account facts in the briefing, queue a ticket note saying
        what changed (one per request)."""
        try:
            done = await refresh(handoff_id, "api")
        except NotFoundError:
            raise HTTPException(404, f"no handoff {handoff_id}") from None
        except HandoffReleased as e:
            raise HTTPException(409, str(e)) from None
        return RefreshOut(handoff_id=done.handoff_id, refreshed_at=done.at.isoformat(), number=done.number,
                          changes=list(done.changes),
                          account_facts=[AccountFactOut(source=f.source, label=f.label, value=f.value)
                                         for f in done.facts])
