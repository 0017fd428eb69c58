"""The escalation decision: pure, incremental, explained."""

from handoff.core.decide.categories import CATEGORIES, skill_for
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.engine import TRIGGERS, DecisionContext, DecisionState, initial_state, step
from handoff.core.decide.replay import Replay, replay

__all__ = [
    "CATEGORIES",
    "TRIGGERS",
    "DecisionContext",
    "DecisionState",
    "Replay",
    "TriggerSettings",
    "initial_state",
    "replay",
    "skill_for",
    "step",
]
