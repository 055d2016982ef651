"""`ledger checkpoint` and `ledger signing-key`: the verifiable log at the console."""

from __future__ import annotations

import base64
import json
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from api.settings import Settings
from projections.chain.checkpoints import CheckpointRefused
from projections.chain.signer import BadKey, Signer

console = Console(stderr=True)


def checkpoint(
    note: Annotated[bool, typer.Option("--note", help="print only the signed note")] = False,
    public_key: Annotated[
        bool, typer.Option("--public-key", help="print only the verifier key")
    ] = False,
) -> None:
    """Seal to the head, sign a checkpoint if the tree grew, and print the latest (JSON)."""
    from api.cli import _container

    container = _container()
    try:
        verifier = container.checkpointer.signer.verifier.text()
        if public_key:
            print(verifier)
            return
        container.sealer.run_once()
        container.checkpointer.cut()
        from projections.chain import checkpoints

        latest = checkpoints.latest(container.db)
    except CheckpointRefused as e:
        console.print(f"[red]refused to sign: {e}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    if latest is None:
        console.print("[red]the ledger is empty: there is nothing to sign yet[/]")
        raise typer.Exit(1)
    if note:
        print(latest.note, end="")
        return
    answer = {
        "origin": container.settings.origin,
        "tree_size": latest.tree_size,
        "root_hash": base64.b64encode(latest.root_hash).decode(),
        "signed_at": latest.signed_at,
        "note": latest.note,
        "public_key": verifier,
    }
    print(json.dumps(answer, indent=2, ensure_ascii=False))


def signing_key(
    origin: Annotated[
        str | None, typer.Option(help="the log origin; default LEDGER_LOG_ORIGIN's")
    ] = None,
) -> None:
    """Print a new Ed25519 signing key (line 1, for LEDGER_SIGNING_KEY) and its verifier key."""
    if origin is None:
        try:
            origin = Settings().origin
        except ValidationError:
            console.print("[red]the settings do not load (production?): give --origin[/]")
            raise typer.Exit(2) from None
    try:
        made = Signer.generate(origin)
    except BadKey as e:
        console.print(f"[red]--origin: {e}[/]")
        raise typer.Exit(2) from None
    console.print("line 1: LEDGER_SIGNING_KEY (secret); line 2: the verifier key to publish")
    print(made.text())
    print(made.verifier.text())
