"""Deterministic Stripe-style ids: `<prefix>_<14 base62 chars>` derived from the seed and a name.

The same seed and name always give the same id, and the name says what the id is for
(`("invoice", "sub_…", "2026-08")`), so ids never depend on generation order.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Ids:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._issued: dict[str, tuple] = {}

    def stripe(self, prefix: str, *name: object, length: int = 14) -> str:
        text = "/".join([str(self.seed), prefix, *map(str, name)])
        number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")
        chars = []
        for _ in range(length):
            number, digit = divmod(number, 62)
            chars.append(_ALPHABET[digit])
        made = f"{prefix}_{''.join(chars)}"
        previous = self._issued.setdefault(made, name)
        if previous != name:  # 62^14 makes this practically impossible; never silently reuse
            raise RuntimeError(f"id collision for {made}: {previous} and {name}")
        return made
