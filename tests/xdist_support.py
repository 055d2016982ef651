"""How `make test` spreads the suite over pytest-xdist workers (`-n 2 --dist loadfile`).

A test module stays on one worker, as `--dist loadfile` does, so its module-scoped fixtures
are made once. The modules that read the session's demo district (`demo_container`,
`demo_snapshots`: tests/demo_support.py) form one unit as well: a worker loads each demo
district it uses once, and split across two workers they would load it twice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

DEMO_FIXTURES = ("demo_container", "demo_snapshots")


class ModulesAndTheDemoTogether(LoadFileScheduling):
    """`--dist loadfile`, with every module that names a demo fixture in one unit."""

    def __init__(self, config: pytest.Config, log: object = None) -> None:
        super().__init__(config, log)  # type: ignore[arg-type]
        self.root = config.rootpath

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return "the demo district's modules" if self._reads_the_demo(module) else module

    @cache  # noqa: B019 (one scheduler a session)
    def _reads_the_demo(self, module: str) -> bool:
        try:
            text = (self.root / Path(module)).read_text(encoding="utf-8")
        except OSError:
            return False
        return any(name in text for name in DEMO_FIXTURES)
