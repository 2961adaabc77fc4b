"""The passphrase key: Argon2id (RFC 9106), with bounds checked before it ever runs.

The parameters live in each file's header so they can be raised later. A header is
attacker-controlled input, so `check_bounds` refuses parameters that would make an unlock
take more than a few seconds or a lot of memory *before* `derive_key` is called.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from custbook.i18n import _

KDF_ARGON2ID = 1
SALT_BYTES = 16
KEY_BYTES = 32

# Caps for parameters read from a file. The default (3 passes over 64 MiB) takes about
# 0.16-0.35 s here; the work cap is eight times that, a couple of seconds at most.
MAX_MEMORY_KIB = 1 << 19  # 512 MiB: a laptop lends that for a moment without trouble
MAX_ITERATIONS = 16
MAX_LANES = 16
MAX_WORK_KIB_PASSES = 8 * 3 * 65536


@dataclass(frozen=True)
class KdfParams:
    iterations: int
    memory_kib: int
    lanes: int

    def problem(self) -> str | None:
        """Why these parameters may not be used, or None when they are within bounds."""
        if not 1 <= self.lanes <= MAX_LANES:
            return _("{lanes} lanes is outside 1..{cap}").format(lanes=self.lanes, cap=MAX_LANES)
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            return _("{passes} passes is outside 1..{cap}").format(
                passes=self.iterations, cap=MAX_ITERATIONS
            )
        if not 8 * self.lanes <= self.memory_kib <= MAX_MEMORY_KIB:
            return _("{memory} KiB of memory is outside {low}..{high} KiB").format(
                memory=self.memory_kib, low=8 * self.lanes, high=MAX_MEMORY_KIB
            )
        if self.memory_kib * self.iterations > MAX_WORK_KIB_PASSES:
            return _("{memory} KiB over {passes} passes is more work than allowed").format(
                memory=self.memory_kib, passes=self.iterations
            )
        return None


# RFC 9106 section 4, second recommended option (memory-constrained): t=3, p=4, m=64 MiB.
DEFAULT_PARAMS = KdfParams(iterations=3, memory_kib=64 * 1024, lanes=4)


def passphrase_bytes(passphrase: str) -> bytes:
    """NFC-normalised UTF-8, so the same passphrase typed through any input method matches."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The 256-bit key that wraps each save's data key. Callers check bounds first."""
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase_bytes(passphrase))
