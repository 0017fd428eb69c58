"""The briefing a human agent receives with a handoff: pure, built from what is already known.

Everything here is deterministic: the same conversation, decision and account facts give
the same summary, recommended action and greeting, so notes can be tested and diffed.
Facts from the enrichment sources are read defensively (a source may be missing, fail,
or return fewer fields than expected); nothing here raises on a missing key.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from handoff.core.decide.sentiment import score
from handoff.core.models import AccountContext, Customer, Decision, KBArticle, Message, Reason, Route, SourceResult

KNOWN_SOURCES: tuple[str, ...] = ("stripe", "hubspot", "zendesk")
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt")


class SummariserSettings(BaseModel):
    """The optional LLM summariser (`[briefing.summariser]`); the key is HANDOFF_SUMMARISER_API_KEY."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = False
    url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    timeout_seconds: float = Field(8.0, gt=0, le=120)
    max_tokens: int = Field(120, ge=16, le=2000)
    max_transcript_chars: int = Field(12000, ge=500, le=200_000)


class BriefingSettings(BaseModel):
    """How briefings are built and rendered (the `[briefing]` table of settings.toml)."""

    model_config = ConfigDict(extra="forbid")
    summary_max_chars: int = Field(200, ge=60, le=1000)
    excerpt_chars: int = Field(200, ge=40, le=2000)
    evidence_chars: int = Field(160, ge=40, le=2000)
    # The last messages a handoff carries (stored briefing, Zendesk note); the rest are counted and linked.
    # `note_transcript_max_messages` is its former name, still read.
    transcript_messages: int = Field(
        20, ge=1, le=500, validation_alias=AliasChoices("transcript_messages", "note_transcript_max_messages")
    )
    # The last AI replies listed under "What the AI tried"; the earlier ones are counted.
    ai_attempts: int = Field(5, ge=1, le=50)
    note_message_chars: int = Field(1500, ge=100, le=20_000)
    slack_transcript_messages: int = Field(4, ge=0, le=20)
    slack_message_chars: int = Field(200, ge=40, le=1000)
    # Per category, replaces the built-in recommended action (plain text).
    actions: dict[str, str] = {}
    # Per language code, replaces the built-in greeting; may use {first_name} and {issue}.
    greetings: dict[str, str] = {}
    summariser: SummariserSettings = SummariserSettings()


@dataclass(frozen=True)
class AIAttempt:
    """One AI reply: what it said (an excerpt), how sure it was, what it used and did."""

    message_index: int
    excerpt: str
    confidence: float | None = None
    kb_articles: tuple[KBArticle, ...] = ()
    actions: tuple[str, ...] = ()
    # The whole reply, for renderers that mask before they cut; not part of the JSON form.
    full_text: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "message_index": self.message_index,
            "text": self.excerpt,
            "confidence": self.confidence,
            "kb_articles": [_kb_dict(a) for a in self.kb_articles],
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class AccountFact:
    """One labelled account fact for the renderers, e.g. ("stripe", "MRR", "$499.00/month")."""

    source: str
    label: str
    value: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"source": self.source, "label": self.label, "value": self.value}


@dataclass(frozen=True)
class Briefing:
    """Everything an agent needs to take over without making the customer repeat themselves."""

    conversation_id: str
    summary: str
    category: str | None
    intent: str | None
    priority: str
    sentiment_now: float | None
    trajectory: str
    sentiment_history: tuple[float, ...]  # of the customer messages among the transcript's
    page_url: str | None
    page_label: str | None
    ai_attempts: tuple[AIAttempt, ...]
    ai_confidence: Mapping[str, float | None]
    kb_articles: tuple[KBArticle, ...]
    account: AccountContext
    account_facts: tuple[AccountFact, ...]
    open_tickets: tuple[Mapping[str, Any], ...]
    recommended_action: str
    greeting: str
    reasons: tuple[Reason, ...]
    # The last `transcript_messages` messages (all of them in a short conversation) ...
    transcript: tuple[Message, ...]
    customer: Customer
    summary_source: Literal["extractive", "llm"] = "extractive"
    extractive_summary: str = ""
    # ... of this many in the conversation; likewise the last `ai_attempts` AI replies of this many.
    transcript_total: int = 0
    ai_attempts_total: int = 0
    topic: str | None = None  # what the case is about (routing): billing, technical, account_access...
    language: str | None = None  # the customer's language, given or detected
    # The settings it was built with, so renderers honour the same limits without extra wiring.
    settings: BriefingSettings = field(default_factory=lambda: BriefingSettings(), compare=False, repr=False)

    def with_summary(self, text: str) -> "Briefing":
        """The same briefing with a summary written by the LLM summariser."""
        return replace(self, summary=text, summary_source="llm")

    def account_dict(self) -> dict[str, Any]:
        """`briefing.account`: each source's facts or why it is unavailable, plus the signals."""
        out: dict[str, Any] = {}
        for name in KNOWN_SOURCES:
            out[name] = _source(self.account, name).as_dict()
        for s in self.account.sources:
            if s.source not in out:
                out[s.source] = s.as_dict()
        sig = self.account.signals
        out["tier"] = sig.tier
        out["churn_risk"] = sig.churn_risk
        has_owner = sig.owner_name or sig.owner_email
        out["owner"] = {"name": sig.owner_name, "email": sig.owner_email} if has_owner else None
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON form shown under `briefing` by the API and `simulate --json`."""
        return {
            "conversation_id": self.conversation_id,
            "summary": self.summary,
            "summary_source": self.summary_source,
            "category": self.category,
            "topic": self.topic,
            "language": self.language,
            "intent": self.intent,
            "priority": self.priority,
            "sentiment": {
                "now": self.sentiment_now,
                "trajectory": self.trajectory,
                "history": list(self.sentiment_history),
            },
            "page_url": self.page_url,
            "page": self.page_label,
            "ai_attempts": [a.as_dict() for a in self.ai_attempts],
            "ai_attempts_total": self.ai_attempts_total,
            "ai_confidence": dict(self.ai_confidence),
            "kb_articles": [_kb_dict(a) for a in self.kb_articles],
            "account": self.account_dict(),
            "account_facts": [f.as_dict() for f in self.account_facts],
            "open_tickets": [dict(t) for t in self.open_tickets],
            "recommended_action": self.recommended_action,
            "greeting": self.greeting,
            "reasons": [r.as_dict() for r in self.reasons],
            "transcript": transcript_json(self.transcript),
            "transcript_total": self.transcript_total,
            "customer": {
                "name": self.customer.name,
                "email": self.customer.email,
                "language": self.customer.language,
            },
        }


def transcript_json(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages in the JSON form of `briefing.transcript` (and of the API's full transcript)."""
    return [
        {"index": m.index, "role": m.role, "text": m.text, "sent_at": m.sent_at.isoformat() if m.sent_at else None}
        for m in messages
    ]


