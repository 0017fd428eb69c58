"""Payment cards (Luhn-valid numbers written as cards are, with a CVC or expiry after them) and CVCs."""
from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn as _luhn

from handoff.core.locales.credential_words import CVC_JOINERS, CVC_WORDS
from handoff.core.masking.finders import AFTER_MASK, DIGITS, SEP, SPACES, Rule, Span, ascii_digits, by_regex, keep_prefix
from handoff.core.masking.kinds import BULLET, CARD, MASK

_CARD_RUN = re.compile(rf"(?<![\w+])(?<!\d[.,]){AFTER_MASK}\d+(?:{SEP}\d+)*")
_CVC = re.compile(rf"(?P<prefix>(?<![\w-])(?:{CVC_WORDS})(?![\w-])\s*(?:{CVC_JOINERS})?\s*)\d{{3,4}}(?!\d)", re.I)


def _sep_kind(sep: str) -> str:
    stripped = sep.strip(SPACES)
    return stripped or " "


def _is_amex(digits: str) -> bool:
    return len(digits) == 15 and digits[:2] in ("34", "37")


def _tail(groups: list[str], seps: list[str], j: int, digits: str) -> str | None:
    """What follows a candidate card number: "end", "cvc", "expiry", or None (more digits of something)."""
    if j == len(groups) - 1:
        return "end"
    nxt = groups[j + 1]
    if len(nxt) == 3 or (len(nxt) == 4 and _is_amex(digits)):
        return "cvc"
    if len(nxt) == 2 and 1 <= int(nxt) <= 12 and j + 2 < len(groups) and seps[j + 1] in "/-." \
            and len(groups[j + 2]) in (2, 4):
        return "expiry"
    return None


def _card_at(groups: list[str], seps: list[str], i: int) -> tuple[int, bool] | None:
    """The card number starting at group `i`: (index of its last group, whether a CVC follows), or None."""
    if groups[i][0] == "0":
        return None  # no card brand starts with 0 (international phone numbers do)
    candidates: list[tuple[int, str | None]] = []
    digits = ""
    for j in range(i, len(groups)):
        if j > i and (seps[j - 1] != seps[i] or not 3 <= len(groups[j - 1]) <= 6 or len(groups[j]) > 6):
            break  # one separator style, groups of 3-6 digits (the last may be shorter), as cards are written
        digits += groups[j]
        if len(digits) > 19:
            break
        if len(digits) >= 13 and len(set(digits)) > 1 and _luhn.is_valid(digits):
            candidates.append((j, _tail(groups, seps, j, digits)))
    if not candidates:
        return None
    # "4111 1111 1111 1111 123" is a card and its CVC: prefer the shortest number followed by nothing,
    # a CVC or an expiry date; else the longest valid one
    for j, tail in candidates:
        if tail is not None:
            return j, tail == "cvc"
    return candidates[-1][0], False


def _find_cards(text: str) -> Iterator[Span]:
    for run in _CARD_RUN.finditer(text):
        raw = run.group(0)
        if sum(c.isdigit() for c in raw) < 13:
            continue
        parts = list(DIGITS.finditer(raw))
        groups = [ascii_digits(p.group(0)) for p in parts]
        seps = [_sep_kind(raw[parts[k].end():parts[k + 1].start()]) for k in range(len(parts) - 1)]
        i = 0
        while i < len(groups):
            found = _card_at(groups, seps, i)
            if found is None:
                i += 1
                continue
            j, cvc = found
            digits = "".join(groups[i:j + 1])
            last = j + 1 if cvc else j
            out = f"{MASK} {digits[-4:]}" + (f" {BULLET * 3}" if cvc else "")
            yield run.start() + parts[i].start(), run.start() + parts[last].end(), out
            i = last + 1


CARD_RULE = Rule(CARD, _find_cards)
CVC_RULE = Rule(CARD, by_regex(_CVC, keep_prefix))
