"""The Linear connector (httpx, GraphQL) against FakeLinear: search, create, comment on a duplicate, a retry
after a lost answer, and each failure as the project's error (rate limited with its reset, 5xx, auth)."""
from __future__ import annotations

import pytest

from connectors.errors import AuthFailed, RateLimited, Rejected, Unavailable
from connectors.linear import LinearConnector
from handoff.core.bug_report import handoff_marker, marker
from handoff.core.delivery_payloads import LinearIssue
from handoff.devtools.fakes.linear import API_KEY, TEAM_ID

NOW = 1_772_445_600.0  # the connector's clock, seconds


def report(handoff_id: str = "h_1", signature: str = "err-0123456789ab") -> LinearIssue:
    return LinearIssue(handoff_id=handoff_id, signature=signature, title="TypeError: x is undefined (app/editor)",
                       description=f"**Error**\n\n> TypeError: x is undefined\n\n`{marker(signature)}` "
                                   f"`{handoff_marker(handoff_id)}`",
                       comment=f"**Another customer hit this**\n\n`{handoff_marker(handoff_id)}`",
                       handoff_url=f"http://127.0.0.1:8000/v1/handoffs/{handoff_id}", team_id=TEAM_ID,
                       label_ids=("lbl-bug",))


@pytest.fixture
def linear(fake_linear):
    return LinearConnector(API_KEY, url=f"{fake_linear.url}/graphql", timeout=2, clock=lambda: NOW)


async def test_a_new_report_is_filed_as_an_issue_with_the_links(fake_linear, linear):
    result = await linear.file_bug(report(), "https://acme.zendesk.com/agent/tickets/42")
    assert result["action"] == "created" and result["identifier"] == "ENG-1"
    assert result["url"] == "https://linear.app/acme/issue/eng-1"
    [issue] = fake_linear.issues.values()
    assert issue["title"] == "TypeError: x is undefined (app/editor)"
    assert issue["label_ids"] == ["lbl-bug"] and issue["team_id"] == TEAM_ID
    assert "- Zendesk ticket: https://acme.zendesk.com/agent/tickets/42" in issue["description"]
    assert "- Handoff: http://127.0.0.1:8000/v1/handoffs/h_1" in issue["description"]
    search, create = fake_linear.requests
    assert search.headers["authorization"] == API_KEY  # a personal key goes as is, without "Bearer"
    assert search.json["variables"]["filter"]["description"] == {"contains": marker("err-0123456789ab")}
    assert "issueCreate" in create.json["query"]


async def test_a_second_report_with_the_same_signature_comments_on_the_open_issue(fake_linear, linear):
    first = await linear.file_bug(report("h_1"))
    second = await linear.file_bug(report("h_2"), None)
    assert second["action"] == "commented" and second["issue_id"] == first["issue_id"]
    assert fake_linear.created == 1 and fake_linear.commented == 1
    [issue] = fake_linear.issues.values()
    assert handoff_marker("h_2") in issue["comments"][0]["body"]
    assert "- Zendesk ticket: not created yet" in issue["comments"][0]["body"]
    assert second["comment_url"].startswith(issue["url"])


async def test_a_closed_issue_with_the_signature_is_not_a_duplicate(fake_linear, linear):
    fake_linear.add_issue("old", f"`{marker('err-0123456789ab')}`", state_type="completed")
    result = await linear.file_bug(report())
    assert result["action"] == "created" and fake_linear.created == 1


async def test_a_retry_after_a_lost_answer_finds_what_it_wrote(fake_linear, linear):
    await linear.file_bug(report("h_1"))
    again = await linear.file_bug(report("h_1"))  # the first answer was lost: same handoff sends again
    assert again["action"] == "created" and fake_linear.created == 1
    await linear.file_bug(report("h_2"))
    again = await linear.file_bug(report("h_2"))
    assert again["action"] == "commented" and fake_linear.commented == 1


async def test_rate_limited_is_retried_after_the_reset(fake_linear, linear):
    fake_linear.rate_limit()
    with pytest.raises(RateLimited) as caught:
        await linear.file_bug(report())
    # X-RateLimit-Requests-Reset is in epoch milliseconds: the fake resets a minute from its own clock
    assert caught.value.transient and caught.value.retry_after is not None and caught.value.retry_after > 0
    assert fake_linear.exchanges[0].response.status == 400
    fake_linear.fail_next(429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        await linear.file_bug(report())
    assert caught.value.retry_after == 7
    assert fake_linear.created == 0
    await linear.file_bug(report())
    assert fake_linear.created == 1


async def test_server_errors_and_garbage_are_transient(fake_linear, linear):
    fake_linear.fail_next(503)
    with pytest.raises(Unavailable):
        await linear.file_bug(report())
    fake_linear.garbage = True
    with pytest.raises(Unavailable):
        await linear.file_bug(report())


async def test_a_wrong_key_is_permanent(fake_linear):
    connector = LinearConnector("lin_api_wrong", url=f"{fake_linear.url}/graphql", timeout=2)
    with pytest.raises(AuthFailed) as caught:
        await connector.file_bug(report())
    assert not caught.value.transient
    assert "lin_api_wrong" not in str(caught.value)


async def test_a_team_linear_does_not_know_is_rejected(fake_linear, linear):
    from dataclasses import replace

    with pytest.raises(Rejected):
        await linear.file_bug(replace(report(), team_id="not-a-team"))


async def test_linear_down_is_unavailable(fake_linear):
    url = f"{fake_linear.url}/graphql"
    fake_linear.stop()
    with pytest.raises(Unavailable):
        await LinearConnector(API_KEY, url=url, timeout=1).file_bug(report())


async def test_a_stalled_linear_times_out(fake_linear):
    fake_linear.delay = 2
    with pytest.raises(Unavailable, match="timed out"):
        await LinearConnector(API_KEY, url=f"{fake_linear.url}/graphql", timeout=0.2).file_bug(report())


def test_the_key_is_never_in_the_repr():
    assert API_KEY not in repr(LinearConnector(API_KEY))
