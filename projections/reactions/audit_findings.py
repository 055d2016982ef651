"""The audit process: turns the rules' matches (`audit_matches`) into AuditFinding events.

After the rules have run, it raises a finding for every match with none yet (or matching
again after it was resolved) and resolves every open finding whose match is gone, by the
event that cured it. It compares the matches with the audit_findings view to find the work,
and the commands themselves are idempotent (derived ids; a repeat records nothing), so a
view that lags or a crash halfway costs a repeat, never a second event. It acts only on the
rules that have caught up with the log, so a rule being rebuilt resolves nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.ledger import Ledger
from projections import tracking
from projections.audit.registry import all_rules
from projections.reactions.clock import shanghai_today
from projections.store import Database, Row

NAME = "audit_findings_process"


class FindingsProcess:
    name = NAME

    def __init__(
        self, ledger: Ledger, db: Database, today: Callable[[], date] = shanghai_today
    ) -> None:
        self.ledger = ledger
        self.db = db
        self.today = today
        self.rules = {r.rule: r.name for r in all_rules()}

    def run_once(self) -> int:
        """Issue the commands the matches call for; how many recorded something new."""
        head = self.ledger.latest_position()
        if not self.rules or tracking.position(self.db, self.name) >= head:
            return 0  # nothing recorded since the last look
        at = tracking.positions(self.db, list(self.rules.values()))
        ready = [rule for rule, name in self.rules.items() if at[name] >= head]
        acted = 0
        if ready:
            acted += sum(self._raise(m) for m in self._to_raise(ready))
            acted += sum(self._resolve(f, head) for f in self._to_resolve(ready))
        if len(ready) == len(self.rules):
            with self.db.transaction() as tx:
                tracking.advance(tx, self.name, head, acted)
        return acted

    def _to_raise(self, rules: list[str]) -> list[Row]:
        """Matches standing with no open finding, and matches never raised at all: a defect
        found and cured between two looks (a late review in the same batch as the day that
        made it late) is still raised, then resolved by its cure, so that which findings
        exist never depends on how the runner's batches fell."""
        marks = ", ".join(["%s"] * len(rules))
        return self.db.query(
            "SELECT m.* FROM audit_matches m LEFT JOIN audit_findings f"
            f" ON f.finding_id = m.finding_id WHERE m.rule IN ({marks}) AND"
            " ((m.matched = 1 AND (f.finding_id IS NULL OR f.status = 'resolved'))"
            "  OR (m.matched = 0 AND f.finding_id IS NULL))"
            " ORDER BY m.raised_position, m.finding_id",
            rules,
        )

    def _to_resolve(self, rules: list[str]) -> list[Row]:
        marks = ", ".join(["%s"] * len(rules))
        return self.db.query(
            "SELECT f.finding_id, m.resolved_position FROM audit_findings f"
            " LEFT JOIN audit_matches m ON m.finding_id = f.finding_id"
            " WHERE f.status IN ('raised', 'acknowledged')"
            f" AND (m.finding_id IS NULL OR m.matched = 0) AND f.rule IN ({marks})"
            " ORDER BY f.finding_id",
            rules,
        )

    def _raise(self, m: Row) -> int:
        before = self.ledger.latest_position()
        result = self.ledger.raise_finding(
            m["rule"], m["match_key"], severity=m["severity"], street=m["street"],
            case_id=m["case_id"], summary=m["summary"], evidence=json.loads(m["evidence"]),
            raised_position=int(m["raised_position"]),
            occurred_on=m["raised_on"] or self.today().isoformat(),
        )  # fmt: skip
        return int(result.position > before)

    def _resolve(self, f: Row, head: int) -> int:
        before = self.ledger.latest_position()
        result = self.ledger.resolve_finding(
            UUID(f["finding_id"]), resolved_position=int(f["resolved_position"] or head),
            occurred_on=self.today().isoformat(),
        )  # fmt: skip
        return int(result.position > before)
