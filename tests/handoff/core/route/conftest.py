"""Shared fixtures: the shipped `[routing]` example as settings and as raw data to edit."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from handoff.core.route.config import RoutingSettings

_DATA = tomllib.loads((Path(__file__).parent / "data" / "routing.toml").read_text(encoding="utf-8"))["routing"]


def shipped_data() -> dict[str, Any]:
    """A fresh copy of the shipped `[routing]` table, safe to edit."""
    return copy.deepcopy(_DATA)


@pytest.fixture
def shipped() -> RoutingSettings:
    """The shipped SaaS example: five teams, Mon-Fri 09:00-18:00 America/New_York, US holidays."""
    return RoutingSettings.model_validate(shipped_data())
