"""Work spread over the machine's cores, for the CPU-bound parts of a large import.

Cleaning the rows of a file (phone numbers, dates, amounts) and computing the search
words of new customers (pinyin) are pure Python and take most of an import; the rows are
independent, so chunks of them go to worker processes, one a core, while this process
goes on (writing the chunks done so far, say).

A worker is `python -m custbook.workers`, fed pickled (function, chunk) pairs on its
standard input and answering on its standard output: nothing is written to disk, and it
imports only what the work needs (multiprocessing's spawn would run the calling program's
main module again in each worker: the whole CLI, a second a worker). Its errors go
nowhere (they could quote a customer, and the app owns the terminal): should a worker
fail to start, die or raise, this process does the rest of the work itself, so the result
is the same either way.

A small job (`spread`: one chunk a core) is shared with forked children instead, on
Linux, in a process with no other thread: a forked child starts in milliseconds with
everything already imported and its chunk already in its memory, so only its answer
travels (measured: a 1,000-row import 12% faster, where starting interpreters costs more
than the whole import), and this process does one chunk itself meanwhile. A process with
other threads (the app's book thread) never forks: a lock another
thread held at that moment would stay locked in the child forever. `later` begins one job
in a forked child while this process goes on with other work (an import's inserts), its
answer read when wanted.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Generic, NoReturn, TypeVar

from custbook.i18n import chosen_language, set_language

Item = TypeVar("Item")
Result = TypeVar("Result")
_DONE, _FAILED = "done", "failed"


_MOST = 4  # workers: past this the chunks' trips through the pipes outweigh the gain


def cores() -> int:
    """The cores this process may run on (at most _MOST)."""
    try:
        found = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        found = os.cpu_count() or 1
    return min(found, _MOST)


def forks() -> bool:
    """Whether workers may be forked: on Linux, with no other thread in this process
    (counted by the kernel: `threading` does not see a thread started otherwise)."""
    return _FORK and sys.platform == "linux" and _threads() == 1


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0  # unknown: never fork


_FORK = True  # off: workers are always started afresh (tests try both ways)


@dataclass(frozen=True)
class Spread:
    """How a job is spread: its workers, its chunk size, and whether they are forked."""

    workers: int
    chunk: int
    forked: bool = False


def spread(count: int, chunk: int, started_from: int, forked_from: int) -> Spread:
    """From `started_from` items, a started worker a core, fed chunks of `chunk` as a
    stream (below it, starting interpreters, about 0.3 s each, saves nothing). Else,
    where workers are forked, from `forked_from`: one chunk a core, this process doing
    one of them. Else the work is done here, in chunks of `chunk`."""
    many = cores()
    if many < 2:
        return Spread(1, chunk)
    if count >= started_from:
        return Spread(many, chunk)
    if count >= forked_from and forks():
        return Spread(many, -(-count // many), forked=True)
    return Spread(1, chunk)


def chunked(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def map_chunks(
    work: Callable[[Sequence[Item]], Result],
    chunks: Sequence[Sequence[Item]],
    workers: int,
    *,
    forked: bool = False,
) -> Iterator[Result]:
    """`work` of each chunk, in order, each as soon as it is done: in `workers` processes
    when there are two or more, else here. `work` must be picklable (a module's function,
    or a partial of one). `forked` (a chunk a worker, see `spread`): this process does
    the first chunk and forked children the others, where `forks()` still allows it.
    (Only small jobs: while a child lives, every page this process writes is copied
    first, and a large import's inserts write hundreds of megabytes.)"""
    done = 0
    if workers >= 2 and len(chunks) >= 2:
        shared = forked and len(chunks) <= workers and forks()
        try:
            for result in (_forked if shared else _in_processes)(
                work, chunks, min(workers, len(chunks))
            ):
                yield result
                done += 1
        except _WorkerFailed:
            pass  # done here instead, below
    yield from map(work, chunks[done:])


class _WorkerFailed(Exception):
    pass


def _in_processes(
    work: Callable[[Sequence[Item]], Result], chunks: Sequence[Sequence[Item]], count: int
) -> Iterator[Result]:
    """Chunk i goes to worker i % count; each worker answers its chunks in order."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            processes.append(_start())  # each kept as made: stopped should the next fail
    except OSError as error:
        _stop(processes)
        raise _WorkerFailed from error
    feeders = [
        threading.Thread(target=_feed, args=(p.stdin, work, chunks[k::count]), daemon=True)
        for k, p in enumerate(processes)
    ]
    try:
        for feeder in feeders:
            feeder.start()
        for index in range(len(chunks)):
            yield _answer(processes[index % count].stdout)
    finally:
        _stop(processes)
        for feeder in feeders:
            feeder.join()


def _forked(
    work: Callable[[Sequence[Item]], Result], chunks: Sequence[Sequence[Item]], count: int
) -> Iterator[Result]:
    """Chunk 0 done here, chunk k by forked child k (one chunk each)."""
    children: list[_Child] = []
    try:
        try:
            for k in range(1, count):
                children.append(_Child.fork(work, chunks[k : k + 1]))  # kept as made
        except OSError as error:
            raise _WorkerFailed from error
        yield work(chunks[0])
        for child in children:
            yield child.answer()
    finally:
        _reap_all(children)


def _reap_all(children: list[_Child]) -> None:
    """Every child ended and waited for, or, once it answered, left to end by itself
    (`_Child.release`: it has nothing left to do but end). Ctrl-C (even one pressed
    before, whose KeyboardInterrupt comes as this is called) waits until every child is
    seen to: none is left working."""
    reaped, interrupted = False, None
    while not reaped:
        try:
            _reap(children)
            reaped = True
        except KeyboardInterrupt as error:
            interrupted = error
    if interrupted is not None:
        raise interrupted


class Later(Generic[Item, Result]):
    """`work` of some items, begun in a forked child while this process goes on
    (`later`), its answer read when wanted; done here instead when no child could be
    forked, or it failed. `close` ends a child whose answer is no longer wanted. (This
    process doing some of the items itself meanwhile made an import slower: measured.)"""

    def __init__(
        self, work: Callable[[Sequence[Item]], Result], items: Sequence[Item], child: _Child | None
    ) -> None:
        self._work = work
        self._items = items
        self._child = child
        self._done = False

    def result(self) -> Result:
        """The answer (asked once: the child is gone after)."""
        child, self._child = self._child, None
        if self._done:
            raise RuntimeError("Later.result asked twice")  # a bug: it would be done again
        self._done = True
        if child is not None:
            try:
                return child.answer()  # type: ignore[no-any-return]
            except _WorkerFailed:
                pass  # done here instead, below
            finally:
                _reap_all([child])
        return self._work(self._items)

    def close(self) -> None:
        close_all([self])


def close_all(jobs: Iterable[Later[Any, Any]]) -> None:
    """Children whose answers are no longer wanted ended, all of them even when Ctrl-C
    comes meanwhile (`_reap_all`)."""
    children = []
    for job in jobs:
        if job._child is not None:
            children.append(job._child)
            job._child = None
    _reap_all(children)


def later(work: Callable[[Sequence[Item]], Result], items: Sequence[Item]) -> Later[Item, Result]:
    """`work` of `items` begun in a forked child, where `forks()` allows it and there is
    another core to run it (see `Later`)."""
    child = None
    if cores() >= 2 and forks():
        with contextlib.suppress(OSError):  # none: done here when asked
            child = _Child.fork(work, [items])
    return Later(work, items, child)


class _Child:
    """A forked worker: its process id, and the pipe its answers come through."""

    def __init__(self, pid: int, answers: IO[bytes]) -> None:
        self.pid = pid
        self.answers = answers
        self.reaped = False
        self.answered = False
        self.killed = False

    def answer(self) -> Any:
        """Its answer (_WorkerFailed when it has none): it ends by itself then."""
        found = _answer(self.answers)
        self.answered = True
        return found

    def end(self) -> None:
        """Killed (if still running) and waited for. Signalled once, before any wait:
        once reaped its process id may be another process's (a Ctrl-C that comes after
        the wait has the wait asked again, which finds nothing to wait for)."""
        self.answers.close()
        if not self.killed:
            self.killed = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.reaped = True

    def release(self) -> None:
        """An answered child, ending by itself: waited for once it has ended, not now
        (the system takes a few milliseconds to tear a large process down, and this
        process has better things to do meanwhile)."""
        self.answers.close()
        _ENDING.append(self.pid)
        self.reaped = True
        _reap_ended()

    @classmethod
    def fork(cls, work: Work, chunks: Sequence[Sequence[Any]]) -> _Child:
        """Ctrl-C is held back while the process forks, and a child takes it the
        system's way (it ends at once): it never raises in the child, where it would
        run this process's code from the fork on (its CLI's messages, its book's
        closing)."""
        _reap_ended()
        reading, writing = os.pipe()
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
            if pid == 0:  # the child, Ctrl-C still held back: it never returns
                _answer_and_exit(work, chunks, reading, writing, held)
        except OSError:
            os.close(reading)
            os.close(writing)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(writing)
        return cls(pid, os.fdopen(reading, "rb"))


def _answer_and_exit(
    work: Work, chunks: Sequence[Sequence[Any]], reading: int, writing: int, held: Any
) -> NoReturn:
    """A forked child's life: its chunks' answers written, then gone without running
    anything of this process's at exit (nor flushing its buffers a second time)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reading)
        quiet = open(os.devnull, "w")  # noqa: SIM115  (the process ends below)
        os.dup2(quiet.fileno(), 1)  # a stray print cannot reach the terminal or the app
        os.dup2(quiet.fileno(), 2)
        sys.stdout = sys.stderr = quiet
        with os.fdopen(writing, "wb") as answers:
            serve(((work, chunk) for chunk in chunks), answers)
        status = 0
    finally:
        os._exit(status)


