"""Readings are combined, and capped, exactly as the plain product of every character's
readings would (the first characters' readings varied first)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book.search import keys

# Characters with one reading, with several (长 行 重 曾 都 乐), and other characters.
CHARS = "张伟长行重曾都乐银沙单a1 -"


def reference(choices):
    backwards = itertools.product(*reversed(choices))
    return ["".join(reversed(c)) for c in itertools.islice(backwards, keys._MAX_READINGS)]


@settings(deadline=None, max_examples=300)
@given(st.text(st.sampled_from(CHARS), max_size=12))
def test_combinations_equal_the_capped_product(text):
    chars = [c for c in keys.normal(text) if not c.isspace()]
    for choices in ([keys.readings(c) for c in chars], [keys._initials(c) for c in chars]):
        assert keys._combinations(choices) == reference(choices)


def test_a_name_of_many_readings():
    forms = keys.pinyin_forms("长沙银行")
    assert forms[:2] == ["zhangshayinxing", "changshayinxing"]  # 长 varies first
    assert "changshayinhang" in forms and "csyh" in forms