def bounded_briefing_json(data: Mapping[str, Any] | None, settings: BriefingSettings) -> dict[str, Any]:
    """A stored briefing as it is shown: one stored before briefings were bounded (the whole transcript
    and every AI reply inside) gets the last `transcript_messages` and `ai_attempts` of them and their totals."""
    out = dict(data or {})
    for key, total, keep in (("transcript", "transcript_total", settings.transcript_messages),
                             ("ai_attempts", "ai_attempts_total", settings.ai_attempts)):
        items = out.get(key)
        if isinstance(items, list) and total not in out:
            out[key], out[total] = items[-keep:], len(items)
    return out


# ---------------------------------------------------------------- small helpers


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    # Prefer a word boundary when one is near, so excerpts don't end mid-word.
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    # Half a card number is no longer Luhn-valid, so masking would miss it: drop a cut-off long number.
    if text[len(cut) : len(cut) + 2].strip(" -")[:1].isdigit():
        run = re.search(r"(?:\d[ -]?)+$", cut)
        if run and sum(c.isdigit() for c in run.group(0)) >= 6:
            cut = cut[: run.start()]
    return cut.rstrip(" ,;:.-") + "…"


# Beyond twice the excerpt, this much more of a long text is masked before it is cut (see masked_clip).
MASK_MARGIN_CHARS = 256


def masked_clip(text: str, limit: int, mask: Callable[[str], str]) -> str:
    """`clip(mask(text), limit)`, masking only a bounded head of a long text, so a 30 KB message costs
    what a short one does.

    The head ends before its last word and any trailing run of digits and separators: nothing masking
    would catch whole (a card number, a key) is left cut in two and missed.
    """
    bound = 2 * limit + MASK_MARGIN_CHARS
    if len(text) <= bound:
        return clip(mask(text), limit)
    end = bound
    while end > 0 and not text[end - 1].isspace():
        end -= 1
    while end > 0 and (text[end - 1].isdigit() or not text[end - 1].isalnum()):
        end -= 1
    if end == 0:  # one huge word: nowhere safe to cut before masking
        return clip(mask(text), limit)
    cut = clip(mask(text[:end]), limit)
    if cut.endswith("…"):
        return cut
    cut = cut.rstrip()  # the text goes on: say so
    return cut + "…" if len(cut) < limit else cut[: limit - 1] + "…"


def _kb_dict(a: KBArticle) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "url": a.url}


def _source(account: AccountContext, name: str) -> SourceResult:
    found = account.source(name)
    if found is not None:
        return found
    return SourceResult(name, "not_configured", reason="no result from this source")


def _facts(account: AccountContext, name: str) -> dict[str, Any]:
    s = account.source(name)
    if s is None or s.status != "ok" or not isinstance(s.facts, dict):
        return {}
    return s.facts


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list | tuple) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


_CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


def money(amount: Any, currency: Any = "usd") -> str:
    """An amount in major units as text: `$1,234.50`, `1,200.00 CHF`."""
    value = _num(amount)
    if value is None:
        return "?"
    cur = str(currency or "usd").lower()
    sign = _CURRENCY_SIGNS.get(cur)
    text = f"{value:,.2f}"
    return f"{sign}{text}" if sign else f"{text} {cur.upper()}"


def _stripe_minor(amount: Any, currency: Any) -> str:
    # Raw Stripe objects carry integer amounts in minor units (zero-decimal currencies aside);
    # a float means the connector already converted to major units.
    value = _num(amount)
    if value is None:
        return "?"
    cur = str(currency or "usd").lower()
    if isinstance(amount, float):
        return money(value, cur)
    zero_decimal = cur in {"jpy", "krw", "vnd", "clp", "isk", "ugx", "xaf", "xof"}
    return money(value if zero_decimal else value / 100, cur)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(n: int) -> str:
    """`third` for 3, `12th` beyond ten."""
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def first_name(customer: Customer) -> str | None:
    """The customer's first name when the name looks like one (not an e-mail address)."""
    name = (customer.name or "").strip()
    if not name or "@" in name:
        return None
    first = name.split()[0].strip(",.")
    return first[:1].upper() + first[1:] if first else None


