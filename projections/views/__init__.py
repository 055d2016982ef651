"""One module per question: each owns its tables, its update SQL and its queries."""
