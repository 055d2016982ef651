"""Every audit rule: the modules named `aNN_*` in this package, one rule each, in rule order."""

from __future__ import annotations

import importlib
import pkgutil
import re

import projections.audit as package
from projections.audit.rule import AuditRule

RULE_MODULE = re.compile(r"^a\d\d_[a-z0-9_]+$")


def all_rules() -> list[AuditRule]:
    for info in pkgutil.iter_modules(package.__path__):
        if RULE_MODULE.match(info.name):
            importlib.import_module(f"{package.__name__}.{info.name}")
    found = [
        cls for cls in _subclasses(AuditRule)
        if "rule" in vars(cls) and RULE_MODULE.match(cls.__module__.rsplit(".", 1)[-1])
        and cls.__module__.startswith(f"{package.__name__}.")
    ]  # fmt: skip
    return [cls() for cls in sorted(found, key=lambda c: (c.rule, c.name))]


def _subclasses(cls: type[AuditRule]) -> list[type[AuditRule]]:
    direct = cls.__subclasses__()
    return [*direct, *(s for c in direct for s in _subclasses(c))]