def _reap(children: list[_Child]) -> None:
    """Every child ended and waited for, or released once answered (those not yet)."""
    for child in children:
        if not child.reaped:
            (child.release if child.answered else child.end)()


_ENDING: list[int] = []  # answered children, ending by themselves: reaped once they have


def _reap_ended() -> None:
    """The answered children that have ended reaped, without waiting for the others."""
    for pid in list(_ENDING):
        try:
            ended = os.waitpid(pid, os.WNOHANG)[0] == pid
        except ChildProcessError:  # reaped already
            ended = True
        if ended:
            _ENDING.remove(pid)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _start() -> subprocess.Popen[bytes]:
    """A worker that imports what this process imports, and never from the current
    folder (-P: a custbook/ or re.py in ~/Downloads must not run with customer data)."""
    path = os.pathsep.join(p for p in sys.path if p)
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "custbook.workers", chosen_language() or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": path},
    )


def _feed(pipe: IO[bytes] | None, work: Callable[..., Any], chunks: Sequence[Any]) -> None:
    try:
        assert pipe is not None
        with pipe:
            for chunk in chunks:
                pickle.dump((work, chunk), pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, ValueError):  # the worker died or was stopped: the reader finds out
        pass


def _answer(pipe: IO[bytes] | None) -> Any:
    try:
        assert pipe is not None
        status, result = pickle.load(pipe)
    except Exception as error:  # a worker that died or wrote something else
        raise _WorkerFailed from error
    if status != _DONE:
        raise _WorkerFailed
    return result


Work = Callable[[Sequence[Any]], Any]


def serve(pairs: Iterable[tuple[Work, Sequence[Any]]], answers: IO[bytes]) -> None:
    """A worker's loop: each (function, chunk)'s result (or its failure) written, in
    order."""
    for work, chunk in pairs:
        try:
            answer: tuple[str, Any] = (_DONE, work(chunk))
        except Exception:  # the caller does this chunk itself and says what is wrong
            answer = (_FAILED, None)
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


def _sent(source: IO[bytes]) -> Iterator[tuple[Work, Sequence[Any]]]:
    """The (function, chunk) pairs a started worker is sent, until its input ends."""
    while True:
        try:
            yield pickle.load(source)
        except EOFError:
            return


if __name__ == "__main__":
    set_language(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None)
    answers, sys.stdout = sys.stdout.buffer, sys.stderr  # a stray print cannot garble them
    serve(_sent(sys.stdin.buffer), answers)
