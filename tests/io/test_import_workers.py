"""A large import's pure work done by worker processes gives exactly what one process
gives, and a failure of the workers loses nothing: the rest is done here. Each test that
is not about one kind of worker runs with forked workers and with started ones."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time

import pytest

from custbook import workers
from custbook.book.search import index
from custbook.io import importer
from custbook.io import rows as io_rows


@pytest.fixture
def forking(monkeypatch):
    """Workers forked for small jobs. (Under pytest-xdist this process has a thread of
    its own, reading from its controller, which forks() would refuse: here it is taken
    as the only one. It holds no lock the children need. The real count is tested in a
    fresh interpreter below.)"""
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    monkeypatch.setattr(workers, "_FORK", True)
    monkeypatch.setattr(workers, "_threads", lambda: 1)


@pytest.fixture(params=["forked", "started"])
def kind_of_worker(request, monkeypatch):
    """Each test that is not about one kind of worker runs with both."""
    if request.param == "forked":
        request.getfixturevalue("forking")
    else:
        monkeypatch.setattr(workers, "_FORK", False)
    return request.param


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


def ways(kind_of_worker, chunks):
    """map_chunks' workers and forked for `chunks`: a chunk a worker when forked."""
    forked = kind_of_worker == "forked"
    return {"workers": len(chunks) if forked else 2, "forked": forked}


