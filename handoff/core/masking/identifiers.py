"""Financial identifiers checked by their own rules: IBANs (the registry's formats and mod-97) and US
social security numbers (the SSA's rules), both through python-stdnum."""
from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as _iban
from stdnum.us import ssn as _ssn

from handoff.core.masking.finders import AFTER_MASK, Rule, Span, by_regex
from handoff.core.masking.kinds import BULLET, IBAN, MASK, SSN

_IBAN_START = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{2}(?=[ \u00a0-]?[A-Za-z0-9])")
_IBAN_SEPARATORS = " \u00a0-"


def _find_ibans(text: str) -> Iterator[Span]:
    pos = 0
    for m in _IBAN_START.finditer(text):
        if m.start() < pos:
            continue
        # read up to 34 characters, allowing one separator between them, and try every length
        chars: list[tuple[str, int]] = []
        i = m.start()
        while i < len(text) and len(chars) < 34:
            c = text[i]
            if c.isascii() and c.isalnum():
                chars.append((c.upper(), i + 1))
                i += 1
            elif c in _IBAN_SEPARATORS and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum() \
                    and text[i - 1] not in _IBAN_SEPARATORS:
                i += 1
            else:
                break
        for n in range(len(chars), 14, -1):
            end = chars[n - 1][1]
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue  # the IBAN must end where a word ends
            compact = "".join(c for c, _ in chars[:n])
            if _iban.is_valid(compact):
                yield m.start(), end, f"{compact[:2]}{BULLET * 2} {MASK} {compact[-4:]}"
                pos = end
                break



_SSN_DASHED = re.compile(rf"(?<![\w-]){AFTER_MASK}(\d{{3}})-(\d{{2}})-(\d{{4}})(?![\w-]|[.,]\d)")
_SSN_NAMED = re.compile(
    r"(?P<prefix>(?<![\w-])(?:ssn|ss#|social\s+security(?:\s+(?:number|no\.?|#))?|soc\.?\s*sec\.?(?:\s+no\.?)?)"
    r"\s*(?:is|was|:|#|=|no\.?)?\s*)(\d{3})[ .]?(\d{2})[ .]?(\d{4})(?![\w-]|[.,]\d)",
    re.I,
)


def _ssn_masked(area: str, group: str, serial: str) -> str | None:
    if not _ssn.is_valid(area + group + serial):
        return None
    return f"{BULLET * 3}-{BULLET * 2}-{serial}"


def _ssn_dashed(m: re.Match[str]) -> str | None:
    return _ssn_masked(m.group(1), m.group(2), m.group(3))


def _ssn_named(m: re.Match[str]) -> str | None:
    masked = _ssn_masked(m.group(2), m.group(3), m.group(4))
    return None if masked is None else m.group("prefix") + masked


IBAN_RULE = Rule(IBAN, _find_ibans)
# a number named as an SSN before the bare dashed shape
SSN_RULES: tuple[Rule, ...] = (
    Rule(SSN, by_regex(_SSN_NAMED, _ssn_named)),
    Rule(SSN, by_regex(_SSN_DASHED, _ssn_dashed)),
)
