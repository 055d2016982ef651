"""A14 shared payee account: one bank account receiving payouts for several households.

Households are the assistance cases, two cases sharing a member counting as one household
(a new case after a termination is the same family). The account is personal data: this rule
holds only a keyed digest of it (HMAC with the ledger's person key, `Pseudonyms.digest`), so
its tables and findings never show an account and nobody without the key can test a guessed
one. A value that opens as erased is skipped, so a rebuild after an erasure may find less.
Nothing cures it: money already went to that account (a legitimate guardian is dismissed).
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.payroll.payout import Payout
from domain.shared.values import is_bank_account
from projections.audit.rule import AuditRule
from projections.buffer import Owned, Rows, any_of
from projections.store import Row, Tx
from projections.view import handles

#: Tx.memo's keys: the accounts read in this transaction, digest -> every case paid into it
#: (its street and members None while the case is not on record); case not on record -> its
#: rows among ACCOUNTS.
ACCOUNTS, UNRECORDED = "audit_a14_accounts", "audit_a14_unrecorded"
#: The cases' streets and members, read once a transaction and written with the batch's rows.
CASES = Owned("audit_a14_cases", "case_id", "case_id, street, members")
#: Each case's street and members looked up by its key: a join let PostgreSQL's plan, made
#: on the statistics of a near-empty table early in a catch-up, scan every case for each
#: account read (6,532 full scans of 41,301 cases within 300,000 events of the province log).
_CASE = "(SELECT c.{0} FROM audit_a14_cases c WHERE c.case_id = a.case_id) AS {0}"


def _paid_into(condition: str) -> str:
    """The accounts matching `condition` (on `a`), with their cases' street and members."""
    return (
        f"SELECT a.account_digest, a.case_id, a.position, {_CASE.format('street')},"
        f" {_CASE.format('members')} FROM audit_a14_accounts a WHERE {condition}"
        " ORDER BY a.position"
    )


class SharedPayeeAccount(AuditRule):
    name = "audit_a14"
    tables = ("audit_a14_cases", "audit_a14_accounts", "audit_a14_payouts")
    rule = "A14"
    severity = "high"
    title = "shared payee account"
    title_zh = "多户共用收款账户"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        members = sorted(m["person_id"] for m in e.members)
        case_id = str(e.originator_id)
        on_record = {"street": e.street, "members": json.dumps(members)}
        CASES.insert(tx, {"case_id": case_id, **on_record})  # with the batch's others
        for row in tx.memo.get(UNRECORDED, {}).pop(case_id, []):
            row.update(on_record)  # a case paid before it was on record

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """The accounts a payroll batch pays into, with their cases, in one read."""
        digests = {
            d
            for _, e in todo
            if isinstance(e, Payout.PayoutScheduled) and (d := self._digest(e.payee))
        }
        _accounts(tx, digests)
        CASES.prefetch(
            tx, {str(e.case_id) for _, e in todo if isinstance(e, Payout.PayoutScheduled)}
        )

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        Rows.of(tx, "audit_a14_payouts", "payout_id").insert(
            tx, {"payout_id": str(e.originator_id), "case_id": str(e.case_id)}
        )
        self._paid_to(tx, str(e.case_id), e.payee, position, e.occurred_on)

    @handles(Payout.PayoutReissued)
    def reissued(self, tx: Tx, e: Any, position: int) -> None:
        if not e.payee:
            return  # reissued to the same account
        case_id = tx.scalar(
            "SELECT case_id FROM audit_a14_payouts WHERE payout_id = %s", [str(e.originator_id)]
        )
        if case_id is not None:
            self._paid_to(tx, case_id, e.payee, position, e.occurred_on)

    def _digest(self, payee: Any) -> str | None:
        account = ((payee or {}).get("personal") or {}).get("bank_account")
        if not isinstance(account, str) or not is_bank_account(account):
            return None  # none recorded, or erased
        if self.pseudonyms is None:
            raise RuntimeError(f"{self.name} digests accounts: run it with the ledger's keys")
        return self.pseudonyms.digest("bank-account", account)

    def _paid_to(self, tx: Tx, case_id: str, payee: Any, position: int, on: str) -> None:
        digest = self._digest(payee)
        if digest is None:
            return
        rows = _accounts(tx, {digest})[digest]  # read at the batch's start, but for a reissue
        if not any(r["case_id"] == case_id for r in rows):  # a case new to the account
            tx.execute(
                "INSERT INTO audit_a14_accounts (account_digest, case_id, position)"
                " VALUES (%s, %s, %s) ON CONFLICT (account_digest, case_id) DO NOTHING",
                [digest, case_id, position],
            )
            case = CASES.get(tx, case_id) or {"street": None, "members": None}
            rows.append(_noted(tx, {**case, "case_id": case_id, "position": position}))
        # An account whose case is not on record is left out (as a join would).
        rows = [r for r in rows if r["members"] is not None]
        if not rows:
            return
        households = _households([set(json.loads(r["members"])) for r in rows])
        if households < 2:
            return
        street = next((r["street"] for r in rows if r["case_id"] == case_id), None)
        # Named by the first case paid into the account, never by the digest: the key is in
        # the finding's events for good, and a digest outlives an erasure (its key does not
        # rotate), so it would let a guessed account be tested against the log.
        self.found(
            tx, position, key=f"account-first-paid-for:{rows[0]['case_id']}", street=street,
            case_id=case_id,
            evidence=[int(r["position"]) for r in rows], occurred_on=on,
            summary=(
                f"one bank account received payouts for {households} households "
                f"({len(rows)} cases)"
            ),
        )  # fmt: skip


def _accounts(tx: Tx, digests: set[str]) -> dict[str, list[Row]]:
    """Every case paid into these accounts, read once a transaction (the remembered lists
    are kept current by `_paid_to` and the submissions)."""
    known: dict[str, list[Row]] = tx.memo.setdefault(ACCOUNTS, {})
    missing = sorted(digests - set(known))
    for i in range(0, len(missing), 900):
        chunk = missing[i : i + 900]
        for digest in chunk:
            known[digest] = []
        where, params = any_of(tx, "audit_a14_accounts", "account_digest", chunk, alias="a")
        for row in tx.query(_paid_into(where), params):
            known[row.pop("account_digest")].append(_noted(tx, row))
    return known


def _noted(tx: Tx, row: Row) -> Row:
    """An account's row as remembered; one whose case is not on record is also noted by
    case, so that the case's submission fills it in."""
    if row["members"] is None:
        tx.memo.setdefault(UNRECORDED, {}).setdefault(row["case_id"], []).append(row)
    return row


def _households(cases: list[set[str]]) -> int:
    """How many households these cases are, cases sharing a member being one."""
    groups: list[set[str]] = []
    for members in cases:
        joined = [g for g in groups if g & members]
        merged = set(members).union(*joined)
        groups = [g for g in groups if not g & members] + [merged]
    return len(groups)
