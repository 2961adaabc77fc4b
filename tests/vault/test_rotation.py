"""Backup rotation follows borg's prune rules: checked by hand on small cases, then
against an independently written oracle over 400 simulated days, then with real saves."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from custbook.vault import RetentionPolicy, unlock_book
from custbook.vault.backups import list_backups, select_kept
from tests.conftest import PASSPHRASE, TINY_KDF, make_book

RULES = [
    ("last", "%Y-%m-%d %H:%M:%S"),
    ("daily", "%Y-%m-%d"),
    ("weekly", "%G-%V"),
    ("monthly", "%Y-%m"),
]


def oracle(backups, policy, tz=None):
    """borg prune, restated from its documentation: per rule, the newest backup of each
    period, newest periods first; a period whose newest backup an earlier rule kept gives
    nothing; a rule short of its quota keeps the oldest backup."""
    ordered = sorted(backups, key=lambda item: item[1], reverse=True)
    kept = {}
    for rule, fmt in RULES:
        quota = getattr(policy, rule)
        if quota == 0:
            continue
        newest_of_period = {}
        for name, when in ordered:
            newest_of_period.setdefault(when.astimezone(tz).strftime(fmt), name)
        count = 0
        for name in newest_of_period.values():
            if count == quota:
                break
            if name not in kept:
                kept[name] = rule
                count += 1
        if count < quota and ordered and ordered[-1][0] not in kept:
            kept[ordered[-1][0]] = rule + "[oldest]"
    return kept


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HAND_CASES = [
    # Two per day; last=2 keeps the two newest, daily=2 finds day 1 and then its oldest.
    (
        RetentionPolicy(last=2, daily=2, weekly=0, monthly=0),
        [
            "2026-11-01 10:00",
            "2026-11-01 12:00",
            "2026-11-02 09:00",
            "2026-11-02 18:00",
            "2026-11-03 08:00",
        ],
        {"2026-11-03 08:00", "2026-11-02 18:00", "2026-11-01 12:00", "2026-11-01 10:00"},
    ),
    # ISO weeks run Monday to Sunday: Sunday the 29th and Monday the 30th are two weeks.
    (
        RetentionPolicy(last=0, daily=0, weekly=2, monthly=0),
        ["2026-11-23 10:00", "2026-11-28 10:00", "2026-11-29 10:00", "2026-11-30 10:00"],
        {"2026-11-30 10:00", "2026-11-29 10:00"},
    ),
    # Short of its quota, monthly keeps the oldest, which it already has.
    (
        RetentionPolicy(last=0, daily=0, weekly=0, monthly=3),
        ["2026-10-20 10:00", "2026-11-01 10:00", "2026-11-05 10:00"],
        {"2026-11-05 10:00", "2026-10-20 10:00"},
    ),
    # Daily skips the day whose newest backup last= already kept, rather than keep another.
    (
        RetentionPolicy(last=1, daily=1, weekly=0, monthly=0),
        ["2026-11-02 09:00", "2026-11-02 10:00", "2026-11-03 10:00"],
        {"2026-11-03 10:00", "2026-11-02 10:00"},
    ),
    # Nothing at all: a policy of zeros keeps nothing (the save protects its newest itself).
    (RetentionPolicy(last=0, daily=0, weekly=0, monthly=0), ["2026-11-02 09:00"], set()),
]


@pytest.mark.parametrize(("policy", "times", "expected"), HAND_CASES)
def test_hand_checked_cases(policy, times, expected):
    backups = [(t, at(t)) for t in times]
    assert set(select_kept(backups, policy, UTC)) == expected
    assert set(oracle(backups, policy, UTC)) == expected


def simulate(days, seed, prune):
    """Saves at random moments over `days` days, pruning after each as a save does."""
    rng = random.Random(seed)
    now = at("2025-10-01 08:00")
    alive = []
    history = []
    for _ in range(days):
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
            now += timedelta(minutes=rng.randrange(1, 300))
            alive.append((now.isoformat(), now))
            kept = prune(alive)
            alive = [item for item in alive if item[0] in kept]
            history.append(sorted(name for name, _ in alive))
        now = now.replace(hour=8, minute=0) + timedelta(days=1)
    return history


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_the_oracle_over_400_days(seed):
    policy = RetentionPolicy()
    ours = simulate(400, seed, lambda items: select_kept(items, policy, UTC))
    theirs = simulate(400, seed, lambda items: oracle(items, policy, UTC))
    assert ours == theirs
    final = ours[-1]
    assert len(final) <= 10 + 7 + 4 + 12 + 4
    assert len(final) >= 25  # a year of saves keeps dailies, weeklies and monthlies


def test_matches_the_oracle_for_other_policies():
    for policy in [
        RetentionPolicy(3, 2, 1, 1),
        RetentionPolicy(0, 7, 0, 0),
        RetentionPolicy(1, 0, 0, 24),
    ]:
        items = [(f"b{i}", at("2026-01-01 00:00") + timedelta(hours=7 * i)) for i in range(900)]
        assert select_kept(items, policy, UTC) == oracle(items, policy, UTC)


class FakeClock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def test_real_saves_rotate_like_the_rules(tmp_path):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    clock = FakeClock(datetime(2027, 1, 5, 9, 0).astimezone())  # after make_book's saves
    vault = unlock_book(path, PASSPHRASE, clock=clock)
    rng = random.Random(5)
    expected = {(b.path.name, b.saved_at) for b in list_backups(path)}
    for step in range(50):
        clock.now += timedelta(hours=rng.choice([1, 5, 20, 30, 80, 200]))
        outgoing = vault.header.meta
        vault.db.execute("INSERT INTO people (name) VALUES (?)", (f"step {step}",))
        vault.db.commit()
        vault.save()
        newest = next(b for b in list_backups(path) if b.counter == outgoing.save_counter)
        expected.add((newest.path.name, newest.saved_at))
        kept = oracle(sorted(expected), RetentionPolicy())
        expected = {item for item in expected if item[0] in kept}
        assert {b.path.name for b in list_backups(path)} == {name for name, _ in expected}
    assert len(list_backups(path)) > 10


def test_settings_can_change_the_policy(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    vault.retention = RetentionPolicy(last=2, daily=0, weekly=0, monthly=0)
    for _ in range(6):
        vault.save()
    assert len(list_backups(path)) == 2


def test_newest_backup_is_kept_even_by_a_policy_of_zeros(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    vault.retention = RetentionPolicy(0, 0, 0, 0)
    outgoing = vault.header.meta.save_counter
    vault.save()
    assert [b.counter for b in list_backups(path)] == [outgoing]


def test_last_ten_means_ten_even_within_one_second(tmp_path):
    """borg's keep-last is keep-secondly; ours counts every backup (millisecond times)."""
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    ticks = iter(range(1000))
    start = datetime(2027, 6, 1, 9, 0, 0).astimezone()
    vault = unlock_book(path, PASSPHRASE, clock=lambda: start + timedelta(milliseconds=next(ticks)))
    counters = []
    for _ in range(15):
        counters.append(vault.header.meta.save_counter)
        vault.save()
    kept = {b.counter for b in list_backups(path)}
    assert set(counters[-10:]) <= kept  # the ten newest, all within one second
