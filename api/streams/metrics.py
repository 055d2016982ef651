"""The streams' lines of /metrics (Prometheus text format 0.0.4): live subscribers and their lag,
the hub's position, and the disconnects counted since the process started.

A subscriber is named by its id, its transport (`sse`, `subscription`) and its token's user
name: no personal data, and every label value escaped as the format asks.
"""

from __future__ import annotations

from collections import Counter

from api.streams.counters import disconnect_counts
from projections.feed.hub import Hub

#: Transports that always have a `caseledger_stream_subscribers` line, 0 when none is live.
KINDS = ("sse", "subscription")


def label(value: object) -> str:
    """A label value escaped for the text format: backslash, double quote and line feed."""
    text = str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**values: object) -> str:
    return "{" + ",".join(f'{k}="{label(v)}"' for k, v in values.items()) + "}"


def _family(name: str, kind: str, help_: str) -> list[str]:
    return [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]


def stream_metrics(hub: Hub) -> list[str]:
    """The metric lines of the integrator streams, for api/ops.py."""
    subscribers = sorted(hub.subscribers.copy().values(), key=lambda s: s.id)
    per_kind = Counter({kind: 0 for kind in KINDS})
    per_kind.update(s.kind for s in subscribers)
    lines = _family("caseledger_stream_hub_position", "gauge",
                    "Newest position the streams' hub has read.")  # fmt: skip
    lines.append(f"caseledger_stream_hub_position {hub.head}")
    lines += _family("caseledger_stream_subscribers", "gauge", "Live stream subscribers.")
    lines += [f"caseledger_stream_subscribers{_labels(kind=k)} {n}" for k, n in per_kind.items()]
    events = _family("caseledger_stream_subscriber_lag_events", "gauge",
                     "Positions a live subscriber is behind the hub.")  # fmt: skip
    seconds = _family("caseledger_stream_subscriber_lag_seconds", "gauge",
                      "Age of the oldest event a live subscriber has not been sent.")  # fmt: skip
    for state in subscribers:
        behind, late = hub.lag(state)
        who = _labels(subscriber=state.id, kind=state.kind, user=state.user)
        events.append(f"caseledger_stream_subscriber_lag_events{who} {behind}")
        seconds.append(f"caseledger_stream_subscriber_lag_seconds{who} {late:.3f}")
    lines += events + seconds
    lines += _family("caseledger_stream_disconnects_total", "counter",
                     "Subscribers the server disconnected, by transport and reason.")  # fmt: skip
    for (kind, code), count in sorted(disconnect_counts().items()):
        lines.append(f"caseledger_stream_disconnects_total{_labels(kind=kind, code=code)} {count}")
    return lines
