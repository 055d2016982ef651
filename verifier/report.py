"""What a verification found: the first problem in words, and each checkpoint's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["ok", "failed", "unchecked"]


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong; `position` is the event position it names, if one."""

    message: str
    position: int | None = None


@dataclass
class CheckpointResult:
    """One signed checkpoint, stored in the ledger or held by the auditor (`source` says)."""

    source: str
    tree_size: int | None
    verdict: Verdict = "unchecked"
    message: str = ""

    def fail(self, message: str) -> None:
        if self.verdict != "failed":  # the first reason is the one to report
            self.verdict, self.message = "failed", message

    def passed(self) -> None:
        if self.verdict == "unchecked":
            self.verdict = "ok"


@dataclass
class Report:
    events: int = 0
    leaves: int = 0
    unsealed: int = 0
    root: bytes = b""
    problem: Problem | None = None
    checkpoints: list[CheckpointResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None and all(c.verdict == "ok" for c in self.checkpoints)

    def first_failure(self) -> str | None:
        """The line to exit with: the log's first problem, else the first failing checkpoint."""
        if self.problem is not None:
            return self.problem.message
        for c in self.checkpoints:
            if c.verdict != "ok":
                return f"{c.source}: {c.message or 'not checked'}"
        return None
