"""The demo district raises exactly its planted findings of rules A09-A14, and no other.

The district is this test's own copy of the session's loaded demo (`demo_container`,
tests/demo_support.py), loaded with the runner on as this test used to load it itself."""

from __future__ import annotations

from collections import Counter

from api.container import Container
from api.demo.defects_rules_b import DEMO_TODAY
from projections.audit.rule import matches

PLANTED = {"A09": 1, "A10": 1, "A11": 1, "A12": 1, "A13": 2, "A14": 1}


def test_the_demo_raises_only_its_planted_findings_of_a09_to_a14(
    demo_container: Container,
) -> None:
    container = demo_container
    container.runner.start()
    container.runner.run_once()
    mine = [m for m in matches(container.db, matched=True) if "A09" <= m["rule"] <= "A14"]
    assert Counter(m["rule"] for m in mine) == PLANTED
    assert all(m["raised_on"] <= DEMO_TODAY.isoformat() for m in mine)
