"""Signed notes in the Go note forms: the golang.org/x/mod/sumdb/note test vector signs and
verifies byte for byte, and a note or key that is altered anywhere is refused."""

from __future__ import annotations

import base64

import pytest

from projections.chain.signer import BadKey, BadNote, Checkpoint, Signer, Verifier

# From golang.org/x/mod/sumdb/note's tests: a signer key, its verifier key, a text, its note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_the_go_note_vector_signs_and_verifies_byte_for_byte() -> None:
    signer = Signer.parse(GO_SIGNER)
    assert signer.verifier.text() == GO_VERIFIER
    assert signer.text() == GO_SIGNER
    assert signer.sign(GO_TEXT) == GO_NOTE
    assert Verifier.parse(GO_VERIFIER).verify(GO_NOTE) == GO_TEXT


def test_an_altered_note_or_a_foreign_key_is_refused() -> None:
    verifier = Verifier.parse(GO_VERIFIER)
    with pytest.raises(BadNote, match="does not verify"):
        verifier.verify(GO_NOTE.replace("cryptography", "cryptographY"))
    with pytest.raises(BadNote, match="no signature by"):
        Signer.generate("PeterNeumann").verifier.verify(GO_NOTE)  # same name, another key
    with pytest.raises(BadNote):
        verifier.verify(GO_TEXT)  # no signature at all


def test_keys_in_any_other_form_are_refused() -> None:
    for bad in (
        GO_SIGNER.replace("c74f20a3", "c74f20a4"),  # the id does not match the key
        GO_SIGNER.replace("PRIVATE+KEY+", ""),
        "PRIVATE+KEY+name with space+00000000+AA==",
        "PRIVATE+KEY+x+00000000+not base64!",
    ):
        with pytest.raises(BadKey):
            Signer.parse(bad)
    with pytest.raises(BadKey):
        Verifier.parse(GO_VERIFIER.replace("c74f20a3", "00000000"))


def test_a_checkpoint_round_trips_and_a_malformed_one_is_refused() -> None:
    root = bytes(range(32))
    text = Checkpoint("caseledger.local/320404", 1024, root).text()
    assert text == f"caseledger.local/320404\n1024\n{base64.b64encode(root).decode()}\n"
    assert Checkpoint.parse(text) == Checkpoint("caseledger.local/320404", 1024, root)
    for bad in (text.replace("1024", "01024"), text.replace("1024", "-1"), text[:-1],
                text.replace(base64.b64encode(root).decode(), "AAAA")):  # fmt: skip
        with pytest.raises(BadNote):
            Checkpoint.parse(bad)
