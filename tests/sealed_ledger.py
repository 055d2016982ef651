"""A real ledger sealed and signed by its own sealer and checkpointer, for the verifier's
integration tests (tamper tests and real proofs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from builders import PARAMETERS, WORKER, application, walk_to_active
from typer.testing import CliRunner

from api.cli import cli
from api.container import Container
from api.settings import Settings
from api.signing import signer
from projections.chain import checkpoints, nodes
from projections.chain.signer import Signer
from tests.helpers import ADMIN
from tests.merkle_writer import Tables


@dataclass
class Sealed:
    """A real ledger sealed and signed by its own sealer and checkpointer, and what the auditor
    holds: the ledger's public key and the checkpoints it published (early, and of it all)."""

    settings: Settings
    container: Container
    tables: Tables
    signer: Signer
    positions: list[int]
    early: Path
    held: Path

    @property
    def key(self) -> str:
        return self.signer.verifier.text()

    def verify(self, *held: Path, key: str | None = None) -> Any:
        env = {
            "LEDGER_DATABASE_URL": self.settings.database_url,
            "LEDGER_SIGNING_KEY_FILE": str(self.settings.dev_signing_key_file()),
        }
        args = ["verify", "--public-key", key or self.key]
        for f in held or (self.held,):
            args += ["--checkpoint", str(f)]
        return CliRunner().invoke(cli, args, env=env)


def _publish(container: Container, path: Path) -> Path:
    """Cut a checkpoint now, as the ledger does, and keep a copy as the auditor would."""
    stored = container.checkpointer.cut(force=True) or checkpoints.latest(container.db)
    assert stored is not None and stored.tree_size == nodes.size(container.db)
    path.write_text(stored.note, encoding="utf-8")
    return path


@pytest.fixture
def sealed(container: Container, tmp_path: Path) -> Iterator[Sealed]:
    ledger = container.ledger
    for name, value, start in PARAMETERS:
        ledger.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    container.runner.run_once()  # the sealer is one of the runner's processes
    early = _publish(container, tmp_path / "early.checkpoint")
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    container.runner.run_once()
    held = _publish(container, tmp_path / "held.checkpoint")
    tables = Tables(container.settings.database_url)
    rows = tables.event_rows()
    [[count]] = tables.sql("SELECT count(*) FROM merkle_leaves")
    assert count == len(rows) >= 16
    positions = [r[0] for r in rows]
    try:
        key = signer(container.settings)
        yield Sealed(container.settings, container, tables, key, positions, early, held)
    finally:
        tables.close()


def early_size(sealed: Sealed) -> int:
    return int(sealed.early.read_text().split("\n")[1])
