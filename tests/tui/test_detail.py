"""The customer page, its forms and the agenda, driven as a person would on a real book."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static, TabbedContent

from custbook.tui.commands import screen_actions
from custbook.tui.messages import OpenCustomer
from custbook.tui.screens.agenda import AgendaScreen
from custbook.tui.screens.confirm import ConfirmScreen
from custbook.tui.screens.customer import CustomerScreen
from custbook.tui.screens.form import ChoiceBar, FormScreen
from custbook.tui.screens.main import MainScreen
from custbook.tui.screens.unlock import UnlockScreen
from custbook.tui.widgets.customer_table import CustomerTable

from .conftest import NOW, SIZE, FakeIdle, make_app, saved_book, settle, unlock


async def open_first(pilot) -> int:
    """Enter on the list's first customer; its id."""
    customer_id = pilot.app.screen.query_one(CustomerTable).lines[0].id
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)
    return customer_id


async def first_customers(pilot, key: str) -> None:
    """Unlocked, the list's first customer open, and `key` pressed there."""
    await unlock(pilot)
    await open_first(pilot)
    await pilot.press(key)
    await settle(pilot)


async def read(app, work):
    """`work(book)` on the app's own book, on its thread."""
    return await app.runtime.run(work)


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#field-{name}", Input)


def problem(app, name: str) -> str:
    return str(app.screen.query_one(f"#problem-{name}", Static).render())


