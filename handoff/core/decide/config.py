"""Settings of the triggers (the `[triggers]` table of settings.toml).

Strong signals (explicit request, always-human category, negative sentiment, sentiment drop,
frustration, low confidence, loops) escalate on their own. Weak signals (hedging, length jump,
complexity, page context, one negative message) add their `weight` to a score that escalates when
it reaches `weak_signals.threshold`; a VIP/enterprise tier or churn risk lowers that threshold.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from handoff.core.models import PRIORITIES

LANGUAGES = ("en", "es", "fr", "de", "pt")
ALWAYS_HUMAN_CATEGORIES = (
    "cancellation",
    "billing_dispute",
    "account_security",
    "fraud",
    "legal",
    "data_privacy",
    "sensitive",
    "enterprise_contract",
)


class _Strict(BaseModel):
    """A settings table where an unknown key is an error naming it."""

    model_config = ConfigDict(extra="forbid")


class ExplicitRequest(_Strict):
    """The customer asks for a human ("talk to a real person", "agent pls")."""

    enabled: bool = True
    extra_phrases: list[str] = []
    extra_patterns: list[str] = []
    extra_negatives: list[str] = []


class AlwaysHuman(_Strict):
    """Topics a human must always handle, whatever the AI could say."""

    enabled: bool = True
    categories: list[str] = list(ALWAYS_HUMAN_CATEGORIES)
    extra_phrases: dict[str, list[str]] = {}
    extra_patterns: dict[str, list[str]] = {}


class NegativeSentiment(_Strict):
    """Negative sentiment persisting over consecutive customer messages."""

    enabled: bool = True
    threshold: float = -0.4
    consecutive: int = Field(2, ge=1)
    weak_weight: float = 1.0


class SentimentDrop(_Strict):
    """A sharp fall in sentiment from one customer message to the next."""

    enabled: bool = True
    drop: float = 0.9
    floor: float = -0.5


class Frustration(_Strict):
    """Frustration language: strong phrases score 2, mild phrases and pushback 1."""

    enabled: bool = True
    points: int = Field(2, ge=1)
    window: int = Field(3, ge=1)
    extra_strong: list[str] = []
    extra_mild: list[str] = []


class LowConfidence(_Strict):
    """The AI's own confidence below a threshold on consecutive replies."""

    enabled: bool = True
    threshold: float = Field(0.7, ge=0, le=1)
    consecutive: int = Field(2, ge=1)


class Hedging(_Strict):
    """Hedging or inability in an AI reply ("I think", "I couldn't find"); a weak signal."""

    enabled: bool = True
    weight: float = 1.0
    extra_phrases: list[str] = []


class Learned(_Strict):
    """The learned intent layer: a classifier beside the rules that catches phrasing they miss."""

    enabled: bool = True
    # "shipped" (the model in the package) or the path of a model written by `handoff train`
    model_path: str = "shipped"
    # a customer message escalates when the probability that it holds an intent a human must handle
    # (any of them) reaches this; the likeliest one names the category. Per-intent overrides in `thresholds`.
    threshold: float = Field(0.4, gt=0, le=1)
    # the rules already catch most explicit requests and disputes; the layer's guesses at them on booking-style
    # dialogues ("can you tell me ... please") were most of its false positives, so it needs more to add one
    thresholds: dict[str, float] = {"explicit_request": 0.55, "billing_dispute": 0.55}
    # a topic from the model counts for routing from this probability on
    topic_threshold: float = Field(0.4, ge=0, le=1)
    # an illness or a death in the family (lexicon.SENSITIVE_CIRCUMSTANCES) is "sensitive" when the message also
    # names an account, a bill or a contract (CIRCUMSTANCE_MATTERS), or the layer gives it at least this
    # probability of holding something a human must handle; told in passing otherwise, it is routine
    circumstance_threshold: float = Field(0.3, ge=0, le=1)


