"""A tiny model trained in the test session from a few labelled conversations: fast and predictable."""
from __future__ import annotations

from pathlib import Path

import pytest

from handoff.core.formats.conversations import Conversation, Label
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.examples import all_examples
from handoff.core.decide.learned.probes import page_and_offer
from handoff.core.decide.learned.train import TrainOptions, fit, to_bytes
from handoff.core.models import Message

ROUTINE = [
    "how do I export my invoices", "where is the dark mode setting", "can I add a teammate",
    "how do I change my password", "what file types can I upload", "where do I see my plan",
    "how do I rename a project", "is there an api for reports", "can I print a board",
    "how do I cancel a meeting invite", "where are the notification settings", "thanks that worked",
]
STOP_PAYING = [
    "we are done with you, how do I stop paying", "stop paying for this please we are leaving",
    "I want to stop paying, we moved to another tool", "how do we stop paying, closing the company",
    "stop paying from next month, we are done",
]
SOMEONE = [
    "a real human being please", "put me through to a real human", "real human now",
    "i need a real human to look at this", "real human being, not a bot",
]


def conv(cid: str, text: str, escalate: bool, category: str, topic: str | None = None) -> Conversation:
    return Conversation(id=cid, messages=(Message("customer", text),),
                        label=Label(escalate, 0 if escalate else None, category, topic))


def tiny_corpus() -> list[Conversation]:
    out = [conv(f"r{i}", t, False, "routine", "general") for i, t in enumerate(ROUTINE)]
    out += [conv(f"c{i}", t, True, "cancellation", "cancellation") for i, t in enumerate(STOP_PAYING)]
    out += [conv(f"h{i}", t, True, "explicit_request") for i, t in enumerate(SOMEONE)]
    return out


@pytest.fixture(scope="session")
def tiny_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    data, _ = fit(all_examples(tiny_corpus(), page_kind, ai_offer), TrainOptions(c=20.0, min_count=1))
    path = tmp_path_factory.mktemp("model") / "tiny.json.gz"
    path.write_bytes(to_bytes(data))
    return path
