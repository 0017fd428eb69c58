"""Bug reports for the engineering tracker (Linear): whether a handoff is one, and the report's text.

Pure functions of the briefing: a technical escalation (topic `technical`) with an error quoted by the customer,
a broken feature, or a page the settings mark as a product area is a bug report. Its de-duplication key (the
signature) is the normalised error text, else the normalised page: two customers hitting the same error file one
issue, and the second becomes a comment on it. Everything is masked (cards, credentials, IBANs, SSNs, phone
numbers); no e-mail address is written, and the customer's name only when the settings allow it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from handoff.core.brief.models import Briefing
from handoff.core.masking import ALL_KINDS, for_ticket, mask_pii
from handoff.core.pages import host_and_path

TECHNICAL = "technical"
MAX_ERROR_CHARS = 300
MAX_TITLE_CHARS = 120

# what customers paste when something fails: a named exception, "error: ...", an HTTP status, an error code
_ERROR_PATTERNS = (
    re.compile(r"`([^`\n]{4,300})`"),
    re.compile(r"\"([^\"\n]*(?:error|exception|failed|invalid|denied|timeout|refused)[^\"\n]*)\"", re.I),
    re.compile(r"\b([A-Z][A-Za-z]+(?:Error|Exception)\b[^\n.]{0,200})"),
    re.compile(r"\b((?:error|erreur|fehler)(?:\s+code)?\s*[:#]\s*[^\n]{2,200})", re.I),
    re.compile(r"\b((?:HTTP\s*)?[45]\d\d\s+(?:error|internal server error|bad gateway|service unavailable|"
               r"gateway timeout|not found|forbidden|unauthorized|bad request)\b[^\n.]{0,100})", re.I),
    re.compile(r"\b(error\s+[45]\d\d\b[^\n.]{0,100})", re.I),
)
_BROKEN = re.compile(
    r"\b(?:doesn'?t work|does not work|not working|stopped working|isn'?t working|broken|won'?t (?:load|open|save|"
    r"work)|can'?t (?:load|save|upload|export|log ?in)|keeps? crashing|crash(?:es|ed)?|blank (?:page|screen)|"
    r"spinner|fails?|failed|bug)\b", re.I)
_VOLATILE = re.compile(r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]+|"
                       r"[0-9a-f]{16,}|\d{5,}|\d+(?:\.\d+)+)\b", re.I)


@dataclass(frozen=True)
class BugRules:
    """What counts as a bug report: `[linear]`'s product areas (page patterns such as `*/editor/*`) and whether
    the customer's name may be written."""

    product_areas: tuple[str, ...] = ()
    include_customer_name: bool = False


@dataclass(frozen=True)
class BugReport:
    """One handoff's report: the issue to file (title, Markdown description) or the comment to add to the open
    issue with the same `signature`."""

    signature: str  # "err-<hash>" or "page-<hash>": the de-duplication key, written in the description
    title: str
    description: str  # without the links section (links_section adds it when sending)
    comment: str  # the same facts, as a comment on an existing issue
    error: str | None
    page: str | None


def error_text(briefing: Briefing) -> str | None:
    """The error the customer quoted (their latest one first), masked; None when they quoted none."""
    for message in reversed(briefing.transcript):
        if message.role != "customer":
            continue
        for pattern in _ERROR_PATTERNS:
            found = pattern.search(message.text)
            if found:
                return for_ticket(found.group(1).strip().rstrip(".,;:"))[:MAX_ERROR_CHARS]
    for reason in briefing.reasons:
        for pattern in _ERROR_PATTERNS:
            found = pattern.search(reason.evidence or "")
            if found:
                return for_ticket(found.group(1).strip())[:MAX_ERROR_CHARS]
    return None


def broken_feature(briefing: Briefing) -> str | None:
    """The customer's sentence that says a feature is broken, masked; None when there is none."""
    for message in reversed(briefing.transcript):
        if message.role == "customer" and _BROKEN.search(message.text):
            return for_ticket(message.text.strip())[:MAX_ERROR_CHARS]
    return None


def page_of(url: str | None) -> str | None:
    """The page as host and path, ids replaced by `:id` and no query (where a customer's data could be)."""
    return host_and_path(url)


def in_product_area(page: str | None, rules: BugRules) -> bool:
    """Whether the page matches one of the product areas (glob patterns on host/path or on the path alone)."""
    if not page:
        return False
    path = "/" + page.partition("/")[2]
    return any(fnmatchcase(page, p) or fnmatchcase(path, p) for p in rules.product_areas)


