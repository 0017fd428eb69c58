"""The queues' retry policy: doubling up to a ceiling, equal jitter, Retry-After as a floor."""
from __future__ import annotations

import pytest

from handoff.core.backoff import backoff_seconds


@pytest.mark.parametrize(("attempts", "rand", "expected"), [
    (1, 0.0, 1.0), (1, 1.0, 2.0), (2, 0.5, 3.0), (3, 0.0, 4.0), (10, 0.0, 30.0), (0, 0.0, 1.0),
])
def test_doubles_with_equal_jitter_up_to_the_ceiling(attempts: int, rand: float, expected: float) -> None:
    assert backoff_seconds(attempts, initial=2.0, maximum=60.0, rand=rand) == expected


def test_retry_after_is_a_floor_and_jitter_can_be_off() -> None:
    assert backoff_seconds(1, initial=2.0, maximum=60.0, retry_after=45.0, rand=0.0) == 45.0
    assert backoff_seconds(4, initial=2.0, maximum=10.0, jitter=False) == 10.0
    assert backoff_seconds(2, initial=2.0, maximum=10.0, jitter=False) == 4.0
