"""jsontext writes what the json module writes, byte for byte, and reads it back the same;
text it did not write goes to json.loads, errors and all."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book import jsontext

# What a stored value may be: JSON's own types, Chinese text and odd floats included
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
SHAPES = [
    ({"compact": True, "sort_keys": True}, {"separators": (",", ":"), "sort_keys": True}),
    ({"compact": False, "sort_keys": False}, {}),
]


@settings(deadline=None)
@given(values)
@pytest.mark.parametrize(("ours", "theirs"), SHAPES)
def test_encodes_as_the_json_module_does(ours, theirs, value):
    expected = json.JSONEncoder(ensure_ascii=False, **theirs).encode(value)
    assert jsontext.encoder(**ours)(value) == expected


@settings(deadline=None)
@given(values)
def test_decodes_what_it_encodes_as_json_loads_does(value):
    text = jsontext.encoder(compact=True, sort_keys=True)(value)
    decoded = jsontext.decode(text)
    expected = json.loads(text)
    # NaN is not equal to itself: compare the text of both instead
    assert json.dumps(decoded) == json.dumps(expected)
    if not _has_nan(value):
        assert decoded == expected


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


@pytest.mark.parametrize("text", [" [1] ", '{"a": 1}\n', "[1]"])
def test_text_with_spaces_is_read_as_json_loads_reads_it(text):
    assert jsontext.decode(text) == json.loads(text)


@pytest.mark.parametrize("text", ["[1", "[1]x", "", "nope", '{"a":}'])
def test_text_that_is_not_json_raises_json_loads_error(text):
    with pytest.raises(json.JSONDecodeError) as ours:
        jsontext.decode(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_a_value_json_cannot_write_raises_as_json_does():
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.encoder(compact=True, sort_keys=True)({"when": object()})


def test_bytes_are_read_as_json_loads_reads_them():
    assert jsontext.decode(b"[1]") == [1]
    with pytest.raises(TypeError, match="must be str, bytes or bytearray"):
        jsontext.decode(None)  # type: ignore[arg-type]
