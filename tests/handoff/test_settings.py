"""Settings: validated at start-up, errors name the key, secrets only from the environment."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from handoff.settings import Settings, SettingsError, load_config, normalise_database_url

REPO = Path(__file__).resolve().parents[2]


def test_shipped_settings_file_is_valid_and_explicit():
    config = load_config(REPO / "settings.toml", environ={})
    assert config.path == REPO / "settings.toml"
    assert config.settings.routing.teams  # the example SaaS team is really there


def test_no_file_means_built_in_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.path is None and config.settings == Settings()
    assert config.database_url() == "sqlite:///handoff.db"


def test_path_from_environment(tmp_path):
    p = tmp_path / "custom.toml"
    p.write_text('[slack]\ndefault_channel = "#vip"\n')
    assert load_config(environ={"HANDOFF_SETTINGS": str(p)}).settings.slack.default_channel == "#vip"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[slack]\ndefault_chanel = '#x'\n", "slack.default_chanel: unknown key"),
        ("[service]\nmax_body_bytes = 'big'\n", "service.max_body_bytes"),
        ("[delivery]\nmax_attempts = 0\n", "delivery.max_attempts"),
        ("[servce]\n", "servce: unknown key"),
        ("[service]\nlog_level = 'loud'\n", "service.log_level"),
        ("[zendesk\n", "not valid TOML"),
        ("[briefing]\ntranscript_messages = 0\n", "briefing.transcript_messages"),
        ("[briefing]\nai_attempts = 51\n", "briefing.ai_attempts"),
    ],
)
def test_errors_name_the_key(tmp_path, toml, expected):
    p = tmp_path / "s.toml"
    p.write_text(toml)
    with pytest.raises(SettingsError) as e:
        load_config(p, environ={})
    assert expected in str(e.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secrets_come_from_the_given_environment_only(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-process-env")
    config = load_config(environ={"HANDOFF_API_KEYS": " k1 , k2,,", "STRIPE_API_KEY": "rk_test_abcdef"})
    assert config.env.slack_bot_token is None
    assert config.env.api_keys() == ["k1", "k2"]
    assert "rk_test_abcdef" in config.env.secret_values()
    assert "rk_test_abcdef" not in repr(config.env)  # SecretStr never prints its value


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize(("toml", "key"), [
    ('[slack]\nteam_id = "acme"\n', "slack.team_id"),
    ('[slack]\napp_id = "T0123"\n', "slack.app_id"),
    ("[service]\nheader_timeout_seconds = 0\n", "service.header_timeout_seconds"),
    ("[service]\nmax_connections = 2\n", "service.max_connections"),
])
def test_edge_settings_are_checked(tmp_path, toml, key):
    p = tmp_path / "s.toml"
    p.write_text(toml)
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        load_config(p, environ={})


def test_edge_settings_defaults():
    service = Settings().service
    assert service.metrics_require_key is None  # on when keys are set
    assert (service.header_timeout_seconds, service.body_timeout_seconds, service.keep_alive_timeout_seconds) == (10, 30, 5)
    assert service.max_connections is None and Settings().slack.team_id is None


def test_briefing_bounds_and_their_former_name(tmp_path):
    shipped = load_config(REPO / "settings.toml", environ={}).settings.briefing
    assert (shipped.transcript_messages, shipped.ai_attempts) == (20, 5)
    p = tmp_path / "s.toml"
    p.write_text("[briefing]\nnote_transcript_max_messages = 30\nai_attempts = 3\n")
    briefing = load_config(p, environ={}).settings.briefing
    assert (briefing.transcript_messages, briefing.ai_attempts) == (30, 3)


def test_reading_settings_and_packaging_loads_no_vendor_client():
    """Settings models live apart from the connectors: a command that only packages pays for no SDK."""
    code = ("import sys, handoff.settings, handoff.app.packaging; "
            "print(sorted(m for m in ('stripe', 'hubspot', 'httpx', 'requests', 'zenpy', 'slack_sdk', 'sqlalchemy')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
