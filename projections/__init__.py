"""The read side: one module per view, the runner that tails the log, and their queries."""
