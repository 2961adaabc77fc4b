"""Work spread over the machine's cores, for the CPU-bound parts of a large import.

Cleaning the rows of a file (phone numbers, dates, amounts) and computing the search
words of new customers (pinyin) are pure Python and take most of an import; the rows are
independent, so chunks of them go to worker processes, one a core, while this process
goes on (writing the chunks done so far, say). Nothing is written to disk: the chunks
go through pipes. Should the workers fail to start or die (a sandbox without processes,
no semaphores), this process does the rest of the work itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from custbook.i18n import chosen_language, set_language

Item = TypeVar("Item")
Result = TypeVar("Result")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_chunks(
    work: Callable[[Sequence[Item]], Result], chunks: Sequence[Sequence[Item]], workers: int
) -> Iterator[Result]:
    """`work` of each chunk, in order, each as soon as it is done: in `workers` processes
    when there are two or more (spawned, not forked: the app has threads), else here."""
    if workers < 2 or len(chunks) < 2:
        yield from map(work, chunks)
        return
    done = 0
    try:
        pool = ProcessPoolExecutor(
            min(workers, len(chunks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=set_language,
            initargs=(chosen_language(),),
        )
    except OSError:
        pool = None
    try:
        for result in pool.map(work, chunks) if pool is not None else ():
            yield result
            done += 1
    except (BrokenProcessPool, OSError):
        pass  # done here instead, below
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    yield from map(work, chunks[done:])
