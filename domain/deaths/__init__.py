"""Death notifications (身后一件事): DOMAIN.md 3.7."""
