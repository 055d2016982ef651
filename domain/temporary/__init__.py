"""Temporary assistance (临时救助): DOMAIN.md 3.2."""
