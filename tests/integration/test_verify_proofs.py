"""The ledger's own inclusion and consistency proofs verify with the independent verifier, on
both backends, and a forged one is refused whatever part of its text is changed."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from projections.chain import proofs
from tests.merkle_writer import leaf_of
from tests.sealed_ledger import Sealed, early_size, sealed
from verifier.__main__ import main
from verifier.encoding import Malformed
from verifier.note import BadSignature, VerifierKey
from verifier.proofs import ProofFailed, check_consistency, check_inclusion

__all__ = ["sealed"]  # the fixture
REFUSED = (Malformed, BadSignature, ProofFailed)


def _flip_line(text: str, n: int) -> str:
    """Flip one bit of the n-th base64 hash line of a proof text."""
    lines = text.split("\n")
    data = base64.b64decode(lines[n])
    lines[n] = base64.b64encode(bytes([data[0] ^ 1]) + data[1:]).decode()
    return "\n".join(lines)


def _forgeries(text: str, first_hash: int) -> dict[str, Callable[[str], str]]:
    head, note = text.split("\n\n", 1)
    hashes = head.split("\n")[first_hash:]
    size = note.split("\n")[1]
    forged: dict[str, Callable[[str], str]] = {
        "an extra hash": lambda t: t.replace("\n\n", f"\n{hashes[0]}\n\n", 1),
        "a missing hash": lambda t: t.replace(f"\n{hashes[-1]}\n\n", "\n\n", 1),
        "the tree size": lambda t: t.replace(f"\n{size}\n", f"\n{int(size) + 1}\n", 1),
        "the root": lambda t: t[: len(head) + 2] + _flip_line(note, 2),
        "the origin": lambda t: t.replace("caseledger.local/", "caseledger.evil/", 1),
        "the signature": lambda t: t[:-12] + ("A" if t[-12] != "A" else "B") + t[-11:],
        "no checkpoint": lambda t: head + "\n",
    }
    for i in range(len(hashes)):
        forged[f"hash {i}"] = lambda t, i=i: _flip_line(t, first_hash + i)
    return forged


def test_every_events_inclusion_proof_verifies_and_no_forgery_does(sealed: Sealed) -> None:
    key = VerifierKey.parse(sealed.key)
    rows = sealed.tables.event_rows()
    db = sealed.container.db
    for index, row in enumerate(rows):
        text = proofs.inclusion(db, row[0])
        leaf = leaf_of(*row)
        assert check_inclusion(text, leaf, key).tree_size == len(rows)
        other = leaf_of(*rows[(index + 1) % len(rows)])
        with pytest.raises(REFUSED):
            check_inclusion(text, other, key)  # another event's leaf
        moved = text.replace(f"\nindex {index}\n", f"\nindex {index ^ 1}\n")
        with pytest.raises(REFUSED):
            check_inclusion(moved, leaf, key)  # another index
    text, leaf = proofs.inclusion(db, rows[5][0]), leaf_of(*rows[5])
    for name, forge in _forgeries(text, 2).items():
        with pytest.raises(REFUSED):
            check_inclusion(forge(text), leaf, key)
            pytest.fail(f"accepted with {name} forged")
    early = proofs.inclusion(db, rows[5][0], early_size(sealed))
    assert early != text  # a proof from another tree (the early one) ...
    with pytest.raises(REFUSED):
        check_inclusion(early.split("\n\n")[0] + "\n\n" + text.split("\n\n", 1)[1], leaf, key)


def test_the_published_checkpoint_extends_the_held_early_one(sealed: Sealed) -> None:
    key = VerifierKey.parse(sealed.key)
    k, n = early_size(sealed), len(sealed.positions)
    text = proofs.consistency(sealed.container.db, k, n)
    held = sealed.early.read_text()
    assert check_consistency(text, held, key).tree_size == n
    for name, forge in _forgeries(text, 3).items():
        with pytest.raises(REFUSED):
            check_consistency(forge(text), held, key)
            pytest.fail(f"accepted with {name} forged")
    with pytest.raises(REFUSED):
        check_consistency(text.replace(f"from {k}\n", f"from {k - 1}\n"), held, key)
    path = sealed.held.parent / "consistency.txt"
    path.write_text(text)
    args = ["consistency", str(path), "--checkpoint", str(sealed.early), "--public-key", sealed.key]
    assert main(args) == 0
    path.write_text(_flip_line(text, 3))
    assert main(args) == 1
