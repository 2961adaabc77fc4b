"""An independent reader of the byte layout in docs/FORMAT.md, for tests that cut files up."""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = 165
BODY = 73


@dataclass
class Record:
    offset: int
    type: int
    length: int
    nonce: bytes
    ciphertext: bytes

    @property
    def end(self) -> int:
        return self.offset + 17 + self.length

    def raw(self, data: bytes) -> bytes:
        return data[self.offset : self.end]


@dataclass
class Book:
    header: bytes
    records: list[Record]

    @property
    def wrap_nonce(self) -> bytes:
        return self.header[BODY : BODY + 12]

    @property
    def wrapped_key(self) -> bytes:
        return self.header[BODY + 12 : BODY + 60]


def parse_book(data: bytes) -> Book:
    records = []
    offset = HEADER
    while offset < len(data):
        kind, length = struct.unpack_from("<BI", data, offset)
        nonce = data[offset + 5 : offset + 17]
        records.append(
            Record(offset, kind, length, nonce, data[offset + 17 : offset + 17 + length])
        )
        offset += 17 + length
    assert offset == len(data)
    return Book(data[:HEADER], records)
