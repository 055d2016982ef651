"""The checkpoint signing key: LEDGER_SIGNING_KEY, or in development a key file made once.

In development with no key set, `make run` must still sign: a key is created on first start
in `Settings.dev_signing_key_file()` (mode 0600, beside the default database) and its public
verifier key is logged. Production refuses to start without LEDGER_SIGNING_KEY (settings).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from api.settings import Settings
from projections.chain.signer import BadKey, Signer

log = logging.getLogger("caseledger.chain")


class SigningKeyRefused(ValueError):
    """The key cannot sign this log (wrong form, or named for another origin); no key bytes."""


def signer(settings: Settings) -> Signer:
    """The checkpoint signer, its name checked against the log's origin."""
    if settings.signing_key is not None:
        text, source = settings.signing_key.get_secret_value(), "LEDGER_SIGNING_KEY"
    elif settings.environment == "production":
        raise SigningKeyRefused("set LEDGER_SIGNING_KEY: production signs with its own key")
    else:
        path = settings.dev_signing_key_file()
        text, source = _dev_key(path, settings.origin), str(path)
    try:
        found = Signer.parse(text)
    except BadKey as e:
        raise SigningKeyRefused(f"{source} is not a note signer key: {e}") from None
    if found.name != settings.origin:
        raise SigningKeyRefused(
            f"{source} is named {found.name!r}, not the log origin {settings.origin!r}"
            " (LEDGER_LOG_ORIGIN)"
        )
    return found


def _dev_key(path: Path, origin: str) -> str:
    """Read the development key, creating it once (atomically: two starts agree on one)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = Signer.generate(origin)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(made.text() + "\n")
    try:
        os.link(temporary, path)  # fails if another start got there first: use theirs
        log.warning(
            "created a development checkpoint signing key in %s; its verifier key: %s",
            path, made.verifier.text(),
        )  # fmt: skip
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path.read_text(encoding="utf-8").strip()
