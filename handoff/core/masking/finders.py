"""What every masking rule is built from: a rule (a kind and a finder), finders from regular expressions,
and the digit separators people type."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from handoff.core.masking.kinds import BULLET, MASK

# Horizontal separators people type between digit groups (NBSP, thin and figure spaces, dashes of
# every width, the minus sign) and their punctuation: one of them, optionally spaced.
SPACES = " \t\u00a0\u2007\u2009\u202f"
PUNCT = r"./_\-\u2010\u2011\u2012\u2013\u2014\u2212"
SEP = rf"(?:[{SPACES}]{{1,2}}|[{SPACES}]?[{PUNCT}][{SPACES}]?)"
DIGITS = re.compile(r"\d+")

Span = tuple[int, int, str]
Finder = Callable[[str], Iterator[Span]]


@dataclass(frozen=True)
class Rule:
    """One kind of secret: the kind a destination may ask to mask, and the finder of its spans."""

    kind: str
    find: Finder


def ascii_digits(text: str) -> str:
    """Digits of any script as ASCII digits ("٤٢" -> "42"), so checksums can read them."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())


def by_regex(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]) -> Finder:
    """A finder from a pattern and a function that returns the replacement, or None for a look-alike."""

    def find(text: str) -> Iterator[Span]:
        for m in pattern.finditer(text):
            out = replace(m)
            if out is not None:
                yield m.start(), m.end(), out

    return find


def keep_prefix(m: re.Match[str]) -> str:
    """The replacement that keeps the match's `prefix` group (the word or scheme) and masks the rest."""
    return f"{m.group('prefix')}{MASK}"


# digits right after bullets are what an earlier masking left ("•••• 4242"): never part of a new number
AFTER_MASK = rf"(?<!{BULLET})(?<!{MASK} )"
