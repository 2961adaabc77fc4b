"""The app driven as a person would (Pilot), on a real encrypted book in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, ListView, Static

from custbook.book import Book
from custbook.tui.commands import CustomerProvider
from custbook.tui.screens.customer import CustomerScreen
from custbook.tui.screens.help import HelpScreen
from custbook.tui.screens.main import MainScreen
from custbook.tui.screens.unlock import UnlockScreen, delay_after
from custbook.tui.widgets.customer_table import CustomerTable
from custbook.vault import unlock_book
from custbook.vault.errors import SaveFailed
from tests.conftest import PASSPHRASE

from .conftest import CUSTOMERS, SIZE, FakeIdle, make_app, rows, saved_book, settle, status, unlock


async def test_unlock_shows_the_list_by_pinyin_with_its_count(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        assert str(demo_file) in str(app.screen.query_one("#path", Static).render())
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        names = rows(app)
        assert len(names) == 50
        assert status(app).startswith(f"50 of {CUSTOMERS - archived(demo_file)}")
        assert status(app).endswith("by name")
        book = saved_book(demo_file)
        assert names == [line.record["name"] for line in book.page(limit=50)]
        await pilot.press("slash", "z", "w")  # free text: listed best match first
        await settle(pilot)
        assert status(app).endswith("by best match")
        await app.action_quit()


def archived(path: Path) -> int:
    book = saved_book(path)
    return book.db.execute(
        "SELECT count(*) FROM customers WHERE archived_at IS NOT NULL"
    ).fetchone()[0]


async def test_a_wrong_passphrase_says_so_and_waits_longer_each_time(demo_file, monkeypatch):
    app = make_app(demo_file)
    waited: list[float] = []

    async def no_wait(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(app, "sleep", no_wait)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(4):
            await unlock(pilot, "not it")
        assert isinstance(app.screen, UnlockScreen)
        message = str(app.screen.query_one("#message", Static).render())
        assert "Wrong passphrase" in message
        assert waited == [delay_after(2), delay_after(3), delay_after(4)] == [2.0, 4.0, 8.0]
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_a_damaged_book_names_the_backup_to_restore(demo_file):
    vault = unlock_book(demo_file, PASSPHRASE)  # two saves: the first file becomes a backup
    vault.db.execute("UPDATE customers SET notes = 'x' WHERE id = 1")
    vault.db.commit()
    vault.save()
    vault.close()
    data = bytearray(demo_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    demo_file.write_bytes(bytes(data))
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert isinstance(app.screen, UnlockScreen)
        message = str(app.screen.query_one("#message", Static).render())
        assert "damaged" in message and "backup restore" in message
        await app.action_quit()


async def test_typing_pinyin_narrows_the_list(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        book = saved_book(demo_file)
        await pilot.press("slash", "z")
        await settle(pilot)
        after_z = rows(app)
        await pilot.press("w")
        await settle(pilot)
        expected = [line.record["name"] for line in book.search("zw")]
        assert rows(app) == expected and 0 < len(expected) < len(after_z)
        assert app.screen.query_one("#search", Input).value == "zw"
        await pilot.press("ctrl+u", *"grade:X")
        await settle(pilot)
        problem = str(app.screen.query_one("#problem", Static).render())
        assert "grade:X" in problem  # a bad filter says so; the list stays
        await app.action_quit()


async def test_a_saved_view_from_the_sidebar(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        views = app.screen.query_one("#views", ListView)
        await pilot.press("v")
        index = [v.name for v in app.screen.views].index("A 客户")
        views.index = index
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "grade:A"
        grades = {line.record["grade"] for line in app.screen.query_one(CustomerTable).lines}
        assert grades == {"A"}
        await app.action_quit()


async def test_enter_opens_the_customer_and_escape_comes_back(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        first = app.screen.query_one(CustomerTable).lines[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.view.customer.id == first.id
        assert first.record["name"] in app.export_screenshot()
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_quit_saves_and_reopening_shows_the_change(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await app.runtime.run(lambda book: book.customers.edit(1, {"notes": "改过了"}, source="t"))
        app.changed()
        await app.action_quit()
    assert saved_book(demo_file).customers.get(1)["notes"] == "改过了"
    again = make_app(demo_file)
    async with again.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        shown = await again.runtime.run(lambda book: book.customers.get(1)["notes"])
        assert shown == "改过了"
        await again.action_quit()


async def test_idle_lock_saves_and_forgets(demo_file):
    idle = FakeIdle()
    app = make_app(demo_file, idle=idle)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await app.runtime.run(lambda book: book.customers.edit(2, {"notes": "空闲前"}, source="t"))
        app.changed()
        idle.now += 9 * 60
        await app.lock_if_idle()
        assert isinstance(app.screen, MainScreen)  # not yet
        idle.now += 2 * 60
        await app.lock_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and not app.screen.kept
        assert not app.runtime.is_open  # the data and the key are gone
        assert not any(isinstance(s, MainScreen) for s in app.screen_stack)
        assert saved_book(demo_file).customers.get(2)["notes"] == "空闲前"
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_a_failed_save_at_lock_keeps_the_changes_in_memory(demo_file, monkeypatch):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await app.runtime.run(lambda book: book.customers.edit(3, {"notes": "未保存"}, source="t"))
        app.changed()

        def failing_save() -> None:
            raise SaveFailed(str(demo_file), "disk full")

        monkeypatch.setattr(app.runtime.vault, "save", failing_save)
        before = demo_file.read_bytes()
        await app.action_lock()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and app.screen.kept
        notice = str(app.screen.query_one("#notice", Static).render())
        assert "could not be saved" in notice and "memory" in notice
        assert demo_file.read_bytes() == before
        await unlock(pilot, "wrong one")
        assert isinstance(app.screen, UnlockScreen)
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        kept = await app.runtime.run(lambda book: book.customers.get(3)["notes"])
        assert kept == "未保存"
        monkeypatch.undo()
        await app.action_quit()
    assert saved_book(demo_file).customers.get(3)["notes"] == "未保存"


@pytest.mark.parametrize("width", [80, 120])
async def test_narrow_terminals_drop_columns_by_priority(demo_file, width):
    app = make_app(demo_file)
    async with app.run_test(size=(width, 24)) as pilot:
        await unlock(pilot)
        shown = [c.key for c in app.screen.query_one(CustomerTable).shown]
        assert shown[:3] == ["risk", "name", "grade"]
        assert ("revenue" in shown) == (width >= 120)
        assert ("company" in shown) == (width >= 120)
        await app.action_quit()


async def test_a_book_open_elsewhere_says_so(demo_file):
    holder = unlock_book(demo_file, PASSPHRASE)  # another custbook has it open for writing
    try:
        app = make_app(demo_file)
        async with app.run_test(size=SIZE) as pilot:
            await unlock(pilot)
            assert isinstance(app.screen, UnlockScreen)
            message = str(app.screen.query_one("#message", Static).render())
            assert "open in another custbook" in message
            await app.action_quit()
    finally:
        holder.close()


async def test_an_older_copy_put_back_is_reported(demo_file):
    older = demo_file.read_bytes()
    vault = unlock_book(demo_file, PASSPHRASE)  # a newer save, seen by this machine
    vault.db.execute("UPDATE customers SET notes = 'newer' WHERE id = 1")
    vault.db.commit()
    vault.save()
    vault.close()
    demo_file.write_bytes(older)
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        shown = [n.message for n in app._notifications]
        assert any("older copy" in message for message in shown)
        await app.action_quit()


async def test_the_palette_jumps_to_a_customer_by_pinyin(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        wanted = saved_book(demo_file).search("zw", limit=1)
        await pilot.press("ctrl+p", *"zw")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.view.customer.id == wanted[0].id
        await app.action_quit()


def test_a_crash_prints_no_customer_data(demo_file):
    app = make_app(demo_file)
    try:
        raise ValueError("张伟 13800138000")
    except ValueError as error:
        app._exception = error
    app._close_messages_no_wait = lambda: None
    app._fatal_error()
    printed = "".join(str(r) for r in app._exit_renderables)
    assert "ValueError" in printed and "test_a_crash_prints_no_customer_data" in printed
    assert "张伟" not in printed and "13800138000" not in printed


async def test_names_that_look_like_markup_are_shown_as_typed(demo_file):
    vault = unlock_book(demo_file, PASSPHRASE)
    Book(vault.db).customers.create({"name": "ACME [/hk] [b]粗[/b]"}, source="t")
    vault.save()
    vault.close()
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"acme")
        await settle(pilot)
        assert rows(app) == ["ACME [/hk] [b]粗[/b]"]
        assert "[/hk]" in app.export_screenshot()
        await app.action_quit()


async def test_behind_a_lock_the_palette_finds_no_one(demo_file, monkeypatch):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)

        def failing_save() -> None:
            raise SaveFailed(str(demo_file), "disk full")

        await app.runtime.run(lambda book: book.customers.edit(3, {"notes": "x"}, source="t"))
        app.changed()
        monkeypatch.setattr(app.runtime.vault, "save", failing_save)
        await app.action_lock()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and app.runtime.is_open
        provider = CustomerProvider(app.screen)
        assert [hit async for hit in provider.search("zhang")] == []
        monkeypatch.undo()
        await unlock(pilot)
        assert [hit async for hit in CustomerProvider(app.screen).search("zhang")]
        await app.action_quit()


async def test_typing_while_the_lock_saves_does_not_crash(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash")
        field = app.screen.query_one("#search", Input)
        locking = app.run_worker(app.action_lock())
        for char in "zhang":
            field.insert_text_at_cursor(char)
        await locking.wait()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and not app.runtime.is_open
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_help_lists_custbooks_keys_one_action_a_line(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict((what, key) for key, what in app.screen.keys)
        assert keys["Next customer"] == "↓ j" and keys["Find"] == "/"
        assert "Copy selected text" not in keys  # Textual's own, untranslated
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()
