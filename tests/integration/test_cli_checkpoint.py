"""`ledger checkpoint` seals, signs when the tree grew and prints the checkpoint; `ledger
signing-key` prints a key pair in the note forms that LEDGER_SIGNING_KEY accepts."""

from __future__ import annotations

import base64
import json
from typing import Any

from typer.testing import CliRunner

from api.cli import cli
from api.container import Container
from api.settings import Settings
from projections.chain import nodes
from projections.chain.signer import Checkpoint, Signer, Verifier
from tests.helpers import set_parameters


def run(settings: Settings, *args: str) -> Any:
    env = {
        "LEDGER_DATABASE_URL": settings.database_url, "LEDGER_RUN_PROJECTIONS": "false",
        "LEDGER_SIGNING_KEY_FILE": str(settings.dev_signing_key_file()),
    }  # fmt: skip
    return CliRunner().invoke(cli, list(args), env=env)


def test_checkpoint_seals_to_the_head_signs_and_prints_a_verifiable_note(
    settings: Settings, container: Container
) -> None:
    empty = run(settings, "checkpoint")
    assert empty.exit_code == 1 and "nothing to sign" in empty.output
    set_parameters(container.ledger)
    result = run(settings, "checkpoint")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    head = container.ledger.latest_position()
    assert answer["tree_size"] == head == nodes.size(container.db)  # sealed to the head
    assert answer["origin"] == "caseledger.local/320404"
    verifier = Verifier.parse(answer["public_key"])
    noted = Checkpoint.parse(verifier.verify(answer["note"]))
    assert (
        noted.tree_size == head
        and base64.b64encode(noted.root_hash).decode() == answer["root_hash"]
    )

    again = run(settings, "checkpoint", "--note")  # nothing new: the same checkpoint
    assert again.exit_code == 0 and again.stdout == answer["note"]
    key = run(settings, "checkpoint", "--public-key")
    assert key.stdout.strip() == answer["public_key"]
    count = container.db.scalar("SELECT COUNT(*) FROM merkle_checkpoints")
    assert count == 1


def test_signing_key_prints_a_signer_key_and_its_verifier_key(settings: Settings) -> None:
    result = run(settings, "signing-key", "--origin", "bureau.example/320404")
    assert result.exit_code == 0, result.output
    secret, public = result.stdout.strip().split("\n")
    signer = Signer.parse(secret)
    assert signer.name == "bureau.example/320404"
    assert Verifier.parse(public) == signer.verifier
    note = signer.sign("bureau.example/320404\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    assert Verifier.parse(public).verify(note)
    bad = run(settings, "signing-key", "--origin", "has space")
    assert bad.exit_code == 2
