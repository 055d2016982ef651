"""Typed domain errors whose messages a caseworker understands (mapped to HTTP once, in api/)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken: nothing was recorded (409)."""

    status = 409
    default_code = "rule_broken"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[dict[str, object]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code
        #: One entry per problem when there are several (e.g. each bad line of a file).
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed but a value is not acceptable (422)."""

    status = 422
    default_code = "invalid_input"


class Forbidden(DomainError):
    """The caller's role or area does not allow this (403); `code` names the rule."""

    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    """The thing named does not exist (404)."""

    status = 404
    default_code = "not_found"


class VersionConflict(DomainError):
    """Someone else changed the aggregate first (409); reload and try again."""

    default_code = "version_conflict"


class StaleVersion(DomainError):
    """The caller's If-Match version is not the current one (412)."""

    status = 412
    default_code = "stale_version"


class Unavailable(DomainError):
    """The read model a rule needs is not caught up yet (503); retry shortly."""

    status = 503
    default_code = "unavailable"
