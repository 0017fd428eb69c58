"""Prometheus series, all named handoff_*, in a registry of their own.

Counters and histograms count what this process did. Under `serve --workers N` the worker processes
share one directory of value files (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR set
by `serve` before the workers start), and `/metrics` on any of them answers for all of them. Durations
are observed when the event happens: claim, first human reply, solve.

Multiprocess rules this module keeps: prometheus_client reads PROMETHEUS_MULTIPROC_DIR once, when it is
first imported, so the variable must be in the environment before that (spawned workers inherit it);
a Gauge added here needs a `multiprocess_mode` (e.g. "livesum"), and `process_exited` drops a stopped
worker's live-gauge files (counters and histograms keep theirs: what a dead worker counted still counts).
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry(auto_describe=True)

# fine steps below 250 ms so the p50 and p99 of a routine turn (a few ms to tens of ms) can be read off
_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5)
_HUMAN = (30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600)

TURNS = Counter("handoff_turns", "Turns posted to the /v1 API", ["role", "decision"], registry=REGISTRY)
TURN_SECONDS = Histogram("handoff_turn_seconds", "Time to answer a /v1 turn", buckets=_LATENCY, registry=REGISTRY)
HANDOFFS = Counter("handoff_handoffs", "Handoffs created", ["category", "team"], registry=REGISTRY)
REASONS = Counter("handoff_reasons", "Triggers behind created handoffs", ["trigger"], registry=REGISTRY)
ENRICHMENT = Counter("handoff_enrichment_results", "Enrichment results by source and status", ["source", "status"],
                     registry=REGISTRY)
DELIVERIES = Counter("handoff_deliveries", "Delivery attempts by outcome", ["kind", "outcome"], registry=REGISTRY)
WEBHOOK_EVENTS = Counter("handoff_webhook_events", "Zendesk webhook calls by outcome", ["outcome"], registry=REGISTRY)
HANDOFF_EVENTS = Counter("handoff_events", "Things that happened to handoffs (claimed, solved, rated...)", ["kind"],
                         registry=REGISTRY)
SECOND_OPINIONS = Counter("handoff_second_opinions", "Second opinions asked on doubtful turns, by verdict",
                          ["verdict"], registry=REGISTRY)  # escalate | keep | none (no usable answer in time)
ALTERNATIVES_CHOSEN = Counter("handoff_alternatives_chosen", "What waiting customers chose when offered alternatives",
                              ["choice"], registry=REGISTRY)  # callback | email | keep_waiting
CUSTOMER_UPDATES = Counter("handoff_customer_updates", "Updates told to waiting customers, by kind", ["kind"],
                           registry=REGISTRY)
CLAIM_SECONDS = Histogram("handoff_time_to_claim_seconds", "From handoff to claim", buckets=_HUMAN, registry=REGISTRY)
FIRST_RESPONSE_SECONDS = Histogram("handoff_time_to_first_human_response_seconds",
                                   "From handoff to the first public human reply", buckets=_HUMAN, registry=REGISTRY)
REOFFERS = Counter("handoff_reoffers", "Offers not claimed in time and passed on, by where they went", ["to"],
                   registry=REGISTRY)  # agent | team (nobody left: the fallback team's queue)
CLAIMS_AFTER_REOFFER = Counter("handoff_claims_after_reoffer", "Claims of handoffs that had been re-offered",
                               registry=REGISTRY)
HAND_BACKS = Counter("handoff_hand_backs", "Conversations handed back to the AI, by source", ["source"],
                     registry=REGISTRY)  # api | slack | zendesk_solved
REHANDOFFS = Counter("handoff_rehandoffs", "Handoffs made within the re-handoff window of a hand-back", ["to"],
                     registry=REGISTRY)  # same_agent | routed (the agent was away or off shift, or nobody had it)
HANDOFFS_BY_PAGE = Counter("handoff_handoffs_by_page", "Handoffs created, by page group ([signals] page_groups)",
                           ["page_group"], registry=REGISTRY)
MAX_PAGE_GROUPS = 200  # pages no pattern names are series too: beyond this many, they count as "other"
_page_groups: set[str] = set()
RESOLUTION_SECONDS = Histogram("handoff_resolution_seconds", "From handoff to solved", buckets=_HUMAN,
                               registry=REGISTRY)


def count_page_handoff(group: str) -> None:
    """Count a handoff under its page group, folding groups past MAX_PAGE_GROUPS into "other" (bounded series)."""
    if group not in _page_groups:
        if len(_page_groups) >= MAX_PAGE_GROUPS:
            group = "other"
        _page_groups.add(group)
    HANDOFFS_BY_PAGE.labels(page_group=group).inc()


def multiprocess_dir() -> str | None:
    """The shared directory of value files when several processes count together, else None."""
    return os.environ.get(MULTIPROC_ENV) or None


def exposition() -> bytes:
    """The text exposition of every handoff_* series: this process's, or all workers' in multiprocess mode."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()  # fresh per scrape: the collector reads the files when asked
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def process_exited(pid: int) -> None:
    """Forget a stopped worker's live gauges (multiprocess mode only; a no-op otherwise)."""
    if multiprocess_dir() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
