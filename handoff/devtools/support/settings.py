"""The shipped settings.toml as test settings, with a test outbox and chosen lines replaced."""
from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[3] / "settings.toml"


def shipped_settings(outbox: Path, replace: dict[str, str] | None = None) -> str:
    """The shipped file's text with its outbox in `outbox` and each `old` line replaced by `new`."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('outbox_dir = "handoff-outbox"', f'outbox_dir = "{outbox.as_posix()}"')
    for old, new in (replace or {}).items():
        assert old in text, f"{old!r} is not in settings.toml"
        text = text.replace(old, new, 1)
    return text
