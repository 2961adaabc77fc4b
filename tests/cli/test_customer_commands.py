"""The customer commands through real processes on a real encrypted book."""

from __future__ import annotations

import json

from custbook.book import Book
from custbook.vault import unlock_book
from tests.cli.conftest import custbook
from tests.conftest import PASSPHRASE


def saved_customer(book_file, customer_id):
    vault = unlock_book(book_file, PASSPHRASE, write=False)
    try:
        return Book(vault.db).customers.get(customer_id)
    finally:
        vault.close()


def test_add_edit_show_undo_history(book_file):
    added = custbook(
        book_file,
        "add",
        "--name",
        "张伟",
        "--company",
        "上海华峰贸易有限公司",
        "--phone",
        "138-0013-8000",
        "--email",
        "zw@example.com",
        "--stage",
        "现有",
        "--grade",
        "a",
        "--tag",
        "VIP",
        "--custom",
        "渠道=展会",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert (created["stage"], created["grade"], created["tags"]) == ("active", "A", ["VIP"])
    assert created["phones"] == [{"typed": "138-0013-8000", "e164": "+8613800138000"}]
    assert created["custom_fields"] == {"渠道": "展会"}
    assert saved_customer(book_file, created["id"])["name"] == "张伟"  # saved before returning

    edited = custbook(book_file, "edit", "张伟", "--city", "上海", "--grade", "B")
    assert edited.returncode == 0, edited.stderr
    shown = json.loads(custbook(book_file, "show", str(created["id"]), "--json").stdout)
    assert (shown["city"], shown["grade"]) == ("上海", "B")

    history = json.loads(custbook(book_file, "history", "张伟", "--json").stdout)
    assert [c["field"] for c in history[0]["changes"]] == ["city", "grade"]
    assert history[1]["changes"][0]["action"] == "create"

    undone = custbook(book_file, "undo")
    assert undone.returncode == 0 and "City" in undone.stderr
    restored = saved_customer(book_file, created["id"])
    assert (restored["city"], restored["grade"]) == (None, "A")
    history = json.loads(custbook(book_file, "history", "张伟", "--json").stdout)
    assert history[0]["kind"] == "undo" and history[1]["undone_by"] == history[0]["id"]


def test_bad_phone_names_the_field_and_saves_nothing(book_file):
    custbook(book_file, "add", "--name", "李娜", "--phone", "13912345678")
    before = book_file.read_bytes()
    result = custbook(book_file, "edit", "李娜", "--phone", "12345", "--city", "北京")
    assert result.returncode == 1
    assert "Phone" in result.stderr and "12345" in result.stderr
    assert "Traceback" not in result.stderr
    assert book_file.read_bytes() == before
    assert saved_customer(book_file, 1)["city"] is None


def test_ambiguous_name_lists_the_candidates(book_file):
    custbook(book_file, "add", "--name", "王芳", "--city", "上海")
    custbook(book_file, "add", "--name", "王芳", "--company", "华东贸易")
    result = custbook(book_file, "show", "王芳")
    assert result.returncode == 8
    assert "1  王芳  (上海)" in result.stderr and "2  王芳  (华东贸易)" in result.stderr
    assert custbook(book_file, "show", "nobody").returncode == 8
    near = custbook(book_file, "log", "王", "--subject", "电话")  # part of a name
    assert near.returncode == 8
    assert "1  王芳  (上海)" in near.stderr and "2  王芳  (华东贸易)" in near.stderr


def test_archive_restore_erase(book_file):
    custbook(book_file, "add", "--name", "ERASE-唯一", "--notes", "PRIVATE-秘密")
    assert custbook(book_file, "archive", "1").returncode == 0
    assert saved_customer(book_file, 1)["archived_at"] is not None
    assert custbook(book_file, "restore", "1").returncode == 0
    refused = custbook(book_file, "erase", "1")
    assert refused.returncode == 1 and "cannot be undone" in refused.stderr
    erased = custbook(book_file, "erase", "1", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "backups" in erased.stderr
    assert custbook(book_file, "show", "1").returncode == 8
    vault = unlock_book(book_file, PASSPHRASE, write=False)
    image = vault.db.serialize()
    vault.close()
    assert "PRIVATE-秘密".encode() not in image and "ERASE-唯一".encode() not in image


def test_contact_add(book_file):
    custbook(book_file, "add", "--name", "华峰贸易", "--kind", "公司")
    result = custbook(
        book_file,
        "contact",
        "add",
        "华峰贸易",
        "--name",
        "王芳",
        "--title",
        "采购经理",
        "--phone",
        "13912345678",
        "--primary",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(custbook(book_file, "show", "华峰贸易", "--json").stdout)
    assert shown["kind"] == "company"
    assert shown["contacts"][0]["name"] == "王芳" and shown["contacts"][0]["is_primary"] is True


def test_nothing_to_undo(book_file):
    result = custbook(book_file, "undo")
    assert result.returncode == 1 and "nothing to undo" in result.stderr
