"""C2SP signed notes and tlog-checkpoints with Ed25519, and the note verifier key format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from verifier.encoding import Malformed, b64, b64_hash, decimal, encode

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class BadSignature(ValueError):
    """The note is well formed but no signature on it verifies under the auditor's key."""


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


@dataclass(frozen=True)
class VerifierKey:
    """`<name>+<hex key id>+<base64(0x01 || public key)>`: whom a signature must come from."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        parts = text.strip().split("+", 2)  # base64 may hold a "+" too
        if len(parts) != 3 or not _valid_key_name(parts[0]):
            raise Malformed("a verifier key is <name>+<hex key id>+<base64 key>")
        name, hex_id, encoded = parts
        if len(hex_id) != 8 or hex_id != hex_id.lower():
            raise Malformed("the verifier key's id is not 8 lower-case hex digits")
        try:
            given_id = bytes.fromhex(hex_id)
        except ValueError:
            raise Malformed("the verifier key's id is not hex") from None
        raw = b64(encoded, "the verifier key")
        if len(raw) != 33 or raw[0] != ED25519:
            raise Malformed("the verifier key is not an Ed25519 key (0x01 and 32 bytes)")
        public_key = raw[1:]
        if key_id(name, public_key) != given_id:
            raise Malformed("the verifier key's id does not match its name and key")
        return cls(name, given_id, public_key)

    def spelled(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{encode(bytes([ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignedNote:
    """A note's text (each line with its newline) and its signature lines."""

    text: str
    signatures: tuple[tuple[str, bytes], ...]  # (key name, key id || signature)

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        text, sep, tail = note.rpartition("\n\n")
        if not sep or not text:
            raise Malformed("a signed note is its text, a blank line, then signature lines")
        text += "\n"
        if not tail.endswith("\n"):
            raise Malformed("the signed note does not end with a newline")
        signatures = []
        for line in tail[:-1].split("\n"):
            if not line.startswith(SIGNATURE_PREFIX):
                raise Malformed("a signature line starts with an em dash and a space")
            name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
            if not space or not _valid_key_name(name):
                raise Malformed("a signature line is '\u2014 <key name> <base64 signature>'")
            blob = b64(encoded, "a note signature")
            if len(blob) < 5:
                raise Malformed("a note signature is shorter than its key id")
            signatures.append((name, blob))
        return cls(text, tuple(signatures))

    def verify(self, key: VerifierKey) -> None:
        """Accept only if a signature by `key` (name and id) verifies over the text."""
        message = self.text.encode("utf-8")
        for name, blob in self.signatures:
            if name == key.name and blob[:4] == key.key_id and len(blob) == 4 + 64:
                if key.verify(message, blob[4:]):
                    return
                raise BadSignature(f"the signature of {key.name} on this note does not verify")
        raise BadSignature(f"the note carries no signature by the key {key.name}")


@dataclass(frozen=True)
class Checkpoint:
    """A verified tlog-checkpoint: the origin, the tree size and the root hash it commits to."""

    origin: str
    tree_size: int
    root_hash: bytes
    note: str

    @classmethod
    def parse_unverified(cls, note: str) -> tuple[Checkpoint, SignedNote]:
        signed = SignedNote.parse(note)
        lines = signed.text[:-1].split("\n")
        if len(lines) != 3:
            raise Malformed("a checkpoint is three lines: origin, tree size, root hash")
        origin, size, root = lines
        if not origin or origin != origin.strip():
            raise Malformed("the checkpoint's origin line is empty or padded")
        checkpoint = cls(
            origin, decimal(size, "the checkpoint's tree size"),
            b64_hash(root, "the checkpoint's root hash"), note,
        )  # fmt: skip
        return checkpoint, signed

    @classmethod
    def verify(cls, note: str, key: VerifierKey) -> Checkpoint:
        """Parse a checkpoint, check it is signed by `key` and that its origin is the key's."""
        checkpoint, signed = cls.parse_unverified(note)
        signed.verify(key)
        if checkpoint.origin != key.name:
            raise BadSignature(
                f"the checkpoint's origin {checkpoint.origin} is not the key's {key.name}"
            )
        return checkpoint
