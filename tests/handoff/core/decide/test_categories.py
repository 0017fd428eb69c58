from handoff.core.decide.categories import CATEGORIES, category_for_reasons, skill_for
from handoff.core.decide.config import ALWAYS_HUMAN_CATEGORIES, TriggerSettings
from handoff.core.models import Reason


def test_every_always_human_category_has_a_skill() -> None:
    assert set(ALWAYS_HUMAN_CATEGORIES) <= set(CATEGORIES)
    assert skill_for("billing_dispute") == "billing"
    assert skill_for("account_security") == "security"
    assert skill_for("enterprise_contract") == "enterprise"
    assert skill_for("cancellation") == "retention"
    assert skill_for("nonsense") == "general"


def test_always_human_category_wins_over_other_reasons() -> None:
    reasons = [Reason("explicit_request", 0, "agent"), Reason("always_human", 0, "x", "legal: \"lawyer\"")]
    assert category_for_reasons(reasons) == "legal"


def test_weak_only_handoff_uses_page_then_topics() -> None:
    weak = [Reason("hedging", 1, "I think")]
    assert category_for_reasons(weak, [], "cancellation") == "cancellation"
    assert category_for_reasons(weak, ["technical"], None) == "technical"
    assert category_for_reasons(weak, [], None) == "ai_low_confidence"


def test_priorities_name_known_categories() -> None:
    assert set(TriggerSettings().category_priority) <= set(CATEGORIES)
