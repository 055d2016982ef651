"""Unit tests run on the in-memory Ledger (no I/O), with the test district's parameters."""

from __future__ import annotations

import pytest
from helpers import set_parameters

from domain.ledger import Ledger


@pytest.fixture
def ledger() -> Ledger:
    """An in-memory ledger whose district has its parameters set."""
    return set_parameters(Ledger())
