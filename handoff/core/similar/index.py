"""Ranking past cases against a new one: BM25 over the customer's words (bm25s), nudged by topic and page.

Pure: built from the cases it is given, asked with a query, no I/O. Building costs time in proportion to
the cases (the caller builds off the event loop and keeps asking the old index meanwhile); asking costs
one sparse sum over the query's words and a partial sort, a few milliseconds for 100,000 cases.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np

from handoff.core.similar.models import PastCase, SimilarCase, SimilarQuery
from handoff.core.similar.terms import terms as words

# A case on the same topic, or from the same page, ranks this much higher (a factor on its BM25 score):
# enough to order near-equal matches, never enough to bring in a case that shares no words.
TOPIC_BOOST = 0.25
PAGE_BOOST = 0.15
# The customer's last words are the question; a query reads this much of them.
QUERY_CHARS = 4000

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


def case_terms(case: PastCase) -> list[str]:
    """The words a past case is found by: what the customer asked and wrote."""
    return words(f"{case.title}\n{case.text}")


class SimilarIndex:
    """An immutable BM25 index over past cases, asked for the few most like a query."""

    def __init__(self, cases: Sequence[PastCase], *, terms: Sequence[list[str]] | None = None) -> None:
        """`terms`: each case's words (`case_terms`), when the caller kept them from an earlier build."""
        self.cases: tuple[PastCase, ...] = tuple(cases)
        self._bm25: bm25s.BM25 | None = None
        if not self.cases:
            return
        bm25 = bm25s.BM25()
        bm25.index(list(terms) if terms is not None else [case_terms(c) for c in self.cases], show_progress=False)
        self._bm25 = bm25
        self._vocab: dict[str, int] = bm25.vocab_dict
        topics = {t: i for i, t in enumerate(sorted({c.topic for c in self.cases if c.topic}), start=1)}
        pages = {p: i for i, p in enumerate(sorted({c.page for c in self.cases if c.page}), start=1)}
        self._topics, self._pages = topics, pages
        self._topic_ids = np.fromiter((topics.get(c.topic or "", 0) for c in self.cases), np.int32, len(self.cases))
        self._page_ids = np.fromiter((pages.get(c.page or "", 0) for c in self.cases), np.int32, len(self.cases))

    def __len__(self) -> int:
        return len(self.cases)

    def top(self, query: SimilarQuery, k: int) -> tuple[SimilarCase, ...]:
        """The `k` past cases most like `query`, best first; none that shares no word with it."""
        if self._bm25 is None or k <= 0:
            return ()
        ids = sorted({self._vocab[t] for t in words(query.text[-QUERY_CHARS:]) if t in self._vocab})
        if not ids:
            return ()
        scores = self._bm25.get_scores_from_ids(ids)
        hits = np.flatnonzero(scores > 0)
        if hits.size == 0:
            return ()
        ranked = scores[hits] * self._boosts(query, hits)
        want = min(k, hits.size)
        best = np.argpartition(-ranked, want - 1)[:want] if hits.size > want else np.arange(hits.size)
        # best first; equal scores in the order the cases were given (the caller gives the newest first)
        order = sorted(best.tolist(), key=lambda j: (-float(ranked[j]), int(hits[j])))
        return tuple(_shown(self.cases[int(hits[j])], float(ranked[j])) for j in order if ranked[j] > 0)

    def _boosts(self, query: SimilarQuery, hits: np.ndarray) -> np.ndarray:
        boost = np.ones(hits.size, dtype=np.float32)
        topic = self._topics.get(query.topic or "")
        if topic:
            boost += TOPIC_BOOST * (self._topic_ids[hits] == topic)
        page = self._pages.get(query.page or "")
        if page:
            boost += PAGE_BOOST * (self._page_ids[hits] == page)
        return boost


EMPTY = SimilarIndex(())


def _shown(case: PastCase, score: float) -> SimilarCase:
    return SimilarCase(ref=case.ref, source=case.source, title=case.title, topic=case.topic, page=case.page,
                       resolution=case.resolution, tags=case.tags, resolved_in_seconds=case.resolved_in_seconds,
                       score=round(score, 3))
