"""A caller that bypasses the API still cannot store text that would stop the views."""

from __future__ import annotations

import pytest
from builders import WORKER, application

from api.container import Container
from domain.ledger import Ledger
from domain.shared.errors import InvalidInput
from projections.tracking import wait_for_position


def test_a_nul_in_a_command_is_refused_by_the_ledger_and_the_views_keep_up(
    ledger: Ledger, container: Container
) -> None:
    position = ledger.latest_position()

    with pytest.raises(InvalidInput) as caught:
        ledger.submit_application(application(community="新闸\u0000社区"), WORKER)

    assert caught.value.field == "community"
    assert ledger.latest_position() == position
    later = ledger.submit_application(application(), WORKER)
    names = [p.name for p in container.runner.projections]
    assert wait_for_position(container.db, names, later.position, timeout=10)
    rows = container.db.query(
        "SELECT status FROM case_summary WHERE case_id = %s", (str(later.id),)
    )
    assert [r["status"] for r in rows] == ["submitted"]
