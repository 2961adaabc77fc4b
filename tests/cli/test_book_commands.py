"""init, check, passwd and demo, driven as a person or a script would drive them."""

from __future__ import annotations

import json
import os
import stat

import pytest

from custbook.cli import run
from tests.conftest import PASSPHRASE, run_cli_subprocess


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run custbook in-process; returns (exit code, stdout, stderr)."""

    def invoke(*args: str, env: dict[str, str] | None = None):
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        code = run(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_help_on_every_command(cli):
    code, out, _ = cli("--help")
    assert code == 0
    commands = ["init", "check", "passwd", "demo", "backup"]
    for command in commands:
        assert command in out
    for words in [
        *[[c] for c in commands],
        ["backup", "list"],
        ["backup", "verify"],
        ["backup", "restore"],
    ]:
        code, out_command, _ = cli(*words, "--help")
        assert code == 0 and "Usage" in out_command, words


def test_init_then_check(cli, tmp_path, small_kdf_default):
    path = tmp_path / "sub" / "b.cbk"
    code, _, err = cli("--book", str(path), "init", env={"CUSTBOOK_PASSPHRASE": "pw"})
    assert code == 0, err
    assert "Created" in err
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    code, out, err = cli("--book", str(path), "check", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["integrity"] == "ok"
    assert report["format_version"] == "1.0"
    assert report["save_counter"] == 1


def test_init_refuses_an_existing_book(cli, book_path):
    before = book_path.read_bytes()
    code, _, err = cli("--book", str(book_path), "init", env={"CUSTBOOK_PASSPHRASE": "x"})
    assert code == 1
    assert "already exists" in err
    assert book_path.read_bytes() == before


def test_wrong_passphrase_and_damage_differ(cli, book_path):
    before = book_path.read_bytes()
    code, out, err = cli("--book", str(book_path), "check", env={"CUSTBOOK_PASSPHRASE": "nope"})
    assert (code, out) == (3, "")
    assert "Wrong passphrase" in err and "Traceback" not in err
    assert book_path.read_bytes() == before

    damaged = bytearray(before)
    damaged[-100] ^= 0x55
    book_path.write_bytes(bytes(damaged))
    code, _, err_damaged = cli(
        "--book", str(book_path), "check", env={"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    )
    assert code == 4
    assert "damaged" in err_damaged and "Traceback" not in err_damaged
    assert err_damaged != err
    assert book_path.read_bytes() == bytes(damaged)


def test_missing_foreign_and_newer_files_need_no_passphrase(cli, tmp_path, book_path):
    code, _, err = cli("--book", str(tmp_path / "nothing.cbk"), "check")
    assert code == 8 and "custbook init" in err
    foreign = tmp_path / "notes.txt"
    foreign.write_text("客户名录\n")
    code, _, err = cli("--book", str(foreign), "check")
    assert code == 1 and "not a custbook book" in err
    newer = bytearray(book_path.read_bytes())
    newer[8] = 2
    book_path.write_bytes(bytes(newer))
    code, _, err = cli("--book", str(book_path), "check")
    assert code == 5 and "newer custbook" in err


def test_passphrase_file_before_or_after_the_command(cli, tmp_path, book_path):
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    assert cli("--book", str(book_path), "--passphrase-file", str(secret), "check")[0] == 0
    assert cli("check", "--book", str(book_path), "--passphrase-file", str(secret))[0] == 0
    env = {"CUSTBOOK_PASSPHRASE_FILE": str(secret), "CUSTBOOK_BOOK": str(book_path)}
    assert cli("check", env=env)[0] == 0


def test_empty_or_missing_passphrase_file(cli, tmp_path, book_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    code, _, err = cli("--book", str(book_path), "--passphrase-file", str(empty), "check")
    assert code == 1 and "empty" in err
    code, _, err = cli(
        "--book", str(book_path), "--passphrase-file", str(tmp_path / "none"), "check"
    )
    assert code == 1 and "Cannot read" in err


def test_book_after_the_command_wins_over_the_environment(cli, tmp_path, book_path):
    env = {"CUSTBOOK_BOOK": str(tmp_path / "elsewhere.cbk"), "CUSTBOOK_PASSPHRASE": PASSPHRASE}
    assert cli("check", "--book", str(book_path), env=env)[0] == 0
    assert cli("check", env=env)[0] == 8


def test_passwd(cli, tmp_path, book_path, small_kdf_default):
    new = tmp_path / "new"
    new.write_text("新口令 new one")
    code, _, err = cli(
        "--book",
        str(book_path),
        "passwd",
        "--new-passphrase-file",
        str(new),
        env={"CUSTBOOK_PASSPHRASE": PASSPHRASE},
    )
    assert code == 0, err
    assert cli("--book", str(book_path), "check")[0] == 3
    assert (
        cli("--book", str(book_path), "check", env={"CUSTBOOK_PASSPHRASE": "新口令 new one"})[0]
        == 0
    )


def test_passwd_without_a_new_passphrase_source(cli, book_path):
    code, _, err = cli("--book", str(book_path), "passwd", env={"CUSTBOOK_PASSPHRASE": PASSPHRASE})
    assert code == 7 and "--new-passphrase-file" in err


def test_demo_never_touches_the_real_book(cli, tmp_path, book_path, small_kdf_default):
    before = book_path.read_bytes()
    code, _out, err = cli("--book", str(book_path), "demo", env={"CUSTBOOK_BOOK": str(book_path)})
    assert code == 0, err
    assert book_path.read_bytes() == before
    made = next(line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("Made"))
    assert made != str(book_path) and os.path.exists(made)
    assert "demo-passphrase" in err
    code, _, _ = cli("--book", made, "check", env={"CUSTBOOK_PASSPHRASE": "demo-passphrase"})
    assert code == 0


def test_demo_out(cli, tmp_path, small_kdf_default):
    out_path = tmp_path / "d" / "demo.cbk"
    assert cli("demo", "--out", str(out_path))[0] == 0
    assert out_path.exists()
    assert cli("demo", "--out", str(out_path))[0] == 1  # never overwrites


def test_a_demo_too_big_for_a_book_is_refused_and_a_failed_one_leaves_nothing(
    cli, tmp_path, monkeypatch, small_kdf_default
):
    """100,000 demo customers no longer fit a book's 1 GiB (found five minutes into the
    fill): the most that fit is asked at once. A demo that fails all the same leaves no
    half-made book at --out, so the next try can use it."""
    from custbook.book.db import BookFull
    from custbook.cli import book_commands

    out_path = tmp_path / "demo.cbk"
    code, _out, err = cli("demo", "--out", str(out_path), "--customers", "100000")
    assert code == 2 and "0<=x<=90000" in err and not out_path.exists()

    def full(*_args, **_options):
        raise BookFull

    fill = book_commands.fill_demo_book
    monkeypatch.setattr(book_commands, "fill_demo_book", full)
    code, _out, err = cli("demo", "--out", str(out_path), "--no-app")
    assert code == 1 and "The book is full" in err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(book_commands, "fill_demo_book", fill)
    assert cli("demo", "--out", str(out_path), "--no-app", "--customers", "3")[0] == 0


# --- real processes: pipes, environment, no terminal ---------------------------------


def test_no_terminal_and_no_passphrase_exits_7_at_once(book_path):
    result = run_cli_subprocess(["--book", str(book_path), "check"])
    assert result.returncode == 7
    assert "No passphrase" in result.stderr
    assert "Traceback" not in result.stderr


def test_errors_never_show_a_traceback(tmp_path, book_path):
    damaged = bytearray(book_path.read_bytes())
    damaged[200] ^= 1
    book_path.write_bytes(bytes(damaged))
    for passphrase, code in [(PASSPHRASE, 4), ("wrong", 3)]:
        result = run_cli_subprocess(
            ["--book", str(book_path), "check"], env={"CUSTBOOK_PASSPHRASE": passphrase}
        )
        assert result.returncode == code
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_real_parameters_end_to_end(tmp_path):
    """The one test at the real Argon2id parameters, through the installed command."""
    path = tmp_path / "real.cbk"
    env = {"CUSTBOOK_PASSPHRASE": "a real passphrase"}
    created = run_cli_subprocess(["--book", str(path), "init"], env=env)
    assert created.returncode == 0, created.stderr
    checked = run_cli_subprocess(["--book", str(path), "check", "--json"], env=env)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["kdf"] == {
        "name": "argon2id",
        "passes": 3,
        "memory_kib": 65536,
        "lanes": 4,
    }


def test_usage_error_exits_2(cli):
    assert cli("no-such-command")[0] == 2
    assert cli("check", "--no-such-option")[0] == 2
