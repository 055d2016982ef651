"""Home of the one resumable log reader (issue 10): read the notification log after a position,
filter by event type and aggregate, mask by the caller's permissions, follow the head.

Every way in (the paged feed, server-sent events, the GraphQL subscription, the NATS relay)
shares it, so they all mean the same thing. Not built yet.
"""
