"""Audit findings (DOMAIN.md section 4): what the rules found, and what people did about it."""
