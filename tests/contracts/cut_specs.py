"""Cut the vendor API descriptions down to what the connectors use: `tests/contracts/specs/*.json`.

Run from the repository root with the vendors' published files (not kept in the repository):

    python -m tests.contracts.cut_specs --stripe spec3.json --zendesk oas.yaml --slack slack_web_openapi_v2.json

- Stripe: `openapi/spec3.json` of github.com/stripe/openapi (MIT), the 2022-04-12 commit (API 2020-08-27).
  Kept: the five list operations' query parameters. Their answers are replaced by a stub: that spec's
  answer shapes are years stale, so the contract tests check answers against the installed `stripe`
  library's resource classes instead.
- Zendesk: the Support API's `oas.yaml` ("Support API" 2.0.0) as Zendesk publishes it. Kept: the used
  operations with their parameters, request bodies, answers and every schema they reference.
- Slack: `slack_web_openapi_v2.json` of github.com/slackapi/slack-api-specs (MIT; Swagger 2, frozen in
  2020). Kept: the used methods with their parameters, answers and referenced definitions.
Everywhere `example`/`examples` are dropped (size); nothing else is changed. HubSpot's descriptions are
proprietary: `specs/hubspot.json` is written by hand from HubSpot's public API reference instead.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent / "specs"

STRIPE_OPERATIONS = {"/v1/customers": ["get"], "/v1/subscriptions": ["get"], "/v1/invoices": ["get"],
                     "/v1/charges": ["get"], "/v1/disputes": ["get"]}
ZENDESK_OPERATIONS = {
    "/api/v2/users/me": ["get"],
    "/api/v2/users/{user_id}": ["get"],
    "/api/v2/tickets": ["get", "post"],
    "/api/v2/tickets/{ticket_id}": ["get", "put"],
    "/api/v2/tickets/{ticket_id}/comments": ["get"],
    "/api/v2/search": ["get"],
    "/api/v2/triggers": ["get", "post"],
    "/api/v2/triggers/{trigger_id}": ["get", "put"],
}
SLACK_OPERATIONS = {m: None for m in ("/auth.test", "/chat.postMessage", "/chat.update", "/chat.postEphemeral",
                                      "/conversations.open", "/conversations.history", "/users.lookupByEmail",
                                      "/views.open")}


def _strip_examples(node: Any, parent: str | None = None) -> Any:
    """Drop `example`/`examples` (but not a schema property that happens to be named so)."""
    if isinstance(node, dict):
        return {k: _strip_examples(v, k) for k, v in node.items()
                if parent == "properties" or k not in ("example", "examples")}
    if isinstance(node, list):
        return [_strip_examples(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_refs, node)) if node else set()
    return set()


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _with_references(doc: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """`kept` plus every component it references, transitively, at the same place as in `doc`."""
    pending, seen = _refs(kept), set()
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith("#/"):
            continue
        seen.add(ref)
        target = _strip_examples(_resolve(doc, ref))
        node = kept
        parts = ref.removeprefix("#/").split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = target
        pending |= _refs(target)
    return kept


def _paths(doc: dict[str, Any], operations: dict[str, list[str] | None]) -> dict[str, Any]:
    out = {}
    for path, methods in operations.items():
        item = doc["paths"][path]
        out[path] = {k: _strip_examples(v) for k, v in item.items()
                     if methods is None or k in methods or k == "parameters"}
    return out


def cut_stripe(doc: dict[str, Any]) -> dict[str, Any]:
    """The list operations' parameters; answers stubbed (see the module docstring)."""
    paths = _paths(doc, STRIPE_OPERATIONS)
    for item in paths.values():
        for op in item.values():
            op["responses"] = {"200": {"description": "A list object; its items are checked against the "
                                                      "stripe library's resource classes, not this spec."}}
            op.pop("requestBody", None)
    kept = {"openapi": doc["openapi"], "info": doc["info"], "servers": doc.get("servers", []),
            "security": doc.get("security", []), "paths": paths,
            "components": {"securitySchemes": doc["components"]["securitySchemes"]}}
    return _with_references(doc, kept)


def cut_zendesk(doc: dict[str, Any]) -> dict[str, Any]:
    """The used Support API operations with the schemas they reference."""
    kept = {"openapi": doc["openapi"], "info": doc["info"], "servers": doc["servers"], "security": doc["security"],
            "paths": _paths(doc, ZENDESK_OPERATIONS),
            "components": {"securitySchemes": doc["components"]["securitySchemes"]}}
    return _with_references(doc, kept)


def cut_slack(doc: dict[str, Any]) -> dict[str, Any]:
    """The used Web API methods with the definitions they reference."""
    kept = {k: doc[k] for k in ("swagger", "info", "host", "basePath", "schemes", "securityDefinitions")
            if k in doc}
    kept["paths"] = _paths(doc, SLACK_OPERATIONS)
    return _with_references(doc, kept)


def _load(path: Path) -> dict[str, Any]:
    if path.suffix in (".yaml", ".yml"):
        class Loader(yaml.SafeLoader):
            """Zendesk's file has `change: =` (YAML's value tag): read it as the string "="."""

        Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
        Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                          for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
        return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506 - SafeLoader subclass
    return json.loads(path.read_text(encoding="utf-8"))


ORIGINS = {
    "stripe": {"source": "openapi/spec3.json of github.com/stripe/openapi, 2022-04-12 (API 2020-08-27)",
               "licence": "MIT (see NOTICE)"},
    "zendesk": {"source": "Zendesk's published Support API oas.yaml (Support API 2.0.0)",
                "licence": "Zendesk's; none stated in the file (an excerpt for interoperability testing)"},
    "slack": {"source": "web-api/slack_web_openapi_v2.json of github.com/slackapi/slack-api-specs",
              "licence": "MIT (see NOTICE)"},
}


def main() -> None:
    """Write the fragments for whichever vendor files are given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stripe", type=Path)
    parser.add_argument("--zendesk", type=Path)
    parser.add_argument("--slack", type=Path)
    args = parser.parse_args()
    for name, source, cut in (("stripe", args.stripe, cut_stripe), ("zendesk", args.zendesk, cut_zendesk),
                              ("slack", args.slack, cut_slack)):
        if source is None:
            continue
        fragment = {**cut(_load(source)), "x-cut": {**ORIGINS[name], "by": "tests/contracts/cut_specs.py"}}
        target = HERE / f"{name}.json"
        target.write_text(json.dumps(fragment, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{target}: {len(fragment['paths'])} paths, {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
