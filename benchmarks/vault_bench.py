"""How long unlocking and saving a book take, against the bare floor of the same work.

    uv run python benchmarks/vault_bench.py [--sizes 1000,10000,100000] [--repeat 3]
    uv run python benchmarks/vault_bench.py --limit-probe

For each size a realistic CRM database is generated (benchmarks/realistic_db.py), stored
in a real book file, then unlocked and saved `--repeat` times; each figure is the best run.
Beside each custbook figure is the floor: bare code doing the same reads, AES-GCM, writes
and (de)serialization in the same run. Peak memory is measured in fresh subprocesses.
Nothing here asserts a timing. Files go to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import realistic_db
from bench_common import Runs, fmt_s, machine_table, timed
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from rich.console import Console
from rich.table import Table

from custbook.vault import DEFAULT_PARAMS, KdfParams, Vault, create_book, unlock_book
from custbook.vault.format import MAX_IMAGE_BYTES
from custbook.vault.kdf import derive_key

PASSPHRASE = "correct horse battery staple 马上"
FAST_KDF = KdfParams(iterations=1, memory_kib=64, lanes=1)
CHUNK = 1 << 20  # the floor's AES-GCM unit, the same as custbook's default record size
TAG = 16
MIB = 1 << 20
FLOOR_KEY = AESGCM.generate_key(bit_length=256)

console = Console(width=None if sys.stdout.isatty() else 150)


# ---------------------------------------------------------------- timing helpers


class Laps:
    """Seconds between successive calls, by name: lap("read") after reading, and so on."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.parts[name] = now - self._last
        self._last = now


def fmt_mib(size: float) -> str:
    return f"{size / MIB:,.1f} MiB"


# ---------------------------------------------------------------- the bare floor


def _nonce(index: int) -> bytes:
    return struct.pack("<4xQ", index)


def seal_chunks(aead: AESGCM, image: bytes | memoryview) -> bytearray:
    """AES-GCM over the image in CHUNK pieces, into one preallocated buffer."""
    view = memoryview(image)
    chunks = range(0, len(view), CHUNK)
    sealed = bytearray(len(view) + TAG * len(chunks))
    out = memoryview(sealed)
    for index, start in enumerate(chunks):
        piece = view[start : start + CHUNK]
        place = start + TAG * index
        aead.encrypt_into(_nonce(index), piece, None, out[place : place + len(piece) + TAG])
    return sealed


def open_chunks(aead: AESGCM, sealed: bytes) -> bytearray:
    """Inverse of seal_chunks: decrypt_into one preallocated buffer, CHUNK at a time."""
    view = memoryview(sealed)
    step = CHUNK + TAG
    chunks = range(0, len(view), step)
    image = bytearray(len(view) - TAG * len(chunks))
    out = memoryview(image)
    for index, start in enumerate(chunks):
        piece = view[start : start + step]
        place = start - TAG * index
        aead.decrypt_into(_nonce(index), piece, None, out[place : place + len(piece) - TAG])
    return image


def write_durably(folder: Path, name: str, data: bytearray) -> None:
    temp = folder / f".{name}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view, done = memoryview(data), 0
        while done < len(view):
            done += os.write(fd, view[done:])
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, folder / name)
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def floor_save(db: sqlite3.Connection, aead: AESGCM, folder: Path) -> dict[str, float]:
    lap = Laps()
    image = db.serialize()
    lap("serialize")
    sealed = seal_chunks(aead, image)
    lap("encrypt")
    del image
    write_durably(folder, "floor.bin", sealed)
    lap("write")
    return lap.parts


def floor_save_streamed(db: sqlite3.Connection, aead: AESGCM, folder: Path) -> None:
    """The same work without a full-size ciphertext buffer: one reused 1 MiB buffer."""
    view = memoryview(db.serialize())
    sealed = memoryview(bytearray(CHUNK + TAG))
    temp = folder / ".floor-streamed.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for index, start in enumerate(range(0, len(view), CHUNK)):
            piece = view[start : start + CHUNK]
            out = sealed[: len(piece) + TAG]
            aead.encrypt_into(_nonce(index), piece, None, out)
            done = 0
            while done < len(out):
                done += os.write(fd, out[done:])
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, folder / "floor-streamed.bin")
    fsync_folder(folder)


def floor_unlock(aead: AESGCM, path: Path) -> tuple[dict[str, float], sqlite3.Connection]:
    lap = Laps()
    with open(path, "rb") as source:
        sealed = source.read()
    lap("read")
    image = open_chunks(aead, sealed)
    lap("decrypt")
    del sealed
    db = sqlite3.connect(":memory:")
    db.deserialize(image)
    lap("deserialize")
    return lap.parts, db


