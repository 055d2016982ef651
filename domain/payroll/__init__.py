"""Payouts and payroll runs: DOMAIN.md 3.3."""
