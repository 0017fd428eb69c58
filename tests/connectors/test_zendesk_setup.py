"""`setup_zendesk` through the real connector (zenpy's session and transport) against FakeZendesk."""
from __future__ import annotations

import json

import pytest
from zenpy import Zenpy

from connectors.errors import AuthFailed, RateLimited, Rejected, Unavailable
from connectors.zendesk import ZendeskConnector
from connectors.zendesk_setup import TRIGGER_CONDITIONS, describe, setup_zendesk
from handoff.core.formats.zendesk_events import SUBSCRIBED_EVENT_TYPES, TRIGGER_BODY
from handoff.devtools.fakes.zendesk import FakeZendesk

TARGET = "https://handoff.example.com/webhooks/zendesk"


async def test_trigger_kind_creates_webhook_and_trigger(zendesk_connector: ZendeskConnector,
                                                        fake_zendesk: FakeZendesk) -> None:
    result = await setup_zendesk(zendesk_connector, target_url=TARGET)

    [webhook] = fake_zendesk.webhooks.values()
    assert (result.webhook_id, result.webhook_created) == (webhook["id"], True)
    assert webhook["name"] == "Handoff"
    assert webhook["endpoint"] == TARGET
    assert (webhook["http_method"], webhook["request_format"], webhook["status"]) == ("POST", "json", "active")
    assert webhook["subscriptions"] == ["conditional_ticket_events"]
    assert "authentication" not in webhook  # Zendesk signs every request; no auth is configured
    [trigger] = fake_zendesk.triggers.values()
    assert (result.trigger_id, result.trigger_created) == (trigger["id"], True)
    assert trigger["title"] == "Handoff" and trigger["active"] is True
    assert trigger["conditions"] == TRIGGER_CONDITIONS
    [action] = trigger["actions"]
    assert action["field"] == "notification_webhook"
    assert action["value"][0] == webhook["id"]
    assert json.loads(action["value"][1]) == TRIGGER_BODY
    assert result.signing_secret == fake_zendesk.webhook_secrets[webhook["id"]]
    assert result.changed is True


