"""Phone numbers, found by their shape in several national formats (see the package docstring for why)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from handoff.core.masking.finders import AFTER_MASK, DIGITS, SPACES, Rule, Span, ascii_digits
from handoff.core.masking.kinds import BULLET, PHONE

_PHONE_SEP = rf"(?:[{SPACES}]?[./\-\u2013][{SPACES}]?|[{SPACES}]{{1,2}}|\)[{SPACES}]?|[{SPACES}]?\()"
_PHONE_RUN = re.compile(rf"(?<![\w+./,#№\-]){AFTER_MASK}(?:\+[{SPACES}]?)?\(?\d+(?:{_PHONE_SEP}\d+)*\)?")


_PHONE_GROUPS_MAX = 6  # "+33 6 12 34 56 78"


def _nanp(digits: str) -> bool:
    return len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789"


def _phone_style(sep: str) -> str:
    return sep.strip(SPACES + "()") or " "


def _is_phone(groups: list[str], seps: list[str], plus: bool, around: tuple[str, ...] = ()) -> bool:
    """Whether digit groups look like a phone number; `around`: the separators just outside them."""
    digits = "".join(groups)
    n = len(digits)
    if plus:
        return 8 <= n <= 15
    # without a +: one separator style, as people write phone numbers (dates and versions mix them; a
    # parenthesised area code aside), not part of a longer number written the same way (an address, a
    # version, a date), and no IPv4 address
    styles = {_phone_style(s) for s in seps if "(" not in s and ")" not in s}
    if len(styles) > 1 or styles & {_phone_style(s) for s in around}:
        return False
    if styles == {"."} and len(groups) == 4 and all(len(g) <= 3 for g in groups):
        return False
    if digits[0] != "0":
        sizes = [len(g) for g in groups]
        if sizes in ([10], [3, 3, 4]):
            return _nanp(digits)
        return sizes in ([11], [1, 3, 3, 4], [1, 10]) and digits[0] == "1" and _nanp(digits[1:])
    # groups of two digits or more ("01.0.000.000" is not a phone), but a country code's own ("0033 6 12...")
    if digits.startswith("00") and n > 2 and digits[2] != "0":
        pairs = all(len(g) >= 2 for k, g in enumerate(groups) if k != 1)
        return 8 <= n - 2 <= 15 and pairs  # international with 00 instead of +
    if n > 1 and digits[1] != "0":
        return 9 <= n <= 12 and all(len(g) >= 2 for g in groups)  # national, trunk prefix 0 (UK, FR, DE...)
    return False


def _find_phones(text: str) -> Iterator[Span]:
    for run in _PHONE_RUN.finditer(text):
        raw = run.group(0)
        if sum(c.isdigit() for c in raw) < 8:
            continue
        parts = list(DIGITS.finditer(raw))
        groups = [ascii_digits(p.group(0)) for p in parts]
        seps = [raw[parts[k].end():parts[k + 1].start()] for k in range(len(parts) - 1)]
        i = 0
        while i < len(groups):
            found = None
            total = 0
            ends = []
            for j in range(i, min(len(groups), i + _PHONE_GROUPS_MAX)):
                total += len(groups[j])
                if total > 17:
                    break
                if total >= 8:
                    ends.append(j)
            for j in reversed(ends):  # the longest phone number starting here
                around = tuple(seps[k] for k in (i - 1, j) if 0 <= k < len(seps))
                if _is_phone(groups[i:j + 1], seps[i:j], plus=i == 0 and raw.startswith("+"), around=around):
                    found = j
                    break
            if found is None:
                i += 1
                continue
            start = 0 if i == 0 else parts[i].start()
            if i > 0 and seps[i - 1].endswith("("):
                start -= 1
            end = parts[found].end()
            if raw[end:end + 1] == ")" and "(" in raw[start:parts[found].start()]:
                end += 1
            yield run.start() + start, run.start() + end, _phone(raw[start:end])
            i = found + 1


def _phone(raw: str) -> str:
    n = sum(c.isdigit() for c in raw)
    keep = 4 if n >= 10 else 2
    seen = 0
    out = []
    for ch in raw:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > n - keep else BULLET)
        else:
            out.append(ch)
    return "".join(out)


PHONE_RULE = Rule(PHONE, _find_phones)
