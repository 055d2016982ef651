"""The demo district raises the findings planted for rules A03-A08, and no other of theirs.

The district is this test's own copy of the session's loaded demo (`demo_container`,
tests/demo_support.py), loaded with the runner on as this test used to load it itself."""

from __future__ import annotations

from audit_support import everything, rebuilt

from api.container import Container

RULES = ("A03", "A04", "A05", "A06", "A07", "A08")
PLANTED = [
    ("A03", "the benefit of 2023-12 was settled 2 times for this case"),
    ("A04", "1 counted member(s) of this TEKUN case (from 2024-11) are also counted in DIBAO"),
    ("A05", "confirmed although the economic check found a vehicle"),
    ("A06", "confirmed although a member is a relative of staff and the district did not visit"),
    ("A07", "confirmed without a home visit by at least 2 different investigators"),
    ("A08", "the investigation started on 2025-10-14, after its due date 2025-10-11"),
    ("A08", "the public notice ran 5 day(s), from 2024-05-14 to 2024-05-18"),
]


def test_the_demo_raises_exactly_the_planted_findings_even_as_days_pass(
    demo_container: Container,
) -> None:
    container = demo_container
    container.runner.start()
    container.ledger.record_day("2026-12-01")  # the clock catches up: no open case is late
    container.runner.stop()
    raised = sorted(
        (rule, m["summary"]) for rule in RULES for m in everything(container, rule)
        if m["matched"]
    )  # fmt: skip
    assert len(raised) == len(PLANTED)
    for (rule, summary), (planted_rule, start) in zip(raised, PLANTED, strict=True):
        assert rule == planted_rule and summary.startswith(start), summary
    before = {rule: everything(container, rule) for rule in RULES}
    assert {rule: rebuilt(container, rule) for rule in RULES} == before
