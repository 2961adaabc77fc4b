"""Translation of user-facing strings (stdlib gettext; English source strings).

Every string a person reads goes through `_()`. The language comes from the usual
environment variables (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) unless `set_language` is
called, e.g. from the config file. Simplified Chinese (zh_CN) ships with the package.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "custbook"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
_chosen: str | None = None


def set_language(language: str | None) -> None:
    """Use `language` (e.g. "zh_CN", "en") from now on; None means "from the environment"."""
    global _translation, _chosen
    _chosen = language
    languages = [language] if language else None
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def chosen_language() -> str | None:
    """The language `set_language` chose, or None (from the environment): what a worker
    process is started with, so its messages read like the rest."""
    return _chosen


def _(message: str) -> str:
    return _translation.gettext(message)
