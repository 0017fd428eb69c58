"""handoff.metrics: one process's series, or every worker's when they share a multiprocess directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from handoff import metrics

# prometheus_client picks its mode when first imported, so each "worker" is a fresh interpreter
_COUNT = """
import sys
from handoff import metrics
for _ in range(int(sys.argv[1])):
    metrics.TURNS.labels(role="customer", decision="continue").inc()
    metrics.TURN_SECONDS.observe(0.003)
"""
_SCRAPE = "import sys; from handoff import metrics; sys.stdout.write(metrics.exposition().decode())"


def _python(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sample(text: str, name: str, **labels: str) -> float:
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_exposition_sums_every_process_sharing_the_directory(tmp_path: Path) -> None:
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    _python(_COUNT, "3", env=env)
    _python(_COUNT, "4", env=env)
    text = _python(_SCRAPE, env=env)  # a third process, which counted nothing itself
    assert _sample(text, "handoff_turns_total", role="customer", decision="continue") == 7
    assert _sample(text, "handoff_turn_seconds_bucket", le="0.005") == 7
    assert _sample(text, "handoff_turn_seconds_bucket", le="0.0025") == 0


def test_without_the_directory_exposition_is_this_process_only(monkeypatch) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    before = _sample(metrics.exposition().decode(), "handoff_turns_total", role="ai", decision="handoff")
    metrics.TURNS.labels(role="ai", decision="handoff").inc()
    after = _sample(metrics.exposition().decode(), "handoff_turns_total", role="ai", decision="handoff")
    assert after == before + 1
    metrics.process_exited(os.getpid())  # a no-op outside multiprocess mode


def test_process_exited_keeps_what_a_dead_worker_counted(tmp_path: Path) -> None:
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    _python(_COUNT + "metrics.process_exited(__import__('os').getpid())\n", "2", env=env)
    assert _sample(_python(_SCRAPE, env=env), "handoff_turns_total") == 2


def test_offers_and_hand_backs_are_exposed() -> None:
    """What the re-offer job, the claims, the hand-backs and the re-handoffs count, as /metrics shows it."""
    before = _sample(metrics.exposition().decode(), "handoff_hand_backs_total", source="zendesk_solved")
    metrics.HAND_BACKS.labels(source="zendesk_solved").inc()
    metrics.REOFFERS.labels(to="agent").inc()
    metrics.CLAIMS_AFTER_REOFFER.inc()
    metrics.REHANDOFFS.labels(to="same_agent").inc()
    text = metrics.exposition().decode()
    assert _sample(text, "handoff_hand_backs_total", source="zendesk_solved") == before + 1
    for name, labels in (("handoff_reoffers_total", {"to": "agent"}), ("handoff_claims_after_reoffer_total", {}),
                         ("handoff_rehandoffs_total", {"to": "same_agent"})):
        assert _sample(text, name, **labels) >= 1
    assert "handoff_time_to_claim_seconds_bucket" in text  # the time waiting before a claim


async def test_handoffs_are_counted_per_page_group(make_config, tmp_path: Path, monkeypatch) -> None:
    from handoff.app.turns import TurnInput
    from handoff.bootstrap import build_runtime
    from handoff.devtools.support.settings import shipped_settings

    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)

    def count(group: str) -> float:
        return _sample(metrics.exposition().decode(), "handoff_handoffs_by_page_total", page_group=group)

    billing, orders = count("/settings/billing"), count("/orders/:id/refund")
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")))
    try:
        # shipped settings name /settings/billing*; other pages are their path with ids replaced, no query
        await rt.service.post_message("m-1", TurnInput(role="customer", text="I want a human",
                                                        page_url="https://app.example.com/settings/billing/cards?e=a@b.co"))
        await rt.service.post_message("m-2", TurnInput(role="customer", text="I want a human",
                                                        page_url="https://app.example.com/orders/88123/refund"))
    finally:
        rt.close()
    assert count("/settings/billing") == billing + 1 and count("/orders/:id/refund") == orders + 1
    assert "a@b.co" not in metrics.exposition().decode()


def test_page_groups_beyond_the_cap_count_as_other(monkeypatch) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    monkeypatch.setattr(metrics, "_page_groups", {f"/p{i}" for i in range(metrics.MAX_PAGE_GROUPS)})
    before = _sample(metrics.exposition().decode(), "handoff_handoffs_by_page_total", page_group="other")
    metrics.count_page_handoff("/one/too/many")
    metrics.count_page_handoff("/p7")  # a group already seen keeps its own series
    text = metrics.exposition().decode()
    assert _sample(text, "handoff_handoffs_by_page_total", page_group="other") == before + 1
    assert _sample(text, "handoff_handoffs_by_page_total", page_group="/one/too/many") == 0
    assert _sample(text, "handoff_handoffs_by_page_total", page_group="/p7") == 1
