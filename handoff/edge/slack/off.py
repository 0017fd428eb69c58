"""`POST /slack/events` while the Slack app is not configured: a 503 that says what is missing.

Kept apart from the app itself so a service without Slack credentials never imports slack_bolt.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

EVENTS_PATH = "/slack/events"  # the same path handoff.edge.slack.app mounts the app on


def mount_slack_off(app: FastAPI, missing: list[str], path: str = EVENTS_PATH) -> None:
    """Answer every call to the Slack endpoint with 503 naming the missing settings (`missing`, e.g. env names).

    Slack retries a 503 and shows its error on the app's settings page (Event Subscriptions' URL check): the
    reason is the first thing someone setting the app up sees, where a 404 would look like a wrong URL.
    """
    error = f"the Slack app is not configured: set {' and '.join(missing)}"
    # no Slack retries: the configuration does not change while Slack waits
    headers = {"X-Slack-No-Retry": "1"}

    @app.post(path, tags=["slack"], include_in_schema=False)
    async def slack_events_off() -> JSONResponse:
        return JSONResponse({"error": error}, 503, headers=headers)
