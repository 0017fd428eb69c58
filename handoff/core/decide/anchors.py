"""The words a pattern's match must start with, so a category whose words are absent is not searched at all.

Most always-human patterns open with a word boundary and a group of literal words ("\\b(?:charge|charges|
payment|...) ..."). Their match can only start at a token of the message that is one of those words (or,
after "\\w*", starts with one). Normalised text is lowercase ASCII words separated by single spaces, so one
split and a set intersection answer "could this category match?" in a microsecond, where searching its
alternation costs 5 to 20: most messages hold none of a category's first words. A pattern whose first word
cannot be read this way (a digit run, a leading optional word, an unusual construct) gives None, and its
category is always searched: the filter may only skip what cannot match, never what could.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

try:  # the parser of the re module: private, so any change in it only turns the filter off
    import re._parser as _sre
    from re._constants import (
        ASSERT,
        ASSERT_NOT,
        AT,
        AT_BOUNDARY,
        AT_END,
        BRANCH,
        CATEGORY,
        CATEGORY_DIGIT,
        CATEGORY_WORD,
        IN,
        LITERAL,
        MAX_REPEAT,
        SUBPATTERN,
    )
except ImportError:  # pragma: no cover - another Python: no filter
    _sre = None

_CAP = 2000  # the most first words one pattern may expand to before it is left unfiltered
_DIGITS = tuple("0123456789")


@dataclass(frozen=True)
class Anchors:
    """A match starts at a token in `exact` or at one starting with a `prefixes` entry."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def admit(self, tokens: list[str], token_set: set[str]) -> bool:
        """Whether a message with these tokens could match."""
        if not self.exact.isdisjoint(token_set):
            return True
        prefixes = self.prefixes
        return bool(prefixes) and any(t.startswith(prefixes) for t in tokens)


class _Unreadable(Exception):
    pass


def _is_word_run(op, av) -> bool:
    return op is MAX_REPEAT and list(av[2]) == [(IN, [(CATEGORY, CATEGORY_WORD)])]


def _starts(items) -> list[tuple[str, bool]]:
    """Every way the items can begin, as (text, open). A string holding a space (or ending in one, written for
    a word boundary) has its first token whole; an open one ("\\w*", a digit class, a repeated group) is the
    first token's beginning only. Both take nothing more from later items."""
    outs: list[tuple[str, bool]] = [("", False)]
    for op, av in items:
        if all(o or " " in s for s, o in outs):
            break
        done = [(s, o) for s, o in outs if o or " " in s]
        todo = [s for s, o in outs if not (o or " " in s)]
        if op is LITERAL:
            nxt = [(s + chr(av), False) for s in todo]
        elif op is AT and av in (AT_BOUNDARY, AT_END):
            nxt = [(s + " ", False) for s in todo]  # the token ends here
        elif _is_word_run(op, av):
            nxt = [(s, True) for s in todo]
        elif op is IN and av == [(CATEGORY, CATEGORY_DIGIT)]:
            nxt = [(s + d, True) for s in todo for d in _DIGITS]
        elif op is IN and all(o is LITERAL for o, _ in av):
            nxt = [(s + chr(c), False) for s in todo for _, c in av]
        elif op is SUBPATTERN:
            nxt = _joined(todo, _starts(list(av[-1])))
        elif op is BRANCH:
            nxt = _joined(todo, [x for alt in av[1] for x in _starts(list(alt))])
        elif op is MAX_REPEAT and av[0] == 0 and av[1] == 1:
            nxt = _joined(todo, [("", False)] + _starts(list(av[2])))
        elif op is MAX_REPEAT and av[0] >= 1:
            # the first round is certain; later rounds could go on with the token
            nxt = [(t, o or " " not in t) for t, o in _joined(todo, _starts(list(av[2])))]
        elif op in (ASSERT, ASSERT_NOT):
            nxt = [(s, False) for s in todo]  # a lookaround consumes nothing
        else:
            raise _Unreadable
        outs = done + nxt
        if len(outs) > _CAP:
            raise _Unreadable
    return outs


def _joined(heads: list[str], tails: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    return [(h + t, o) for h in heads for t, o in tails]


_TOKEN_TEXT = re.compile(r"[a-z0-9 ]*")  # what normalised text is made of


def pattern_anchors(pattern: str) -> Anchors | None:
    """The first words of one pattern without top-level alternatives, or None when they cannot be read."""
    if _sre is None:
        return None
    try:
        items = list(_sre.parse(pattern))
        if not items or items[0] != (AT, AT_BOUNDARY):
            return None
        exact: set[str] = set()
        prefixes: set[str] = set()
        for s, open_ in _starts(items[1:]):
            first = s.split(" ", 1)[0]
            if not first or not _TOKEN_TEXT.fullmatch(first):
                return None  # an empty first word, or characters normalised text never holds ("~" of a blank)
            if " " in s:
                exact.add(first)
            else:
                prefixes.add(first)  # the pattern went on (or ended) without saying where the token ends
        if not exact and not prefixes:
            return None  # nothing read: filtering on it would skip everything
        return Anchors(frozenset(exact), tuple(sorted(prefixes)))
    except (_Unreadable, re.error, TypeError, ValueError, IndexError):
        return None


def category_anchors(pieces: list[str]) -> Anchors | None:
    """The union of the pieces' first words, or None if any piece's cannot be read (the category is searched)."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    for piece in pieces:
        a = pattern_anchors(piece)
        if a is None:
            return None
        exact |= a.exact
        prefixes.update(a.prefixes)
    return Anchors(frozenset(exact), tuple(sorted(prefixes)))


# the first words of patterns that are in more than 1 % of the corpus's customer messages (measured), and
# digits: a pattern opening with one of these is searched on most messages anyway
COMMON_WORDS = frozenset("""
a i my to the ich me do no is je can in on en it not how est le das am what j have nao an nicht se need es are
account card will pas want app para so ya pra il hat there meine den ca quiero get quero someone esta did our
plus would mir
""".split())


def is_common(anchors: Anchors | None) -> bool:
    """Whether a pattern opens with a word most messages hold ("i", "my", "how", "ich", "nao") or a digit."""
    return anchors is None or not COMMON_WORDS.isdisjoint(anchors.exact) or any(len(p) <= 2 for p in anchors.prefixes)
