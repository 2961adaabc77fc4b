"""The app's settings before a book is unlocked: a small JSON file in the platform's config
folder (theme, idle minutes). Never customer data: that lives in the book."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from platformdirs import user_config_path

DEFAULT_IDLE_MINUTES = 10


@dataclass
class AppConfig:
    theme: str = "textual-dark"
    idle_minutes: float = DEFAULT_IDLE_MINUTES

    @classmethod
    def load(cls, path: Path | None = None) -> AppConfig:
        """The saved settings; the defaults for a missing or unreadable file or value."""
        path = path or config_path()
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        config = cls()
        if isinstance(saved.get("theme"), str):
            config.theme = saved["theme"]
        idle = saved.get("idle_minutes")
        if isinstance(idle, int | float) and 0 < idle <= 24 * 60:
            config.idle_minutes = float(idle)
        return config

    def save(self, path: Path | None = None) -> None:
        path = path or config_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


def config_path() -> Path:
    return user_config_path("custbook") / "config.json"
