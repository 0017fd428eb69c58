"""Masking of PII and secrets in text that leaves the system of record (Slack, an LLM).

Each kind of secret is one rule: a pattern plus a function that decides whether a match
really is that kind (Luhn for cards, mod-97 for IBANs) and what to show instead. Rules run
from the most specific to the most generic so a token is masked as a token before the
generic rules see its digits.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

BULLET = "•"

CARD = "card"
EMAIL = "email"
SECRET = "secret"
IBAN = "iban"
SSN = "ssn"
PHONE = "phone"

ALL_KINDS: frozenset[str] = frozenset({CARD, EMAIL, SECRET, IBAN, SSN, PHONE})
# What may never be stored in a ticket either: card numbers (PCI) and credentials.
CARDS_AND_SECRETS: frozenset[str] = frozenset({CARD, SECRET, IBAN, SSN})


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    # A single separator style is what people type; mixed runs are more likely two numbers.
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1 or not _luhn_ok(digits):
        return raw
    return f"{BULLET * 4} {digits[-4:]}"


def _email(m: re.Match[str]) -> str:
    local, domain = m.group(1), m.group(2)
    return f"{local[0]}***@{domain}"


def _keep_prefix(m: re.Match[str]) -> str:
    return f"{m.group('prefix')}{BULLET * 4}"


def _generic_secret(m: re.Match[str]) -> str:
    raw = m.group(0)
    # Slugs and words are one case; a random key mixes cases and digits, or is long hex.
    is_hex = re.fullmatch(r"[0-9a-fA-F]+", raw) is not None and re.search(r"\d", raw) is not None
    mixed = all(re.search(p, raw) for p in (r"\d", r"[a-z]", r"[A-Z]"))
    if not (is_hex or mixed):
        return raw
    return f"[secret {BULLET * 4}]"


def _iban_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def _iban(m: re.Match[str]) -> str:
    raw = m.group(0)
    compact = re.sub(r"\s", "", raw).upper()
    if not 15 <= len(compact) <= 34 or not _iban_ok(compact):
        return raw
    return f"{compact[:2]}{BULLET * 2} {BULLET * 4} {compact[-4:]}"


def _ssn(m: re.Match[str]) -> str:
    area, group, serial = m.group(1), m.group(2), m.group(3)
    if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
        return m.group(0)
    return f"{BULLET * 3}-{BULLET * 2}-{serial}"


def _phone(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if not 7 <= len(digits) <= 15:
        return raw
    keep = 4 if len(digits) >= 10 else 2
    seen = 0
    out = []
    for ch in raw:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > len(digits) - keep else BULLET)
        else:
            out.append(ch)
    return "".join(out)


_TOKEN_PREFIXES = (
    r"(?:sk|rk|pk)_(?:live|test)_",
    r"whsec_",
    r"xox[abposr]-",
    r"xapp-",
    r"gh[pousr]_",
    r"github_pat_",
    r"glpat-",
    r"AIza",
    r"sk-(?:proj-|ant-)?",
)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        SECRET,
        re.compile(r"(?P<prefix>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}", re.I),
        _keep_prefix,
    ),
    _Rule(
        SECRET,
        re.compile(r"(?P<prefix>\b(?:" + "|".join(_TOKEN_PREFIXES) + r"))[A-Za-z0-9_-]{8,}"),
        _keep_prefix,
    ),
    _Rule(SECRET, re.compile(r"(?P<prefix>\b(?:AKIA|ASIA))[0-9A-Z]{16}\b"), _keep_prefix),
    # JSON Web Tokens: three base64url parts, the first two starting with '{"' encoded.
    _Rule(
        SECRET,
        re.compile(r"(?P<prefix>\beyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
        _keep_prefix,
    ),
    _Rule(
        SECRET,
        re.compile(
            r"(?P<prefix>\b(?:password|passwd|pwd|api[_-]?key|secret|token)\s*[:=]\s*)[^\s,;]{6,}",
            re.I,
        ),
        _keep_prefix,
    ),
    _Rule(EMAIL, re.compile(r"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b"), _email),
    _Rule(
        SECRET,
        # '/' is left out so URL paths are not taken for one long base64 run.
        re.compile(r"(?<![A-Za-z0-9+_=-])[A-Za-z0-9+_-]{32,}={0,2}(?![A-Za-z0-9+_=-])"),
        _generic_secret,
    ),
    _Rule(
        IBAN,
        re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
        _iban,
    ),
    _Rule(CARD, re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d.,]\d)(?!\d)"), _card),
    _Rule(SSN, re.compile(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])"), _ssn),
    _Rule(
        PHONE,
        re.compile(
            r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d-])"  # international, leading +
            r"|(?<![\w(])\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}(?![\d-])"  # (415) 555-2671
            r"|(?<![\w.-])\d{3}[ .-]\d{3}[ .-]\d{4}(?![\w-]|\.\d)"  # 415-555-2671
        ),
        _phone,
    ),
)


def mask_pii(text: str, kinds: Iterable[str] = ALL_KINDS) -> str:
    """Mask card numbers, e-mail addresses, secrets, IBANs, SSNs and phone numbers in `text`."""
    if not text:
        return text
    wanted = frozenset(kinds)
    for rule in _RULES:
        if rule.kind in wanted:
            text = rule.pattern.sub(rule.replace, text)
    return text


def mask_email(email: str | None) -> str | None:
    """Mask one e-mail address, keeping its first character and domain."""
    if not email:
        return email
    local, sep, domain = email.partition("@")
    if not sep or not local:
        return mask_pii(email)
    return f"{local[0]}***@{domain}"