async def test_events_kind_subscribes_to_ticket_events_without_trigger(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    result = await setup_zendesk(zendesk_connector, target_url=TARGET, name="Handoff events", kind="events")

    webhook = fake_zendesk.webhooks[result.webhook_id]
    assert webhook["subscriptions"] == list(SUBSCRIBED_EVENT_TYPES)
    assert result.trigger_id is None and not fake_zendesk.triggers
    assert fake_zendesk.requests_to("/api/v2/triggers.json") == []


async def test_second_run_creates_nothing(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    first = await setup_zendesk(zendesk_connector, target_url=TARGET)
    writes_before = [r for r in fake_zendesk.requests if r.method != "GET"]
    second = await setup_zendesk(zendesk_connector, target_url=TARGET)

    assert [r for r in fake_zendesk.requests if r.method != "GET"] == writes_before
    assert (second.webhook_id, second.trigger_id) == (first.webhook_id, first.trigger_id)
    assert (second.webhook_created, second.trigger_created, second.changed) == (False, False, False)
    assert second.signing_secret == first.signing_secret
    assert len(fake_zendesk.webhooks) == 1 and len(fake_zendesk.triggers) == 1


async def test_existing_webhook_is_found_across_pages_and_repointed(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    for i in range(150):  # more than one page of look-alikes before ours
        fake_zendesk.webhooks[f"01HX{i:022d}"] = {"id": f"01HX{i:022d}", "name": f"Handoff {i}",
                                                  "subscriptions": ["conditional_ticket_events"]}
    fake_zendesk.webhooks["01HZ0"] = {"id": "01HZ0", "name": "Handoff", "endpoint": "https://old.example.com/wh",
                                      "status": "active", "subscriptions": ["conditional_ticket_events"]}
    fake_zendesk.webhook_secrets["01HZ0"] = "old-secret"

    result = await setup_zendesk(zendesk_connector, target_url=TARGET)

    assert (result.webhook_id, result.webhook_created, result.webhook_updated) == ("01HZ0", False, True)
    assert fake_zendesk.webhooks["01HZ0"]["endpoint"] == TARGET
    assert result.signing_secret == "old-secret"
    assert len(fake_zendesk.requests_to("/api/v2/webhooks", "GET")) == 2  # followed links.next
    assert fake_zendesk.requests_to("/api/v2/webhooks", "POST") == []


async def test_stale_trigger_is_rewritten(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    first = await setup_zendesk(zendesk_connector, target_url=TARGET)
    assert first.trigger_id is not None
    fake_zendesk.triggers[first.trigger_id]["actions"] = [
        {"field": "notification_webhook", "value": [first.webhook_id, '{"ticket_id": "{{ticket.id}}"}']}]

    again = await setup_zendesk(zendesk_connector, target_url=TARGET)

    assert (again.trigger_id, again.trigger_created, again.trigger_updated) == (first.trigger_id, False, True)
    assert json.loads(fake_zendesk.triggers[first.trigger_id]["actions"][0]["value"][1]) == TRIGGER_BODY


async def test_trigger_is_found_on_a_later_page(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    first = await setup_zendesk(zendesk_connector, target_url=TARGET)
    ours = fake_zendesk.triggers.pop(first.trigger_id)
    for i in range(120):
        fake_zendesk.triggers[i + 1] = {"id": i + 1, "title": f"Notify requester {i}"}
    fake_zendesk.triggers[ours["id"]] = ours

    again = await setup_zendesk(zendesk_connector, target_url=TARGET)

    assert (again.trigger_id, again.trigger_created, again.trigger_updated) == (ours["id"], False, False)


async def test_kind_mismatch_is_refused(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    await setup_zendesk(zendesk_connector, target_url=TARGET, kind="events")
    with pytest.raises(Rejected, match="cannot change"):
        await setup_zendesk(zendesk_connector, target_url=TARGET, kind="trigger")
    assert not fake_zendesk.triggers


@pytest.mark.parametrize(("status", "headers", "error", "path"), [
    (401, {}, AuthFailed, "/api/v2/webhooks"),
    (403, {}, AuthFailed, "/api/v2/triggers.json"),
    (429, {"Retry-After": "7"}, RateLimited, "/api/v2/webhooks"),
    (503, {}, Unavailable, "/api/v2/triggers.json"),
    (422, {}, Rejected, "/api/v2/triggers.json"),
])
async def test_failures_are_mapped(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk, status: int,
                                   headers: dict[str, str], error: type[Exception], path: str) -> None:
    fake_zendesk.fail_next(status, headers=headers, path=path)
    with pytest.raises(error) as err:
        await setup_zendesk(zendesk_connector, target_url=TARGET)
    if status == 429:
        assert err.value.retry_after == 7  # type: ignore[attr-defined]


async def test_garbage_and_timeouts_are_unavailable(zendesk_connector: ZendeskConnector,
                                                    fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.garbage = True
    with pytest.raises(Unavailable):
        await setup_zendesk(zendesk_connector, target_url=TARGET)
    fake_zendesk.garbage = False
    fake_zendesk.delay = 5.0  # longer than the fixture's 2 s connector timeout
    with pytest.raises(Unavailable, match="timeout"):
        await setup_zendesk(zendesk_connector, target_url=TARGET)


async def test_a_missing_secret_is_unavailable(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk) -> None:
    secret_path = "/api/v2/webhooks/01HQ0000000000000000000001/signing_secret"
    fake_zendesk.fail_next(200, body={"signing_secret": {}}, path=secret_path)
    with pytest.raises(Unavailable, match="secret"):
        await setup_zendesk(zendesk_connector, target_url=TARGET, kind="events")


async def test_a_bare_zenpy_client_is_accepted_and_errors_still_mapped(
    fake_zendesk: FakeZendesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zenpy's own override points a plain client at the fake; no project transport on its session.
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", f"127.0.0.1:{fake_zendesk.port}")
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    good = Zenpy(subdomain="acme", email=fake_zendesk.email, token=fake_zendesk.token, timeout=2.0)
    result = await setup_zendesk(good, target_url=TARGET, kind="events")
    assert result.webhook_created and result.signing_secret

    bad = Zenpy(subdomain="acme", email=fake_zendesk.email, token="wrong-token", timeout=2.0)
    with pytest.raises(AuthFailed):
        await setup_zendesk(bad, target_url=TARGET)
    fake_zendesk.fail_next(429, headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as err:
        await setup_zendesk(good, target_url=TARGET, kind="events")
    assert err.value.retry_after == 3


async def test_conditions_echoed_with_null_values_still_match(
    zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk
) -> None:
    first = await setup_zendesk(zendesk_connector, target_url=TARGET)
    assert first.trigger_id is not None
    stored = fake_zendesk.triggers[first.trigger_id]["conditions"]
    stored["any"] = [dict(c, value=c.get("value")) for c in stored["any"]]
    again = await setup_zendesk(zendesk_connector, target_url=TARGET)
    assert again.changed is False


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"target_url": "ftp://x"}, "http"),
    ({"target_url": TARGET, "kind": "both"}, "kind"),
    ({"target_url": TARGET, "name": "  "}, "name"),
])
async def test_bad_arguments(zendesk_connector: ZendeskConnector, fake_zendesk: FakeZendesk,
                             kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await setup_zendesk(zendesk_connector, **kwargs)  # type: ignore[arg-type]
    assert fake_zendesk.requests == []


async def test_describe_hides_the_secret_unless_asked(zendesk_connector: ZendeskConnector) -> None:
    result = await setup_zendesk(zendesk_connector, target_url=TARGET)
    quiet, loud = describe(result), describe(result, show_secret=True)
    assert result.signing_secret not in quiet and result.signing_secret not in repr(result)
    assert "ZENDESK_WEBHOOK_SECRET" in quiet and "created" in quiet
    assert f"ZENDESK_WEBHOOK_SECRET={result.signing_secret}" in loud
