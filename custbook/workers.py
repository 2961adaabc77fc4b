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
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, TypeVar

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


def for_items(count: int, from_count: int) -> int:
    """How many workers `count` items get: one a core from `from_count` on (below it,
    starting them, about 0.3 s each, saves nothing), else 1 (the work is done here)."""
    return cores() if count >= from_count else 1


def chunked(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def map_chunks(
    work: Callable[[Sequence[Item]], Result], chunks: Sequence[Sequence[Item]], workers: int
) -> Iterator[Result]:
    """`work` of each chunk, in order, each as soon as it is done: in `workers` processes
    when there are two or more, else here. `work` must be picklable (a module's function,
    or a partial of one)."""
    done = 0
    if workers >= 2 and len(chunks) >= 2:
        try:
            for result in _in_processes(work, chunks, min(workers, len(chunks))):
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
        processes += [_start() for _ in range(count)]
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


def serve(source: IO[bytes], answers: IO[bytes]) -> None:
    """A worker's loop: each (function, chunk) read, its result (or its failure) written."""
    while True:
        try:
            work, chunk = pickle.load(source)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = (_DONE, work(chunk))
        except Exception:  # the caller does this chunk itself and says what is wrong
            answer = (_FAILED, None)
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    set_language(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None)
    answers, sys.stdout = sys.stdout.buffer, sys.stderr  # a stray print cannot garble them
    serve(sys.stdin.buffer, answers)
