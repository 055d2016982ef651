"""Village conversions (撤村转居): DOMAIN.md 3.6."""
