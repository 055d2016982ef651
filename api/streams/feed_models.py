"""What the paged feed answers, as OpenAPI shows it: the CloudEvent, the FeedPage object of
`Accept: application/json`, the catalogue's entries, and the headers and problems of a page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.rest.routing import PROBLEMS
from projections.feed.envelope import BATCH_CONTENT_TYPE

JSON = "application/json"


class CloudEvent(BaseModel):
    """One event as every stream sends it (README "Integrator streams", the envelope)."""

    specversion: str = Field(examples=["1.0"])
    id: str = Field(description="<aggregate id>/<version>: stable and unique")
    source: str = Field(examples=["urn:caseledger:caseledger.local/320404"])
    type: str = Field(examples=["AssistanceCase.EligibilityConfirmed"])
    subject: str = Field(description="the aggregate id")
    time: str = Field(description="when it was recorded, UTC")
    datacontenttype: str = Field(examples=["application/json"])
    position: int = Field(description="the ledger position (positions may skip numbers)")
    sequence: str = Field(description="the position zero-padded to 20 digits")
    data: dict[str, Any] = Field(description="the event's fields, personal data masked")


class FeedCheckpoint(BaseModel):
    """The latest signed checkpoint when the page was read (tree_size 0: none signed yet)."""

    tree_size: int
    root_hash: str | None = Field(None, description="base64 of the tree's root hash")
    signed_at: str | None = None


class FeedPage(BaseModel):
    """The page as `Accept: application/json` receives it."""

    events: list[CloudEvent]
    next_after: int = Field(description="the `after` of the next page (X-Next-After)")
    head_position: int = Field(description="the newest position when the read began")
    checkpoint: FeedCheckpoint


class EventTypeEntry(BaseModel):
    name: str = Field(examples=["Payout.PayoutSettled"])
    area: str = Field(examples=["payroll"])
    granted: bool = Field(description="the caller's token lets it read this type")


PAGE_HEADERS = {
    "X-Next-After": "the `after` of the next page: past every event read, matched or not",
    "Link": '<...?after=N&the same filters>; rel="next"',
    "X-Head-Position": "the newest position when the read began",
    "X-Checkpoint-Tree-Size": "the latest signed checkpoint's tree size (0: none yet)",
}

FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a page of CloudEvents in position order: a JSON array "
        f"({BATCH_CONTENT_TYPE}, the default) or, for `Accept: {JSON}`, a FeedPage object",
        "headers": {
            name: {"description": d, "schema": {"type": "string"}}
            for name, d in PAGE_HEADERS.items()
        },
        "content": {
            BATCH_CONTENT_TYPE: {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/CloudEvent"}}
            }
        },
    },
    400: {
        "description": "PURPOSE_INVALID (X-Purpose)",
        "content": {"application/problem+json": {}},
    },
    401: PROBLEMS[401],
    403: {
        "description": "`code` names the rule: role_not_allowed, district_only, street_missing, "
        "event_types_missing, event_type_scope",
        "content": {"application/problem+json": {}},
    },
    409: {
        "description": "after_beyond_head: `after` is past the ledger's head (positions are "
        "the ledger's, not a broker's stream sequence)",
        "content": {"application/problem+json": {}},
    },
    422: PROBLEMS[422],
    503: {
        "description": "the store is not reachable, or a read in full could not be recorded",
        "content": {"application/problem+json": {}},
    },
}
