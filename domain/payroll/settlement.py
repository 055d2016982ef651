"""The bank's settlement file: checked line by line against the run, refused whole if any is bad."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from domain.payroll.run import PayrollRun
from domain.shared.errors import InvalidInput
from domain.shared.values import control_character
from domain.shared.vocabulary import SETTLEMENT_OUTCOMES

SETTLEMENT_COLUMNS = ["payout_id", "status", "amount_fen", "bank_reference", "reason"]


def parse_settlement(csv_text: str, run: PayrollRun) -> dict[str, tuple[str, str, str]]:
    """Check every line against the run; refuse the whole file if any line is wrong."""
    rows = _settlement_rows(csv_text)
    if not rows or [c.strip() for c in rows[0]] != SETTLEMENT_COLUMNS:
        raise InvalidInput(
            "the settlement file must start with the header " + ",".join(SETTLEMENT_COLUMNS),
            field="file",
        )
    problems: list[dict[str, object]] = []
    outcomes: dict[str, tuple[str, str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        reason = _line_problem(row, run, outcomes)
        if reason:
            problems.append({"line": number, "reason": reason})
            continue
        key = UUID(row[0].strip()).hex
        outcomes[key] = (row[1].strip(), row[3].strip(), row[4].strip())
    if problems:
        raise InvalidInput(
            f"the settlement file has {len(problems)} bad line(s); nothing was recorded",
            field="file",
            code="settlement_rejected",
            details=problems,
        )
    return outcomes


def _settlement_rows(csv_text: str) -> list[list[str]]:
    """The file's lines as cells; refuse one the CSV reader cannot split (a bare CR, a NUL)."""
    reader = csv.reader(io.StringIO(csv_text.strip()))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        raise InvalidInput(
            f"the settlement file cannot be read at line {reader.line_num}: a carriage return "
            "or control character inside a line (end lines with CRLF or LF only)",
            field="file",
            code="settlement_rejected",
            details=[{"line": reader.line_num, "reason": "a line break inside an unquoted cell"}],
        ) from None
    for number, row in enumerate(rows, start=1):
        if any(control_character(cell) for cell in row):
            raise InvalidInput(
                f"the settlement file has a control character at line {number}",
                field="file",
                code="settlement_rejected",
                details=[{"line": number, "reason": "a control character inside a cell"}],
            )
    return rows


def _line_problem(row: list[str], run: PayrollRun, seen: dict[str, Any]) -> str | None:
    if len(row) != len(SETTLEMENT_COLUMNS):
        return f"expected {len(SETTLEMENT_COLUMNS)} columns, found {len(row)}"
    ident, status, amount, reference, reason = (c.strip() for c in row)
    try:
        key = UUID(ident).hex
    except ValueError:
        return "payout_id is not a payout id"
    if key in seen:
        return "the payout appears twice in the file"
    if key not in run.payouts:
        return "the payout is not part of this run"
    expected, outcome = run.payouts[key]
    if outcome != "pending":
        return f"the payout is already {outcome}"
    if status not in SETTLEMENT_OUTCOMES:
        return "status must be settled or failed"
    if not amount.isdigit() or int(amount) != expected:
        return f"amount_fen {amount or '(empty)'} disagrees with the payout ({expected})"
    if status == "settled" and not reference:
        return "a settled line needs the bank reference"
    if status == "failed" and not reason:
        return "a failed line needs the reason"
    return None
