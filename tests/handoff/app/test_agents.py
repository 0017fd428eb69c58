"""Who an agent is: found by id, Slack user, Zendesk user or e-mail (case-insensitive), never by an empty value."""
from __future__ import annotations

from types import SimpleNamespace

from handoff.app.agents import AgentDirectory


def _declared(**kw):
    base = dict(id="maria", name="Maria", slack_user_id="U1", email="Maria@Example.com", zendesk_user_id=7)
    return SimpleNamespace(**{**base, **kw})


def test_lookups_find_the_declared_agent_and_nobody_else() -> None:
    d = AgentDirectory([_declared(), _declared(id="li", name="Li", slack_user_id=None, email=None, zendesk_user_id=None)])
    assert d.agent("maria").name == "Maria" and d.agent("nobody") is None
    assert d.agent_for_slack_user("U1").id == "maria" and d.agent_for_slack_user("U2") is None
    assert d.agent_for_email("  maria@example.COM ").id == "maria"
    assert d.agent_for_email("") is None and d.agent_for_email(None) is None  # Li has no e-mail: not a match
    assert d.agent_for_zendesk_user(7).id == "maria" and d.agent_for_zendesk_user(None) is None
