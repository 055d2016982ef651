"""A03 duplicate payment: one case's month paid twice, or one household's month by two cases.

Payout ids derive from (case, month), so a second scheduling is the same payout; a month is
still paid twice when a settled payout is settled again without a failure between (a reissue
not after a failure), when an old system's import holds two payouts for one case and month,
or when a person is counted in two DIBAO/TEKUN cases both paid for the month. A settlement
followed by a failure (the bank bounced it) is not a payment; a reversal of the extra payment,
or its recovery in full, resolves the finding.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment import is_exclusive
from domain.payroll.payout import CHANGES, Payout
from projections.audit.rule import AuditRule
from projections.buffer import Rows, any_of
from projections.store import Row, Tx
from projections.view import handles


def paid_fen(rows: list[Row]) -> int:
    """What stands paid for the month: every settlement not failed, reversed or recovered."""
    return sum(r["paid_times"] * r["amount_fen"] - r["recovered_fen"] for r in rows)


def excess_fen(rows: list[Row]) -> int:
    """What was paid beyond one payment of the month."""
    once = max((r["amount_fen"] for r in rows if r["paid_times"] > 0), default=0)
    return paid_fen(rows) - once


#: Tx.memo's keys: (case, month) -> that month's payout rows; case -> the cases sharing a member;
#: person -> the cases remembered in OTHERS that count them.
MONTHS, OTHERS, PEOPLE = "audit_a03_months", "audit_a03_others", "audit_a03_people"
PAYOUT_AT = "audit_a03_payout_at"  # payout id -> its (case, month) among MONTHS


def _chunks(items: list[Any], size: int = 400) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class DuplicatePayment(AuditRule):
    name = "audit_a03"
    tables = ("audit_a03_payouts", "audit_a03_members")
    rule = "A03"
    severity = "high"
    title = "duplicate payment"
    title_zh = "重复发放"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        if is_exclusive(e.programme):
            case_id, counted = (
                str(e.originator_id),
                [m["person_id"] for m in e.members if m["counted"]],
            )
            tx.executemany(
                "INSERT INTO audit_a03_members (case_id, person_id) VALUES (%s, %s)"
                " ON CONFLICT (case_id, person_id) DO NOTHING",
                [(case_id, person) for person in counted],
            )
            self._joined(tx, case_id, set(counted))

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A payroll batch's payouts, their months' rows and the cases sharing a member, in a
        few reads (each of its events would read them one by one)."""
        pairs = {
            (str(e.case_id), e.month) for _, e in todo if isinstance(e, Payout.PayoutScheduled)
        }
        changed = sorted({str(e.originator_id) for _, e in todo if isinstance(e, CHANGES)})
        for chunk in _chunks(changed):
            where, params = any_of(tx, "audit_a03_payouts", "payout_id", chunk)
            sql = f"SELECT case_id, month FROM audit_a03_payouts WHERE {where}"
            for row in tx.query(sql, params):
                pairs.add((row["case_id"], row["month"]))
        others = self._others_of(tx, {case for case, _ in pairs})
        pairs |= {(other, month) for case, month in pairs for other in others.get(case, [])}
        self._months_of(tx, pairs)

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        row: Row = {
            "payout_id": str(e.originator_id), "case_id": str(e.case_id), "month": e.month,
            "street": e.street, "amount_fen": e.amount_fen, "paid_times": 0,
            "recovered_fen": 0, "evidence": "[]", "last_on": e.occurred_on,
        }  # fmt: skip
        Rows.of(tx, "audit_a03_payouts", "payout_id").insert(tx, row)  # with the batch's
        self._remember(tx, row)

    def _payout_changed(self, tx: Tx, e: Any, position: int, paid: int, recovered: int) -> None:
        row = self._payout(tx, str(e.originator_id))
        if row is None:
            return
        evidence = sorted({*json.loads(row["evidence"]), position})
        changed = {
            "paid_times": max(0, row["paid_times"] + paid),
            "recovered_fen": row["recovered_fen"] + recovered,
            "evidence": json.dumps(evidence), "last_on": e.occurred_on,
        }  # fmt: skip
        Rows.of(tx, "audit_a03_payouts", "payout_id").update(tx, row["payout_id"], changed)
        self._remember(tx, {**row, **changed})
        self._judge(tx, row["case_id"], row["month"], position, e.occurred_on)

    @handles(Payout.PayoutSettled)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, +1, 0)

    @handles(Payout.PayoutFailed)
    def failed(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, -1, 0)

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, -1, 0)

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, 0, e.amount_fen)

    # -- the rows, read once a transaction (only this rule writes them) -------------------

    def _month(self, tx: Tx, case_id: str, month: str) -> list[Row]:
        """The case's payouts of the month, in payout id order (copies of their own)."""
        return [dict(r) for r in self._months_of(tx, {(case_id, month)})[(case_id, month)]]

    @staticmethod
    def _months_of(tx: Tx, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], list[Row]]:
        known: dict[tuple[str, str], list[Row]] = tx.memo.setdefault(MONTHS, {})
        at: dict[str, tuple[str, str]] = tx.memo.setdefault(PAYOUT_AT, {})
        missing = sorted(pairs - set(known))
        for chunk in _chunks(missing):
            wanted = set(chunk)
            for pair in chunk:
                known[pair] = []
            # Sorted here, not by ORDER BY payout_id: with that, PostgreSQL may walk the
            # whole primary key in order and filter (seen on the province rebuild: 5 ms a
            # payout, growing with the table) instead of using (case_id, month).
            cases, months = sorted({c for c, _ in chunk}), sorted({m for _, m in chunk})
            of_cases, p_cases = any_of(tx, "audit_a03_payouts", "case_id", cases)
            of_months, p_months = any_of(tx, "audit_a03_payouts", "month", months)
            for row in tx.query(
                f"SELECT * FROM audit_a03_payouts WHERE {of_cases} AND {of_months}",
                [*p_cases, *p_months],
            ):
                pair = (row["case_id"], row["month"])
                if pair in wanted:  # not another wanted case's other months
                    known[pair].append(row)
                    at[row["payout_id"]] = pair
            for pair in chunk:
                known[pair].sort(key=lambda r: str(r["payout_id"]))
        return {pair: known[pair] for pair in pairs}

    def _payout(self, tx: Tx, payout_id: str) -> Row | None:
        pair = tx.memo.get(PAYOUT_AT, {}).get(payout_id)
        if pair is not None:
            for row in tx.memo[MONTHS][pair]:
                if row["payout_id"] == payout_id:
                    return dict(row)
        found = tx.query("SELECT * FROM audit_a03_payouts WHERE payout_id = %s", [payout_id])
        return found[0] if found else None

    @staticmethod
    def _remember(tx: Tx, row: Row) -> None:
        """Keep a written row in its remembered month (if that month was read)."""
        pair = (row["case_id"], row["month"])
        rows = tx.memo.get(MONTHS, {}).get(pair)
        if rows is not None:
            tx.memo.setdefault(PAYOUT_AT, {})[row["payout_id"]] = pair
            rows[:] = [r for r in rows if r["payout_id"] != row["payout_id"]] + [dict(row)]
            rows.sort(key=lambda r: str(r["payout_id"]))

    @staticmethod
    def _others_of(tx: Tx, cases: set[str]) -> dict[str, list[str]]:
        """The exclusive cases that count one of each case's members, in case id order."""
        known: dict[str, list[str]] = tx.memo.setdefault(OTHERS, {})
        people: dict[str, set[str]] = tx.memo.setdefault(PEOPLE, {})
        missing = sorted(cases - set(known))
        for chunk in _chunks(missing):
            found: dict[str, set[str]] = {case: set() for case in chunk}
            where, params = any_of(tx, "audit_a03_members", "case_id", chunk, alias="p")
            for row in tx.query(
                "SELECT p.case_id AS mine, p.person_id, q.case_id AS other"
                " FROM audit_a03_members p LEFT JOIN audit_a03_members q"
                f" ON q.person_id = p.person_id AND q.case_id <> p.case_id WHERE {where}",
                params,
            ):
                people.setdefault(row["person_id"], set()).add(row["mine"])
                if row["other"] is not None:
                    found[row["mine"]].add(row["other"])
            known.update((case, sorted(others)) for case, others in found.items())
        return {case: known[case] for case in cases}

    @staticmethod
    def _joined(tx: Tx, case_id: str, persons: set[str]) -> None:
        """A new exclusive case counting `persons`: the remembered cases that count one of
        them share a member with it now (what a read of audit_a03_members would give)."""
        known: dict[str, list[str]] | None = tx.memo.get(OTHERS)
        if not known:
            return
        known.pop(case_id, None)  # read again when asked: its own members are new
        people: dict[str, set[str]] = tx.memo[PEOPLE]
        for case in {c for p in persons for c in people.get(p, ())} - {case_id}:
            if case in known and case_id not in known[case]:
                known[case] = sorted([*known[case], case_id])

    @staticmethod
    def _evidence(rows: list[Row]) -> list[int]:
        return sorted({p for r in rows for p in json.loads(r["evidence"])})

    def _judge(self, tx: Tx, case_id: str, month: str, position: int, on: str) -> None:
        mine = self._month(tx, case_id, month)
        street = mine[0]["street"] if mine else None
        key = f"{case_id}:{month}"
        times = sum(r["paid_times"] for r in mine)
        if times >= 2 and excess_fen(mine) > 0:
            self.found(
                tx, position, key=key, street=street, case_id=case_id,
                evidence=self._evidence(mine), occurred_on=on,
                summary=f"the benefit of {month} was settled {times} times for this case "
                f"({excess_fen(mine) / 100:.2f} yuan paid beyond one payment)",
            )  # fmt: skip
        else:
            self.cured(tx, position, key=key)
        self._judge_household(tx, case_id, month, mine, position, on)

    def _judge_household(
        self, tx: Tx, case_id: str, month: str, mine: list[Row], position: int, on: str
    ) -> None:
        """Another exclusive case counting one of this case's members, paid for the month too."""
        for other_id in self._others_of(tx, {case_id})[case_id]:
            other = {"case_id": other_id}
            theirs = self._month(tx, other_id, month)
            key = f"household:{':'.join(sorted((case_id, other['case_id'])))}:{month}"
            if paid_fen(mine) > 0 and paid_fen(theirs) > 0:
                if not self.is_found(tx, key):
                    self.found(
                        tx, position, key=key, street=mine[0]["street"], case_id=case_id,
                        evidence=self._evidence(mine + theirs), occurred_on=on,
                        summary=f"the benefit of {month} was paid both to this case and to "
                        f"case {other['case_id']}, which counts one of its members",
                    )  # fmt: skip
            else:
                self.cured(tx, position, key=key)
