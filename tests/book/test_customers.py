"""The customer services, as a salesperson's actions: add, edit, reject, archive, erase."""

from __future__ import annotations

import pytest

from custbook.book import AmbiguousName, ValidationError, figures
from custbook.errors import NotFound
from tests.book.conftest import ZHANG


def test_create_cleans_every_field(book):
    customer = book.customers.create(
        {
            **ZHANG,
            "phones": ["138-0013-8000；021-6234 5678"],
            "grade": "ａ",
            "custom.微信群": "华东",
        },
        source="test",
    )
    assert customer["stage"] == "active"
    assert customer["grade"] == "A"
    assert customer["phones"] == [
        {"typed": "138-0013-8000", "e164": "+8613800138000"},
        {"typed": "021-6234 5678", "e164": "+862162345678"},
    ]
    assert customer["birthday"] == "--03-05"
    assert customer["tags"] == ["VIP"]
    assert customer["custom.微信群"] == "华东"
    assert customer["created_at"].endswith("+08:00")
    # its kept figures, handed back from their refresh: the same as read afterwards
    assert customer.figures == figures.of(book.db, customer.id)
    assert customer.figures["silent_since"] == customer["created_at"]
    assert customer.figures["watch_grade"] == "A"


def test_validation_names_every_bad_field_and_saves_nothing(book):
    customer = book.customers.create(ZHANG, source="test")
    before = book.customers.get(customer.id)
    with pytest.raises(ValidationError) as raised:
        book.customers.edit(
            customer.id,
            {
                "phones": ["12345"],
                "emails": ["zhang@"],
                "grade": "D",
                "stage": "hot",
                "satisfaction": "9",
                "birthday": "2-30",
                "city": "北京",
            },
            source="test",
        )
    fields = [p.field for p in raised.value.problems]
    assert fields == ["phones", "emails", "grade", "stage", "satisfaction", "birthday"]
    assert "“12345”" in raised.value.message and "Phone" in raised.value.message
    assert book.customers.get(customer.id) == before  # the good city was not saved either


def test_name_is_required(book):
    with pytest.raises(ValidationError, match="Name"):
        book.customers.create({"company": "无名公司"}, source="test")
    customer = book.customers.create(ZHANG, source="test")
    with pytest.raises(ValidationError, match="is required"):
        book.customers.edit(customer.id, {"name": "  "}, source="test")


def test_stage_in_either_language(book):
    for typed, key in [
        ("潜在", "lead"),
        ("Prospect", "prospect"),
        ("忠实客户", "loyal"),
        ("lost", "lost"),
    ]:
        assert book.customers.create({"name": typed, "stage": typed}, source="t")["stage"] == key


def test_edit_records_only_what_changed(book):
    customer = book.customers.create(ZHANG, source="add")
    book.customers.edit(customer.id, {"city": "上海", "grade": "B"}, source="edit")
    newest = book.history(customer.id)[0]
    assert [(c.field, c.before, c.after) for c in newest.changes] == [("grade", "A", "B")]
    assert newest.source == "edit"
    tagged = {"tags": ["VIP", "华东"], "custom.渠道": "展会", "phones": ["138 0013 8000"]}
    book.customers.edit(customer.id, tagged, source="edit")
    sets = len(book.history(customer.id))
    book.customers.edit(customer.id, tagged, source="edit")  # the same again: nothing
    assert len(book.history(customer.id)) == sets
    book.customers.edit(customer.id, {"custom.渠道": "老客户介绍"}, source="edit")
    (change,) = book.history(customer.id)[0].changes
    assert (change.field, change.before, change.after) == ("custom.渠道", "展会", "老客户介绍")
    with pytest.raises(NotFound):
        book.customers.edit(customer.id + 100, {"city": "上海", "grade": "Z"}, source="edit")


def test_archive_and_restore(book):
    customer = book.customers.create(ZHANG, source="add")
    archived = book.customers.archive(customer.id, source="a")
    # archived when the change was made, though this clock moves at each reading
    assert archived["archived_at"] == archived["updated_at"] is not None
    assert book.customers.archive(customer.id, source="a") == archived  # already
    assert book.customers.restore(customer.id, source="r")["archived_at"] is None


def test_resolve_by_id_name_and_ambiguity(book):
    first = book.customers.create(ZHANG, source="add")
    assert book.customers.resolve(str(first.id)).id == first.id
    assert book.customers.resolve("张伟").id == first.id
    second = book.customers.create({**ZHANG, "company": "北京某公司", "city": "北京"}, source="add")
    with pytest.raises(AmbiguousName) as raised:
        book.customers.resolve("张伟")
    assert {m.id for m in raised.value.matches} == {first.id, second.id}
    assert "北京某公司" in raised.value.message
    book.customers.archive(second.id, source="a")
    assert book.customers.resolve("张伟").id == first.id  # live customers first
    with pytest.raises(NotFound):
        book.customers.resolve("李娜")


