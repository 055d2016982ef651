"""How many streams may be open: the one check SSE and the GraphQL subscription both ask.

Every open stream (of every kind) is a subscriber of the process's hub, with the user it
serves; a new one is refused when `stream_max_subscribers` are open, or when its user already
holds `stream_max_per_user` of them (so that one token cannot take every slot).
"""

from __future__ import annotations

from api.settings import Settings
from domain.shared.errors import Unavailable
from projections.feed.hub import Hub

STREAMS_FULL = "streams_full"
STREAMS_FULL_FOR_USER = "streams_full_for_user"


def check_capacity(hub: Hub, settings: Settings, user: str) -> None:
    """Raise Unavailable (`streams_full` or `streams_full_for_user`) when no slot is free."""
    states = list(hub.subscribers.values())  # a copy: registrations come from other tasks
    if len(states) >= settings.stream_max_subscribers:
        raise Unavailable(
            f"the ledger serves at most {settings.stream_max_subscribers} streams at once: "
            "try again shortly (resume after your last position)",
            code=STREAMS_FULL,
        )
    if sum(1 for state in states if state.user == user) >= settings.stream_max_per_user:
        raise Unavailable(
            f"one user may hold at most {settings.stream_max_per_user} streams at once: "
            "close one, or try again shortly (resume after your last position)",
            code=STREAMS_FULL_FOR_USER,
        )