class SecondOpinion(_Strict):
    """An optional LLM asked when the learned layer alone would escalate, or is unsure, and no rule decided.

    Off by default. The key comes from HANDOFF_SECOND_OPINION_API_KEY only; no answer within `timeout_ms`
    (or an error, or an answer that is not the JSON asked for) keeps the local decision.
    """

    enabled: bool = False
    url: str = "https://api.openai.com/v1"  # an OpenAI-compatible API: POST {url}/chat/completions
    model: str = "gpt-4o-mini"
    timeout_ms: int = Field(800, ge=50, le=10_000)
    # asked when the learned probability is within `band` of its threshold (or the layer alone escalates)
    band: float = Field(0.15, ge=0, le=1)
    customer_messages: int = Field(4, ge=1, le=20)  # the most recent customer messages it reads
    max_chars: int = Field(2000, ge=200, le=20_000)  # at most this much of their text


class LoopCustomer(_Strict):
    """The customer asks the same thing again and again."""

    enabled: bool = True
    repeats: int = Field(3, ge=2)
    similarity: float = Field(85, ge=0, le=100)
    window: int = Field(6, ge=2, le=20)
    min_chars: int = 16


class LoopAI(_Strict):
    """The AI gives the same answer again."""

    enabled: bool = True
    repeats: int = Field(2, ge=2)
    similarity: float = Field(95, ge=0, le=100)
    window: int = Field(4, ge=1, le=20)
    min_chars: int = 40


class LengthJump(_Strict):
    """A customer message much longer than their usual; a weak signal."""

    enabled: bool = True
    ratio: float = 3.0
    min_chars: int = 250
    weight: float = 1.0


class Complexity(_Strict):
    """Many turns or many topics in one conversation; a weak signal."""

    enabled: bool = True
    customer_turns: int = 15
    topics: int = 3
    topics_min_turns: int = 4
    weight: float = 1.0


class AccountTier(_Strict):
    """VIP / enterprise accounts: a lower bar for escalation."""

    enabled: bool = True
    tiers: list[str] = ["vip", "enterprise", "strategic"]
    threshold_reduction: float = 0.5
    single_message: bool = True


class ChurnRisk(_Strict):
    """Accounts flagged at risk of churning: a lower bar for escalation."""

    enabled: bool = True
    threshold_reduction: float = 0.5
    single_message: bool = True


class PageContext(_Strict):
    """The customer is on a cancellation or billing page; a weak signal."""

    enabled: bool = True
    weight: float = 1.0
    cancellation_patterns: list[str] = []
    billing_patterns: list[str] = []


class WeakSignals(_Strict):
    """How weak signals combine."""

    threshold: float = 2.0
    window: int = Field(6, ge=1)


class TriggerSettings(_Strict):
    """Every trigger's switch, thresholds and phrases."""

    languages: list[str] = list(LANGUAGES)
    typo_tolerance: bool = True
    max_text_chars: int = Field(4000, ge=100)
    category_priority: dict[str, str] = {
        "fraud": "urgent",
        "account_security": "urgent",
        "legal": "urgent",
        "sensitive": "high",
        "billing_dispute": "high",
        "cancellation": "high",
        "data_privacy": "high",
        "enterprise_contract": "high",
        "explicit_request": "normal",
        "frustration": "high",
    }
    explicit_request: ExplicitRequest = ExplicitRequest()
    always_human: AlwaysHuman = AlwaysHuman()
    negative_sentiment: NegativeSentiment = NegativeSentiment()
    sentiment_drop: SentimentDrop = SentimentDrop()
    frustration: Frustration = Frustration()
    low_confidence: LowConfidence = LowConfidence()
    hedging: Hedging = Hedging()
    learned: Learned = Learned()
    second_opinion: SecondOpinion = SecondOpinion()
    loop_customer: LoopCustomer = LoopCustomer()
    loop_ai: LoopAI = LoopAI()
    length_jump: LengthJump = LengthJump()
    complexity: Complexity = Complexity()
    account_tier: AccountTier = AccountTier()
    churn_risk: ChurnRisk = ChurnRisk()
    page_context: PageContext = PageContext()
    weak_signals: WeakSignals = WeakSignals()

    @field_validator("category_priority")
    @classmethod
    def _known_priorities(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if v not in PRIORITIES}
        if bad:
            raise ValueError(f"priorities must be one of {', '.join(PRIORITIES)}: {bad}")
        return value
