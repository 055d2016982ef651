"""The signer's memory: the last checkpoint it signed, kept outside the database.

The database can be written by whoever holds its credentials; the checkpoints stored in it
cannot be what the signer trusts about its own past, or deleting them would make it sign a
rewritten tree as if it were the first. So the signer keeps its last signed note in a file
of its own (beside its key), and refuses to sign, or to start, when the stored checkpoints no
longer hold that note, or the tree no longer extends it.
"""

from __future__ import annotations

import os
from pathlib import Path

from projections.chain.signer import BadNote, Checkpoint, Verifier


class Forgotten(Exception):
    """The stored checkpoints lost the one the signer remembers, or its file is not ours."""


class SignerMemory:
    def __init__(self, path: Path | None):
        self.path = path

    def recall(self, verifier: Verifier) -> Checkpoint | None:
        """The last checkpoint this signer signed, checked with its own key; None at first."""
        if self.path is None or not self.path.exists():
            return None
        try:
            return Checkpoint.parse(verifier.verify(self.path.read_text(encoding="utf-8")))
        except (BadNote, ValueError, OSError) as e:
            raise Forgotten(f"the signer's memory {self.path} is not a note of its own: {e}") from e

    def forget(self) -> None:
        """Set the memory aside (kept, renamed): for a development ledger started anew."""
        if self.path is not None and self.path.exists():
            os.replace(self.path, self.path.with_name(f"{self.path.name}.forgotten"))

    def remember(self, note: str, size: int, verifier: Verifier) -> None:
        """Keep the note, unless a larger one is already remembered (another process's)."""
        if self.path is None:
            return
        known = self.recall(verifier)
        if known is not None and known.tree_size >= size:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        spare = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        spare.write_text(note, encoding="utf-8")
        os.replace(spare, self.path)
