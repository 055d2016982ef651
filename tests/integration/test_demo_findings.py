"""The demo district raises its planted A01 and A02 findings, and no others of those rules.

On SQLite only (a 40-household demo load costs about 50 s on PostgreSQL here): the subject is
the demo's planted data. Rules A01 and A02 themselves run on both backends in
test_a01_paid_after_death and test_a02_paid_after_termination, and the demo's findings of
the other rules on both in test_demo_defects_rules_a and test_audit_demo_rules_b.
"""

from __future__ import annotations

from stream_support import SQLITE_ONLY

from api.container import Container
from api.demo.district import DemoDistrict
from projections.views import audit_findings


@SQLITE_ONLY
def test_the_demo_raises_exactly_its_planted_findings(container: Container) -> None:
    container.runner.start()
    DemoDistrict(container.ledger).load(households=40)
    container.runner.stop()
    container.runner.run_once()
    found = [
        f
        for rule in ("A01", "A02")  # the other rules' findings are theirs to check
        for f in audit_findings.matching(container.db, {"rule": rule}).page(None, 100)
    ]
    kinds = sorted((f["rule"], f["summary"].split(" paid ")[0].split(" at or ")[0][:28])
                   for f in found)  # fmt: skip
    assert kinds == [
        ("A01", "DIBAO payout for 2023-11"),
        ("A01", "DIBAO payout for 2023-12"),
        ("A01", "DIBAO payout for 2024-01"),  # the January run (defects_rules_b) paid it too
        ("A01", "no household review by 2024-"),  # the demo's second death, never reviewed
        ("A02", "DIBAO payout for 2023-12"),
        ("A02", "DIBAO payout for 2024-01"),
    ]
    assert {f["status"] for f in found} == {"raised"}
    assert container.runner.failed == {}
