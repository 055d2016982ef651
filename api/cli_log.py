"""`ledger checkpoint`, `ledger signing-key` and `ledger verify`: the verifiable log at the
console."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import psycopg
import typer
from pydantic import ValidationError
from rich.console import Console

from api.settings import Settings
from projections.backends import DatabaseUrl
from projections.chain import verifications
from projections.chain.checkpoints import CheckpointRefused
from projections.chain.signer import BadKey, Signer
from projections.store import Database

if TYPE_CHECKING:
    from api.container import Container
    from verifier.note import VerifierKey
    from verifier.report import Report

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


def verify(
    checkpoint: Annotated[
        list[Path] | None, typer.Option(help="a checkpoint you hold (repeat for more)")
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(help="the verifier key you hold (text or file); default: the ledger's own"),
    ] = None,
    case_file: Annotated[
        Path | None, typer.Option(help="verify this exported case file offline instead")
    ] = None,
) -> None:
    """Verify the log with the independent verifier: every leaf, the tree, every checkpoint;
    exit 1 naming the first bad position."""
    from api.cli import _progress
    from verifier.case_file import verify_case_file
    from verifier.log import HeldCheckpoint, verify_log
    from verifier.rows import LogRows, Unreadable
    from verifier.summary import Malformed, case_file_lines, load_key, log_lines

    key_source = "held" if public_key is not None else "ledger"
    if public_key is None:
        from api.signing import SigningKeyRefused, signer

        try:
            public_key = signer(Settings()).verifier.text()
        except SigningKeyRefused as e:
            console.print(f"[red]give --public-key: {e}[/]")
            raise typer.Exit(2) from None
        print(
            "using the ledger's own public key: an auditor passes the copy they hold "
            "(--public-key), not one taken from the ledger they check"
        )
    if case_file is not None and checkpoint:
        console.print(
            "[red]a case file proves its events against the checkpoint it carries; to hold "
            "that checkpoint against one you keep, check the consistency proof "
            "GET /api/v1/ledger/proof/consistency?from=<your size>&to=<the file's tree_size> "
            "with `python -m verifier consistency PROOF --checkpoint YOURS --public-key KEY`[/]"
        )
        raise typer.Exit(2)
    try:
        key = load_key(public_key)
        if case_file is not None:
            report = verify_case_file(case_file.read_text(encoding="utf-8"), key)
            if not report.ok:
                print(f"FAILED: {report.problem}")
                raise typer.Exit(1)
            print("\n".join(case_file_lines(report)))
            return
        held = [HeldCheckpoint(str(f), f.read_text(encoding="utf-8")) for f in checkpoint or ()]
        with LogRows(Settings().database_url) as rows, _progress() as bar:
            task = bar.add_task("verifying the log", total=None)
            log_report = verify_log(
                rows, key, held, lambda done, total: bar.update(task, completed=done, total=total)
            )
    except (Malformed, Unreadable, OSError) as e:
        console.print(f"[red]cannot verify: {e}[/]")
        raise typer.Exit(2) from None
    print("\n".join(log_lines(log_report)))
    failure = log_report.first_failure()
    _record(_run_of(log_report, failure, key_source, key, len(held)))
    if failure is not None:
        print(f"FAILED: {failure}")
        raise typer.Exit(1)
    print("verified")


def _run_of(
    report: Report, failure: str | None, key_source: str, key: VerifierKey, held: int
) -> verifications.Run:
    """The run to record, with whose key checked it: the ledger's own (a self-check) or one
    the auditor holds, its fingerprint, and how many held checkpoints were given."""
    checked = sum(1 for c in report.checkpoints if c.verdict != "unchecked")
    bad = report.problem.position if report.problem is not None else None
    detail = failure or f"verified: {report.leaves} leaves, {checked} checkpoints"
    return verifications.run_of(
        report.ok, report.leaves, checked, bad, detail, key_source=key_source,
        key_fingerprint=verifications.fingerprint(key.spelled()), held_checkpoints=held,
    )  # fmt: skip


def _record(run: verifications.Run) -> None:
    """Keep the run's outcome for `ledgerIntegrity`; a ledger that cannot take it (not migrated
    to 0020, read-only) still gets its verification, with a warning."""
    db = Database(DatabaseUrl.parse(Settings().database_url), pool_size=1)
    try:
        verifications.record(db, run)
    except (sqlite3.Error, psycopg.Error) as e:
        console.print(f"[yellow]the outcome was not recorded ({type(e).__name__})[/]")
    finally:
        db.close()


def verify_demo(container: Container) -> None:
    """Verify a freshly loaded demo's log once and record it, so that the dashboard starts
    with a real verification: about 0.2 s for the demo's 7,400 events (README)."""
    from verifier.log import verify_log
    from verifier.rows import LogRows
    from verifier.summary import load_key

    started = time.perf_counter()
    key = load_key(container.checkpointer.signer.verifier.text())
    with LogRows(container.settings.database_url) as rows:
        report = verify_log(rows, key)
    verifications.record(container.db, _run_of(report, report.first_failure(), "ledger", key, 0))
    outcome = "verified" if report.ok else f"FAILED: {report.first_failure()}"
    console.print(f"the demo's log: {report.leaves} events {outcome} in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
