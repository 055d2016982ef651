"""Keyed pseudonymous person ids: an HMAC of the ID number, so nobody without the key can
compute one from a guessed number (an unkeyed hash of ~10^8 possible numbers falls in seconds).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

#: The person key of development and tests: public, so production refuses it.
DEV_PERSON_KEY = "dev-only-public-person-key-change-me-0123"
_PERSON_PREFIX = b"caseledger-person:"
_FINGERPRINT_MESSAGE = b"caseledger-person-key-fingerprint:v1"
_REQUEST_PREFIX = b"caseledger-request:v1:"
_DIGEST_PREFIX = b"caseledger-digest:v1:"


class Pseudonyms:
    """Turns ID numbers into person ids with one secret key (LEDGER_PERSON_KEY)."""

    def __init__(self, key: str) -> None:
        if len(key) < 32:
            raise ValueError("the person key must be at least 32 characters")
        self._key = key.encode("utf-8")

    def person_id(self, id_number: str) -> str:
        """A stable person id for an ID number (the X check character in either case)."""
        message = _PERSON_PREFIX + id_number.upper().encode("utf-8")
        return "P" + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:20]

    def fingerprint(self) -> str:
        """Names the key without revealing it: a database remembers which key made its ids."""
        return hmac.new(self._key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:32]

    def request_digest(self, body: bytes) -> str:
        """A keyed digest of a request (idempotency): a request holding an ID number cannot be
        recovered from it by trying the numbers, as an unkeyed hash could be."""
        return hmac.new(self._key, _REQUEST_PREFIX + body, hashlib.sha256).hexdigest()

    def digest(self, purpose: str, value: str) -> str:
        """A keyed digest of a personal value (a bank account), so a view can tell two equal
        values apart from others without holding either; nobody without the key can test a
        guessed value against it."""
        message = _DIGEST_PREFIX + purpose.encode("utf-8") + b":" + value.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def resolve(self, ref: dict[str, Any]) -> dict[str, Any]:
        """A reference to a person by `id_number` turned into one by `person_id`."""
        if ref.get("id_number") is None:
            return {k: v for k, v in ref.items() if k != "id_number"}
        data = {k: v for k, v in ref.items() if k != "id_number"}
        data["person_id"] = self.person_id(str(ref["id_number"]))
        return data


DEV_PSEUDONYMS = Pseudonyms(DEV_PERSON_KEY)
