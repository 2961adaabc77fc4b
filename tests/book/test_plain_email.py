"""The everyday-address shortcut of Checker.email never disagrees with email_validator."""

from __future__ import annotations

from email_validator import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book import validation
from custbook.book.validation import Checker, plain_email

ASCII_EMAILS = st.text(st.sampled_from("abcXYZ019._%+-@"), min_size=3, max_size=30) | st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(st.sampled_from("aZ9._%+-"), min_size=1, max_size=70),
    st.text(st.sampled_from("aZ9-."), min_size=1, max_size=70),
    st.sampled_from(["com", "cn", "test", "local", "arpa", "c", "co", "xn--fiqs8s", "COM"]),
)


@settings(deadline=None, max_examples=400)
@given(ASCII_EMAILS)
def test_the_plain_email_shortcut_agrees_with_email_validator(text):
    """Whatever the shortcut accepts, email_validator accepts and spells the same."""
    plain = plain_email(text)
    if plain is not None:
        assert validate_email(text, check_deliverability=False).normalized == plain


def test_addresses_the_shortcut_leaves_to_email_validator():
    checker = Checker()
    assert checker.email("e", "Sales1@Example.COM") == "Sales1@example.com"
    assert checker.email("e", "张三@例子.中国") == "张三@例子.中国"
    assert checker.email("e", "a@b.test") is None and checker.problems


@settings(deadline=None, max_examples=400)
@given(st.lists(ASCII_EMAILS | st.sampled_from(["张三 <a@b.cn>", "a@b.cn; c@d.cn", "Ａ@b.cn"]),
                max_size=3))  # fmt: skip
def test_a_form_value_of_one_plain_address_reads_as_the_long_way_reads_it(values):
    """Checker.emails takes a value that is one everyday address straight to it: the
    same addresses and problems as splitting it and checking each part."""
    quick = Checker()
    found = quick.emails("emails", values)
    slow = Checker()
    original = validation.plain_email
    validation.plain_email = lambda _text: None
    try:
        assert found == slow.emails("emails", values)
    finally:
        validation.plain_email = original
    assert quick.problems == slow.problems
