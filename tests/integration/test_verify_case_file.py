"""The ledger's own case file verifies offline with the independent verifier, on both
backends; a file exported after the database was edited, or edited itself, does not."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from builders import WORKER, application, walk_to_active
from typer.testing import CliRunner

from api.case_file import case_file
from api.cli import cli
from api.permissions import Disclosure
from tests.sealed_ledger import Sealed, sealed
from verifier.case_file import verify_case_file
from verifier.note import VerifierKey

__all__ = ["sealed"]  # the fixture


def new_case(sealed: Sealed) -> UUID:
    ledger, container = sealed.container.ledger, sealed.container
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    container.runner.run_once()
    container.checkpointer.cut(force=True)
    return case_id


def export(sealed: Sealed, case_id: UUID) -> dict[str, Any]:
    document = case_file(sealed.container, case_id, Disclosure(None, via="cli"))
    return dict(json.loads(json.dumps(document, default=str)))


def test_the_exported_case_file_verifies_offline_with_the_bureaus_key(
    sealed: Sealed, tmp_path: Any
) -> None:
    case_id = new_case(sealed)
    document = export(sealed, case_id)
    report = verify_case_file(json.dumps(document), VerifierKey.parse(sealed.key))
    assert report.ok, report.problem
    assert report.case_id == str(case_id) and report.events == len(document["events"]) >= 5
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document))
    args = ["verify", "--case-file", str(path), "--public-key", sealed.key]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and f"{report.events} events verified" in result.output
    document["events"][2]["version"] += 1
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "FAILED" in result.output


def test_a_case_file_exported_after_an_edit_of_the_database_is_refused(sealed: Sealed) -> None:
    one, other = new_case(sealed), new_case(sealed)
    [mine, theirs] = [export(sealed, c)["events"][2] for c in (one, other)]
    assert mine["topic"] == theirs["topic"]
    t, position = sealed.tables, mine["position"]
    # the other case's event of the same kind, in place of this one's: it still decodes
    t.sql(
        f"UPDATE {t.events} SET state = (SELECT state FROM {t.events} WHERE {t.position} = %s)"
        f" WHERE {t.position} = %s",
        (theirs["position"], position),
    )
    edited = export(sealed, one)
    report = verify_case_file(json.dumps(edited), VerifierKey.parse(sealed.key))
    assert not report.ok and f"position {position}" in (report.problem or "")
