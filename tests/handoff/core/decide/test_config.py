import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from handoff.core.decide.config import TriggerSettings

DATA = Path(__file__).parent / "data" / "triggers.toml"
REPO_SETTINGS = Path(__file__).resolve().parents[4] / "settings.toml"


def test_shipped_toml_equals_the_defaults() -> None:
    section = tomllib.loads(DATA.read_text())["triggers"]
    assert TriggerSettings.model_validate(section) == TriggerSettings()


def test_repo_settings_toml_triggers_equal_the_defaults() -> None:
    section = tomllib.loads(REPO_SETTINGS.read_text())["triggers"]
    assert TriggerSettings.model_validate(section) == TriggerSettings()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"explicit_requst": {}}, "explicit_requst"),
        ({"low_confidence": {"treshold": 0.5}}, "treshold"),
        ({"always_human": {"enabled": True, "phrases": []}}, "phrases"),
    ],
)
def test_a_typo_is_an_error_naming_the_key(data: dict, key: str) -> None:
    with pytest.raises(ValidationError) as e:
        TriggerSettings.model_validate(data)
    assert key in str(e.value)


def test_out_of_range_confidence_threshold_is_rejected() -> None:
    with pytest.raises(ValidationError):
        TriggerSettings.model_validate({"low_confidence": {"threshold": 1.5}})


def test_unknown_priority_is_rejected() -> None:
    with pytest.raises(ValidationError) as e:
        TriggerSettings.model_validate({"category_priority": {"legal": "asap"}})
    assert "asap" in str(e.value)
