"""The Slack app's listeners: `/handoff` and the alert's buttons parsed, the asker checked, acknowledged at
once, then Operations called and the answer sent where it can be read."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from slack_sdk.web.async_client import AsyncWebClient

from handoff.app.account_lookup import HandoffReleased, LookupsOff
from handoff.app.agents import Agent
from handoff.app.handoff_reads import NotFoundError
from handoff.core.render.slack_replies import (
    AGENT_ONLY,
    Command,
    Reply,
    availability_reply,
    callbacks_reply,
    claim_reply,
    failure_reply,
    help_reply,
    lookup_reply,
    lookups_off_reply,
    not_agent_reply,
    parse_command,
    queue_reply,
    refresh_refused,
    refresh_reply,
    release_reply,
    stats_reply,
    status_reply,
    unnecessary_reply,
    usage_reply,
    working_text,
)
from handoff.edge.slack.operations import Operations

log = structlog.get_logger("handoff.slack")

_REFUSED_ACTION = {"claim": "claim handoffs", "release": "hand handoffs back to the AI", "available": "change their availability",
                   "away": "change their availability", "lookup": "look up customers' accounts",
                   "refresh": "refresh a handoff's account facts"}


class SlackListeners:
    """The listeners: parse, check who is asking, ack, then call Operations and answer."""

    def __init__(self, ops: Operations, command: str) -> None:
        self.ops = ops
        self.command = command

    # -- /handoff ----------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        """Answer at once what needs no lookup; otherwise ack briefly and answer after the work."""
        user = str(command.get("user_id") or "")
        cmd = parse_command(command.get("text"))
        if cmd.name in ("help", "unknown"):
            await ack(**help_reply(cmd.arg if cmd.name == "unknown" else None, self.command).kwargs())
            return
        if cmd.error:
            await ack(**usage_reply(cmd).kwargs())
            return
        agent: Agent | None = None
        if cmd.name in AGENT_ONLY:
            try:
                agent = self.ops.agent_for_slack_user(user)
            except Exception:  # noqa: BLE001 - the ack must still go out
                log.exception("slack_agent_lookup_failed", command=cmd.name)
                await ack(**failure_reply("checking who you are").kwargs())
                return
            if agent is None:
                await ack(**not_agent_reply(_REFUSED_ACTION[cmd.name], user).kwargs())
                return
        await ack(text=working_text(cmd))
        reply = await self._run(cmd, agent)
        await self._answer_command(command, respond, client, reply)

    async def _run(self, cmd: Command, agent: Agent | None) -> Reply:
        try:
            if cmd.name == "queue":
                return queue_reply(await self.ops.queue(cmd.arg), cmd.arg)
            if cmd.name == "status":
                return status_reply(await self.ops.status(str(cmd.arg)), str(cmd.arg))
            if cmd.name == "callbacks":
                return callbacks_reply(await self.ops.callbacks())
            if cmd.name == "stats":
                return stats_reply(await self.ops.stats())
            assert agent is not None  # AGENT_ONLY commands were checked before the ack
            if cmd.name == "claim":
                return claim_reply(await self.ops.claim(str(cmd.arg), agent.id))
            if cmd.name == "release":
                return release_reply(await self.ops.release(str(cmd.arg), agent.id))
            if cmd.name in ("available", "away"):
                return availability_reply(await self.ops.set_available(agent.id, cmd.name == "available"))
            if cmd.name == "lookup":
                return lookup_reply(str(cmd.arg), await self.ops.lookup(str(cmd.arg)))
            if cmd.name == "refresh":
                return await self._refresh(str(cmd.arg), agent)
        except LookupsOff:
            return lookups_off_reply()
        except Exception:  # noqa: BLE001 - the user gets an answer; the log gets the trace
            log.exception("slack_command_failed", command=cmd.name)
            return failure_reply(f"running `{cmd.name}`")
        return help_reply(cmd.name, self.command)

    async def _refresh(self, handoff_id: str, agent: Agent) -> Reply:
        try:
            done = await self.ops.refresh(handoff_id, agent.id)
        except NotFoundError:
            return refresh_refused(handoff_id, "there is no such handoff")
        except HandoffReleased:
            return refresh_refused(handoff_id, "it was handed back to the AI (released)")
        return refresh_reply(done.handoff_id, done.changes, done.facts)

    async def _answer_command(self, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                              reply: Reply) -> None:
        if not await _respond(respond, reply):
            await self._ephemeral(client, command.get("channel_id"), command.get("user_id"), reply)

    # -- buttons on the alert --------------------------------------------------------------------
    async def on_claim(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                       client: AsyncWebClient) -> None:
        """Claim button: an agent claims the handoff; anyone else is told how to become one."""
        await self._agent_button(ack, body, action, respond, client, refused="claim handoffs", doing="claiming",
                                 run=lambda hid, agent, _user: self._claimed(hid, agent))

    async def on_release(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                         client: AsyncWebClient) -> None:
        """"Hand back to AI" button: an agent returns the conversation to the AI; anyone else is told how."""
        await self._agent_button(ack, body, action, respond, client, refused="hand handoffs back to the AI",
                                 doing="handing back", run=lambda hid, agent, _user: self._released(hid, agent))

    async def on_unnecessary(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                             client: AsyncWebClient) -> None:
        """"AI could have handled this": feedback for the quality metrics, counted from agents only."""
        await self._agent_button(ack, body, action, respond, client,
                                 refused="mark a handoff as one the AI could have handled",
                                 doing="recording your feedback", run=lambda hid, _agent, user: self._flagged(hid, user))

    async def _claimed(self, handoff_id: str, agent: Agent) -> Reply:
        return claim_reply(await self.ops.claim(handoff_id, agent.id))

    async def _released(self, handoff_id: str, agent: Agent) -> Reply:
        return release_reply(await self.ops.release(handoff_id, agent.id))

    async def _flagged(self, handoff_id: str, user: str) -> Reply:
        return unnecessary_reply(await self.ops.mark_unnecessary(handoff_id, user), handoff_id)

    async def _agent_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                            client: AsyncWebClient, *, refused: str, doing: str,
                            run: Callable[[str, Agent, str], Awaitable[Reply]]) -> None:
        """A button only agents may press: ack at once, check who clicked, run it, answer the clicker."""
        await ack()
        user = _user_id(body)
        handoff_id = _handoff_id(action)
        try:
            agent = self.ops.agent_for_slack_user(user)
            if agent is None:
                reply = not_agent_reply(refused, user)
            elif not handoff_id:
                reply = failure_reply("reading the button (no handoff id on it)")
            else:
                reply = await run(handoff_id, agent, user)
        except Exception:  # noqa: BLE001 - the user gets an answer; the log gets the trace
            log.exception("slack_button_failed", handoff_id=handoff_id, doing=doing)
            reply = failure_reply(doing)
        await self._answer_button(body, respond, client, reply)

    async def on_open_ticket(self, ack: Any) -> None:
        """"Open in Zendesk" is a link button: Slack still sends the click, which only needs an ack."""
        await ack()

    async def _answer_button(self, body: dict[str, Any], respond: Any, client: AsyncWebClient, reply: Reply) -> None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not await self._ephemeral(client, channel, _user_id(body), reply):
            await _respond(respond, reply)

    async def _ephemeral(self, client: AsyncWebClient, channel: Any, user: Any, reply: Reply) -> bool:
        if not channel or not user:
            return False
        try:
            await client.chat_postEphemeral(channel=str(channel), user=str(user), **reply.kwargs())
            return True
        except Exception as exc:  # noqa: BLE001 - e.g. not_in_channel: the caller tries the other way
            log.warning("slack_ephemeral_failed", error=type(exc).__name__)
            return False


async def _respond(respond: Any, reply: Reply) -> bool:
    """Answer through the response_url, ephemerally; False when there is none or Slack refused."""
    if respond is None or not getattr(respond, "response_url", None):
        return False
    try:
        response = await respond(**reply.kwargs(), response_type="ephemeral", replace_original=False)
    except Exception as exc:  # noqa: BLE001 - the caller tries the other way
        log.warning("slack_respond_failed", error=type(exc).__name__)
        return False
    status = getattr(response, "status_code", 200)
    if status != 200:  # an expired or used-up response_url answers 404
        log.warning("slack_respond_failed", status=status)
        return False
    return True


def _user_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _handoff_id(action: dict[str, Any]) -> str:
    """The handoff a button belongs to: its value, else the actions block id `handoff_actions:<id>`."""
    value = str(action.get("value") or "").strip()
    if value:
        return value
    block_id = str(action.get("block_id") or "")
    return block_id.partition(":")[2] if block_id.startswith("handoff_actions:") else ""
