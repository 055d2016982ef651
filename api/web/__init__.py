"""The pages the ledger serves itself: the dashboard at `/`, GraphiQL and the OpenAPI docs,
with every script, style and image served from the ledger (no CDN: intranets reach none)."""
