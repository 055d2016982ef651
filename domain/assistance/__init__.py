"""Assistance cases (DIBAO, DIBAO_EDGE, HARDSHIP, TEKUN): DOMAIN.md 3.1."""
