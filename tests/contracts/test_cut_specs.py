"""The fragment cutter keeps what is used and everything it references, and the fragments match its lists."""
from __future__ import annotations

import pytest

from tests.contracts.cut_specs import (
    SLACK_OPERATIONS,
    STRIPE_OPERATIONS,
    ZENDESK_OPERATIONS,
    cut_slack,
    cut_stripe,
    cut_zendesk,
)
from tests.contracts.support import spec

DOC = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://x.example"}],
    "security": [{"basicAuth": []}],
    "paths": {
        "/api/v2/users/me": {"get": {"responses": {"200": {"description": "me", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Me"}, "examples": {"default": {"$ref": "#/components/examples/X"}}}}}}}},
        "/api/v2/unused": {"get": {"responses": {"200": {"description": "no"}}}},
    },
    "components": {
        "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
        "schemas": {"Me": {"type": "object", "properties": {"user": {"$ref": "#/components/schemas/User"},
                                                              "example": {"type": "string"}}},
                    "User": {"type": "object", "example": {"id": 1}, "properties": {"id": {"type": "integer"}}},
                    "Unused": {"type": "string"}},
        "examples": {"X": {"value": {}}},
    },
}


def test_keeps_the_used_operations_and_their_references_only() -> None:
    doc = {**DOC, "paths": {**DOC["paths"], **{p: {"get": {"responses": {}}} for p in ZENDESK_OPERATIONS
                                                if p != "/api/v2/users/me"}}}
    cut = cut_zendesk(doc)

    assert "/api/v2/unused" not in cut["paths"]
    assert set(cut["components"]["schemas"]) == {"Me", "User"}  # User only through Me
    assert "examples" not in cut["components"]
    assert "example" in cut["components"]["schemas"]["Me"]["properties"]  # a property named so stays
    assert "example" not in cut["components"]["schemas"]["User"]


@pytest.mark.parametrize(("name", "operations"), [("stripe", STRIPE_OPERATIONS), ("zendesk", ZENDESK_OPERATIONS),
                                                  ("slack", SLACK_OPERATIONS)])
def test_the_fragments_hold_exactly_the_listed_operations(name: str, operations: dict) -> None:  # noqa: ANN401
    fragment = spec(name)
    assert set(fragment["paths"]) == set(operations)
    assert fragment["x-cut"]["by"] == "tests/contracts/cut_specs.py" and fragment["x-cut"]["licence"]
    for path, methods in operations.items():
        if methods is not None:
            assert set(fragment["paths"][path]) - {"parameters"} == set(methods)


def test_stripe_answers_are_stubbed_and_slack_keeps_its_definitions() -> None:
    answer = {"200": {"description": "x", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Me"}}}}}
    stripe_doc = {**DOC, "paths": {p: {"get": {"parameters": [], "responses": answer}} for p in STRIPE_OPERATIONS}}
    assert "schemas" not in cut_stripe(stripe_doc)["components"]  # the stale answer shapes are not kept
    slack_doc = {"swagger": "2.0", "info": {},
                 "paths": {p: {"post": {"parameters": [], "responses": {"200": {"schema": {"$ref": "#/definitions/ok"}}}}}
                           for p in SLACK_OPERATIONS},
                 "definitions": {"ok": {"type": "boolean"}, "unused": {"type": "string"}}}
    assert cut_slack(slack_doc)["definitions"] == {"ok": {"type": "boolean"}}
