"""Signed checkpoints verify only under the auditor's key, with the key's origin, as written."""

from __future__ import annotations

import hashlib

import pytest

from tests.merkle_writer import Signer, b64
from verifier.encoding import Malformed
from verifier.note import BadSignature, Checkpoint, VerifierKey

ROOT = hashlib.sha256(b"root").digest()


def test_a_checkpoint_signed_by_the_key_verifies_and_says_what_it_commits_to() -> None:
    signer = Signer()
    key = VerifierKey.parse(signer.verifier_key())
    checkpoint = Checkpoint.verify(signer.checkpoint(12, ROOT), key)
    assert (checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash) == (
        signer.origin, 12, ROOT,
    )  # fmt: skip
    assert key.spelled() == signer.verifier_key()


def test_a_checkpoint_is_refused_when_any_part_changes() -> None:
    signer = Signer()
    key = VerifierKey.parse(signer.verifier_key())
    note = signer.checkpoint(12, ROOT)
    text, signature = note.split("\n\n")
    forged = [
        note.replace("\n12\n", "\n13\n"),  # tree size
        note.replace(b64(ROOT), b64(hashlib.sha256(b"other").digest())),  # root
        note.replace(signer.origin + "\n", "caseledger.evil/320404\n", 1),  # origin
        text + "\n\n" + signature.replace(signature[-6:-2], "AAAA"),  # the signature
        Signer().checkpoint(12, ROOT),  # another key under the same name
        signer.checkpoint(12, ROOT, origin="caseledger.other/1"),  # signed, another origin
        text.replace("\n12\n", "\n12\nextension\n") + "\n\n" + signature,
    ]
    for bad in forged:
        with pytest.raises((BadSignature, Malformed)):
            Checkpoint.verify(bad, key)


@pytest.mark.parametrize(
    "change",
    [
        lambda n: n.replace("\n12\n", "\n012\n"),
        lambda n: n.replace("\n12\n", "\n+12\n"),
        lambda n: n.replace("\n\n", "\n"),
        lambda n: n.replace("\u2014", "-"),
        lambda n: n.rstrip("\n"),
        lambda n: n.replace(b64(ROOT), b64(ROOT).rstrip("=")),
        lambda n: n.replace(b64(ROOT), b64(ROOT[:31])),
    ],
)
def test_a_checkpoint_not_in_its_one_spelling_is_malformed(change: object) -> None:
    signer = Signer()
    with pytest.raises(Malformed):
        Checkpoint.parse_unverified(change(signer.checkpoint(12, ROOT)))  # type: ignore[operator]


def test_a_verifier_key_must_carry_its_own_id() -> None:
    text = Signer().verifier_key()
    name, key_id, encoded = text.split("+", 2)
    VerifierKey.parse(text + "\n")
    for bad in [
        f"{name}+{'0' * 8}+{encoded}",
        f"{name}x+{key_id}+{encoded}",
        f"{name}+{key_id}+{encoded[:-4]}",
        f"{name}+{key_id}",
        *([f"{name}+{key_id.upper()}+{encoded}"] if key_id.upper() != key_id else []),
    ]:
        with pytest.raises(Malformed):
            VerifierKey.parse(bad)
