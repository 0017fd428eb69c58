from handoff.core.formats.conversations import Conversation
from handoff.core.decide import TriggerSettings
from handoff.core.decide.replay import context_for, replay
from handoff.core.models import AccountSignals, Message

S = TriggerSettings(learned={"enabled": False})  # replay semantics, on the rules alone


def conv(*turns: tuple, **kw) -> Conversation:
    msgs = tuple(Message(t[0], t[1], index=i, confidence=t[2] if len(t) > 2 else None) for i, t in enumerate(turns))
    return Conversation(id="c", messages=msgs, **kw)


def test_replay_stops_at_the_first_handoff() -> None:
    c = conv(("customer", "hi, where is search?"), ("ai", "Press /.", 0.9), ("customer", "agent pls"),
             ("ai", "Sure", 0.9), ("customer", "this is ridiculous"))
    r = replay(c, S)
    assert r.handoff_at == 2 and r.decision.handoff
    assert r.state.messages_seen == 3  # nothing after the handoff was evaluated
    assert [x.trigger for x in r.decision.reasons] == ["explicit_request"]


def test_replay_without_handoff_returns_last_decision() -> None:
    r = replay(conv(("customer", "where is search?"), ("ai", "Press /.", 0.9)), S)
    assert r.handoff_at is None and not r.decision.handoff and r.state.messages_seen == 2


def test_context_defaults_from_the_conversation() -> None:
    c = conv(("customer", "which plan has audit logs?"), ("ai", "Dedicated IPs may be available.", 0.5),
             page_url="https://app.example.com/settings/billing", account=AccountSignals(tier="enterprise"))
    ctx = context_for(c)
    assert ctx.page_url == c.page_url and ctx.account.tier == "enterprise"
    r = replay(c, S)
    assert r.handoff_at == 1 and {"low_confidence", "account_tier"} <= {x.trigger for x in r.decision.reasons}
