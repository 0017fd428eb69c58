"""The one retry policy of the durable queues (deliveries, inbound webhook events): exponential, with jitter."""
from __future__ import annotations


def backoff_seconds(attempts: int, *, initial: float, maximum: float, retry_after: float | None = None,
                    rand: float = 0.5, jitter: bool = True) -> float:
    """Delay before the next try after `attempts` tries: `initial` doubled per try up to `maximum`, with
    "equal jitter" (half fixed, half random: spreads retries without collapsing to zero), never shorter
    than the upstream's Retry-After. `rand` is a draw in [0, 1), given so the policy stays a pure function."""
    base = min(maximum, initial * (2 ** max(0, attempts - 1)))
    delay = base * (0.5 + rand / 2) if jitter else base
    return max(delay, retry_after or 0.0)
