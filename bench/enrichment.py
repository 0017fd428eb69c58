"""Benchmark: enrichment of one customer against local fakes that answer every request after a fixed delay.

Prints the total enrichment time against the sum of all upstream call times and against the longest
chain of dependent calls (the floor any implementation must pay). Target: total ≤ 1.2 × longest chain.

    python bench/enrichment.py [--delay 0.05] [--runs 5] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from connectors.enrichment import Enricher, Source  # noqa: E402
from connectors.hubspot import HubSpotConnector  # noqa: E402
from connectors.stripe import StripeConnector  # noqa: E402
from handoff.core.models import Customer  # noqa: E402
from handoff.devtools.fakes.http import FakeServer  # noqa: E402
from handoff.devtools.fakes.hubspot import TOKEN, FakeHubSpot  # noqa: E402
from handoff.devtools.fakes.stripe import API_KEY, FakeStripe  # noqa: E402

EMAIL = "ana@example.com"
# Dependent calls per source with the data seeded below:
#   stripe:  customers → charges → disputes (subscriptions, invoices beside the charges)
#   hubspot: contact search → associations → company / deals batch (owner beside them)
#   zendesk: ticket search
CHAIN_DEPTH = {"stripe": 3, "hubspot": 3, "zendesk": 1}


def seed(stripe: FakeStripe, hubspot: FakeHubSpot) -> None:
    """A customer with something in every corner, so every call of every chain is made."""
    now = int(datetime.now(UTC).timestamp())
    c = stripe.add_customer(EMAIL, name="Ana", delinquent=True)
    stripe.add_subscription(c["id"], unit_amount=4900, lookup_key="pro_monthly", quantity=3)
    stripe.add_invoice(c["id"], created=now - 86_400, amount_due=14_700, status="open", attempt_count=2)
    stripe.add_charge(c["id"], created=now - 86_400, amount=14_700, status="failed", failure_code="card_declined")
    disputed = stripe.add_charge(c["id"], created=now - 5 * 86_400, amount=14_700, disputed=True, refund=500)
    stripe.add_dispute(disputed["id"], amount=14_700)
    cid = hubspot.add_contact(EMAIL, owner_id="41629779", health_score="40")
    hubspot.add_owner("41629779")
    hubspot.add_company(cid, name="Biglytics", tier="enterprise")
    hubspot.add_deal(cid, dealname="Renewal", amount="12000")


def zendesk_source(delay: float) -> tuple[Source, FakeServer | None]:
    """The other helper's real Zendesk history source against its fake, or a stand-in with one call."""
    try:
        from connectors.zendesk import ZendeskConnector, ZendeskHistorySource
        from handoff.devtools.fakes.zendesk import FakeZendesk
    except ImportError:
        class OneCall:
            name = "zendesk"

            async def fetch(self, customer: Customer) -> dict[str, Any]:
                await asyncio.sleep(delay)
                return {"open_tickets": [], "recent_tickets": [], "prior_handoffs": 0}

        return OneCall(), None
    fake = FakeZendesk().start()
    fake.add_ticket(subject="Charged twice", requester_email=EMAIL, status="open",
                    created_at=(datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    connector = ZendeskConnector(None, fake.email, fake.token, url=fake.url, timeout=5.0)
    return ZendeskHistorySource(connector), fake


async def run(delay: float, runs: int) -> dict[str, Any]:
    """Seed the fakes, warm up, then time `runs` cold-cache enrichments."""
    stripe_fake, hubspot_fake = FakeStripe().start(), FakeHubSpot().start()
    zendesk, zendesk_fake = zendesk_source(delay)
    fakes: list[FakeServer] = [f for f in (stripe_fake, hubspot_fake, zendesk_fake) if f is not None]
    try:
        seed(stripe_fake, hubspot_fake)
        stripe = StripeConnector(API_KEY, api_base=stripe_fake.url, timeout=5.0)
        hubspot = HubSpotConnector(TOKEN, host=hubspot_fake.url, timeout=5.0)
        enricher = Enricher([stripe, hubspot, zendesk], budget_seconds=10.0)
        customer = Customer(email=EMAIL)
        first = await enricher.enrich(customer)  # warm-up: pools, threads, imports
        failing = {s.source: s.reason for s in first.sources if s.status != "ok"}
        for fake in fakes:
            fake.delay = delay
        totals, calls = [], []
        per_source: dict[str, list[float]] = {}
        for _ in range(runs):
            enricher.clear_cache()
            before = sum(len(f.requests) for f in fakes)
            started = time.perf_counter()
            ctx = await enricher.enrich(customer)
            totals.append(time.perf_counter() - started)
            calls.append(sum(len(f.requests) for f in fakes) - before)
            failing |= {s.source: s.reason for s in ctx.sources if s.status != "ok"}
            for s in ctx.sources:
                per_source.setdefault(s.source, []).append((s.elapsed_ms or 0.0) / 1000)
        await stripe.aclose()
    finally:
        for fake in fakes:
            fake.stop()
    zendesk_calls = CHAIN_DEPTH["zendesk"] if zendesk_fake is None else None
    total = statistics.median(totals)
    upstream_calls = statistics.median(calls) + (zendesk_calls or 0)
    chain = max(CHAIN_DEPTH.values()) * delay
    return {
        "delay_seconds": delay,
        "runs": runs,
        "total_seconds": round(total, 4),
        "total_seconds_max": round(max(totals), 4),
        "upstream_calls": upstream_calls,
        "sum_seconds": round(upstream_calls * delay, 4),
        "longest_chain_calls": max(CHAIN_DEPTH.values()),
        "longest_chain_seconds": round(chain, 4),
        "ratio_to_chain": round(total / chain, 3),
        "ratio_to_sum": round(total / (upstream_calls * delay), 3),
        "target_ratio": 1.2,
        "meets_target": total <= 1.2 * chain,
        "per_source_seconds": {k: round(statistics.median(v), 4) for k, v in per_source.items()},
        "zendesk": "stand-in source" if zendesk_fake is None else "connectors.zendesk against its fake",
        "unavailable": failing,
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds every fake request takes")
    parser.add_argument("--runs", type=int, default=10, help="timed enrichments (median reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    report = asyncio.run(run(args.delay, args.runs))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"upstream delay per call : {report['delay_seconds'] * 1000:.0f} ms")
    print(f"enrichment total        : {report['total_seconds'] * 1000:.0f} ms "
          f"(median of {report['runs']}, max {report['total_seconds_max'] * 1000:.0f} ms)")
    print(f"sum of upstream calls   : {report['sum_seconds'] * 1000:.0f} ms ({report['upstream_calls']:g} calls)")
    print(f"longest dependent chain : {report['longest_chain_seconds'] * 1000:.0f} ms "
          f"({report['longest_chain_calls']} calls)")
    print(f"total / chain           : {report['ratio_to_chain']:.2f} (target ≤ {report['target_ratio']}) "
          f"{'OK' if report['meets_target'] else 'MISSED'}")
    print(f"total / sum             : {report['ratio_to_sum']:.2f}")
    print("per source              : " + ", ".join(
        f"{k} {v * 1000:.0f} ms" for k, v in report["per_source_seconds"].items()))
    print(f"zendesk                 : {report['zendesk']}")
    if report["unavailable"]:
        print(f"unavailable             : {report['unavailable']}")


if __name__ == "__main__":
    main()
