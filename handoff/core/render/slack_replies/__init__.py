"""The `/handoff` command language and every reply the Slack app sends: pure text and Block Kit.

Nothing here talks to Slack. Everything shown passes `parts.text` (`handoff.core.masking.for_slack`): PII
masked (anyone in the workspace may read the queue, see `handoff.edge.slack.app`), Slack markup escaped and
its formatting neutralised, cut to the field's limit; headers pass `for_slack_plain`.
"""
from __future__ import annotations

from handoff.core.render.slack_replies.accounts import (
    lookup_reply,
    lookups_off_reply,
    refresh_refused,
    refresh_reply,
)
from handoff.core.render.slack_replies.answers import (
    availability_reply,
    claim_reply,
    failure_reply,
    help_reply,
    not_agent_reply,
    release_reply,
    unnecessary_reply,
    usage_reply,
    working_text,
)
from handoff.core.render.slack_replies.command import (
    AGENT_ONLY,
    COMMANDS,
    Command,
    parse_command,
)
from handoff.core.render.slack_replies.handoffs import (
    callbacks_reply,
    queue_reply,
    status_reply,
)
from handoff.core.render.slack_replies.parts import (
    BLOCKS_MAX,
    CALLBACKS_MAX,
    FALLBACK_MAX,
    QUEUE_ITEMS_MAX,
    REASONS_MAX,
    SUMMARY_CHARS,
    Reply,
    duration,
    slack_date,
)
from handoff.core.render.slack_replies.stats import stats_reply

__all__ = [
    "AGENT_ONLY", "BLOCKS_MAX", "CALLBACKS_MAX", "COMMANDS", "FALLBACK_MAX", "QUEUE_ITEMS_MAX", "REASONS_MAX",
    "SUMMARY_CHARS", "Command", "Reply", "availability_reply", "callbacks_reply", "claim_reply", "release_reply", "duration",
    "failure_reply", "help_reply", "lookup_reply", "lookups_off_reply", "refresh_refused", "refresh_reply", "not_agent_reply", "parse_command", "queue_reply", "slack_date", "stats_reply",
    "status_reply", "unnecessary_reply", "usage_reply", "working_text",
]
