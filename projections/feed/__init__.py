"""Home of the one resumable log reader (issue 10): read the notification log after a position,
filter by event type and aggregate, mask by the caller's permissions, follow the head.

Every way in (the paged feed, server-sent events, the GraphQL subscription, the NATS relay)
shares it, so they all mean the same thing: `reader.py` reads, `hub.py` follows the head once
per process, `subscription.py` replays and goes live, `envelope.py` makes the CloudEvent
(README "Delivery: no gaps, no stalls, backpressure").
"""
