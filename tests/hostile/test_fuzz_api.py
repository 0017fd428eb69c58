"""Schema-based fuzzing of the /v1 API from its own /openapi.json: no 5xx, and every answer as documented.

The cases come from schemathesis (positive: schema-valid; negative: schema-violating), sent to
the in-process app as the runtime builds it. Bounded and derandomized: the same cases every run.
Schemathesis's pytest plugin (`from_fixture`) does not work with pytest 9, so each operation's
strategy runs under a plain `@given` inside an ordinary parametrized test.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from handoff.bootstrap import build_runtime
from tests.hostile.conftest import hostile_app

KEY = "fuzz-key-0123456789"
EXAMPLES = 60
OPERATIONS = [
    ("POST", "/v1/conversations/{conversation_id}/messages"),
    ("POST", "/v1/conversations/{conversation_id}/handoff"),
    ("GET", "/v1/handoffs/{handoff_id}"),
    ("GET", "/v1/conversations/{conversation_id}"),
    ("POST", "/v1/handoffs/{handoff_id}/release"),
    ("POST", "/v1/handoffs/{handoff_id}/refresh"),
    ("POST", "/v1/handoffs/{handoff_id}/choice"),
]
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_schema(make_config):
    rt = build_runtime(make_config(HANDOFF_API_KEYS=KEY))
    # with keys set, the document needs the key too ([service] metrics_require_key defaults on)
    schema = schemathesis.openapi.from_asgi("/openapi.json", hostile_app(rt), headers={"Authorization": f"Bearer {KEY}"})
    yield schema
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()
    rt.close()


def test_every_v1_operation_is_fuzzed(api_schema):
    documented = {(method.upper(), path) for path, item in api_schema.raw_schema["paths"].items()
                  if path.startswith("/v1/") for method in item}
    assert documented == set(OPERATIONS)


def _semantic_refusal(response) -> bool:
    """A 422 the schema cannot express: a time zone that is a string but not an IANA zone name, a
    `sent_at` outside the years 2000-2100 or more than a day ahead (JSON Schema has no range for
    date-times), a confidence on a customer's turn, or a URL whose host does not parse."""
    error = response.json().get("error", "") if response.status_code == 422 else ""
    return any(s in error for s in ("IANA time zone", "sent_at: Value error, must be a time in the years",
                                    "ahead of the server's clock", "only AI turns carry a confidence",
                                    "absolute http(s) URL", "must carry a UTC offset"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_errors_and_answers_match_the_schema(api_schema, method, path, mode):
    operation = api_schema[path][method]
    seen: list[int] = []

    @given(case=operation.as_strategy(mode))
    @FUZZ
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {KEY}"})
        seen.append(response.status_code)
        assert response.status_code < 500, response.text
        excluded = [positive_data_acceptance] if _semantic_refusal(response) else None
        case.validate_response(response, excluded_checks=excluded, headers={"Authorization": f"Bearer {KEY}"})

    run()
    assert seen, "no case was generated"