def floor_unlock_streamed(aead: AESGCM, path: Path) -> sqlite3.Connection:
    """The same work without a full-size read buffer: readinto one reused 1 MiB buffer."""
    step = CHUNK + TAG
    chunks = -(-path.stat().st_size // step)
    image = bytearray(path.stat().st_size - TAG * chunks)
    out, sealed = memoryview(image), bytearray(step)
    with open(path, "rb", buffering=0) as source:
        for index in range(chunks):
            got = source.readinto(sealed)
            place = index * CHUNK
            piece = memoryview(sealed)[:got]
            aead.decrypt_into(_nonce(index), piece, None, out[place : place + got - TAG])
    db = sqlite3.connect(":memory:")
    db.deserialize(image)
    return db


def bare_argon2(salt: bytes) -> bytes:
    p = DEFAULT_PARAMS
    kdf = Argon2id(
        salt=salt, length=32, iterations=p.iterations, lanes=p.lanes, memory_cost=p.memory_kib
    )
    return kdf.derive(PASSPHRASE.encode())


# ---------------------------------------------------------------- measurements


def measure_kdf(repeat: int) -> Table:
    salt = os.urandom(16)
    runs = Runs.empty()
    for _ in range(repeat):
        runs.add("custbook", timed(lambda: derive_key(PASSPHRASE, salt, DEFAULT_PARAMS))[0])
        runs.add("floor", timed(lambda: bare_argon2(salt))[0])
        runs.add("fast", timed(lambda: derive_key(PASSPHRASE, salt, FAST_KDF))[0])
    table = Table(title="Key derivation (size-independent)")
    for column in ("operation", "custbook", "floor", "ratio"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    p = DEFAULT_PARAMS
    label = f"derive_key, DEFAULT_PARAMS (t={p.iterations}, m={p.memory_kib} KiB, p={p.lanes})"
    custbook, floor = runs.best("custbook"), runs.best("floor")
    table.add_row(label, fmt_s(custbook), fmt_s(floor), f"{custbook / floor:.2f}×")
    table.add_row("derive_key, KdfParams(1, 64, 1) (the books below)", fmt_s(runs.best("fast")))
    return table


@dataclass
class SizeResult:
    customers: int
    db_bytes: int
    book_bytes: int
    rows: dict[str, int]
    generate_s: float
    runs: Runs
    memory: dict[str, float]


def make_book(folder: Path, customers: int) -> tuple[Path, dict[str, int], int, float]:
    """A book file holding a generated database; also leaves the floor's file beside it."""
    vault = create_book(folder / "bench.custbook", PASSPHRASE, params=FAST_KDF)
    app_id = vault.db.execute("PRAGMA application_id").fetchone()[0]
    generate_s, db = timed(lambda: realistic_db.build(customers, application_id=app_id))
    assert isinstance(db, sqlite3.Connection)
    rows = realistic_db.row_counts(db)
    image = db.serialize()
    db.close()
    vault.db.deserialize(image)
    del image
    vault.save()
    db_bytes = len(vault.db.serialize())
    floor_save(vault.db, AESGCM(FLOOR_KEY), folder)
    vault.close()
    return vault.path, rows, db_bytes, generate_s


def run_once(path: Path, folder: Path, runs: Runs) -> None:
    """One unlock, one floor unlock, one save of what was unlocked, one floor save."""
    aead = AESGCM(FLOOR_KEY)
    unlock_s, vault = timed(lambda: unlock_book(path, PASSPHRASE))
    assert isinstance(vault, Vault)
    runs.add("unlock", unlock_s)
    floor_s, (parts, db) = timed(lambda: floor_unlock(aead, folder / "floor.bin"))
    db.close()
    runs.add("floor_unlock", floor_s)
    runs.add_all({f"floor_{k}": v for k, v in parts.items()})
    streamed_s, db = timed(lambda: floor_unlock_streamed(aead, folder / "floor.bin"))
    db.close()
    runs.add("floor_streamed", streamed_s)
    gc.collect()
    runs.add("save", timed(vault.save)[0])
    floor_s, parts = timed(lambda: floor_save(vault.db, aead, folder))
    runs.add("floor_save", floor_s)
    runs.add_all({f"floor_{k}": v for k, v in parts.items()})
    runs.add("floor_save_streamed", timed(lambda: floor_save_streamed(vault.db, aead, folder))[0])
    vault.close()
    gc.collect()


def measure_size(customers: int, repeat: int, baseline_kib: int) -> SizeResult:
    with tempfile.TemporaryDirectory(prefix="custbook-bench-") as temp:
        folder = Path(temp)
        console.print(f"[dim]{customers:,} customers: generating…[/dim]")
        path, rows, db_bytes, generate_s = make_book(folder, customers)
        runs = Runs.empty()
        for index in range(repeat):
            console.print(f"[dim]{customers:,} customers: run {index + 1}/{repeat}…[/dim]")
            run_once(path, folder, runs)
        book_bytes = path.stat().st_size
        console.print(f"[dim]{customers:,} customers: peak memory in subprocesses…[/dim]")
        memory = measure_memory(path, baseline_kib)
    return SizeResult(customers, db_bytes, book_bytes, rows, generate_s, runs, memory)


# ---------------------------------------------------------------- peak memory (children)


def proc_status_kib(field: str) -> int:
    """A field of /proc/self/status, e.g. VmHWM (peak RSS of this process image)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def child_main(mode: str, path: str | None) -> None:
    """Print one JSON line of KiB figures: peak (VmHWM), ru_maxrss, and what is held."""
    report: dict[str, int] = {}
    if mode != "baseline":
        vault = unlock_book(Path(str(path)), PASSPHRASE)
        report["held_kib"] = proc_status_kib("VmRSS")
        if mode == "save":
            report["unlock_hwm_kib"] = proc_status_kib("VmHWM")
            report["reset"] = int(reset_peak_rss())
            vault.save()
        vault.close()
    report["hwm_kib"] = proc_status_kib("VmHWM")
    report["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(report))


def run_child(mode: str, path: Path | None = None) -> dict[str, int]:
    command = [sys.executable, __file__, f"--child-{mode}"]
    if path is not None:
        command.append(str(path))
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_memory(path: Path, baseline_kib: int) -> dict[str, float]:
    """Bytes above a fresh interpreter's peak, from VmHWM (see NOTES on ru_maxrss)."""
    unlock = run_child("unlock", path)
    save = run_child("save", path)
    result = {
        "held": unlock["held_kib"],
        "unlock": unlock["hwm_kib"],
        "save_process": save["hwm_kib"],
        "save_alone": save["hwm_kib"] if save["reset"] else None,
    }
    return {k: (v - baseline_kib) * 1024 for k, v in result.items() if v is not None}


# ---------------------------------------------------------------- tables


def sizes_table(results: list[SizeResult]) -> Table:
    table = Table(title="Generated databases (benchmarks/realistic_db.py, seeded)")
    columns = ("customers", "contacts", "interactions", "orders", "serialize() bytes")
    for column in (*columns, "MiB", "B/customer", "book file", "generated in"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            f"{r.customers:,}",
            f"{r.rows['contacts']:,}",
            f"{r.rows['interactions']:,}",
            f"{r.rows['orders']:,}",
            f"{r.db_bytes:,}",
            f"{r.db_bytes / MIB:,.1f}",
            f"{r.db_bytes / r.customers:,.0f}",
            f"{r.book_bytes:,}",
            fmt_s(r.generate_s),
        )
    return table


def ratio_table(
    title: str,
    results: list[SizeResult],
    op: str,
    floors: list[tuple[str, str]],
    parts: list[tuple[str, str]],
) -> Table:
    """custbook's best time for `op`, each floor's with its ratio, then the floor's parts."""
    table = Table(title=title)
    for column in ("customers", "database", "custbook", "custbook MiB/s"):
        table.add_column(column, justify="right")
    for _key, label in floors:
        table.add_column(label, justify="right")
        table.add_column("ratio", justify="right", style="bold")
    for _key, label in parts:
        table.add_column(f"floor: {label}", justify="right", style="dim")
    for r in results:
        mine = r.runs.best(op)
        cells = [f"{r.customers:,}", fmt_mib(r.db_bytes), fmt_s(mine)]
        cells.append(f"{r.db_bytes / MIB / mine:,.0f}")
        for key, _label in floors:
            floor = r.runs.best(key)
            cells += [fmt_s(floor), f"{mine / floor:.2f}×"]
        cells += [fmt_s(r.runs.best(f"floor_{key}")) for key, _label in parts]
        table.add_row(*cells)
    return table


def unlock_table(results: list[SizeResult]) -> Table:
    floors = [("floor_unlock", "floor"), ("floor_streamed", "floor, streamed")]
    parts = [("read", "read"), ("decrypt", "AES-GCM"), ("deserialize", "deserialize")]
    return ratio_table("Unlock (best of runs)", results, "unlock", floors, parts)


def save_table(results: list[SizeResult]) -> Table:
    parts = [("serialize", "serialize"), ("encrypt", "AES-GCM"), ("write", "write+fsyncs")]
    floors = [("floor_save", "floor"), ("floor_save_streamed", "floor, streamed")]
    return ratio_table("Save (best of runs)", results, "save", floors, parts)


def memory_table(results: list[SizeResult], baseline_kib: int) -> Table:
    title = (
        f"Peak memory above a fresh interpreter's (VmHWM; baseline {baseline_kib / 1024:.1f} MiB)"
    )
    table = Table(title=title)
    columns = ("customers", "database", "held unlocked", "unlock peak", "save peak", "process")
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        keys = ("held", "unlock", "save_alone", "save_process")
        cells = [_mem_cell(r.memory.get(key), r.db_bytes) for key in keys]
        table.add_row(f"{r.customers:,}", fmt_mib(r.db_bytes), *cells)
    return table


def _mem_cell(peak: float | None, db_bytes: int) -> str:
    if peak is None:
        return "n/a"
    return f"{fmt_mib(peak)} ({peak / db_bytes:.2f}× DB)"


# ---------------------------------------------------------------- machine facts


# ---------------------------------------------------------------- the limit probe


def insert_blob(db: sqlite3.Connection) -> None:
    """One 1 MiB row, committed: SQLite only finds the database full when pages are written."""
    with db:
        db.execute("INSERT INTO blobs VALUES (?)", (bytes(MIB),))


def fill_until_error(db: sqlite3.Connection, cap_bytes: int) -> tuple[str, int]:
    """Insert 1 MiB blobs (one commit each) until SQLite refuses or cap_bytes is passed."""
    db.execute("CREATE TABLE IF NOT EXISTS blobs (b BLOB)")
    db.commit()
    outcome = f"no error before the probe's cap of {fmt_mib(cap_bytes)}"
    try:
        while db_size(db) <= cap_bytes:
            insert_blob(db)
    except sqlite3.Error as error:
        outcome = f"{type(error).__module__}.{type(error).__name__}: {error}"
    return outcome, db_size(db)


def db_size(db: sqlite3.Connection) -> int:
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    return page_size * db.execute("PRAGMA page_count").fetchone()[0]


def attempt(action: Callable[[], object]) -> str:
    try:
        seconds, _ = timed(action)
    except Exception as error:
        return f"{type(error).__module__}.{type(error).__name__}: {error}"
    return f"ok in {fmt_s(seconds)}"


def limit_probe() -> None:
    table = Table(title="Near SQLite's 1 GiB in-memory limit", show_lines=True)
    table.add_column("probe")
    table.add_column("result")
    table.add_row("custbook.vault.format.MAX_IMAGE_BYTES", f"{MAX_IMAGE_BYTES:,} B")
    with tempfile.TemporaryDirectory(prefix="custbook-limit-") as temp:
        for label, row in _probe_rows(Path(temp)):
            table.add_row(label, row)
    console.print(table)
    console.print(
        machine_table({"cryptography": version("cryptography"), "TMPDIR": tempfile.gettempdir()})
    )


def _fill_and_save(vault: Vault, label: str, cap: int) -> Iterator[tuple[str, str]]:
    outcome, size = fill_until_error(vault.db, cap)
    yield f"(a) {label}: 1 MiB inserts", outcome
    yield "    size reached", f"{size:,} B ({fmt_mib(size)})"
    yield "    Vault.save() at that size", attempt(vault.save)
    vault.close()


def _probe_rows(folder: Path) -> Iterator[tuple[str, str]]:
    cap = MAX_IMAGE_BYTES + 64 * MIB
    fresh = create_book(folder / "fresh.custbook", PASSPHRASE, params=FAST_KDF)
    yield from _fill_and_save(fresh, "new book (create_book)", cap)
    del fresh
    gc.collect()
    create_book(folder / "book.custbook", PASSPHRASE, params=FAST_KDF).close()
    vault = unlock_book(folder / "book.custbook", PASSPHRASE)
    yield from _fill_and_save(vault, "unlocked book (unlock_book)", cap)
    del vault
    gc.collect()
    reopened: list[Vault] = []
    yield (
        "    unlock_book() of that save",
        attempt(lambda: reopened.append(unlock_book(folder / "book.custbook", PASSPHRASE))),
    )
    if reopened:
        db = reopened[0].db
        yield "    one more 1 MiB insert (committed) after unlock", attempt(lambda: insert_blob(db))
        reopened[0].close()


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="customer counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--limit-probe", action="store_true", help="probe the 1 GiB limit")
    parser.add_argument("--child-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-unlock", metavar="BOOK", help=argparse.SUPPRESS)
    parser.add_argument("--child-save", metavar="BOOK", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


NOTES = (
    "Every figure is the best (min) of --repeat runs. In each run custbook and its floor "
    "alternate: unlock, floor unlock, save (of the vault just unlocked), floor save. Floor "
    "parts are each their own best, so they need not sum to the floor total.",
    "unlock = custbook.vault.unlock_book(path, passphrase): lock, read, Argon2id, decrypt, "
    "check, deserialize. The books use KdfParams(1, 64, 1), whose derivation (first table) "
    "takes microseconds, so nothing is subtracted.",
    "The book was written just before each unlock: the page cache is warm, for custbook's "
    "read and for the floor's alike. Neither figure includes reading from the disk.",
    "unlock floor: open(...).read() of a file of the same image as AES-GCM ciphertext (1 MiB "
    "chunks, 16-byte tag each); AESGCM.decrypt_into 1 MiB at a time into one preallocated "
    "bytearray (one AESGCM call cannot take 2 GiB or more, and allocates its output); "
    "sqlite3.connect(':memory:').deserialize(). No SHA-256, no record framing. 'floor, "
    "streamed' does the same work with readinto() of one reused 1 MiB buffer instead of one "
    "full-size read (one full-size buffer and its page faults fewer), as custbook does.",
    "save = Vault.save(): serialize, AES-GCM with SHA-256 on a second thread, write a temp "
    "file, fsync, read it back and decrypt every record to verify, keep the outgoing file as "
    "a backup (hard link), rename, fsync the folder. The floor skips the read-back, the "
    "SHA-256 and the backup: serialize, AESGCM.encrypt_into 1 MiB at a time into one "
    "preallocated buffer, write + fsync + os.replace + fsync of the folder. 'floor, streamed' "
    "encrypts each 1 MiB into one reused buffer and writes it at once, as custbook does.",
    "Memory: each figure comes from a fresh `python vault_bench.py --child-…` process, minus "
    "the VmHWM of a fresh one that only imports the same modules. VmHWM, not ru_maxrss: on "
    "Linux ru_maxrss survives execve, so a child reports its parent's peak when that is "
    "higher. 'held unlocked' is VmRSS once unlocked; 'save peak' resets VmHWM after the "
    "unlock (/proc/self/clear_refs) and so shows the peak during Vault.save() with the "
    "database loaded; 'process' is the peak of the whole unlock + save child.",
)


def print_notes() -> None:
    console.print("Notes:")
    for note in NOTES:
        console.print(f"- {note}")
    console.print()


XDG_FOLDERS = ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")


@contextlib.contextmanager
def private_dirs() -> Iterator[None]:
    """Point platformdirs (where custbook keeps save counters) at a temporary folder, for
    this process and its children, so the benchmark writes nothing outside TMPDIR."""
    saved = {name: os.environ.get(name) for name in XDG_FOLDERS}
    with tempfile.TemporaryDirectory(prefix="custbook-bench-home-") as temp:
        os.environ.update({name: os.path.join(temp, name.lower()) for name in XDG_FOLDERS})
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.child_baseline or args.child_unlock or args.child_save:
        mode = "baseline" if args.child_baseline else "unlock" if args.child_unlock else "save"
        return child_main(mode, args.child_unlock or args.child_save)
    with private_dirs():
        if args.limit_probe:
            return limit_probe()
        return benchmark([int(size) for size in args.sizes.split(",") if size.strip()], args.repeat)


def benchmark(sizes: list[int], repeat: int) -> None:
    console.print(measure_kdf(repeat))
    baseline_kib = run_child("baseline")["hwm_kib"]
    results = [measure_size(size, repeat, baseline_kib) for size in sizes]
    console.print(sizes_table(results))
    console.print(unlock_table(results))
    console.print(save_table(results))
    console.print(memory_table(results, baseline_kib))
    print_notes()
    console.print(
        machine_table({"cryptography": version("cryptography"), "TMPDIR": tempfile.gettempdir()})
    )


if __name__ == "__main__":
    main(sys.argv[1:])
