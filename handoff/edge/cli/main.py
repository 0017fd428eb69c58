"""The `handoff` command: one module per command, registered on the shared Typer app when imported."""
from __future__ import annotations

from handoff.edge.cli import (  # noqa: F401
    backtest,
    check_config,
    erase,
    index,
    serve,
    setup,
    simulate,
    stats,
    train,
    zendesk_app,
)
from handoff.edge.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
