"""What `handoff check-config` shows of access, timeouts, the Slack workspace and Zendesk messaging."""
from __future__ import annotations

import pytest

from handoff.edge.cli.config_report import config_summary


@pytest.mark.parametrize(("toml", "env", "shown"), [
    ("", {}, "open (metrics_require_key off)"),
    ("", {"HANDOFF_API_KEYS": "k-123456"}, "API key required"),
    ("[service]\nmetrics_require_key = false\n", {"HANDOFF_API_KEYS": "k-123456"}, "open (metrics_require_key off)"),
    ("[service]\nmetrics_require_key = true\n", {}, "this machine only (metrics_require_key on, no API keys)"),
])
def test_who_may_read_metrics_and_the_documents(make_config, toml, env, shown):
    assert config_summary(make_config(toml, **env))["metrics_and_docs"] == shown


def test_local_only_mode_says_a_proxy_needs_keys(make_config):
    assert "behind a proxy on this machine set keys" in config_summary(make_config())["api_keys"]


def test_timeouts_and_workspace(make_config):
    summary = config_summary(make_config(
        "[service]\nheader_timeout_seconds = 4\nmax_connections = 900\n[slack]\nteam_id = \"T0ACME\"\n"))
    assert summary["http_timeouts"] == "headers 4 s, body 30 s, keep-alive 5 s, max connections 900"
    assert summary["slack_workspace"] == "team T0ACME, app any"
    assert config_summary(make_config())["slack_workspace"] == "any (set [slack] team_id and app_id)"


def test_zendesk_messaging_is_reported(make_config):
    assert config_summary(make_config())["zendesk_messaging"] == "off (Switchboard passes and releases kept locally)"
    summary = config_summary(make_config('[sunshine]\napp_id = "a1"\n', SUNSHINE_KEY_ID="app_k",
                                         SUNSHINE_KEY_SECRET="sunshine-secret-value"))
    assert summary["zendesk_messaging"] == "on (app a1, passes to zd-agentWorkspace)"
    assert summary["secrets"]["sunshine_key_secret"] == "set"  # never the value


def test_linear_bug_reports_are_reported(make_config):
    assert config_summary(make_config())["linear"] == "off (no [linear] team_id)"
    team = '[linear]\nteam_id = "t-1"\n'
    assert config_summary(make_config(team))["linear"] == "off (bug reports kept locally) (team t-1)"
    summary = config_summary(make_config(team, LINEAR_API_KEY="lin_api_x"))
    assert summary["linear"] == "on (team t-1)" and summary["secrets"]["linear_api_key"] == "set"
