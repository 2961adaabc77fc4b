"""A large import's pure work done by worker processes gives exactly what one process
gives, and a failure of the workers loses nothing: the rest is done here."""

from __future__ import annotations

import csv
import os

from custbook import workers
from custbook.book.search import index
from custbook.io import importer
from custbook.io import rows as io_rows


def pid_of(_chunk):
    return os.getpid()


def doubled(chunk):
    return [2 * n for n in chunk]


def directory(path, count=120):
    """A customer directory with a bad value, a nameless row and a totals row among
    ordinary rows, and some customers on two rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["客户名称", "联系人", "电话", "邮箱", "交易日期", "金额", "备注"])
        for n in range(count):
            phone = f"138{n:08d}" if n % 9 else "12345"
            email = f"sales{n}@example.com" if n % 11 else "not-an-email"
            writer.writerow([f"{n % 97}号贸易公司", f"张伟{n}", phone, email, f"2024/3/{n % 28 + 1}",
                             f"¥{n},000.50", "老客户" if n % 5 == 0 else ""])  # fmt: skip
        writer.writerow(["", "", "13900000000", "", "", "", "无名"])
        writer.writerow(["合计", "", "", "", "", "¥999", ""])
    return path


def plan_as_data(plan):
    return (
        [(i.key, [r.number for r in i.rows], i.customer, i.contacts, i.orders, i.notes)
         for i in plan.incoming],
        plan.problems,
        plan.rejected,
        [r.cells for i in plan.incoming for r in i.rows],
    )  # fmt: skip


def test_rows_read_by_workers_equal_rows_read_here(tmp_path, monkeypatch):
    path = directory(tmp_path / "名录.csv")
    monkeypatch.setattr(io_rows, "_CHUNK", 25)  # several chunks for each worker
    here = importer.prepare(path, region="CN", currency="CNY", workers=1)
    spread = importer.prepare(path, region="CN", currency="CNY", workers=2)
    assert plan_as_data(spread) == plan_as_data(here)
    assert len(here.rejected) == 2 and here.problems  # the awkward rows are there


def test_chunks_run_in_other_processes_in_order():
    assert set(workers.map_chunks(pid_of, [[1], [2], [3]], 2)) - {os.getpid()}
    assert list(workers.map_chunks(doubled, [[1], [2], [3], [4], [5]], 2)) == [
        [2], [4], [6], [8], [10]
    ]  # fmt: skip


def fails_in_a_worker(chunk):
    """Chunk [2] kills its worker, chunk [3] raises there; here both are fine."""
    parent, number = chunk
    if os.getpid() != parent and number == 2:
        os._exit(1)
    if os.getpid() != parent and number == 3:
        raise ValueError("a bug in a worker")
    return number * 2


def test_when_workers_die_raise_or_cannot_start_the_rest_is_done_here(monkeypatch):
    here = os.getpid()
    for broken in ([here, 2], [here, 3]):
        chunks = [[here, 1], broken, [here, 4], [here, 5]]
        assert list(workers.map_chunks(fails_in_a_worker, chunks, 2)) == [2, broken[1] * 2, 8, 10]

    def no_processes():
        raise PermissionError("no processes here")

    monkeypatch.setattr(workers, "_start", no_processes)
    assert list(workers.map_chunks(doubled, [[1], [2], [3]], 2)) == [[2], [4], [6]]


def test_search_rows_made_by_workers_equal_a_rebuild(book, tmp_path, monkeypatch):
    """Also with FTS5's merging left to the end: the settings are FTS5's own again after,
    and the index passes FTS5's integrity check."""
    monkeypatch.setattr(index, "_WORKERS_FROM", 1)
    monkeypatch.setattr(index, "_CHUNK", 7)
    monkeypatch.setattr(index, "_MERGE_AT_END_FROM", 1)
    summary = importer.run(
        book, importer.prepare(directory(tmp_path / "名录.csv"), region="CN", currency="CNY")
    )
    assert summary.created == 97
    for table in index.TABLES:
        book.db.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
        settings = dict(book.db.execute(f"SELECT k, v FROM {table}_config"))
        assert (settings["automerge"], settings["crisismerge"]) == (4, 16)
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept
    assert [c.record["name"] for c in book.search("zhangwei105")] == ["8号贸易公司"]


def prints_then_pid(_chunk):
    print("a stray print in the work")
    return os.getpid()


def test_a_worker_runs_custbook_not_a_folder_named_so_and_a_print_does_not_garble_it(
    tmp_path, monkeypatch
):
    fake = tmp_path / "custbook"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "workers.py").write_text("import sys\nsys.stdout.buffer.write(b'evil')\n")
    monkeypatch.chdir(tmp_path)
    found = list(workers.map_chunks(prints_then_pid, [[1], [2], [3]], 2))
    assert os.getpid() not in found  # each answered by a worker, none done here
