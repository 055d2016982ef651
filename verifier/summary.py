"""The words a verification ends with, shared by `python -m verifier` and `ledger verify`."""

from __future__ import annotations

from pathlib import Path

from verifier.case_file import CaseFileReport
from verifier.encoding import Malformed, encode
from verifier.note import VerifierKey
from verifier.report import Report


def load_key(value: str) -> VerifierKey:
    """A verifier key given as its text, or as a file holding it."""
    try:
        is_file = Path(value).is_file()
    except OSError:  # a key's text is no file name
        is_file = False
    return VerifierKey.parse(Path(value).read_text(encoding="utf-8") if is_file else value)


def log_lines(report: Report) -> list[str]:
    lines = [
        f"events: {report.events}, sealed leaves: {report.leaves}"
        + (f", not yet sealed: {report.unsealed}" if report.unsealed else ""),
        f"tree size {report.leaves}, root {encode(report.root)}",
    ]
    stored = [c for c in report.checkpoints if c.source.startswith("stored ")]
    if stored and all(c.verdict == "ok" for c in stored):
        latest = max(c.tree_size or 0 for c in stored)
        lines.append(f"stored checkpoints: {len(stored)}, all ok (the latest of size {latest})")
    for c in report.checkpoints:
        if c in stored and c.verdict == "ok":
            continue  # counted above; the held ones and any failure are listed one by one
        lines.append(f"{c.source}: {c.verdict}" + (f" ({c.message})" if c.message else ""))
    if not report.checkpoints:
        lines.append("no checkpoint to check: the log is consistent with itself only")
    return lines


def case_file_lines(report: CaseFileReport) -> list[str]:
    lines = [f"case {report.case_id}: {report.events} events verified"]
    if report.checkpoint is not None:
        cp = report.checkpoint
        lines.append(f"against checkpoint {cp.origin} size {cp.tree_size} {encode(cp.root_hash)}")
    lines.extend(report.notes)
    lines.append(
        "the stored bytes are verified; the readable fields (type, actor, data) are not"
        " covered by the proofs"
    )
    return lines


__all__ = ["Malformed", "case_file_lines", "load_key", "log_lines"]
