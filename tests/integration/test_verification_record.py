"""`ledger verify` records each run of the log, and `ledgerIntegrity` shows the last one over
real HTTP, on both backends: a clean run, then a tampered row named by its position."""

from __future__ import annotations

from typing import Any

import httpx

from api import cli_log
from api.auth import issue_token
from projections.chain import verifications
from tests.e2e.conftest import serving
from tests.sealed_ledger import Sealed, sealed

__all__ = ["sealed"]  # the fixture

QUERY = """{ ledgerIntegrity { headPosition sealedSize sealLagEvents sealLagSeconds
  latestCheckpoint { treeSize rootHash }
  lastVerification { at ok treeSize checkpointsChecked firstBadPosition detail
    key keyFingerprint heldCheckpoints } } }"""


def _integrity(sealed: Sealed, base: str) -> dict[str, Any]:
    secret = sealed.settings.jwt_secret.get_secret_value()
    token = issue_token(secret, "auditor-1", "auditor", None, 1)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        body = client.post("/graphql", json={"query": QUERY}).json()
    assert "errors" not in body, body
    return dict(body["data"]["ledgerIntegrity"])


def test_the_last_verification_shows_in_ledger_integrity(sealed: Sealed) -> None:
    container = sealed.container
    assert verifications.latest(container.db) is None
    with serving(container) as base:
        before = _integrity(sealed, base)
        assert before["lastVerification"] is None
        assert before["sealedSize"] == len(sealed.positions) and before["sealLagEvents"] == 0
        assert before["headPosition"] == sealed.positions[-1]
        assert before["latestCheckpoint"]["treeSize"] == len(sealed.positions)

        assert sealed.verify().exit_code == 0
        clean = _integrity(sealed, base)["lastVerification"]
        assert clean["ok"] is True and clean["firstBadPosition"] is None
        assert clean["treeSize"] == len(sealed.positions)
        assert clean["checkpointsChecked"] >= 3  # two stored, one held
        assert clean["detail"].startswith("verified")
        # the auditor passed the key they hold (--public-key) and one held checkpoint
        assert (clean["key"], clean["heldCheckpoints"]) == ("held", 1)
        assert clean["keyFingerprint"] == verifications.fingerprint(sealed.key)

        t, p = sealed.tables, sealed.positions[6]
        t.sql(f"UPDATE {t.events} SET state = %s WHERE {t.position} = %s", (b"forged", p))
        assert sealed.verify().exit_code == 1
        failed = _integrity(sealed, base)["lastVerification"]
    assert failed["ok"] is False and failed["firstBadPosition"] == p
    assert f"position {p}" in failed["detail"] and "edited payload" in failed["detail"]
    assert failed["at"] >= clean["at"]


def test_a_loaded_demo_starts_with_its_verification_recorded(sealed: Sealed) -> None:
    cli_log.verify_demo(sealed.container)  # what `ledger demo` and a first `make run` call
    with serving(sealed.container) as base:
        run = _integrity(sealed, base)["lastVerification"]
    assert run["ok"] is True and run["treeSize"] == len(sealed.positions)
    assert run["checkpointsChecked"] == 2  # the stored ones: no auditor's copy at load time
    assert (run["key"], run["heldCheckpoints"]) == ("ledger", 0)  # a self-check, and says so
    assert run["keyFingerprint"] == verifications.fingerprint(
        sealed.container.checkpointer.signer.verifier.text()
    )


def test_a_run_with_the_ledgers_own_key_is_recorded_as_a_self_check(sealed: Sealed) -> None:
    from typer.testing import CliRunner

    from api.cli import cli

    env = {
        "LEDGER_DATABASE_URL": sealed.settings.database_url,
        "LEDGER_SIGNING_KEY_FILE": str(sealed.settings.dev_signing_key_file()),
    }
    outcome = CliRunner().invoke(cli, ["verify"], env=env)  # no --public-key
    assert outcome.exit_code == 0, outcome.output
    run = verifications.latest(sealed.container.db)
    assert run is not None and run.ok
    assert (run.key_source, run.held_checkpoints) == ("ledger", 0)
    assert run.key_fingerprint == verifications.fingerprint(sealed.key)
