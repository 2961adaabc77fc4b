"""Stored values as JSON text and back, through the json module's C encoder and scanner.

`json.JSONEncoder.encode` and `json.loads` run 60-90 lines of Python around their C
code on every call (a new C encoder object each time); adding a customer encodes four
values and decodes three, and that wrapping was a tenth of the bytecode an add runs
(docs/PERFORMANCE.md, session 12). The output is the json module's own, byte for byte:
the same C encoder does the work (a test compares the two on any value). Where the C
code is missing (another Python), the json module is used as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.decoder import JSONDecodeError
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

Encode = Callable[[Any], str]


def encoder(*, compact: bool, sort_keys: bool) -> Encode:
    """`json.JSONEncoder(ensure_ascii=False, ...).encode`, without its Python: compact
    leaves out the spaces after , and :."""
    separators = (",", ":") if compact else (", ", ": ")
    python = json.JSONEncoder(ensure_ascii=False, separators=separators, sort_keys=sort_keys)
    if c_make_encoder is None:
        return python.encode
    # No markers: stored values are never circular (json's own check costs a dict per call;
    # a value holding itself raises RecursionError here, not json's ValueError)
    chunks_of = c_make_encoder(
        None, python.default, encode_basestring, None, *separators[::-1], sort_keys, False, True
    )

    def encode(value: Any) -> str:
        return "".join(chunks_of(value, 0))

    return encode


_scan = json.JSONDecoder().scan_once


def decode(text: str) -> Any:
    """`json.loads(text)` for text as this module writes it (no spaces around it); other
    text, text that is not JSON and anything not a str (bytes) go to json.loads (its
    error says what is wrong)."""
    if not isinstance(text, str):
        return json.loads(text)
    try:
        value, end = _scan(text, 0)
    except (StopIteration, JSONDecodeError):
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return value