def test_a_name_that_matches_no_one_suggests_whom_a_search_finds(book):
    lan = book.customers.create({"name": "上海蓝港贸易有限公司", "city": "上海"}, source="add")
    book.customers.create({"name": "北京华峰", "city": "北京"}, source="add")
    with pytest.raises(NotFound) as raised:
        book.customers.resolve("上海蓝港")
    assert raised.value.message.splitlines() == [
        "No customer is named “上海蓝港”.",
        "A search for it finds these; name one by its id:",
        f"  {lan.id}  上海蓝港贸易有限公司  (上海)",
    ]
    for text in ("grade:Z", "grade:A", "", "&", "“”"):  # a filter, or no word: no one
        with pytest.raises(NotFound) as raised:
            book.customers.resolve(text)
        assert raised.value.message == f"No customer is named “{text}”.", text
    book.customers.archive(lan.id, source="a")
    near = book.customers.create({"name": "上海蓝港物流"}, source="add")
    with pytest.raises(NotFound) as raised:  # a restore names an archived customer
        book.customers.resolve("上海蓝港")
    assert {f"  {lan.id}  上海蓝港贸易有限公司  (上海)", f"  {near.id}  上海蓝港物流"} <= set(
        raised.value.message.splitlines()
    )


def test_contacts(book):
    company = book.customers.create({"name": "华峰贸易", "kind": "公司"}, source="add")
    contact = book.customers.add_contact(
        company.id,
        {"name": "王芳", "title": "采购经理", "phones": ["13912345678"], "is_primary": "yes"},
        source="contact add",
    )
    assert contact["is_primary"] == 1
    shown = book.customers.get(company.id)
    assert shown["kind"] == "company"
    assert [c["name"] for c in shown.contacts] == ["王芳"]
    with pytest.raises(ValidationError, match="Phone"):
        book.customers.add_contact(company.id, {"name": "李四", "phones": ["abc"]}, source="c")


def test_erase_leaves_nothing(book):
    keep = book.customers.create({"name": "李娜", "notes": "keeper"}, source="add")
    gone = book.customers.create(
        {**ZHANG, "name": "ERASE-ME-唯一", "notes": "SECRET-NOTE-秘密"}, source="add"
    )
    book.customers.add_contact(gone.id, {"name": "CONTACT-联系人-X"}, source="c")
    book.customers.edit(gone.id, {"notes": "SECRET-EDIT-秘密2"}, source="e")
    book.customers.erase(gone.id, source="erase")
    with pytest.raises(NotFound):
        book.customers.get(gone.id)
    assert book.customers.get(keep.id)["notes"] == "keeper"
    assert book.history(gone.id) == []
    image = book.db.serialize()
    for secret in [
        "ERASE-ME-唯一",
        "SECRET-NOTE-秘密",
        "SECRET-EDIT-秘密2",
        "CONTACT-联系人-X",
        "13800138000",
    ]:
        assert secret.encode() not in image, secret
    assert b"keeper" in image


def test_undo_passes_over_an_erase(book):
    from custbook.book.history import NothingToUndo

    kept = book.customers.create(ZHANG, source="add")
    book.customers.edit(kept.id, {"city": "北京"}, source="edit")
    gone = book.customers.create({"name": "另一位"}, source="add")
    book.customers.erase(gone.id, source="erase")
    undone, _undo = book.undo(source="undo")  # the erase stays; the edit before it goes
    assert undone.source == "edit"
    assert book.customers.get(kept.id)["city"] == "上海"
    book.undo(source="undo")
    with pytest.raises(NothingToUndo):
        book.undo(source="undo")


def test_an_undone_add_can_still_be_erased(book):
    customer = book.customers.create(
        {"name": "SECRET-张三", "tags": ["张三的介绍人-李四"]}, source="add"
    )
    book.undo(source="undo")
    assert "SECRET-张三".encode() in book.db.serialize()  # the history remembers the add
    erased = book.customers.erase(customer.id, source="erase")
    assert erased.name == "SECRET-张三"
    image = book.db.serialize()
    assert "SECRET-张三".encode() not in image and "介绍人".encode() not in image


def test_a_removed_contact_can_still_be_erased(book):
    company = book.customers.create({"name": "华峰"}, source="add")
    person = book.customers.add_contact(company.id, {"name": "OLD-王芳"}, source="c")
    book.customers.remove_contact(person["id"], source="remove")
    book.customers.edit(company.id, {"city": "上海"}, source="edit")
    book.customers.erase_contact(person["id"], source="erase")
    assert "OLD-王芳".encode() not in book.db.serialize()


def test_ids_are_never_reused(book):
    first = book.customers.create({"name": "甲"}, source="add")
    second = book.customers.create({"name": "PRIVATE-乙"}, source="add")
    book.undo(source="undo")
    third = book.customers.create({"name": "丙"}, source="add")
    assert third.id > second.id > first.id
    assert all(
        (c.after or {}).get("name") != "PRIVATE-乙"
        for s in book.history(third.id)
        for c in s.changes
    )


