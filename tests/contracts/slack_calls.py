"""Slack Web API calls checked against the Web API spec fragment and slack_sdk's Block Kit models.

A spec-driven mock is impractical for Slack (Swagger 2 `formData`, a required `token` parameter that
slack_sdk sends as a header), so instead each recorded call is checked for: a method the spec has, the
required arguments present (the token as the Authorization header), no argument the spec lacks except
the documented newer ones, and the fake's answer valid against the method's success or error schema.
Blocks and views go through slack_sdk's own models: each must parse, validate (Slack's limits) and
round-trip unchanged (a key the model does not know is dropped, which shows here).
"""
from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from jsonschema import Draft4Validator
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.contracts.support import spec
from handoff.devtools.fakes.http import Exchange

# Arguments Slack added after the spec froze in 2020 (documented on the methods' pages today).
NEWER_ARGUMENTS = {
    "chat.postMessage": {"metadata"},  # message metadata, 2022
    "chat.update": {"metadata"},
    "conversations.history": {"include_all_metadata"},
}


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def block_problems(blocks: Any, where: str) -> list[str]:
    """Each block parsed, validated and round-tripped through slack_sdk's models."""
    if not isinstance(blocks, list):
        return [f"{where}: blocks is not a list"]
    problems = []
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw) if isinstance(raw, dict) else None
        except (TypeError, ValueError):
            block = None
        if block is None:
            problems.append(f"{where}: block {i} is not a block slack_sdk knows ({raw!r:.80})")
            continue
        try:
            block.validate_json()
            if block.to_dict() != raw:
                problems.append(f"{where}: block {i} does not round-trip (unknown or misspelt keys): {raw!r:.200}")
        except SlackObjectFormationError as exc:
            problems.append(f"{where}: block {i}: {exc}")
    return problems


def view_problems(view: Any, where: str) -> list[str]:
    """A view (modal) through slack_sdk's View model."""
    if not isinstance(view, dict):
        return [f"{where}: view is not an object"]
    try:
        model = View(**view)
        model.validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        return [f"{where}: view: {exc}"]
    return block_problems(view.get("blocks") or [], f"{where} view")


@cache
def relaxed() -> dict[str, Any]:
    """The fragment with its known errors and staleness mended (each verified on Slack's method pages):

    - messages carry `metadata` (message metadata, 2022);
    - conversations.history answers carry `response_metadata` (cursor pagination) and may have no messages;
    - chat.update's answer holds `message.blocks` as an array of blocks (the spec says object).
    """
    doc = copy.deepcopy(spec("slack"))
    doc["definitions"]["objs_message"]["properties"]["metadata"] = {
        "type": "object", "required": ["event_type", "event_payload"],
        "properties": {"event_type": {"type": "string"}, "event_payload": {"type": "object"}}}
    history = doc["paths"]["/conversations.history"]["get"]["responses"]["200"]["schema"]
    history["properties"]["response_metadata"] = {"type": "object",
                                                  "properties": {"next_cursor": {"type": "string"}}}
    history["properties"]["messages"].pop("minItems", None)
    update = doc["paths"]["/chat.update"]["post"]["responses"]["200"]["schema"]
    update["properties"]["message"]["properties"]["blocks"] = {"$ref": "#/definitions/blocks"}
    return doc


def _schema(op: dict[str, Any], status: str) -> dict[str, Any] | None:
    answer = (op.get("responses") or {}).get(status) or {}
    schema = answer.get("schema")
    return {"definitions": relaxed().get("definitions", {}), **schema} if schema else None


def call_problems(exchange: Exchange) -> list[str]:
    """One recorded Web API call and the fake's answer against the spec and slack_sdk's models."""
    request = exchange.request
    method = request.path.removeprefix("/api/")
    item = relaxed()["paths"].get(f"/{method}")
    if item is None:
        return [f"{method}: no such method in the Slack spec"]
    op = next(iter(v for k, v in item.items() if k in ("get", "post")))
    params = {p["name"]: p for p in op.get("parameters", [])}
    sent = {k: _decoded(v) for k, v in request.params().items()}
    problems = []
    for name, p in params.items():
        if name == "token":
            if not request.headers.get("authorization", "").startswith("Bearer "):
                problems.append(f"{method}: no token (Authorization: Bearer)")
        elif p.get("required") and name not in sent:
            problems.append(f"{method}: required argument {name!r} missing")
    newer = NEWER_ARGUMENTS.get(method, set())
    problems += [f"{method}: argument {k!r} is not in the spec" for k in sent if k not in params and k not in newer]
    if "blocks" in sent and sent["blocks"] is not None:
        problems += block_problems(sent["blocks"], method)
        if not sent.get("text"):
            problems.append(f"{method}: blocks without the top-level `text` fallback")
    if "view" in sent:
        problems += view_problems(sent["view"], method)
    body = exchange.response.body
    if exchange.response.status == 200 and isinstance(body, dict):
        schema = _schema(op, "200" if body.get("ok") else "default")
        if schema is not None:
            problems += [f"{method} answer: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
                         for e in Draft4Validator(schema).iter_errors(body)]
    return problems