def is_bug_report(briefing: Briefing, rules: BugRules) -> bool:
    """A technical escalation with an error quoted, a broken feature, or on a product area's page."""
    if briefing.topic != TECHNICAL:
        return False
    return bool(error_text(briefing) or broken_feature(briefing) or in_product_area(page_of(briefing.page_url), rules))


def signature(error: str | None, page: str | None) -> str:
    """The de-duplication key: the error with its volatile parts (ids, numbers, versions) removed, else the page."""
    if error:
        text = _VOLATILE.sub("#", error.lower())
        kind = "err"
    else:
        text, kind = (page or "").lower(), "page"
    return f"{kind}-{hashlib.sha256(' '.join(text.split()).encode()).hexdigest()[:12]}"


def marker(sig: str) -> str:
    """The text searched for among open issues' descriptions to find the one with this signature."""
    return f"handoff-signature:{sig}"


def handoff_marker(handoff_id: str) -> str:
    """The text that shows an issue or a comment was written for this handoff (a retry finds it)."""
    return f"handoff-id:{handoff_id}"


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def _steps(briefing: Briefing) -> list[str]:
    """What the customer wrote, in order (the last few), masked: the steps as they told them."""
    said = [m for m in briefing.transcript if m.role == "customer"][-5:]
    return [f"{i}. {for_ticket(' '.join(m.text.split()))[:400]}" for i, m in enumerate(said, 1)]


def _account_lines(briefing: Briefing) -> list[str]:
    tier = briefing.account.signals.tier or "unknown"
    mrr = next((f.value for f in briefing.account_facts if f.source == "stripe" and f.label == "MRR"), None)
    return [f"- Account tier: {for_ticket(tier)}", f"- MRR: {for_ticket(mrr) if mrr else 'unknown'}"]


def build_report(briefing: Briefing, handoff_id: str, rules: BugRules) -> BugReport:
    """The report of one handoff: title, description and comment in Markdown, and its signature."""
    error = error_text(briefing)
    page = page_of(briefing.page_url)
    sig = signature(error, page)
    headline = error or broken_feature(briefing) or briefing.summary or "customer reported a problem"
    title = " ".join(headline.split())
    if page:
        title = f"{title} ({page})"
    title = for_ticket(title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS - 1] + "…")
    who = []
    if rules.include_customer_name and briefing.customer.name:
        who = [f"- Customer: {for_ticket(briefing.customer.name)}"]
    facts = [f"- Page: {f'`{page}`' if page else 'not given'}", *_account_lines(briefing), *who,
             f"- Handoff: {handoff_id}"]
    error_block = ["**Error (as the customer quoted it)**", "", _quote(error), ""] if error else []
    body = [
        "**Reported by a customer through a support handoff.**", "",
        *error_block,
        "**Steps (the customer's words)**", "", *(_steps(briefing) or ["1. (nothing written)"]), "",
        "**Context**", "", *facts, "",
        f"`{marker(sig)}` `{handoff_marker(handoff_id)}`",
    ]
    comment = [
        "**Another customer hit this** (support handoff).", "",
        *error_block,
        *facts, "",
        f"`{handoff_marker(handoff_id)}`",
    ]
    return BugReport(signature=sig, title=_outgoing(title), description=_outgoing("\n".join(body)),
                     comment=_outgoing("\n".join(comment)), error=error, page=page)


def links_section(handoff_url: str, ticket_url: str | None) -> str:
    """The links the report carries, added when it is sent (the ticket may exist by then)."""
    lines = ["", "**Links**", "", f"- Handoff: {handoff_url}"]
    lines.append(f"- Zendesk ticket: {ticket_url}" if ticket_url else "- Zendesk ticket: not created yet")
    return "\n".join(lines)


def _outgoing(text: str) -> str:
    """What the tracker may read: no e-mail address at all (a customer's is not the engineers' business), and
    phone numbers, cards, credentials, IBANs and SSNs masked."""
    return mask_pii(_EMAIL.sub("[e-mail removed]", text), ALL_KINDS)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def link_note(identifier: str, url: str, action: str) -> str:
    """The line the ticket and the Slack thread get: where the bug is tracked."""
    verb = "Filed as" if action == "created" else "Added to the open bug"
    return f"{verb} {identifier} in Linear: {url}"
