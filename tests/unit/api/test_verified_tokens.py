"""A verified token is remembered until it expires; nothing else is taken on trust."""

from __future__ import annotations

import time

import jwt
import pytest

from api.auth import LEEWAY_SECONDS, AuthError, issue_token, verifier
from api.settings import DEV_SECRET, Settings


def test_a_remembered_token_answers_the_same_actor_and_a_forged_one_is_still_refused() -> None:
    check = verifier(Settings())
    token = issue_token(DEV_SECRET, "worker-1", "caseworker", "新闸街道", ttl_hours=1)
    first = check.actor(token)
    assert check.actor(token) == first and token in check.verified
    # The same claims signed with another key: not the remembered string, so verified anew.
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-of-at-least-thirty-two-chars", algorithm="HS256")
    with pytest.raises(AuthError):
        check.actor(forged)


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    check = verifier(Settings())
    now = int(time.time())
    claims = {"sub": "worker-1", "role": "caseworker", "street": "新闸街道", "iat": now}
    token = jwt.encode({**claims, "exp": now - LEEWAY_SECONDS + 3600}, DEV_SECRET, "HS256")
    actor = check.actor(token)
    check.verified[token] = (actor, time.time() - 1)  # as if its expiry had passed since
    # Verified again: still valid by its claims here, so remembered anew with its own expiry.
    assert check.actor(token) == actor and check.verified[token][1] > time.time()
    expired = jwt.encode({**claims, "exp": now - LEEWAY_SECONDS - 5}, DEV_SECRET, "HS256")
    with pytest.raises(AuthError, match="expired"):
        check.actor(expired)
    assert expired not in check.verified