def test_chunks_run_in_other_processes_in_order(kind_of_worker):
    three, five = [[1], [2], [3]], [[1], [2], [3], [4], [5]]
    assert set(workers.map_chunks(pid_of, three, **ways(kind_of_worker, three))) - {os.getpid()}
    assert list(workers.map_chunks(doubled, five, **ways(kind_of_worker, five))) == [
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


def test_when_workers_die_raise_or_cannot_start_the_rest_is_done_here(monkeypatch, kind_of_worker):
    here = os.getpid()
    for broken in ([here, 2], [here, 3]):
        chunks = [[here, 1], broken, [here, 4], [here, 5]]
        found = workers.map_chunks(fails_in_a_worker, chunks, **ways(kind_of_worker, chunks))
        assert list(found) == [2, broken[1] * 2, 8, 10]

    def no_processes():
        raise PermissionError("no processes here")

    monkeypatch.setattr(workers, "_start", no_processes)
    monkeypatch.setattr(os, "fork", no_processes)
    three = [[1], [2], [3]]
    found = workers.map_chunks(doubled, three, **ways(kind_of_worker, three))
    assert list(found) == [[2], [4], [6]]


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


def test_a_forked_workers_print_reaches_no_one_and_its_answers_come_through(capfd, forking):
    """A small job (a chunk a worker) is shared with a forked child; a large one (more
    chunks than workers) goes to started workers, leaving this process free for the
    answers (a forked child would have every page this process writes copied)."""
    here = os.getpid()
    small = list(workers.map_chunks(prints_then_pid, [[1], [2]], 2, forked=True))
    assert small[0] == here != small[1]
    assert capfd.readouterr() == ("a stray print in the work\n", "")  # this process's own
    large = list(workers.map_chunks(prints_then_pid, [[1], [2], [3], [4]], 2, forked=True))
    assert here not in large and large[0] == large[2] != large[1] == large[3]
    assert capfd.readouterr() == ("", "")


THREADS = """
import _thread, threading, time
from custbook import workers
alone = workers.forks()
release = threading.Event()
threading.Thread(target=release.wait).start()
with_thread = workers.forks()
release.set()
time.sleep(0.1)
again = workers.forks()
_thread.start_new_thread(time.sleep, (1,))  # a thread `threading` does not know of
print(alone, with_thread, again, workers.forks())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_no_fork_while_another_thread_runs():
    """A lock held by another thread when the process forks stays locked in the child
    forever: with one running, however it was started, nothing is forked."""
    found = subprocess.run(
        [sys.executable, "-c", THREADS], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == ["True", "False", "True", "False"]


def test_a_failed_fork_leaves_no_child_behind(monkeypatch, forking):
    real_fork, forked = os.fork, []

    def second_fails():
        if forked:
            raise OSError("no more processes")
        forked.append(real_fork())
        return forked[-1]

    monkeypatch.setattr(os, "fork", second_fails)
    chunks = [[1], [2], [3]]
    assert list(workers.map_chunks(doubled, chunks, 3, forked=True)) == [[2], [4], [6]]
    assert forked and forked[0] > 0
    with pytest.raises(ChildProcessError):  # the first child was reaped
        os.waitpid(forked[0], os.WNOHANG)


def test_how_work_is_spread(monkeypatch, kind_of_worker):
    """A stream of chunks for started workers from their threshold; below it, one chunk a
    core when workers are forked; else all here, as on a single core."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    assert workers.spread(6000, 2000, 5000, 400) == workers.Spread(2, 2000)
    forked = kind_of_worker == "forked"
    small = workers.Spread(2, 501, forked=True) if forked else workers.Spread(1, 2000)
    assert workers.spread(1001, 2000, 5000, 400) == small
    assert workers.spread(399, 2000, 5000, 400) == workers.Spread(1, 2000)
    monkeypatch.setattr(workers, "cores", lambda: 1)
    assert workers.spread(1001, 2000, 5000, 400) == workers.Spread(1, 2000)
    assert workers.spread(6000, 2000, 5000, 400) == workers.Spread(1, 2000)


def test_a_small_import_read_and_indexed_by_forked_workers_equals_one_made_here(
    book, tmp_path, monkeypatch, kind_of_worker
):
    """The plan and the search rows, with the work shared with a forked child (or, where
    workers are not forked, all done here)."""
    path = directory(tmp_path / "名录.csv")
    monkeypatch.setattr(workers, "cores", lambda: 2)
    here = importer.prepare(path, region="CN", currency="CNY", workers=1)
    monkeypatch.setattr(io_rows, "_FORKED_FROM", 1)
    monkeypatch.setattr(index, "_FORKED_FROM", 1)
    forks = []
    fork = workers._Child.fork
    monkeypatch.setattr(workers._Child, "fork", lambda *a: forks.append(1) or fork(*a))
    shared = importer.prepare(path, region="CN", currency="CNY")
    assert plan_as_data(shared) == plan_as_data(here)
    assert importer.run(book, shared).created == 97
    assert len(forks) == (2 if kind_of_worker == "forked" else 0)  # reading, search words
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept


def test_new_customers_words_worked_out_while_their_records_are_written_equal_a_rebuild(
    book, tmp_path, monkeypatch, forking
):
    """A small import's words come from the records it is about to write, in a child
    forked before writing them: tags the book has in another case, tags SQLite orders
    otherwise than casefold (Ärger, ähnlich), contact people, notes of conflicts and a
    customer the import adds to all give what a rebuild reads."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(index, "_FORKED_FROM", 1)
    book.customers.create({"name": "老王", "tags": ["vip"], "phones": ["13900000001"]}, source="t")
    path = tmp_path / "名录.csv"
    path.write_text(
        "客户名称,联系人,电话,邮箱,标签,备注,城市\n"
        "上海蓝港贸易,张伟,13800000001,a@example.com,VIP;重点,老客户,上海\n"
        "上海蓝港贸易,李娜,13800000001,,,,杭州\n"
        "Alice Zhang,,13800000002,alice@example.com,Vip;Ärger;ähnlich,,\n"
        "老王,,13900000001,wang@example.com,,新来的,北京\n",
        encoding="utf-8",
    )
    worked_out = []
    searched_all = index.searched_all
    monkeypatch.setattr(
        index, "searched_all", lambda chunk: worked_out.append(1) or searched_all(chunk)
    )
    monkeypatch.setattr(index, "_new_rows", lambda chunk: pytest.fail("words read back"))
    summary = importer.run(book, importer.prepare(path, region="CN", currency="CNY"))
    assert (summary.created, summary.updated) == (2, 1)
    assert worked_out == []  # by the child alone: this process only read its answer
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept
    assert [c.record["name"] for c in book.search("lina")] == ["上海蓝港贸易"]


def test_a_dry_run_ends_the_child_working_out_words(book, tmp_path, monkeypatch, forking):
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(index, "_FORKED_FROM", 1)
    children = []
    fork = workers._Child.fork
    monkeypatch.setattr(
        workers._Child, "fork", lambda *a: children.append(fork(*a)) or children[-1]
    )
    plan = importer.prepare(directory(tmp_path / "名录.csv"), region="CN", currency="CNY")
    assert importer.run(book, plan, dry_run=True).created == 97
    words = children[-1]  # the reading child answered; this one was never asked
    assert words.reaped and not words.answered
    with pytest.raises(ChildProcessError):  # killed and waited for
        os.waitpid(words.pid, os.WNOHANG)
    assert book.db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0


def test_work_begun_in_a_child_is_answered_or_done_here(monkeypatch, forking):
    monkeypatch.setattr(workers, "cores", lambda: 2)
    here = os.getpid()
    assert workers.later(doubled, [1, 2, 3]).result() == [2, 4, 6]
    assert workers.later(pid_of, [1]).result() != here
    dies = workers.later(fails_in_a_worker, [here, 2])  # dies in the child: done here
    assert dies.result() == 4
    monkeypatch.setattr(workers, "_threads", lambda: 2)  # no fork: done here when asked
    assert workers.later(pid_of, [1]).result() == here


def test_an_answered_child_ends_by_itself_and_is_reaped(monkeypatch, forking):
    """Waiting for an answered child to end took milliseconds of each import: it is
    left to end and reaped later, never killed; one not asked is killed at once."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    children = []
    fork = workers._Child.fork
    monkeypatch.setattr(
        workers._Child, "fork", lambda *a: children.append(fork(*a)) or children[-1]
    )
    assert workers.later(doubled, [1]).result() == [2]
    (answered,) = children
    for _ in range(200):  # it ends as soon as it has answered
        workers._reap_ended()
        if answered.pid not in workers._ENDING:
            break
        time.sleep(0.01)
    with pytest.raises(ChildProcessError):
        os.waitpid(answered.pid, os.WNOHANG)
    unasked = workers.later(slow, [5])
    unasked.close()
    assert children[-1].reaped and not children[-1].answered
    with pytest.raises(ChildProcessError):
        os.waitpid(children[-1].pid, os.WNOHANG)


def slow(chunk):
    time.sleep(chunk[0])
    return chunk


def test_ctrl_c_while_children_are_ended_still_ends_every_one(monkeypatch, forking):
    """A Ctrl-C while the first of an import's unasked children is ended (a dry run's
    close) leaves none of the others running: every one is ended, then it is raised."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    children = []
    fork = workers._Child.fork
    monkeypatch.setattr(
        workers._Child, "fork", lambda *a: children.append(fork(*a)) or children[-1]
    )
    jobs = [workers.later(slow, [5]) for _ in range(3)]
    end = workers._Child.end
    interrupted = []

    def end_then_ctrl_c(child):
        end(child)
        if not interrupted:
            interrupted.append(child.pid)
            raise KeyboardInterrupt

    monkeypatch.setattr(workers._Child, "end", end_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        workers.close_all(jobs)
    assert len(children) == 3 and all(c.reaped for c in children)
    for child in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(child.pid, os.WNOHANG)


def test_a_child_is_signalled_once_however_often_its_end_is_asked(monkeypatch, forking):
    """Once reaped, a child's process id may be another process's: a Ctrl-C that came
    after the wait has the end asked again, which must signal no one."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    children = []
    fork = workers._Child.fork
    monkeypatch.setattr(
        workers._Child, "fork", lambda *a: children.append(fork(*a)) or children[-1]
    )
    workers.later(slow, [5]).close()
    (child,) = children
    signalled = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signalled.append(pid))
    child.reaped = False  # as if the Ctrl-C came between the wait and marking it reaped
    child.end()
    assert signalled == [] and child.reaped


def test_a_later_answer_is_asked_once(monkeypatch, forking):
    monkeypatch.setattr(workers, "cores", lambda: 2)
    job = workers.later(doubled, [1])
    assert job.result() == [2]
    with pytest.raises(RuntimeError, match="asked twice"):
        job.result()