def language_of(customer: Customer) -> str:
    """The customer's base language code among the supported ones (`es-MX` → `es`), else `en`."""
    code = (customer.language or "en").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


# ---------------------------------------------------------------- page


_ID_SEGMENT = re.compile(
    r"^(?:\d+|[0-9a-f]{8,}|[0-9a-f-]{16,}|[a-z]{2,4}_[A-Za-z0-9]{6,}|[a-z]{2}(?:-[a-z]{2})?)$", re.I
)
_PAGE_WORDS = {"settings", "account", "billing", "subscription", "cancel", "plans", "pricing", "payment", "payments"}


def page_label(url: str | None) -> str | None:
    """A readable name for the page the customer is on: `/settings/billing` → `billing settings page`."""
    if not url:
        return None
    try:
        path = urlsplit(url).path if "://" in url else url.split("?")[0].split("#")[0]
    except ValueError:
        return None
    segments = [s for s in path.split("/") if s]
    # Drop ids and locale prefixes ("/en/", "/cus_123/") that say nothing about the page.
    words = [s for s in segments if not (_ID_SEGMENT.match(s) and s.lower() not in _PAGE_WORDS)]
    words = [re.sub(r"\.\w{2,4}$", "", w) for w in words]
    if not words:
        return "home page" if not segments else None
    tail = [re.sub(r"[-_+]+", " ", w).strip().lower() for w in words[-2:]]
    return " ".join(reversed([t for t in tail if t])) + " page"


# ---------------------------------------------------------------- categories


@dataclass(frozen=True)
class _CategoryText:
    summary: str  # summary clause
    intent: str  # what the customer wants, short


_CATEGORIES: dict[str, _CategoryText] = {
    "cancellation": _CategoryText("expressing cancellation intent", "cancel their subscription or account"),
    "billing_dispute": _CategoryText("disputing a charge", "dispute a charge"),
    "chargeback": _CategoryText("disputing a charge", "dispute a charge"),
    "unauthorized_charge": _CategoryText("reporting an unrecognised charge", "get an unrecognised charge explained"),
    "refund": _CategoryText("asking for a refund", "get a refund"),
    "billing": _CategoryText("asking about billing", "sort out a billing question"),
    "legal": _CategoryText("raising a legal matter", "raise a legal matter"),
    "security": _CategoryText("reporting a security problem", "secure their account"),
    "account_security": _CategoryText("reporting a security problem", "secure their account"),
    "fraud": _CategoryText("reporting possible fraud", "stop and report fraudulent activity"),
    "data_privacy": _CategoryText("making a data privacy request", "exercise a data privacy right"),
    "privacy": _CategoryText("making a data privacy request", "exercise a data privacy right"),
    "sensitive": _CategoryText("raising a sensitive matter", "get help with a sensitive matter"),
    "enterprise_contract": _CategoryText("asking about their enterprise contract", "discuss their contract"),
    "explicit_request": _CategoryText("asking for a human", "talk to a person"),
    "frustration": _CategoryText("frustrated with the AI's answers", "get a working answer"),
    "negative_sentiment": _CategoryText("increasingly unhappy", "get a working answer"),
    "low_confidence": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "ai_low_confidence": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "hedging": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "loop": _CategoryText("going in circles with the AI", "get an answer to a repeated question"),
    "loop_customer": _CategoryText("asking the same thing again", "get an answer to a repeated question"),
    "loop_ai": _CategoryText("getting the same AI answer again", "get a different answer"),
    "sentiment_drop": _CategoryText("increasingly unhappy", "get a working answer"),
    "length_jump": _CategoryText("writing longer, more detailed messages", "get a detailed answer"),
    "complexity": _CategoryText("with a complex, multi-topic issue", "resolve a complex issue"),
    "technical": _CategoryText("with a technical problem", "fix a technical problem"),
    "account": _CategoryText("asking about their account", "sort out an account question"),
    "shipping": _CategoryText("asking about a delivery", "sort out a delivery"),
    "account_tier": _CategoryText("flagged by account tier", "get help"),
    "churn_risk": _CategoryText("flagged as a churn risk", "get help"),
    "page_context": _CategoryText("on a sensitive page", "get help"),
}
# Categories that say nothing by themselves: the strongest trigger describes the case better.
_VAGUE = {"general", "other", "handoff"}


def _category_text(category: str | None, reasons: Sequence[Reason] = ()) -> _CategoryText | None:
    if not category or category.lower() in _VAGUE:
        for r in reasons:
            if r.trigger in _CATEGORIES:
                return _CATEGORIES[r.trigger]
        return None
    key = category.lower().strip()
    if key in _CATEGORIES:
        return _CATEGORIES[key]
    for name, text in _CATEGORIES.items():
        if key.startswith(name):
            return text
    words = key.replace("_", " ").replace("-", " ")
    return _CategoryText(f"about {words}", words)


def _category_of(decision: Decision) -> str | None:
    if decision.category:
        return decision.category
    return decision.reasons[0].trigger if decision.reasons else None


