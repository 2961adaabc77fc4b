"""find and saved views through real processes on a real encrypted book."""

from __future__ import annotations

import json

from tests.cli.conftest import custbook


def add_three(book_file):
    for args in (
        ("--name", "张伟", "--phone", "138-0013-8000", "--grade", "A", "--city", "上海"),
        ("--name", "章伟", "--grade", "B", "--city", "杭州"),
        ("--name", "Alice Zhang", "--email", "alice@blueharbor.com", "--grade", "A"),
    ):
        assert custbook(book_file, "add", *args).returncode == 0


def test_find_by_pinyin_phone_and_filters(book_file):
    add_three(book_file)
    by_pinyin = custbook(book_file, "find", "zw", "--json")
    assert by_pinyin.returncode == 0, by_pinyin.stderr
    found = json.loads(by_pinyin.stdout)
    assert [c["name"] for c in found] == ["章伟", "张伟"]  # never contacted: newest first
    assert found[0]["figures"]["interactions"] == 0 and "risk" in found[0]  # show's shape
    by_phone = custbook(book_file, "find", "8000")
    assert by_phone.returncode == 0 and "张伟" in by_phone.stdout and "章伟" not in by_phone.stdout
    filtered = custbook(book_file, "find", "grade:A", "city:上海", "--json")
    assert [c["name"] for c in json.loads(filtered.stdout)] == ["张伟"]
    limited = custbook(book_file, "find", "grade:A,B", "--limit", "1")
    assert limited.returncode == 0 and "--limit" in limited.stderr


def test_a_bad_filter_is_exit_1_with_the_token_and_no_traceback(book_file):
    add_three(book_file)
    bad = custbook(book_file, "find", "张", "last:>soon")
    assert bad.returncode == 1
    assert "last:>soon" in bad.stderr and "Traceback" not in bad.stderr
    nothing = custbook(book_file, "find", "nobody")
    assert nothing.returncode == 0 and "nobody" in nothing.stderr and nothing.stdout == ""


def test_views_save_list_run_delete(book_file):
    add_three(book_file)
    saved = custbook(book_file, "view", "save", "A 客户", "grade:A")
    assert saved.returncode == 0, saved.stderr
    refused = custbook(book_file, "view", "save", "bad", "grade:Z")
    assert refused.returncode == 1 and "grade:Z" in refused.stderr
    listed = custbook(book_file, "view", "list", "--json")
    assert json.loads(listed.stdout) == [{"name": "A 客户", "query": "grade:A"}]
    ran = custbook(book_file, "view", "run", "A 客户", "--json")
    assert [c["name"] for c in json.loads(ran.stdout)] == ["Alice Zhang", "张伟"]
    replaced = custbook(book_file, "view", "save", "A 客户", "grade:A city:上海")
    assert "Replaced" in replaced.stderr
    ran = custbook(book_file, "view", "run", "A 客户", "--json")
    assert [c["name"] for c in json.loads(ran.stdout)] == ["张伟"]
    assert custbook(book_file, "view", "delete", "A 客户").returncode == 0
    gone = custbook(book_file, "view", "run", "A 客户")
    assert gone.returncode == 8 and "A 客户" in gone.stderr
