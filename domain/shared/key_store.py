"""Where the per-person data keys are kept, wrapped by the master key (domain.shared.personal_data).

`KeyStore` is the port: SQL in production (projections/person_keys.py), `InMemoryKeyStore`
in tests and for a ledger built without a database of views.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol


class KeyUnavailable(Exception):
    """A data key cannot be unwrapped: the master key is not the one that wrapped it."""


@dataclass(frozen=True)
class StoredKey:
    """One row of the key table: the data key wrapped by the master key (None once destroyed)."""

    key_id: str
    person_id: str
    wrapped: str | None
    wrapped_with: str  # the fingerprint of the master key that wrapped it


class KeyStore(Protocol):
    """Where wrapped data keys live; `add` and `destroy` commit before they return."""

    def live_key(self, person_id: str) -> StoredKey | None: ...

    def get(self, key_id: str) -> StoredKey | None: ...

    def get_many(self, key_ids: Iterable[str]) -> list[StoredKey]:
        """The stored keys of these ids (unknown ids left out), in one read."""
        ...

    def add(self, key: StoredKey, created_at: str) -> StoredKey:
        """Commit a new live key; when another writer committed one first, answer that one."""
        ...

    def destroy(
        self, person_id: str, destroyed_at: str, key_ids: list[str] | None = None
    ) -> list[str]:
        """Forget the wrapped bytes of the person's keys (those named, or all); answer the ids."""
        ...

    def live_keys(self) -> list[StoredKey]: ...

    def rewrap(self, key: StoredKey) -> None: ...


class InMemoryKeyStore:
    """The key table of the in-memory ledger (unit tests)."""

    def __init__(self) -> None:
        self._keys: dict[str, StoredKey] = {}
        self._lock = threading.Lock()

    def live_key(self, person_id: str) -> StoredKey | None:
        return next(
            (k for k in self._keys.values() if k.person_id == person_id and k.wrapped), None
        )

    def get(self, key_id: str) -> StoredKey | None:
        return self._keys.get(key_id)

    def get_many(self, key_ids: Iterable[str]) -> list[StoredKey]:
        return [k for k in (self._keys.get(i) for i in key_ids) if k is not None]

    def add(self, key: StoredKey, created_at: str) -> StoredKey:
        with self._lock:
            found = self.live_key(key.person_id)
            if found is not None:
                return found
            self._keys[key.key_id] = key
            return key

    def destroy(
        self, person_id: str, destroyed_at: str, key_ids: list[str] | None = None
    ) -> list[str]:
        with self._lock:
            mine = [k for k in self._keys.values() if k.person_id == person_id and k.wrapped]
            ids = [k.key_id for k in mine if key_ids is None or k.key_id in key_ids]
            for key_id in ids:
                self._keys[key_id] = replace(self._keys[key_id], wrapped=None)
            return ids

    def live_keys(self) -> list[StoredKey]:
        return [k for k in self._keys.values() if k.wrapped]

    def rewrap(self, key: StoredKey) -> None:
        self._keys[key.key_id] = key
