"""Care institutions and bed conversions (四床融合): DOMAIN.md 3.4."""