def _last_question(messages: Sequence[Message], limit: int) -> str | None:
    for m in reversed(messages):
        if m.role != "customer":
            continue
        sentences = re.split(r"(?<=[.?!])\s+", m.text.strip())
        questions = [s for s in sentences if s.endswith("?")]
        if questions:
            return clip(questions[-1], limit)
    for m in reversed(messages):
        if m.role == "customer" and m.text.strip():
            return clip(m.text, limit)
    return None


# ---------------------------------------------------------------- account facts


def _tier(account: AccountContext) -> str | None:
    if account.signals.tier:
        return account.signals.tier
    company = _dict(_facts(account, "hubspot").get("company"))
    tier = company.get("tier")
    return str(tier) if tier else None


def _failed_payments(stripe: Mapping[str, Any]) -> int:
    fp = stripe.get("failed_payments_90d")
    if isinstance(fp, dict):
        n = _int(fp.get("count"))
        if n is None:
            n = len(_list(fp.get("items")))
        return max(n, 0)
    return max(_int(fp) or 0, 0)


def _open_disputes(stripe: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [d for d in _list(stripe.get("open_disputes")) if isinstance(d, dict)]


def _contacts_60d(zendesk: Mapping[str, Any]) -> int | None:
    return _int(zendesk.get("tickets_last_60_days"))


def _open_tickets(zendesk: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    out = []
    for t in _list(zendesk.get("open_tickets")):
        if isinstance(t, dict):
            out.append({k: t.get(k) for k in ("id", "subject", "status", "created_at") if k in t})
    return tuple(out)


def _owner(account: AccountContext) -> str | None:
    sig = account.signals
    if sig.owner_name:
        return sig.owner_name
    owner = _dict(_facts(account, "hubspot").get("owner"))
    name = owner.get("name") or owner.get("email") or sig.owner_email
    return str(name) if name else None


def _churn_risk(account: AccountContext) -> bool:
    if account.signals.churn_risk:
        return True
    churn = _dict(_facts(account, "hubspot").get("churn"))
    return any(
        v is True or (isinstance(v, str) and v.strip().lower() in {"high", "yes", "true", "at_risk", "at risk"})
        for v in churn.values()
    )


_INTERVALS = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


def _stripe_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    plan = _dict(facts.get("plan"))
    if plan:
        name = (plan.get("nickname") or plan.get("product_name") or plan.get("lookup_key")
                or plan.get("product") or "plan")
        interval = plan.get("interval")
        bits = [b for b in (_INTERVALS.get(str(interval), interval), plan.get("status")) if b]
        if plan.get("quantity") not in (None, 1):
            bits.append(f"{plan.get('quantity')} seats")
        if plan.get("cancel_at_period_end"):
            bits.append("cancels at period end")
        out.append(("Plan", f"{name} ({', '.join(str(b) for b in bits)})" if bits else str(name)))
    mrr = _dict(facts.get("mrr"))
    if mrr.get("amount") is not None:
        out.append(("MRR", money(mrr.get("amount"), mrr.get("currency"))))
    n = _failed_payments(facts)
    if n:
        out.append(("Failed payments (90d)", str(n)))
    if facts.get("delinquent") is True:
        out.append(("Delinquent", "yes"))
    disputes = _open_disputes(facts)
    if disputes:
        shown = []
        for d in disputes[:3]:
            bits = [str(d.get("id") or "dispute")]
            if d.get("amount") is not None:
                bits.append(_stripe_minor(d.get("amount"), d.get("currency")))
            if d.get("reason"):
                bits.append(str(d["reason"]))
            shown.append(" ".join(bits))
        extra = f" (+{len(disputes) - 3} more)" if len(disputes) > 3 else ""
        out.append(("Open disputes", "; ".join(shown) + extra))
    refunds = [r for r in _list(facts.get("recent_refunds")) if isinstance(r, dict)]
    if refunds:
        amounts = [r.get("amount") for r in refunds]
        # keep integers integral so they stay read as Stripe minor units
        total: Any = sum(a for a in amounts if isinstance(a, int) and not isinstance(a, bool))
        if any(isinstance(a, float) for a in amounts):
            total = float(total) / 100 + sum(a for a in amounts if isinstance(a, float))
        cur = refunds[0].get("currency") or "usd"
        out.append(("Recent refunds", f"{len(refunds)} ({_stripe_minor(total, cur)})"))
    card = _dict(facts.get("card"))
    if card.get("last4"):
        out.append(("Card", f"{card.get('brand') or 'card'} •••• {card['last4']}"))
    return out


def _hubspot_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    company = _dict(facts.get("company"))
    if company.get("name"):
        bits = [str(company["name"])]
        if company.get("annual_revenue") not in (None, ""):
            bits.append(f"revenue {money(company['annual_revenue'], 'usd')}")
        out.append(("Company", ", ".join(bits)))
    stage = facts.get("lifecycle_stage")
    if stage:
        status = facts.get("lead_status")
        out.append(("Lifecycle", f"{stage}" + (f" ({status})" if status else "")))
    owner = _dict(facts.get("owner"))
    if owner.get("name") or owner.get("email"):
        out.append(("Owner", str(owner.get("name") or owner.get("email"))))
    deals = [d for d in _list(facts.get("open_deals")) if isinstance(d, dict)]
    if deals:
        shown = []
        for d in deals[:3]:
            text = str(d.get("name") or "deal")
            if d.get("amount") not in (None, ""):
                text += f" {money(d['amount'], 'usd')}"
            if d.get("stage"):
                text += f" ({d['stage']})"
            shown.append(text)
        out.append(("Open deals", "; ".join(shown) + (f" (+{len(deals) - 3} more)" if len(deals) > 3 else "")))
    health = _dict(facts.get("health"))
    shown_health = [f"{k}={v}" for k, v in health.items() if v not in (None, "")]
    if shown_health:
        out.append(("Health", ", ".join(shown_health[:6])))
    churn = _dict(facts.get("churn"))
    shown_churn = [f"{k}={v}" for k, v in churn.items() if v not in (None, "")]
    if shown_churn:
        out.append(("Churn", ", ".join(shown_churn[:6])))
    return out


def _zendesk_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    open_tickets = _list(facts.get("open_tickets"))
    out.append(("Open tickets", str(len(open_tickets))))
    n = _contacts_60d(facts)
    if n is not None:
        out.append(("Tickets (60d)", str(n)))
    prior = _int(facts.get("prior_handoffs"))
    if prior:
        out.append(("Prior handoffs", str(prior)))
    return out


_FACT_BUILDERS = {"stripe": _stripe_facts, "hubspot": _hubspot_facts, "zendesk": _zendesk_facts}
_STATUS_TEXT = {"unavailable": "unavailable", "not_configured": "not configured"}


def account_facts(account: AccountContext) -> tuple[AccountFact, ...]:
    """The account facts worth showing, per source; an unusable source says why in one line."""
    out: list[AccountFact] = []
    tier = _tier(account)
    if tier:
        out.append(AccountFact("signals", "Tier", tier))
    if _churn_risk(account):
        out.append(AccountFact("signals", "Churn risk", "yes"))
    for name in KNOWN_SOURCES:
        s = _source(account, name)
        if s.status == "ok" and isinstance(s.facts, dict) and s.facts.get("found") is False:
            out.append(AccountFact(name, "Status", "no matching customer"))
        elif s.status == "ok":
            rows = _FACT_BUILDERS[name](s.facts if isinstance(s.facts, dict) else {})
            if not rows:
                rows = [("Facts", "nothing on record")]
            out.extend(AccountFact(name, label, value) for label, value in rows)
        else:
            status = _STATUS_TEXT.get(s.status, s.status)
            reason = s.reason or ""
            # reasons often start with the status already ("not configured (set STRIPE_API_KEY)")
            text = reason if reason.startswith(status) else f"{status}: {reason}" if reason else status
            out.append(AccountFact(name, "Status", text))
    return tuple(out)


# ---------------------------------------------------------------- summary


def _tier_phrase(tier: str | None) -> str:
    if not tier or not tier.strip():
        return "Customer"
    words = tier.replace("_", " ").strip()
    if words.lower() in {"vip", "enterprise"}:
        return f"{'VIP' if words.lower() == 'vip' else 'Enterprise'} customer"
    return f"{words[:1].upper()}{words[1:]}-tier customer"


def summary_parts(
    *,
    category: str | None,
    decision: Decision,
    account: AccountContext,
    page: str | None,
) -> list[str]:
    """The clauses of the extractive summary, most important first."""
    parts = [_tier_phrase(_tier(account))]
    stripe = _facts(account, "stripe")
    failed = _failed_payments(stripe)
    if failed == 1:
        parts.append("a failed payment in 90 days")
    elif failed > 1:
        parts.append(f"{ordinal(failed)} failed payment in 90 days")
    elif stripe.get("delinquent") is True:
        parts.append("account delinquent")
    disputes = _open_disputes(stripe)
    if len(disputes) == 1:
        d = disputes[0]
        amount = f" on {_stripe_minor(d['amount'], d.get('currency'))}" if d.get("amount") is not None else ""
        parts.append(f"open dispute{amount}")
    elif disputes:
        parts.append(f"{len(disputes)} open disputes")
    contacts = _contacts_60d(_facts(account, "zendesk"))
    if contacts:
        # tickets already on file plus this conversation
        parts.append(f"{ordinal(contacts + 1)} contact in 60 days")
    text = _category_text(category, decision.reasons)
    if text:
        parts.append(text.summary)
    # the frustration categories already say how the customer feels
    feels = (category or "").lower() in {"frustration", "negative_sentiment", "sentiment_drop"}
    mood = {"red": "very unhappy", "yellow": "sentiment dropping"}.get(decision.trajectory)
    if mood and not feels:
        parts.append(mood)
    if page:
        parts.append(f"on {page}")
    return parts


def extractive_summary(parts: Sequence[str], max_chars: int) -> str:
    """Join summary clauses, dropping the least important ones that don't fit."""
    chosen: list[str] = []
    for part in parts:
        candidate = ", ".join([*chosen, part])
        if len(candidate) <= max_chars:
            chosen.append(part)
    if not chosen:
        return clip(parts[0] if parts else "Customer needs a human", max_chars)
    if len(chosen) == 1 and chosen[0] == "Customer":
        return "Customer needs a human"
    return ", ".join(chosen)


# ---------------------------------------------------------------- recommended action


def recommended_action(
    *,
    category: str | None,
    decision: Decision,
    account: AccountContext,
    last_question: str | None,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """The next step for the agent, from the category and the account facts (first rule wins)."""
    cat = (category or "").lower()
    triggers = {r.trigger for r in decision.reasons}
    money_cats = {"billing_dispute", "chargeback", "unauthorized_charge", "refund", "billing", "fraud"}
    stripe = _facts(account, "stripe")
    disputes = _open_disputes(stripe)
    failed = _failed_payments(stripe)
    owner = _owner(account)
    tier = (_tier(account) or "").lower()
    main: str
    if overrides and cat in overrides:
        main = overrides[cat]
    elif cat in money_cats and disputes:
        d = disputes[0]
        bits = [str(d.get("id") or "the open dispute")]
        if d.get("amount") is not None:
            bits.append(_stripe_minor(d["amount"], d.get("currency")))
        if d.get("reason"):
            bits.append(str(d["reason"]))
        main = (
            f"Review dispute {bits[0]}"
            + (f" ({', '.join(bits[1:])})" if len(bits) > 1 else "")
            + " in Stripe before replying; don't promise a refund until it is checked."
        )
    elif cat in money_cats - {"fraud"} and failed:
        main = (
            f"Check the {failed} failed payment{'s' if failed > 1 else ''} and the card on file in Stripe "
            "before replying; confirm which charge the customer means."
        )
    elif cat == "fraud":
        main = (
            "Treat as possible fraud: verify identity, review recent charges and logins, "
            "and follow the fraud procedure (block the card or account if needed)."
        )
    elif cat in {"billing_dispute", "chargeback", "unauthorized_charge"}:
        main = (
            "Find the charge in Stripe (invoices, refunds, duplicates) before replying; "
            "if the customer doesn't recognise it, treat it as possible fraud."
        )
    elif cat in {"refund", "billing"}:
        main = "Look up the invoices and refunds in Stripe, then answer with the specific charge and amount."
    elif cat == "cancellation" and (_churn_risk(account) or tier in {"enterprise", "vip"}):
        who = f" and loop in the account owner ({owner})" if owner else ""
        main = (
            f"Retention case: ask what isn't working{who}; offer one retention option "
            "(pause, downgrade or discount per policy) before processing the cancellation."
        )
    elif cat == "cancellation" and (failed or stripe.get("delinquent") is True):
        main = (
            "Failed payments may be behind this: offer to update the payment method once, "
            "then process the cancellation if they still want it."
        )
    elif cat == "cancellation":
        main = "Confirm what they want to cancel and from when; offer an alternative once, then process the request."
    elif cat == "legal":
        main = "Don't discuss the substance; acknowledge receipt and forward to legal per policy."
    elif cat in {"security", "account_security"}:
        main = "Verify identity first; then secure the account (reset password, end sessions) and review recent logins."
    elif cat in {"data_privacy", "privacy"}:
        main = (
            "Verify identity and log the privacy request (access/deletion); "
            "follow the data-request procedure and deadline."
        )
    elif cat == "sensitive":
        main = (
            "Respond with care and follow the sensitive-topics guideline; "
            "involve a lead if anyone's safety is at risk."
        )
    elif cat == "enterprise_contract":
        who = f"the account owner ({owner})" if owner else "the account owner"
        main = f"Loop in {who} for contract terms; confirm what the customer needs and by when."
    elif cat == "explicit_request" or "explicit_request" in triggers:
        main = (
            "Acknowledge and take over: the customer asked for a person. "
            "Read the AI's last answer so you don't repeat it."
        )
    elif cat in {"low_confidence", "ai_low_confidence", "loop"} or triggers & {
        "low_confidence", "loop", "loop_customer", "loop_ai", "hedging"
    }:
        q = f': "{last_question}"' if last_question else ""
        main = f"The AI couldn't answer reliably; answer the open question directly{q}"
    elif cat in {"frustration", "negative_sentiment"} or triggers & {"frustration", "negative_sentiment", "sentiment_drop"}:
        main = (
            "Acknowledge the frustration briefly, take ownership and resolve the open question "
            "without re-asking for details."
        )
    elif cat == "technical":
        main = "Reproduce the problem from the transcript (page, steps, errors) before asking for more details."
    else:
        main = "Take over the conversation and resolve the customer's question; the transcript below has the details."
    if owner and tier in {"enterprise", "vip"} and "owner" not in main:
        main += f" Keep the account owner ({owner}) informed."
    tickets = _open_tickets(_facts(account, "zendesk"))
    if tickets:
        t = tickets[0]
        more = f" (and {len(tickets) - 1} more)" if len(tickets) > 1 else ""
        main += f" Link or merge with open ticket #{t.get('id')}{more}."
    return main


# ---------------------------------------------------------------- greeting


_ISSUE_KEYS = {
    "cancellation": "cancellation",
    "billing_dispute": "charge",
    "chargeback": "charge",
    "unauthorized_charge": "charge",
    "refund": "refund",
    "billing": "billing",
    "security": "security",
    "account_security": "security",
    "fraud": "fraud",
    "technical": "technical",
    "data_privacy": "privacy",
    "privacy": "privacy",
    "legal": "legal",
    "enterprise_contract": "contract",
}

_ISSUES: dict[str, dict[str, str]] = {
    "en": {
        "fraud": "the suspicious activity on your account",
        "technical": "the technical problem you're seeing",
        "cancellation": "cancelling your subscription",
        "charge": "the charge on your account",
        "refund": "your refund",
        "billing": "your billing question",
        "payments": "the recent failed payments",
        "security": "your account's security",
        "privacy": "your data request",
        "legal": "the matter you raised",
        "contract": "your contract",
        "default": "your question",
    },
    "es": {
        "fraud": "la actividad sospechosa en tu cuenta",
        "technical": "el problema técnico que tienes",
        "cancellation": "la cancelación de tu suscripción",
        "charge": "el cargo en tu cuenta",
        "refund": "tu reembolso",
        "billing": "tu consulta de facturación",
        "payments": "los pagos fallidos recientes",
        "security": "la seguridad de tu cuenta",
        "privacy": "tu solicitud sobre tus datos",
        "legal": "el asunto que planteas",
        "contract": "tu contrato",
        "default": "tu consulta",
    },
    "fr": {
        "fraud": "l'activité suspecte sur votre compte",
        "technical": "le problème technique que vous rencontrez",
        "cancellation": "la résiliation de votre abonnement",
        "charge": "le prélèvement sur votre compte",
        "refund": "votre remboursement",
        "billing": "votre question de facturation",
        "payments": "les paiements récemment refusés",
        "security": "la sécurité de votre compte",
        "privacy": "votre demande concernant vos données",
        "legal": "la question que vous soulevez",
        "contract": "votre contrat",
        "default": "votre demande",
    },
    "de": {
        "fraud": "die verdächtigen Aktivitäten auf Ihrem Konto",
        "technical": "das technische Problem",
        "cancellation": "die Kündigung Ihres Abos",
        "charge": "die Abbuchung auf Ihrem Konto",
        "refund": "Ihre Rückerstattung",
        "billing": "Ihre Frage zur Abrechnung",
        "payments": "die kürzlich fehlgeschlagenen Zahlungen",
        "security": "die Sicherheit Ihres Kontos",
        "privacy": "Ihre Datenanfrage",
        "legal": "Ihr Anliegen",
        "contract": "Ihren Vertrag",
        "default": "Ihr Anliegen",
    },
    "pt": {
        "fraud": "a atividade suspeita na sua conta",
        "technical": "o problema técnico que está a ter",
        "cancellation": "o cancelamento da sua assinatura",
        "charge": "a cobrança na sua conta",
        "refund": "o seu reembolso",
        "billing": "a sua dúvida sobre faturação",
        "payments": "os pagamentos recusados recentemente",
        "security": "a segurança da sua conta",
        "privacy": "o seu pedido sobre os seus dados",
        "legal": "o assunto que mencionou",
        "contract": "o seu contrato",
        "default": "a sua questão",
    },
}

# The agent has read the conversation, names the issue and promises only to look into it.
_GREETINGS: dict[str, str] = {
    "en": "Hi {name}, thanks for your patience. I've read your conversation with our assistant about {issue}, "
    "so you won't need to repeat anything. I'm looking into it now.",
    "es": "Hola {name}, gracias por tu paciencia. He leído tu conversación con nuestro asistente sobre {issue}, "
    "así que no hace falta que repitas nada. Ya lo estoy revisando.",
    "fr": "Bonjour {name}, merci de votre patience. J'ai lu votre échange avec notre assistant au sujet de {issue}, "
    "vous n'aurez donc rien à répéter. Je m'en occupe dès maintenant.",
    "de": "Hallo {name}, danke für Ihre Geduld. Ich habe Ihr Gespräch mit unserem Assistenten über {issue} gelesen, "
    "Sie müssen also nichts wiederholen. Ich kümmere mich jetzt darum.",
    "pt": "Olá {name}, obrigado pela paciência. Li a sua conversa com o nosso assistente sobre {issue}, "
    "por isso não precisa de repetir nada. Já estou a analisar.",
}
_NO_NAME = {"en": "there", "es": "", "fr": "", "de": "", "pt": ""}


class _SafeFormat(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def greeting(
    *,
    customer: Customer,
    category: str | None,
    account: AccountContext,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """A suggested first message that shows the agent knows the story, in the customer's language."""
    lang = language_of(customer)
    issues = _ISSUES[lang]
    key = _ISSUE_KEYS.get((category or "").lower(), "default")
    if key in {"default", "billing"} and _failed_payments(_facts(account, "stripe")) > 1:
        key = "payments"
    issue = issues.get(key, issues["default"])
    name = first_name(customer)
    template = (overrides or {}).get(lang) or _GREETINGS[lang]
    text = template.format_map(_SafeFormat(name=name or _NO_NAME[lang], first_name=name or _NO_NAME[lang], issue=issue))
    # "Hola , gracias" when there is no name: drop the dangling space and comma.
    return re.sub(r"\s+,", ",", text).strip()


# ---------------------------------------------------------------- build


def _confidence_stats(replies: Sequence[Message]) -> dict[str, float | None]:
    values = [m.confidence for m in replies if m.confidence is not None]
    if not values:
        return {"last": None, "min": None, "avg": None}
    return {"last": values[-1], "min": min(values), "avg": round(sum(values) / len(values), 3)}


# The KB articles a briefing lists: the distinct ones the AI used, the latest this many of them.
KB_ARTICLES_MAX = 50


def _dedupe_kb(replies: Sequence[Message]) -> tuple[KBArticle, ...]:
    seen: dict[str, KBArticle] = {}
    for a in replies:
        for kb in a.kb_articles:
            known = seen.get(kb.id)
            # Keep the richest copy: a later mention may carry the title or URL.
            if known is None or (not known.title and kb.title) or (not known.url and kb.url):
                title = kb.title or (known.title if known else "")
                seen[kb.id] = KBArticle(kb.id, title, kb.url or (known.url if known else None))
    return tuple(seen.values())[-KB_ARTICLES_MAX:]


def _indexed(messages: Sequence[Message]) -> tuple[Message, ...]:
    # Callers that build messages by hand may leave every index at 0; number them by position then.
    if len(messages) > 1 and len({m.index for m in messages}) < len(messages):
        return tuple(replace(m, index=i) for i, m in enumerate(messages))
    return tuple(messages)


def _last_of_role(messages: Sequence[Message], role: str, n: int) -> tuple[Message, ...]:
    found: list[Message] = []
    for m in reversed(messages):
        if len(found) >= n:
            break
        if m.role == role:
            found.append(m)
    return tuple(reversed(found))


def texts_needed(roles: Sequence[str], settings: BriefingSettings) -> set[int]:
    """Positions of the messages (given by role, in order) whose text `build_briefing` reads: the last
    `transcript_messages` messages and the last `ai_attempts` AI replies. The others may be left empty."""
    n = len(roles)
    wanted = set(range(max(0, n - settings.transcript_messages), n))
    ai = 0
    for i in range(n - 1, -1, -1):
        if ai >= settings.ai_attempts:
            break
        if roles[i] == "ai":
            wanted.add(i)
            ai += 1
    return wanted


# A customer's message is scored for the sentiment history on this much of it, as the triggers score it.
SENTIMENT_TEXT_CHARS = 4000


def build_briefing(
    *,
    conversation_id: str,
    messages: Sequence[Message],
    decision: Decision,
    account: AccountContext,
    route: Route | None,
    customer: Customer,
    page_url: str | None,
    settings: BriefingSettings,
    summary_override: str | None = None,
    priority: str | None = None,
) -> Briefing:
    """Package what a human needs to take over: summary, facts, what the AI tried, next step, transcript.

    `priority` is routing's final priority (the decision's hint raised by tier, sentiment...), so the note
    and the card say what the ticket says; without it the decision's own.

    Text work is bounded whatever the conversation's length: only the texts of the last messages and the
    last AI replies are read (`texts_needed`); the other messages count only by their metadata.
    """
    msgs = _indexed(messages)
    if page_url is None:
        page_url = next((m.page_url for m in reversed(msgs) if m.page_url), None)
    page = page_label(page_url)
    category = _category_of(decision)
    text = _category_text(category, decision.reasons)
    recent = msgs[-settings.transcript_messages :]
    last_q = _last_question(recent, settings.excerpt_chars)
    language = customer.language or decision.language
    history = tuple(round(score(m.text[:SENTIMENT_TEXT_CHARS], language), 3) for m in recent if m.role == "customer")
    now = decision.sentiment if decision.sentiment is not None else (history[-1] if history else None)
    replies = tuple(m for m in msgs if m.role == "ai")
    attempts = tuple(
        AIAttempt(
            message_index=m.index,
            excerpt=clip(m.text, settings.excerpt_chars),
            confidence=m.confidence,
            kb_articles=m.kb_articles,
            actions=m.ai_actions,
            full_text=m.text,
        )
        for m in _last_of_role(msgs, "ai", settings.ai_attempts)
    )
    parts = summary_parts(category=category, decision=decision, account=account, page=page)
    extractive = extractive_summary(parts, settings.summary_max_chars)
    reasons = tuple(
        Reason(r.trigger, r.message_index, clip(r.evidence, settings.evidence_chars), r.detail)
        for r in decision.reasons
    )
    override = " ".join(summary_override.split()) if summary_override else ""
    action = recommended_action(
        category=category, decision=decision, account=account, last_question=last_q, overrides=settings.actions
    )
    if route is not None and not route.on_shift and route.callback_at is not None:
        when = route.callback_at.strftime("%a %d %b %H:%M %Z").strip()
        action += f" The customer was offered a callback on {when}."
    return Briefing(
        conversation_id=conversation_id,
        summary=clip(override, max(settings.summary_max_chars, 300)) if override else extractive,
        category=category,
        intent=text.intent if text else last_q,
        priority=priority or decision.priority,
        sentiment_now=now,
        trajectory=decision.trajectory,
        sentiment_history=history,
        page_url=page_url,
        page_label=page,
        ai_attempts=attempts,
        ai_confidence=_confidence_stats(replies),
        kb_articles=_dedupe_kb(replies),
        account=account,
        account_facts=account_facts(account),
        open_tickets=_open_tickets(_facts(account, "zendesk")),
        recommended_action=action,
        greeting=greeting(customer=customer if customer.language or not language else replace(customer, language=language),
                          category=category, account=account, overrides=settings.greetings),
        reasons=reasons,
        transcript=recent,
        customer=customer,
        summary_source="llm" if override else "extractive",
        extractive_summary=extractive,
        transcript_total=len(msgs),
        ai_attempts_total=len(replies),
        settings=settings,
        topic=decision.topic,
        language=language,
    )
