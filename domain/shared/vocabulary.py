"""The ledger's fixed vocabularies, defined once: the domain checks them, the API reuses them."""

from __future__ import annotations

PROGRAMMES = ("DIBAO", "DIBAO_EDGE", "HARDSHIP", "TEKUN")
#: Programmes whose enrolment is exclusive: one active case per person, never both at once.
EXCLUSIVE_PROGRAMMES = ("DIBAO", "TEKUN")
