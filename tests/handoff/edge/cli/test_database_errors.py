"""A database that cannot be used is one clear line and a non-zero exit, never a traceback or its password."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from handoff.edge.cli.main import app
from handoff.devtools.support.processes import free_port

runner = CliRunner()
PASSWORD = "s3cret-pw-1234"


@pytest.fixture
def unreachable(tmp_path, monkeypatch):
    """A PostgreSQL URL on a port where nothing listens, run from a folder with no settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOFF_SETTINGS", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://handoff:{PASSWORD}@127.0.0.1:{free_port()}/handoff")
    return tmp_path


@pytest.mark.parametrize("args", [
    ["serve"], ["serve", "--workers", "2"], ["worker"], ["stats"],
    ["erase", "--email", "ana@example.com"], ["backtest", "--from-history"],
], ids=lambda a: " ".join(a))
def test_an_unreachable_database_is_one_line_naming_the_host(unreachable, args):
    if args[0] == "serve":
        args = [*args, "--port", str(free_port())]
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    lines = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, r.output
    assert "cannot use the database" in lines[0] and "127.0.0.1" in lines[0] and "refused" in lines[0]
    assert "Traceback" not in r.output and PASSWORD not in r.output


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://root:pw@localhost/handoff", "mysql:// is not supported"),
    ("postgresql+psycopg2://u@localhost/handoff", "postgresql+psycopg2:// is not supported"),
    ("handoff.db", "is not a database URL"),
    (f"postgresql://u:{PASSWORD}@db.example.com:fivefourthreetwo/handoff", "is not a valid database URL"),
])
def test_check_config_names_the_databases_it_supports(tmp_path, monkeypatch, url, says):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    r = runner.invoke(app, ["check-config"])
    assert r.exit_code == 2
    assert "DATABASE_URL" in r.output and says in r.output
    assert PASSWORD not in r.output and "Traceback" not in r.output
    if "valid" not in says:
        assert "SQLite (sqlite:///" in r.output and "PostgreSQL (postgresql://" in r.output


def test_check_config_tries_the_database_and_says_it_cannot_be_reached(unreachable):
    r = runner.invoke(app, ["check-config"])
    assert r.exit_code == 1
    [line] = [line for line in r.output.splitlines() if line.startswith("database: ")]
    assert "cannot use the database" in line and "127.0.0.1" in line and PASSWORD not in r.output


def test_check_config_says_the_database_answers(tmp_path, monkeypatch, database_url):
    from handoff.bootstrap import build_runtime
    from handoff.settings import load_config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    build_runtime(load_config(None, environ={"DATABASE_URL": database_url})).close()  # the store exists
    r = runner.invoke(app, ["check-config"])
    assert r.exit_code == 0, r.output
    [line] = [line for line in r.output.splitlines() if line.startswith("database: ")]
    assert line.startswith("database: reachable: ")
    assert ("PostgreSQL" if database_url.startswith("postgresql") else "SQLite file") in line


def test_check_config_does_not_create_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    r = runner.invoke(app, ["check-config"])
    assert r.exit_code == 0 and "does not exist yet" in r.output
    assert not (tmp_path / "new.db").exists()
