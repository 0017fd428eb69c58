"""The Slack app (slack-bolt AsyncApp) at `POST /slack/events`: a thin edge over `Operations`.

Every command and button is acknowledged first (Slack wants an answer within 3 seconds); the work
and the real answer come after the ack, from the listener bolt runs as a task
(`process_before_response=False`). Who may do what:
- `claim`, `available`, `away` and the Claim button: agents of settings.toml only (matched by their
  `slack_user_id`); anyone else is told how to be added, and nothing is called.
- The "AI could have handled this" button: agents only too (it counts in the quality metrics).
- `help`, `queue`, `status`, `callbacks`, `stats`: anyone in the workspace. The app is installed in
  one workspace, the support team's, and what it shows has customer PII masked
  (handoff.core.render.slack_replies). With `[slack] team_id` and `app_id` set, a request from another
  workspace or app is refused before bolt sees it, however it is signed.
Where answers go: command answers through the command's `response_url` (works in any channel, even
one the bot is not in), falling back to chat.postEphemeral; button answers as chat.postEphemeral in
the alert's channel (the bot posted the alert there), falling back to the `response_url`.

The request checks are in handoff.edge.slack.front_door, the listeners in handoff.edge.slack.listeners.
"""
from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.render.slack_card import (
    ACTION_CLAIM,
    ACTION_OPEN_TICKET,
    ACTION_RELEASE,
    ACTION_UNNECESSARY,
)
from handoff.edge.slack.listeners import SlackListeners
from handoff.edge.slack.operations import Operations

COMMAND = "/handoff"


class _ClientTokenNotice(logging.Filter):
    """Drop bolt's "`token` will be unused" warning: bolt reads SLACK_BOT_TOKEN from the environment even when
    given a client, whose token is that same one (checked in build_slack_app), so it warned at every start."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop bolt's notice that a given token will be unused; keep every other record."""
        return "`token` will be unused" not in record.getMessage()


def build_slack_app(
    ops: Operations, *, token: str, signing_secret: str, client: AsyncWebClient, command: str = COMMAND
) -> AsyncApp:
    """The bolt app: `/handoff` and the alert's buttons, verified with the signing secret."""
    if not signing_secret:
        # an empty secret is a key anyone can sign with: refuse to serve rather than accept forgeries
        raise ValueError("SLACK_SIGNING_SECRET is empty: the Slack app cannot verify requests")
    if client.token is None:
        client = AsyncWebClient(token=token, base_url=client.base_url, timeout=client.timeout,
                                retry_handlers=client.retry_handlers)
    elif client.token != token:
        raise ValueError("the Slack client was built with another token than the one given")
    bolt_log = logging.getLogger("handoff.slack.bolt")
    if not any(isinstance(f, _ClientTokenNotice) for f in bolt_log.filters):
        bolt_log.addFilter(_ClientTokenNotice())
    app = AsyncApp(
        client=client,  # not token too: bolt would warn that the client's token wins
        signing_secret=signing_secret,
        process_before_response=False,
        logger=bolt_log,
    )
    edge = SlackListeners(ops, command)
    app.command(command)(edge.on_command)
    app.action(ACTION_CLAIM)(edge.on_claim)
    app.action(ACTION_RELEASE)(edge.on_release)
    app.action(ACTION_UNNECESSARY)(edge.on_unnecessary)
    app.action(ACTION_OPEN_TICKET)(edge.on_open_ticket)
    return app
