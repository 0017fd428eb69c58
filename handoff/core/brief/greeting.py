"""The greeting an agent can send first, in the customer's language."""
from __future__ import annotations

import re
from collections.abc import Mapping
from handoff.core.models import AccountContext, Customer
from handoff.core.brief.facts import failed_payments, stripe_of
from handoff.core.brief.text import first_name, language_of
from handoff.core.locales.greetings import GREETINGS, ISSUE_KEYS, ISSUES, NO_NAME


class _SafeFormat(dict[str, str]):
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
    issues = ISSUES[lang]
    key = ISSUE_KEYS.get((category or "").lower(), "default")
    if key in {"default", "billing"} and failed_payments(stripe_of(account)) > 1:
        key = "payments"
    issue = issues.get(key, issues["default"])
    name = first_name(customer)
    template = (overrides or {}).get(lang) or GREETINGS[lang]
    text = template.format_map(_SafeFormat(name=name or NO_NAME[lang], first_name=name or NO_NAME[lang], issue=issue))
    # "Hola , gracias" when there is no name: drop the dangling space and comma.
    return re.sub(r"\s+,", ",", text).strip()
