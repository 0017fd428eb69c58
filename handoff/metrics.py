"""Prometheus series, all named handoff_*, in a registry of their own.

Counters and histograms count what this process did; scrape every process (they add up). Durations
are observed when the event happens: claim, first human reply, solve.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
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
CLAIM_SECONDS = Histogram("handoff_time_to_claim_seconds", "From handoff to claim", buckets=_HUMAN, registry=REGISTRY)
FIRST_RESPONSE_SECONDS = Histogram("handoff_time_to_first_human_response_seconds",
                                   "From handoff to the first public human reply", buckets=_HUMAN, registry=REGISTRY)
RESOLUTION_SECONDS = Histogram("handoff_resolution_seconds", "From handoff to solved", buckets=_HUMAN,
                               registry=REGISTRY)
