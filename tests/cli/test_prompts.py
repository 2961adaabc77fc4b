"""The passphrase prompt on a real terminal (a pseudo-terminal), as a person meets it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from tests.conftest import PASSPHRASE


class Terminal:
    """custbook on a pseudo-terminal: read what it shows, type answers."""

    def __init__(self, args: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "custbook", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""
        self.cursor = 0  # expect() looks only at output after what it matched last

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.cursor :]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {text!r}; saw {self.seen!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"ended before {text!r}; saw {self.seen!r}"
                self.seen += chunk.decode("utf-8", "replace")
        self.cursor = self.seen.index(text, self.cursor) + len(text)

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def wait(self) -> int:
        code = self.process.wait(timeout=60)
        try:
            while chunk := os.read(self.master, 4096):
                self.seen += chunk.decode("utf-8", "replace")
        except OSError:
            pass
        os.close(self.master)
        return code


def test_init_asks_twice_and_again_on_a_mismatch(tmp_path):
    path = tmp_path / "b.cbk"
    terminal = Terminal(["--book", str(path), "init"])
    terminal.expect("Passphrase:")
    terminal.type("first")
    terminal.expect("Repeat for confirmation:")
    terminal.type("different")
    terminal.expect("do not match")
    terminal.expect("Passphrase:")  # asked again from the start
    terminal.type("口令 ok")
    terminal.expect("Repeat for confirmation:")
    terminal.type("口令 ok")
    assert terminal.wait() == 0, terminal.seen
    assert "口令 ok" not in terminal.seen  # never echoed
    assert path.exists()

    check = Terminal(["--book", str(path), "check"])
    check.expect("Passphrase:")
    check.type("口令 ok")
    assert check.wait() == 0, check.seen
    assert "Integrity" in check.seen


def test_wrong_passphrase_on_the_terminal(book_path):
    terminal = Terminal(["--book", str(book_path), "check"])
    terminal.expect("Passphrase:")
    terminal.type(PASSPHRASE + "x")
    assert terminal.wait() == 3
    assert "Wrong passphrase" in terminal.seen
