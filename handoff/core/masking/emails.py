"""E-mail addresses, and the masks an earlier masking left on them ("j***@example.com")."""
from __future__ import annotations

import re

from handoff.core.masking.finders import Rule, by_regex
from handoff.core.masking.kinds import EMAIL, KEPT

_LOCAL = r"[\w.%+'-]"
_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})(?![\w-])"
_MASKED_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}\*\*\*@{_DOMAIN}")

_EMAIL = re.compile(rf"(?<!{_LOCAL})({_LOCAL}+)@({_DOMAIN})")


def _email(m: re.Match[str]) -> str:
    return f"{m.group(1)[0]}***@{m.group(2)}"


# always on, so re-masking an address changes nothing
KEPT_EMAIL_RULE = Rule(KEPT, by_regex(_MASKED_EMAIL, lambda m: m.group(0)))
EMAIL_RULE = Rule(EMAIL, by_regex(_EMAIL, _email))
