"""Prometheus series, all named handoff_*, in a registry of their own."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter("handoff_turns", "Turns posted to the /v1 API", ["role", "decision"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "handoff_turn_seconds", "Time to answer a /v1 turn",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=REGISTRY,
)
HANDOFFS = Counter("handoff_handoffs", "Handoffs created", ["category", "team"], registry=REGISTRY)
DELIVERIES = Counter("handoff_deliveries", "Delivery attempts by outcome", ["kind", "outcome"], registry=REGISTRY)
