"""Similar cases: the earlier handoffs and solved Zendesk tickets most like a new handoff, and how each ended.

models (a past case, a query, a case shown) · terms (the words a case is found by) · index (BM25 ranking over
bm25s, nudged by topic and page) · cases (past cases from a solved handoff or an exported ticket; imported
on its own: it builds on the briefing's text helpers, which import these models).
"""
from handoff.core.similar.index import EMPTY, SimilarIndex
from handoff.core.similar.models import PastCase, SimilarCase, SimilarQuery, SimilarSettings, took

__all__ = ["EMPTY", "PastCase", "SimilarCase", "SimilarIndex", "SimilarQuery", "SimilarSettings", "took"]
