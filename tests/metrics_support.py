"""Reading the Prometheus text format in tests: samples, and one sample by name and labels."""

from __future__ import annotations

import re

#: One sample line of the Prometheus text format: name, optional {labels}, value.
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
_LABEL = re.compile(r'(?P<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)",?')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def metric_samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample of a /metrics answer as (name, labels unescaped, value); fails on a line
    that is neither a comment nor a well-formed sample."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        labels: dict[str, str] = {}
        raw = match["labels"] or ""
        consumed = 0
        for found in _LABEL.finditer(raw):
            assert found.start() == consumed, f"bad labels in {line!r}"
            labels[found["key"]] = re.sub(r"\\[\\n\"]", lambda m: _UNESCAPE[m.group()],
                                          found["value"])  # fmt: skip
            consumed = found.end()
        assert consumed == len(raw), f"bad labels in {line!r}"
        samples.append((match["name"], labels, float(match["value"])))
    return samples


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of the one sample of `name` whose labels include `labels` (None: none)."""
    found = [
        value
        for sample, have, value in metric_samples(text)
        if sample == name and all(have.get(k) == v for k, v in labels.items())
    ]
    assert len(found) <= 1, f"{len(found)} samples of {name} {labels}"
    return found[0] if found else None
