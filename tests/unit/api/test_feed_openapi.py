"""OpenAPI documents the paged feed: both representations, its headers, its integers."""

from __future__ import annotations

from api.app import create_app
from api.settings import Settings
from projections.feed.envelope import BATCH_CONTENT_TYPE


def test_openapi_shows_the_batch_the_feed_page_and_the_cursor_headers() -> None:
    schema = create_app(Settings(docs_open=True)).openapi()
    feed = schema["paths"]["/api/v1/events"]["get"]
    ok = feed["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FeedPage"}
    batch = ok["content"][BATCH_CONTENT_TYPE]["schema"]
    assert batch == {"type": "array", "items": {"$ref": "#/components/schemas/CloudEvent"}}
    assert set(ok["headers"]) == {"X-Next-After", "Link", "X-Head-Position",
                                  "X-Checkpoint-Tree-Size"}  # fmt: skip
    assert {"401", "403", "422"} <= set(feed["responses"])
    params = {p["name"]: p["schema"] for p in feed["parameters"]}
    assert params["after"]["type"] == params["limit"]["type"] == "integer"
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 1000)
    assert "anyOf" not in params["after"]
    page = schema["components"]["schemas"]["FeedPage"]["properties"]
    assert set(page) == {"events", "next_after", "head_position", "checkpoint"}
    assert "/api/v1/events/types" in schema["paths"]
