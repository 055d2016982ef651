"""Social organisations (社会组织): DOMAIN.md 3.5."""