def test_tags_keep_the_books_spelling(book):
    book.customers.create({"name": "甲", "tags": ["VIP"]}, source="add")
    other = book.customers.create({"name": "乙"}, source="add")
    book.customers.edit(other.id, {"tags": ["vip"]}, source="edit")
    assert book.customers.get(other.id)["tags"] == ["VIP"]
    sets = len(book.history(other.id))
    book.customers.edit(other.id, {"tags": ["vip"]}, source="edit")
    assert len(book.history(other.id)) == sets  # the same tags again change nothing


def test_one_primary_contact(book):
    company = book.customers.create({"name": "华峰"}, source="add")
    first = book.customers.add_contact(
        company.id, {"name": "王芳", "is_primary": "yes"}, source="c"
    )
    book.customers.add_contact(company.id, {"name": "李娜", "is_primary": "yes"}, source="c")
    primaries = [c["name"] for c in book.customers.get(company.id).contacts if c["is_primary"]]
    assert primaries == ["李娜"]
    book.customers.edit_contact(first["id"], {"is_primary": "no"}, source="c")
    assert book.customers.contact(first["id"])["is_primary"] == 0


def test_yes_no_fields_take_nothing_as_no(book):
    customer = book.customers.create({"name": "甲", "do_not_contact": None}, source="add")
    assert customer["do_not_contact"] == 0
    book.customers.edit(customer.id, {"do_not_contact": "是"}, source="e")
    assert book.customers.get(customer.id)["do_not_contact"] == 1
    book.customers.edit(customer.id, {"do_not_contact": ""}, source="e")
    assert book.customers.get(customer.id)["do_not_contact"] == 0


def test_phone_extensions_are_kept(book):
    customer = book.customers.create(
        {
            "name": "甲",
            "phones": ["010-12345678 ext. 801", "010-12345678转802", "010-12345678-8003"],
        },
        source="add",
    )
    assert [p.get("ext") for p in customer["phones"]] == ["801", "802", "8003"]
    assert {p["e164"] for p in customer["phones"]} == {"+861012345678"}


def test_names_that_look_like_ids(book):
    from custbook.errors import NotFound

    digits = book.customers.create({"name": "123"}, source="add")
    hashed = book.customers.create({"name": "#1 VIP"}, source="add")
    assert book.customers.resolve("123").id == digits.id  # no customer 123: the name
    assert book.customers.resolve("#1 VIP").id == hashed.id
    assert book.customers.resolve("#1").id == 1
    for odd in ["²", "99999999999999999999999"]:
        with pytest.raises(NotFound):
            book.customers.resolve(odd)


def test_a_full_book_says_so_and_keeps_what_it_had(book):
    from custbook.book.db import BookFull

    kept = book.customers.create(ZHANG, source="add")
    pages = book.db.execute("PRAGMA page_count").fetchone()[0]
    book.db.execute(f"PRAGMA max_page_count = {pages}")  # the ceiling, made small
    with pytest.raises(BookFull, match="full"):
        book.customers.create(
            {"name": "太多", "notes": "x" * 9000, "address": "y" * 9000}, source="add"
        )
    assert book.customers.get(kept.id).name == "张伟"
    assert book.db.execute("SELECT count(*) FROM customers").fetchone()[0] == 1


def test_contact_edit_remove_undo_erase(book):
    company = book.customers.create({"name": "华峰贸易", "kind": "company"}, source="add")
    person = book.customers.add_contact(
        company.id, {"name": "CONTACT-王芳", "phones": ["13912345678"]}, source="c"
    )
    edited = book.customers.edit_contact(person["id"], {"title": "经理"}, source="e")
    assert edited["title"] == "经理"
    with pytest.raises(ValidationError, match="Email"):
        book.customers.edit_contact(person["id"], {"emails": ["nope@"]}, source="e")
    book.customers.remove_contact(person["id"], source="remove")
    assert book.customers.get(company.id).contacts == []
    book.undo(source="undo")
    assert [c["title"] for c in book.customers.get(company.id).contacts] == ["经理"]
    book.customers.erase_contact(person["id"], source="erase")
    assert book.customers.get(company.id).contacts == []
    assert b"CONTACT-\xe7\x8e\x8b\xe8\x8a\xb3" not in book.db.serialize()  # CONTACT-王芳
    assert all(c.entity != "contact" for s in book.history(company.id) for c in s.changes)


def test_memo_lasts_until_the_next_write(book):
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert book.memo("k", compute) == 1
    assert book.memo("k", compute) == 1  # no write: remembered
    book.customers.create({"name": "甲"}, source="add")
    assert book.memo("k", compute) == 2  # a write: computed again


def test_names_of_customers_still_in_the_book_by_id(book):
    first = book.customers.create({"name": "王芳"}, source="add")
    second = book.customers.create({"name": "Cindy Xie"}, source="add")
    asked = [second.id, None, first.id, second.id, 999]  # None: a change of no customer's
    assert book.customers.names(asked) == ["王芳", "Cindy Xie"]
