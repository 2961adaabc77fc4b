"""Simplified Chinese is a first-class language: every user-facing string is translated,
with the same placeholders, and the shipped .mo matches the .po."""

from __future__ import annotations

import string

from tests.conftest import run_cli_subprocess
from tools.i18n import LANGUAGES, extracted, load_po, mo_bytes, po_path


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_string_is_translated_with_the_same_placeholders():
    for language in LANGUAGES:
        catalog = load_po(language)
        for message in extracted():
            if not message.id:
                continue
            translated = catalog.get(message.id)
            assert translated is not None and translated.string, f"{language}: {message.id!r}"
            assert not translated.fuzzy, message.id
            assert placeholders(translated.string) == placeholders(message.id), message.id


def test_compiled_catalogs_are_up_to_date():
    for language in LANGUAGES:
        shipped = po_path(language).with_suffix(".mo").read_bytes()
        assert shipped == mo_bytes(load_po(language)), "run: uv run python tools/i18n.py compile"


def test_the_cli_speaks_chinese(tmp_path):
    result = run_cli_subprocess(
        ["--book", str(tmp_path / "none.cbk"), "check"], env={"LANGUAGE": "zh_CN"}
    )
    assert result.returncode == 8
    assert "处没有客户簿" in result.stderr


def test_history_and_a_log_name_their_records_and_kinds_in_chinese(tmp_path):
    """What a record is (a reminder, an order) and a log's kind are words of the reader's
    language, not the stored keys (已创建 reminder, 已记录…的 message)."""
    env = {"LANGUAGE": "zh_CN", "CUSTBOOK_PASSPHRASE": "a long test passphrase"}
    book = ["--book", str(tmp_path / "b.cbk")]
    assert run_cli_subprocess([*book, "init"], env=env).returncode == 0
    run_cli_subprocess([*book, "add", "--name", "王芳", "--stage", "loyal"], env=env)
    logged = run_cli_subprocess(
        [*book, "log", "王芳", "--kind", "message", "--subject", "问候", "--next", "明天"], env=env
    )
    assert "已记录与 王芳 的 消息" in logged.stderr
    history = run_cli_subprocess([*book, "history", "王芳"], env=env).stdout
    assert "往来记录" in history and "提醒" in history and "reminder" not in history
    found = run_cli_subprocess([*book, "find", "王芳"], env=env).stdout
    assert "忠实" in found and "loyal" not in found
