"""Typed domain errors whose messages a caseworker understands (mapped to HTTP once, in api/)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken: nothing was recorded."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, code: str = "rule_broken"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class InvalidInput(DomainError):
    """The request is well-formed but a value is not acceptable (422)."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid_input"):
        super().__init__(message, field=field, code=code)


class NotFound(DomainError):
    """The thing named does not exist (404)."""

    status = 404

    def __init__(self, message: str, *, field: str | None = None, code: str = "not_found"):
        super().__init__(message, field=field, code=code)


class VersionConflict(DomainError):
    """Someone else changed the aggregate first (409); reload and try again."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "version_conflict"):
        super().__init__(message, field=field, code=code)


class StaleVersion(DomainError):
    """The caller's If-Match version is not the current one (412)."""

    status = 412

    def __init__(self, message: str, *, field: str | None = None, code: str = "stale_version"):
        super().__init__(message, field=field, code=code)


class Unavailable(DomainError):
    """The read model a rule needs is not caught up yet (503); retry shortly."""

    status = 503

    def __init__(self, message: str, *, field: str | None = None, code: str = "unavailable"):
        super().__init__(message, field=field, code=code)
