"""Strict base64 and decimal parsing: one spelling per value, so that nothing is malleable."""

from __future__ import annotations

import base64
import binascii
import re

from verifier.hashing import HASH_SIZE

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class Malformed(ValueError):
    """A text the verifier cannot accept as written (wrong form, not a forgery check)."""


def b64(text: str, what: str) -> bytes:
    """Standard base64 with padding, in its one canonical spelling."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise Malformed(f"{what} is not standard base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise Malformed(f"{what} is not in canonical base64")
    return data


def b64_hash(text: str, what: str) -> bytes:
    data = b64(text, what)
    if len(data) != HASH_SIZE:
        raise Malformed(f"{what} is {len(data)} bytes, not {HASH_SIZE}")
    return data


def decimal(text: str, what: str) -> int:
    """A non-negative decimal without leading zeros (`0` itself is fine)."""
    if not _DECIMAL.fullmatch(text):
        raise Malformed(f"{what} is not a decimal without leading zeros: {text[:30]!r}")
    return int(text)


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
