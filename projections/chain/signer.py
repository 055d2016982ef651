"""Signed notes (C2SP signed-note, Ed25519) and the checkpoint text (C2SP tlog-checkpoint).

Keys travel in the Go note forms: a signer key `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ||
seed32)>` and a verifier key `<name>+<hex id>+<base64(0x01 || public32)>`, where the id is
SHA-256(name || 0x0A || 0x01 || public32)[:4]. The name is the log's origin.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014"  # the em dash that opens a signature line


class BadKey(ValueError):
    """A signer or verifier key that is not in the note form (the message holds no key bytes)."""


class BadNote(ValueError):
    """A note that does not parse, or whose signature does not verify."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _b64(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as e:
        raise BadKey("not valid base64") from e


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise BadKey("a key name is non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def text(self) -> str:
        """The verifier key, as auditors copy it."""
        encoded = base64.b64encode(ED25519 + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)  # base64 has '+' of its own
        if len(parts) != 3:
            raise BadKey("a verifier key is <name>+<hex id>+<base64 key>")
        name, hex_id, encoded = parts
        _check_name(name)
        raw = _b64(encoded)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise BadKey("not an Ed25519 verifier key")
        verifier = cls(name, raw[1:])
        if hex_id.lower() != verifier.id.hex():
            raise BadKey("the key id does not match the key")
        return verifier

    def verify(self, note: str) -> str:
        """The note's text once a signature of this key over it verifies; else BadNote."""
        text, signatures = _split(note)
        for line in signatures:
            name, _, encoded = line[len(DASH) + 1 :].partition(" ")
            if name != self.name:
                continue
            try:
                raw = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            if raw[:4] != self.id or len(raw) != 68:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(self.public).verify(raw[4:], text.encode())
            except InvalidSignature:
                raise BadNote(f"the signature of {self.name} does not verify") from None
            return text
        raise BadNote(f"the note has no signature by {self.name}+{self.id.hex()}")


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Verifier:
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, public)

    def text(self) -> str:
        """The signer key in the Go note form (a secret)."""
        encoded = base64.b64encode(ED25519 + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{encoded}"

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(name, seed)

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise BadKey("a signer key is PRIVATE+KEY+<name>+<hex id>+<base64 key>")
        name, hex_id, encoded = parts[2:]
        _check_name(name)
        raw = _b64(encoded)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise BadKey("not an Ed25519 signer key")
        signer = cls(name, raw[1:])
        if hex_id.lower() != signer.verifier.id.hex():
            raise BadKey("the key id does not match the key")
        return signer

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line, and this key's signature line."""
        if not text.endswith("\n"):
            raise ValueError("a note's text ends with a newline")
        signature = self._private.sign(text.encode())
        encoded = base64.b64encode(self.verifier.id + signature).decode()
        return f"{text}\n{DASH} {self.name} {encoded}\n"


def _split(note: str) -> tuple[str, list[str]]:
    """The text (up to and with its last newline) and the signature lines after the blank one."""
    text, sep, rest = note.rpartition("\n\n")
    if not sep or not rest.endswith("\n"):
        raise BadNote("not a signed note")
    lines = rest[:-1].split("\n")
    if not lines or not all(line.startswith(DASH + " ") for line in lines):
        raise BadNote("not a signed note")
    return text + "\n", lines


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes

    def text(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        return f"{self.origin}\n{self.tree_size}\n{root}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise BadNote("a checkpoint is origin, size and root, one per line")
        origin, size, root = lines[:3]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise BadNote("the tree size is not a decimal number")
        try:
            raw = base64.b64decode(root, validate=True)
        except (binascii.Error, ValueError):
            raise BadNote("the root hash is not base64") from None
        if len(raw) != 32:
            raise BadNote("the root hash is not 32 bytes")
        return cls(origin, int(size), raw)
