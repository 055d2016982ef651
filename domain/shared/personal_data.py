"""Per-person data keys: each person's personal data is sealed with that person's own key.

A value is sealed as `sealed:v1:<key id>:<base64 nonce+ciphertext>` (AES-256-GCM, the key id
as associated data), so it says which key opens it. Data keys are kept wrapped by the master
key in a `KeyStore` (SQL in production, `InMemoryKeyStore` in tests). Destroying a person's
keys erases that person everywhere the sealed values went: events, views, backups taken later.
A value whose key is destroyed opens as `ERASED`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any
from uuid import uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.shared.key_store import KeyStore, KeyUnavailable, StoredKey

#: What a value sealed with a destroyed key shows, everywhere.
ERASED = "[erased]"
SEALED = "sealed:v1:"
#: The master key of development and tests when LEDGER_CIPHER_KEY is unset: public, so
#: production refuses to run without its own.
DEV_PUBLIC_MASTER_KEY = "dev-only-PUBLIC-master-key-for-person-keys-not-secret"
_WRAP_INFO = b"caseledger:wrap-person-data-keys:v1"
_FINGERPRINT_INFO = b"caseledger:master-key-fingerprint:v1"


def _derive(master_key: str, info: bytes) -> bytes:
    return hmac.new(master_key.encode("utf-8"), info, hashlib.sha256).digest()


def master_fingerprint(master_key: str) -> str:
    """Names a master key without revealing it (stored beside each key it wraps)."""
    return _derive(master_key, _FINGERPRINT_INFO).hex()[:32]


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEALED)


class PersonalData:
    """Seals and opens personal data with per-person keys, caching unwrapped keys briefly."""

    def __init__(
        self,
        store: KeyStore,
        master_key: str = DEV_PUBLIC_MASTER_KEY,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], str] | None = None,
    ) -> None:
        self.store = store
        self._wrapping = AESGCM(_derive(master_key, _WRAP_INFO))
        self.master_fingerprint = master_fingerprint(master_key)
        self._ttl = cache_seconds
        self._clock = clock
        self._now = now or _utc_now
        #: key id -> (data key, or None once destroyed: that never changes back; expiry)
        self._by_id: dict[str, tuple[bytes | None, float]] = {}
        self._by_person: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    # -- keys ---------------------------------------------------------------------------------

    def _wrap(self, key_id: str, person_id: str, data_key: bytes) -> str:
        nonce = os.urandom(12)
        sealed = self._wrapping.encrypt(nonce, data_key, f"{key_id}|{person_id}".encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def _unwrap(self, key: StoredKey) -> bytes:
        assert key.wrapped is not None
        raw = base64.b64decode(key.wrapped)
        try:
            return self._wrapping.decrypt(
                raw[:12], raw[12:], f"{key.key_id}|{key.person_id}".encode()
            )
        except InvalidTag:
            raise KeyUnavailable(
                "a person's data key was wrapped with another master key: set LEDGER_CIPHER_KEY "
                "to the key this database was made with"
            ) from None

    def _remember(self, key: StoredKey, data_key: bytes) -> None:
        expires = self._clock() + self._ttl
        self._by_id[key.key_id] = (data_key, expires)
        self._by_person[key.person_id] = (key.key_id, expires)

    def _data_key(self, key_id: str) -> bytes | None:
        """The unwrapped key, or None when it is destroyed (or unknown)."""
        cached = self._by_id.get(key_id)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        key = self.store.get(key_id)
        if key is None or key.wrapped is None:
            return None
        data_key = self._unwrap(key)
        self._remember(key, data_key)
        return data_key

    def prefetch(self, key_ids: Iterable[str]) -> None:
        """Unwrap and cache, with one read of the key table, the keys not cached yet.

        A batch of events (a rebuild's, a catch-up's) names thousands of people, each
        seldom: opening them one by one would read the key table once per person."""
        now = self._clock()
        missing = {k for k in key_ids if (c := self._by_id.get(k)) is None or c[1] <= now}
        if not missing:
            return
        for key in self.store.get_many(sorted(missing)):
            if key.wrapped is not None:
                self._remember(key, self._unwrap(key))
            else:
                self._by_id[key.key_id] = (None, float("inf"))  # destroyed for good

    def key_for(self, person_id: str) -> tuple[str, bytes]:
        """The person's live key, created and committed first when there is none yet."""
        cached = self._by_person.get(person_id)
        if cached is not None and cached[1] > self._clock():
            data_key = self._data_key(cached[0])
            if data_key is not None:
                return cached[0], data_key
        key = self.store.live_key(person_id)
        if key is None:
            with self._lock:
                key_id = uuid4().hex
                fresh = AESGCM.generate_key(bit_length=256)
                new = StoredKey(
                    key_id, person_id, self._wrap(key_id, person_id, fresh),
                    self.master_fingerprint,
                )  # fmt: skip
                key = self.store.add(new, self._now())
        data_key = self._unwrap(key)
        self._remember(key, data_key)
        return key.key_id, data_key

    def erase(self, person_id: str, key_ids: list[str] | None = None) -> list[str]:
        """Destroy the person's keys (those named, or all), here too; answer the key ids."""
        destroyed = self.store.destroy(person_id, self._now(), key_ids)
        with self._lock:
            self._by_person.pop(person_id, None)
            for key_id in destroyed:
                self._by_id.pop(key_id, None)
        return destroyed

    def forget_cache(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._by_person.clear()

    def rewrap_all(self, new_master_key: str) -> int:
        """Wrap every live data key with a new master key; answer how many."""
        new = PersonalData(self.store, new_master_key)
        count = 0
        for key in self.store.live_keys():
            data_key = self._unwrap(key)
            wrapped = new._wrap(key.key_id, key.person_id, data_key)
            self.store.rewrap(replace(key, wrapped=wrapped, wrapped_with=new.master_fingerprint))
            count += 1
        self.forget_cache()
        return count

    # -- values -------------------------------------------------------------------------------

    def seal(self, person_id: str, value: Any) -> Any:
        """A text sealed with the person's key; None, sealed and erased values as they are."""
        if value is None or is_sealed(value) or value == ERASED:
            return value
        key_id, data_key = self.key_for(person_id)
        plain = str(value).encode("utf-8")
        # A synthetic nonce (an HMAC of the text under the data key): the same text under the
        # same key seals the same, so a rebuilt view is byte for byte the view it replaces;
        # different texts never share a nonce. It shows only that one person's value repeats.
        nonce = hmac.new(data_key, b"nonce:" + plain, hashlib.sha256).digest()[:12]
        sealed = AESGCM(data_key).encrypt(nonce, plain, key_id.encode())
        return f"{SEALED}{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, value: Any) -> Any:
        """A sealed value's text, ERASED when its key is destroyed; other values as they are."""
        if not is_sealed(value):
            return value
        key_id, _, payload = value[len(SEALED) :].partition(":")
        data_key = self._data_key(key_id)
        if data_key is None:
            return ERASED
        raw = base64.b64decode(payload)
        try:
            return AESGCM(data_key).decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")
        except InvalidTag:
            raise KeyUnavailable(f"a sealed value does not open with its key {key_id}") from None

    # -- `personal` blocks in event data ------------------------------------------------------

    def seal_blocks(self, data: Any, owner: str | None = None) -> Any:
        """Event data with every `personal` block's values sealed with its owner's key.

        A block names its owner by a `person_id` beside or above it; `owner` is the fallback
        (for data stored before every block had one); without it such a block is refused.
        """
        return _map_blocks(data, owner, self.seal, strict=owner is None)

    def open_blocks(self, data: Any) -> Any:
        """Event data with every sealed value of its `personal` blocks opened."""
        return _map_blocks(data, None, lambda _, v: self.open(v))

    def open_many_blocks(self, states: list[Any]) -> list[Any]:
        """`open_blocks` of many events' data, their keys read together first."""
        ids: set[str] = set()
        for state in states:
            _sealed_key_ids(state, ids)
        self.prefetch(ids)
        return [self.open_blocks(state) for state in states]

    def ensure_keys(self, events: Iterable[dict[str, Any]]) -> None:
        """Create, before a transaction that will need them, the keys these events' blocks need.

        A block that names no person (stored before every block did) is its aggregate's.
        """
        owners: set[str] = set()
        for state in events:
            fallback = fallback_owner(state.get("originator_id"))
            _map_blocks(state, fallback, lambda p, v: owners.add(p) if _plain(v) else None)
        for person_id in owners:
            self.key_for(person_id)


def fallback_owner(originator_id: Any) -> str:
    """Whose key seals, in a view, a block stored before every block named its person."""
    return f"aggregate:{originator_id}"


def _sealed_key_ids(value: Any, found: set[str], inside: bool = False) -> None:
    """Add to `found` the key id of every sealed value in `personal` blocks of the data."""
    if isinstance(value, dict):
        for k, v in value.items():
            if inside or (k == "personal" and isinstance(v, dict)):
                _sealed_key_ids(v, found, True)
            elif isinstance(v, dict | list | tuple):
                _sealed_key_ids(v, found)
    elif isinstance(value, list | tuple):
        for v in value:
            _sealed_key_ids(v, found, inside)
    elif inside and is_sealed(value):
        found.add(value[len(SEALED) :].partition(":")[0])


def _plain(value: Any) -> bool:
    return value is not None and not is_sealed(value) and value != ERASED


def _map_blocks(
    value: Any, owner: str | None, fn: Callable[[str, Any], Any], strict: bool = False
) -> Any:
    """Apply fn(owner, value) to each value of each `personal` block; a new copy when changed.

    A block's owner is the `person_id` beside it, or the nearest one above it; `strict`
    refuses a block with plain values and no owner (sealing must never skip one).
    """
    if isinstance(value, dict):
        here = value.get("person_id")
        owner = here if isinstance(here, str) and here else owner
        changed: dict[str, Any] | None = None
        for k, v in value.items():
            if k == "personal" and isinstance(v, dict):
                if strict and owner is None and any(_plain(x) for x in v.values()):
                    raise ValueError("a `personal` block needs a person_id beside or above it")
                new: Any = {bk: fn(owner or "", bv) for bk, bv in v.items()}
            else:
                new = _map_blocks(v, owner, fn, strict)
            if new is not v:
                changed = changed if changed is not None else dict(value)
                changed[k] = new
        return value if changed is None else changed
    if isinstance(value, list | tuple):
        items = [_map_blocks(v, owner, fn, strict) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
