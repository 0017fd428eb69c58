"""`handoff check-config`: the settings as understood."""
from __future__ import annotations




from handoff.edge.cli.base import SettingsOpt, app, config_from, out


@app.command("check-config")
def check_config(settings: SettingsOpt = None) -> None:
    """Validate settings.toml and the environment, and print what was understood."""
    from handoff.edge.cli.config_report import config_report

    config = config_from(settings)
    out.print(config_report(config), highlight=False)
