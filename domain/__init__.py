"""The civil-affairs domain: aggregates, events, rules and the Ledger application."""
