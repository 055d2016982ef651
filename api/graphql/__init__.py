"""GraphQL for supervisors and auditors: one module per area, read from the views."""
