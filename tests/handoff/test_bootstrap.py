"""The composition root's start-up work: warming up before the first request."""
from __future__ import annotations

from structlog.testing import capture_logs

from handoff.bootstrap import build_runtime
from handoff.core.decide import matchers
from handoff.app.turns import DB_THREADS
from handoff.devtools.support.settings import shipped_settings


def test_warm_up_compiles_the_triggers_and_opens_the_turn_threads_connections(make_config) -> None:
    rt = build_runtime(make_config())
    try:
        matchers._CACHE.clear()
        rt.warm_up()
        assert any(settings is rt.config.settings.triggers for settings, _ in matchers._CACHE.values())
        expected = 1 if rt.engine.dialect.name == "sqlite" else DB_THREADS
        assert rt.engine.pool.checkedin() >= expected  # opened, and back in the pool for the first turns
    finally:
        rt.close()


def test_warm_up_with_the_database_down_only_warns(make_config) -> None:
    rt = build_runtime(make_config(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none"), run_migrations=False)
    try:
        with capture_logs() as logs:
            rt.warm_up()
        [line] = [e for e in logs if e["event"] == "could not open database connections at start-up"]
        assert line["log_level"] == "warning" and "OperationalError" in line["error"]
    finally:
        rt.close()


SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-compose-test", "SLACK_SIGNING_SECRET": "compose-signing-secret"}


def test_an_unpinned_slack_workspace_is_a_start_up_warning(make_config) -> None:
    rt = build_runtime(make_config(**SLACK_ENV))
    try:
        [note] = [n for n in rt.notes if "team_id" in n]
        assert "[slack] team_id and [slack] app_id not set" in note and "any workspace" in note
    finally:
        rt.close()
    pinned = build_runtime(make_config('[slack]\nteam_id = "T0ACME"\napp_id = "A0HANDOFF"\n', **SLACK_ENV))
    try:
        assert not [n for n in pinned.notes if "team_id" in n]
    finally:
        pinned.close()


def test_started_where_no_settings_file_is_warns_that_the_defaults_have_no_agents(tmp_path, monkeypatch,
                                                                                   database_url) -> None:
    """`serve` outside the project folder ran on built-in defaults, with nobody to route to, and said nothing."""
    from handoff.settings import load_config

    monkeypatch.chdir(tmp_path)
    rt = build_runtime(load_config(None, environ={"DATABASE_URL": database_url}))
    try:
        [note] = [n for n in rt.notes if "no settings file" in n]
        assert str(tmp_path / "settings.toml") in note and "--settings" in note and "HANDOFF_SETTINGS" in note
        assert "no agents" in note
    finally:
        rt.close()


def test_a_settings_file_with_no_agents_is_a_start_up_warning(make_config, tmp_path) -> None:
    rt = build_runtime(make_config())
    try:
        assert [n for n in rt.notes if "lists no [[routing.agents]]" in n]
    finally:
        rt.close()
    shipped = build_runtime(make_config(shipped_settings(tmp_path / "outbox")))
    try:
        assert not [n for n in shipped.notes if "agents" in n or "settings file" in n]
    finally:
        shipped.close()


def test_without_zendesk_the_webhook_secret_is_not_a_second_warning(make_config, fake_zendesk) -> None:
    """The quick start (no credentials) warned about a webhook secret for a Zendesk it does not use."""
    rt = build_runtime(make_config())
    try:
        assert [n for n in rt.notes if "Zendesk is not configured" in n]
        assert not [n for n in rt.notes if "ZENDESK_WEBHOOK_SECRET" in n]
    finally:
        rt.close()
    env = {"ZENDESK_EMAIL": fake_zendesk.email, "ZENDESK_API_TOKEN": fake_zendesk.token, "ZENDESK_URL": fake_zendesk.url}
    configured = build_runtime(make_config("[zendesk]\nsubdomain = 'acme'\n", **env))
    try:
        assert [n for n in configured.notes if "ZENDESK_WEBHOOK_SECRET is not set" in n]
    finally:
        configured.close()


SUNSHINE_ENV = {"SUNSHINE_KEY_ID": "app_5f1a2b3c4d5e6f7a8b9c0d1e", "SUNSHINE_KEY_SECRET": "sunshine-compose-secret"}


def test_zendesk_messaging_is_built_from_its_key_and_app_id(make_config) -> None:
    from connectors.sunshine import SunshineConnector
    from handoff.core.delivery_kinds import DeliveryKind

    rt = build_runtime(make_config('[zendesk]\nsubdomain = "acme"\n[sunshine]\napp_id = "5963c0d619a30a2e00de36b8"\n'
                                   'switchboard_integration = "tier2"\n', **SUNSHINE_ENV))
    try:
        connector = rt.connectors["sunshine"]
        assert isinstance(connector, SunshineConnector) and rt.sinks["sunshine"] is connector
        assert rt.service.targets[DeliveryKind.SUNSHINE_CONTROL] == "sunshine" and rt.targets["sunshine"] == "sunshine"
        assert connector.switchboard_integration == "tier2" and connector.app_id == "5963c0d619a30a2e00de36b8"
        assert "acme.zendesk.com/sc" in repr(connector)  # a licensed Zendesk account's API host
        assert SUNSHINE_ENV["SUNSHINE_KEY_SECRET"] not in repr(connector)
        assert not any("Zendesk messaging" in n or "SUNSHINE" in n for n in rt.notes)
    finally:
        rt.close()


def test_sunshine_api_url_wins_over_the_settings(make_config) -> None:
    rt = build_runtime(make_config('[sunshine]\napp_id = "a1"\nurl = "https://settings.example"\n', **SUNSHINE_ENV,
                                   SUNSHINE_API_URL="http://127.0.0.1:18121"))
    try:
        assert "127.0.0.1:18121" in repr(rt.connectors["sunshine"])
    finally:
        rt.close()


def test_without_zendesk_messaging_nothing_is_said_and_its_actions_stay_local(make_config) -> None:
    from handoff.core.delivery_kinds import DeliveryKind

    rt = build_runtime(make_config())
    try:
        assert "sunshine" not in rt.connectors and rt.service.targets[DeliveryKind.SUNSHINE_CONTROL] == "local"
        assert not any("Zendesk messaging" in n for n in rt.notes)
    finally:
        rt.close()


def test_half_a_messaging_configuration_is_a_start_up_warning(make_config) -> None:
    rt = build_runtime(make_config(**SUNSHINE_ENV))
    try:
        [note] = [n for n in rt.notes if "Zendesk messaging" in n]
        assert "[sunshine] app_id not set" in note and "local outbox" in note and "sunshine" not in rt.connectors
    finally:
        rt.close()


def test_an_integration_key_is_a_start_up_warning(make_config) -> None:
    rt = build_runtime(make_config('[sunshine]\napp_id = "a1"\n', SUNSHINE_KEY_ID="int_0123456789abcdef01234567",
                                   SUNSHINE_KEY_SECRET="s"))
    try:
        [note] = [n for n in rt.notes if "integration key" in n]
        assert "releaseControl" in note and "app key" in note
    finally:
        rt.close()
