"""Inclusion and consistency proofs: their texts, and RFC 9162 2.1.3.2 / 2.1.4.2 verification.

Every part of a proof is bound to the root: the index and tree size steer the path, each hash
enters the recomputed root, and the count of hashes must come out exactly (`sn == 0`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verifier.encoding import Malformed, b64_hash, decimal
from verifier.hashing import node_hash
from verifier.note import Checkpoint, VerifierKey

INCLUSION_HEADER = "c2sp.org/tlog-proof@v1"
CONSISTENCY_HEADER = "caseledger/consistency@v1"


class ProofFailed(ValueError):
    """The proof does not lead to the root it claims."""


def verify_inclusion(
    index: int, tree_size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2: `leaf` is leaf `index` of the tree of `tree_size` with `root`."""
    if not 0 <= index < tree_size:
        raise ProofFailed(f"leaf index {index} is not in a tree of size {tree_size}")
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofFailed("the inclusion proof has more hashes than the tree has levels")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofFailed("the inclusion proof has too few hashes for its tree size")
    if r != root:
        raise ProofFailed("the inclusion proof does not lead to the checkpoint's root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2: the tree of size `second` extends the one of size `first`."""
    if not 0 <= first <= second:
        raise ProofFailed(f"a tree of size {first} cannot be extended to size {second}")
    if first == second or first == 0:
        if path:
            raise ProofFailed("a consistency proof from an empty or equal tree has no hashes")
        if first == second and first_root != second_root:
            raise ProofFailed("two trees of the same size have different roots")
        return
    if not path:
        raise ProofFailed("the consistency proof has no hashes")
    hashes = list(path)
    if first & (first - 1) == 0:  # an exact power of two: the old root is the first node
        hashes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            raise ProofFailed("the consistency proof has more hashes than the trees need")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofFailed("the consistency proof has too few hashes for its tree sizes")
    if fr != first_root:
        raise ProofFailed(f"the consistency proof does not lead to the root at size {first}")
    if sr != second_root:
        raise ProofFailed(f"the consistency proof does not lead to the root at size {second}")


def _split(text: str, what: str) -> tuple[list[str], str]:
    """The proof's lines before the blank line, and the checkpoint note after it (may be '')."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        if not text.endswith("\n"):
            raise Malformed(f"the {what} does not end with a newline")
        head, note = text[:-1], ""
    return head.split("\n"), note


def _hashes(lines: Sequence[str], what: str) -> tuple[bytes, ...]:
    return tuple(b64_hash(line, f"hash {n} of the {what}") for n, line in enumerate(lines, 1))


def _field(line: str, name: str, what: str) -> int:
    label, space, value = line.partition(" ")
    if label != name or not space:
        raise Malformed(f"the {what} has no '{name} N' line where expected")
    return decimal(value, f"the {what}'s {name}")


@dataclass(frozen=True)
class InclusionProof:
    """`c2sp.org/tlog-proof@v1`, `index N`, the audit path, a blank line, the checkpoint."""

    index: int
    path: tuple[bytes, ...]
    checkpoint_note: str

    @classmethod
    def parse(cls, text: str) -> InclusionProof:
        what = "inclusion proof"
        lines, note = _split(text, what)
        if len(lines) < 2 or lines[0] != INCLUSION_HEADER:
            raise Malformed(f"an {what} starts with {INCLUSION_HEADER} and an index line")
        if not note:
            raise Malformed(f"the {what} carries no checkpoint")
        return cls(_field(lines[1], "index", what), _hashes(lines[2:], what), note)


@dataclass(frozen=True)
class ConsistencyProof:
    """`caseledger/consistency@v1`, `from M`, `to N`, the hashes, then the checkpoint if any."""

    first: int
    second: int
    path: tuple[bytes, ...]
    checkpoint_note: str  # '' when the ledger has no checkpoint of size N

    @classmethod
    def parse(cls, text: str) -> ConsistencyProof:
        what = "consistency proof"
        lines, note = _split(text, what)
        if len(lines) < 3 or lines[0] != CONSISTENCY_HEADER:
            raise Malformed(f"a {what} starts with {CONSISTENCY_HEADER}, 'from M' and 'to N'")
        first = _field(lines[1], "from", what)
        second = _field(lines[2], "to", what)
        return cls(first, second, _hashes(lines[3:], what), note)


def check_inclusion(text: str, leaf: bytes, key: VerifierKey) -> Checkpoint:
    """A tlog-proof text: its checkpoint signed by `key`, and `leaf` at its index in that tree."""
    proof = InclusionProof.parse(text)
    checkpoint = Checkpoint.verify(proof.checkpoint_note, key)
    verify_inclusion(proof.index, checkpoint.tree_size, leaf, proof.path, checkpoint.root_hash)
    return checkpoint


def check_consistency(text: str, held_note: str, key: VerifierKey) -> Checkpoint:
    """A consistency text: the checkpoint in it extends the one the auditor holds."""
    proof = ConsistencyProof.parse(text)
    if not proof.checkpoint_note:
        raise ProofFailed("the consistency proof carries no checkpoint of its newer tree")
    held = Checkpoint.verify(held_note, key)
    new = Checkpoint.verify(proof.checkpoint_note, key)
    if (proof.first, proof.second) != (held.tree_size, new.tree_size):
        raise ProofFailed(
            f"the proof is from {proof.first} to {proof.second}, the checkpoints are of "
            f"{held.tree_size} and {new.tree_size} leaves"
        )
    verify_consistency(held.tree_size, new.tree_size, held.root_hash, new.root_hash, proof.path)
    return new