async def test_find_log_with_a_follow_up_see_it_in_the_agenda_and_mark_it_done(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", "z")
        await settle(pilot)
        await pilot.press("enter")  # from the search box to the list
        customer_id = await open_first(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("v")  # the kind bar has focus: one key per kind
        assert app.screen.query_one("#field-kind", ChoiceBar).value == "visit"
        field(app, "subject").value = "报价"
        field(app, "next").value = "明天"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        logged = (await read(app, lambda b: b.activity.interactions(customer_id)))[0]
        assert (logged["kind"], logged["subject"]) == ("visit", "报价")
        due = (NOW.date() + timedelta(days=1)).isoformat()
        reminders = await read(app, lambda b: b.activity.open_reminders(customer_id))
        reminder = next(r for r in reminders if r["due"] == due)
        await pilot.press("escape", "a")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(f"reminder:{reminder['id']}"))
        await pilot.press("d")
        await settle(pilot)
        done = await read(app, lambda b: b.activity.reminder(reminder["id"]))
        assert done["done_at"] is not None
        assert f"reminder:{reminder['id']}" not in [k.value for k in table.rows]
        await app.action_quit()


async def test_a_bad_phone_is_shown_by_its_field_nothing_saved_nothing_lost(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await open_first(pilot)
        before = await read(app, lambda b: b.customers.get(customer_id).record)
        await pilot.press("e")
        await settle(pilot)
        field(app, "city").value = "宁波"
        field(app, "phones").value = "12345"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert problem(app, "phones") and not problem(app, "city")
        assert field(app, "city").value == "宁波" and field(app, "phones").value == "12345"
        assert app.focused is field(app, "phones")
        assert await read(app, lambda b: b.customers.get(customer_id).record) == before
        field(app, "phones").value = "138 0013 8000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await app.action_quit()
    after = saved_book(demo_file).customers.get(customer_id)
    assert after["city"] == "宁波" and after["phones"][0]["e164"] == "+8613800138000"


async def test_escape_asks_before_dropping_what_was_typed(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await open_first(pilot)
        await pilot.press("c")
        await settle(pilot)
        field(app, "name").value = "李雷"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # no: back to the form, the name still there
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and field(app, "name").value == "李雷"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        contacts = await read(app, lambda b: b.customers.get(customer_id).contacts)
        assert "李雷" not in [c["name"] for c in contacts]
        await app.action_quit()


async def test_undo_from_the_history_tab_archive_and_restore(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await open_first(pilot)
        await pilot.press("a")  # the agenda, as on the list: archiving is A
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)

        def archived(book):
            return book.customers.get(customer_id)["archived_at"]

        assert await read(app, archived) is not None
        await pilot.press("7")
        assert app.screen.query_one(TabbedContent).active == "history"
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        name = (await read(app, lambda book: book.customers.get(customer_id))).name
        assert f"{name}: " in app.screen.question  # whose change it is (any customer's)
        await pilot.click("#yes")
        await settle(pilot)
        assert await read(app, archived) is None
        await app.action_quit()


async def test_erase_asks_first(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await open_first(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Enter lands on Cancel: nothing goes
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert await read(app, lambda b: b.customers.record(customer_id))
        await pilot.press("E")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert customer_id not in [line.id for line in app.screen.query_one(CustomerTable).lines]
        await app.action_quit()
    count = saved_book(demo_file).db.execute(
        "SELECT count(*) FROM customers WHERE id = ?", (customer_id,)
    )
    assert count.fetchone()[0] == 0


async def test_snooze_a_week_from_the_agenda(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        key = next(k.value for k in table.rows if str(k.value).startswith("reminder:"))
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("w")
        await settle(pilot)
        reminder = await read(app, lambda b: b.activity.reminder(int(key.split(":")[1])))
        assert reminder["snoozed_until"] == (NOW.date() + timedelta(weeks=1)).isoformat()
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("Z")  # until a day typed: Enter on its one field saves
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"3d", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        reminder = await read(app, lambda b: b.activity.reminder(int(key.split(":")[1])))
        assert reminder["snoozed_until"] == (NOW.date() + timedelta(days=3)).isoformat()
        await app.action_quit()


async def test_the_palette_runs_the_pages_actions_with_their_keys_shown(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_first(pilot)
        shown = {what: keys for what, keys, _node, _binding in screen_actions(app, app.screen)}
        assert shown["Log"] == "l" and shown["Erase for good…"] == "E"
        await pilot.press("ctrl+p", *"Log")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and "Log for" in app.screen.form.title
        await app.action_quit()


async def first_with(app, pilot, what: str) -> int:
    """Open the first listed customer that has a contact (what="contacts") or an unpaid
    order (what="orders"); its id."""

    def find(book):
        table = "contacts" if what == "contacts" else "orders"
        extra = "" if what == "contacts" else " AND status = 'open'"
        return book.db.execute(
            f"SELECT customer_id FROM {table} WHERE 1{extra} LIMIT 1"
        ).fetchone()[0]

    customer_id = await read(app, find)
    app.post_message(OpenCustomer(customer_id))
    await settle(pilot)
    return customer_id


async def test_enter_on_a_contact_or_an_order_edits_it(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await first_with(app, pilot, "contacts")
        await pilot.press("2")
        table = app.screen.query_one("#contacts-table", DataTable)
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        field(app, "title").value = "采购经理"
        await pilot.press("ctrl+s")
        await settle(pilot)
        contacts = await read(app, lambda b: b.customers.get(customer_id).contacts)
        assert contacts[0]["title"] == "采购经理"
        await pilot.press("escape")
        await settle(pilot)
        customer_id = await first_with(app, pilot, "orders")
        await pilot.press("4")
        table = app.screen.query_one("#orders-table", DataTable)
        open_row = next(
            o["id"]
            for o in await read(app, lambda b: b.deals.orders(customer_id))
            if o["status"] == "open"
        )
        table.focus()
        table.move_cursor(row=table.get_row_index(str(open_row)))
        await pilot.press("enter")
        await settle(pilot)
        field(app, "paid_on").value = "today"
        field(app, "quantity").value = "3"
        field(app, "unit_price").value = "¥100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        paid = await read(app, lambda b: b.deals.order(open_row))
        assert (paid["status"], paid["paid_on"]) == ("paid", NOW.date().isoformat())
        assert (paid["quantity"], paid["unit_price_minor"], paid["amount_minor"]) == (
            "3", 10_000, 30_000,
        )  # the amount followed the new quantity and unit price  # fmt: skip
        await app.action_quit()


async def test_enter_on_an_opportunity_or_a_reminder_edits_it(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)

        def with_both(book):
            return book.db.execute(
                "SELECT o.customer_id, o.id, r.id FROM opportunities o"
                " JOIN reminders r ON r.customer_id = o.customer_id AND r.done_at IS NULL"
                " LIMIT 1"
            ).fetchone()

        customer_id, deal_id, reminder_id = await read(app, with_both)
        app.post_message(OpenCustomer(customer_id))
        await settle(pilot)
        for tab, key, row_id in (("5", "opportunities", deal_id), ("6", "reminders", reminder_id)):
            await pilot.press(tab)
            table = app.screen.query_one(f"#{key}-table", DataTable)
            table.focus()
            table.move_cursor(row=table.get_row_index(str(row_id)))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            if key == "opportunities":
                field(app, "probability").value = "120"
                await pilot.press("ctrl+s")
                await settle(pilot)
                assert problem(app, "probability")  # 0 to 100: shown by the field
                field(app, "probability").value = "80"
            else:
                field(app, "due").value = "下周一"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, CustomerScreen)
        deal = await read(app, lambda b: b.deals.opportunity(deal_id))
        reminder = await read(app, lambda b: b.activity.reminder(reminder_id))
        assert deal["probability"] == 80
        assert reminder["due"] > NOW.date().isoformat() and reminder["snoozed_until"] is None
        await app.action_quit()


@pytest.mark.parametrize(("key", "title"), [("l", "Log for"), ("e", "Edit"), ("c", "New contact"),
                                            ("o", "New order"), ("p", "New opportunity"),
                                            ("r", "New reminder")])  # fmt: skip
async def test_each_key_on_a_customers_page_opens_its_form(demo_file, key, title):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_first(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.form.title.startswith(title)
        await app.action_quit()


@pytest.mark.parametrize(("tab", "title"), [("2", "Edit contact"), ("4", "Order of"),
                                            ("6", "Reminder:"), ("5", "Opportunity:")])  # fmt: skip
async def test_a_digit_shows_a_tab_and_enter_edits_its_row(demo_file, tab, title):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"上海嘉禾贸易有限公司", "enter", "enter")
        await settle(pilot)
        await pilot.press(tab, "enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.form.title.startswith(title)
        await app.action_quit()


async def test_keys_typed_right_before_ctrl_s_are_saved_and_ctrl_s_works_in_the_body(demo_file):
    """A terminal delivers `1380013800` and Ctrl+S in one read: the digits are queued for
    the phone box before the save runs, and must be in what is saved."""
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        customer_id = await open_first(pilot)
        await pilot.press("l")
        await settle(pilot)
        app.screen.query_one("#field-body").focus()
        await pilot.press(*"谈了价格", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)  # saved from the text area
        logged = (await read(app, lambda b: b.activity.interactions(customer_id)))[0]
        assert logged["body"] == "谈了价格"
        await pilot.press("e")
        await settle(pilot)
        phones = field(app, "phones")
        phones.focus()
        phones.value = ""
        for character in "13800138000":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("ctrl+s", None))
        await settle(pilot)
        stored = await read(app, lambda b: b.customers.get(customer_id)["phones"])
        assert [p["e164"] for p in stored] == ["+8613800138000"]
        await app.action_quit()


@pytest.mark.parametrize("over", ["form", "agenda-form"])
async def test_the_idle_lock_with_a_form_open_locks_cleanly(demo_file, over):
    """Locking pops every screen; the pages under a form must not read the closed book."""
    idle = FakeIdle()
    app = make_app(demo_file, idle=idle)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        if over == "form":
            await open_first(pilot)
            await pilot.press("l")
        else:
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        idle.now += 11 * 60
        await app.lock_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and app.is_running
        await unlock(pilot)
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_the_list_shows_an_edit_when_it_comes_back(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await first_customers(pilot, "e")
        field(app, "company").value = "新公司有限公司"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.lines[0].record["company"] == "新公司有限公司"
        on_screen = "".join(table.render_line(y).text for y in range(table.size.height))
        assert "新公司有限" in on_screen
        await app.action_quit()


async def test_enter_on_the_agenda_opens_the_customer(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await app.action_quit()


async def test_ctrl_q_in_a_form_with_typed_text_warns_first(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await first_customers(pilot, "l")
        field(app, "subject").value = "还没保存"
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, FormScreen)
        assert field(app, "subject").value == "还没保存"
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_n_adds_a_customer_and_shows_its_page(demo_file):
    """From the list: n, a name and a bad phone (named under its field, nothing saved),
    then a good one; the new customer's page opens, and the book keeps it."""
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#field-kind", ChoiceBar).value == "person"
        field(app, "name").value = "钱多多贸易有限公司"
        app.screen.query_one("#field-kind", ChoiceBar).focus()
        await pilot.press("2")  # company
        field(app, "phones").value = "12345"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # refused, what was typed kept
        assert "not a valid phone number" in problem(app, "phones")
        field(app, "phones").value = "139 1234 5678"
        field(app, "city").value = "杭州"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        made = await read(app, lambda book: book.customers.get(app.screen.customer_id))
        assert (made.name, made["kind"], made["city"]) == ("钱多多贸易有限公司", "company", "杭州")
        assert [p["e164"] for p in made["phones"]] == ["+8613912345678"]
        await app.action_quit()
    saved = saved_book(demo_file)
    assert saved.customers.resolve("钱多多贸易有限公司")["phones"][0]["typed"] == "139 1234 5678"


async def test_done_and_snooze_on_a_customers_reminders_tab(demo_file):
    """d and z work on the reminder under the cursor of tab 6, as in the agenda; on
    another tab they say where to go."""
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"上海嘉禾贸易有限公司", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        customer_id = app.screen.customer_id

        def open_reminders(book):
            return book.activity.open_reminders(customer_id)

        before = await read(app, open_reminders)
        await pilot.press("d")  # on the profile: nothing is done
        await settle(pilot)
        assert await read(app, open_reminders) == before

        def under_cursor() -> int:
            table = app.screen.query_one("#reminders-table", DataTable)
            return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

        await pilot.press("6")
        first = under_cursor()
        await pilot.press("z")
        await settle(pilot)
        snoozed = await read(app, lambda book: book.activity.reminder(first))
        assert snoozed["snoozed_until"] == (NOW.date() + timedelta(days=1)).isoformat()
        await pilot.press("6")
        chosen = under_cursor()
        before = await read(app, lambda book: book.activity.reminder(chosen))
        await pilot.press("d")
        await settle(pilot)
        done = await read(app, lambda book: book.activity.reminder(chosen))
        assert done["done_at"] is not None or done["due"] != before["due"]  # or moved on
        await app.action_quit()


async def test_ctrl_l_locks_from_a_customers_page_but_not_over_typed_text(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await first_customers(pilot, "l")
        field(app, "subject").value = "还没保存"
        await pilot.press("ctrl+l")  # a form with typed text: not locked, nothing dropped
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and not app.locked
        assert field(app, "subject").value == "还没保存"
        app.screen.dismiss(False)
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.locked and isinstance(app.screen, UnlockScreen)


async def refused_form(pilot, key: str, **typed: str) -> None:
    """The first customer's form of `key`, with `typed` in its fields, saved and refused."""
    await first_customers(pilot, key)
    for name, text in typed.items():
        field(pilot.app, name).value = text
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen)


async def test_a_bad_date_in_the_order_form_is_shown_with_every_other_problem(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await refused_form(pilot, "o", ordered_on="昨天下午", quantity="很多", amount="一些钱",
                           payment_due="2926-01-01")  # fmt: skip
        assert "下周一" in problem(app, "ordered_on")  # the WHEN's own: what can be typed
        assert problem(app, "quantity") and problem(app, "amount")
        assert "2199" in problem(app, "payment_due")
        await app.action_quit()


async def test_a_bad_when_in_the_log_form_is_shown_with_a_bad_rating(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await refused_form(pilot, "l", happened_at="昨天下午3点", rating="9", next="下下周")
        assert problem(app, "happened_at") and problem(app, "next")
        assert "1" in problem(app, "rating") and "5" in problem(app, "rating")
        await app.action_quit()
