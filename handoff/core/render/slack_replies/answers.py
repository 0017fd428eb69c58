"""Short answers: help, usage, refusals, acknowledgements, failures, and the results of claim,
availability and "AI could have handled this"."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handoff.core.render.slack_card import truncate
from handoff.core.render.slack_replies.command import COMMANDS, Command
from handoff.core.render.slack_replies.parts import (
    FALLBACK_MAX,
    Reply,
    code,
    section,
    text,
)


def help_reply(unknown: str | None = None, command: str = "/handoff") -> Reply:
    """The list of subcommands; with `unknown`, says that word was not one."""
    lines = [f"`{command} {usage}`: {what}" for usage, what in COMMANDS.values()]
    head = f":grey_question: Unknown command `{text(unknown, 40)}`. " if unknown else ""
    intro = f"{head}*Handoff commands*"
    note = ("_Anyone in the workspace can read the queue, status, callbacks and stats (customer details are "
            "masked); claiming, availability, lookups and refreshes are for agents listed in settings.toml._")
    body = "\n".join([intro, *lines, note])
    fallback = (f"Unknown command {text(unknown, 40)}. " if unknown else "") + f"Handoff commands: {command} help"
    return Reply(truncate(fallback, FALLBACK_MAX), [section(body)])


def usage_reply(cmd: Command) -> Reply:
    """A command typed wrong: what was wrong and how it is written."""
    return Reply(f":warning: {cmd.error}")


def not_agent_reply(action: str, slack_user_id: str) -> Reply:
    """Refusal for someone who is not an agent in settings.toml."""
    uid = text(slack_user_id or "unknown", 40)
    return Reply(
        f":no_entry: Only Handoff agents listed in settings.toml can {action}; ask an admin to add your "
        f"Slack user id (`{uid}`) to your agent entry (`slack_user_id = \"{uid}\"`)."
    )


def working_text(cmd: Command) -> str:
    """The short acknowledgement shown at once while the answer is being prepared."""
    return {
        "queue": "Looking up the queue…",
        "status": f"Looking up {code(cmd.arg)}…",
        "claim": f"Claiming {code(cmd.arg)}…",
        "release": f"Handing {code(cmd.arg)} back to the AI…",
        "available": "Marking you available…",
        "away": "Marking you away…",
        "callbacks": "Looking up callbacks…",
        "stats": "Computing stats…",
        "lookup": f"Looking up the account of {code(cmd.arg)}…",
        "refresh": f"Refreshing the account facts of {code(cmd.arg)}…",
    }.get(cmd.name, "Working on it…")


def failure_reply(what: str) -> Reply:
    """Something failed behind the command; no detail (it may hold customer data), where to look."""
    return Reply(f":x: Something went wrong while {what}. Try again; if it keeps failing, "
                 "check the Handoff service logs.")


def claim_reply(result: Mapping[str, Any]) -> Reply:
    """The answer to a claim (command or button)."""
    hid = code(result.get("handoff_id") or "?")
    message = text(result.get("message") or "", 500)
    if result.get("ok"):
        tail = f" {message}" if message else ""
        return Reply(f":white_check_mark: You claimed {hid}; the alert now shows it.{tail}")
    return Reply(f":warning: Could not claim {hid}: {message or 'refused'}")


def release_reply(result: Mapping[str, Any]) -> Reply:
    """The answer to a hand-back (command or button)."""
    hid = code(result.get("handoff_id") or "?")
    if result.get("ok"):
        return Reply(f":robot_face: {hid} is back with the AI: it answers the customer's next message.")
    return Reply(f":warning: Could not hand {hid} back: {text(result.get('message') or 'refused', 500)}")


def availability_reply(result: Mapping[str, Any]) -> Reply:
    """The answer to `available` / `away`."""
    active = result.get("active")
    if result.get("available"):
        message = ":large_green_circle: You're *available*: new handoffs can be routed to you."
    else:
        message = (":double_vertical_bar: You're *away*: no new handoffs will be routed to you; "
                   "the ones you hold stay yours.")
    if isinstance(active, bool):
        if not active:
            message += " Note: your agent entry is inactive in settings.toml, so routing skips you anyway."
    elif isinstance(active, int):
        message += f" You hold {active} active handoff{'s' if active != 1 else ''}."
    elif isinstance(active, Sequence) and not isinstance(active, str):
        message += f" You hold {len(active)} active handoff{'s' if len(active) != 1 else ''}."
    return Reply(message)


def unnecessary_reply(result: Mapping[str, Any], handoff_id: str) -> Reply:
    """The answer to "AI could have handled this"."""
    message = text(result.get("message") or "", 500)
    if result.get("ok"):
        tail = f" {message}" if message else ""
        return Reply(f":memo: Thanks: recorded that the AI could have handled {code(handoff_id)}.{tail}")
    return Reply(f":warning: Could not record feedback on {code(handoff_id)}: {message or 'refused'}")
