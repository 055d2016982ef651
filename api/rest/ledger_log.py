"""The verifiable log over HTTP: the latest checkpoint and the public key (public, so that
auditors and the supervising authority copy them without an account) and the proofs (any
role's token: they reveal only hashes). Plain-text formats of docs/verifiable-log.md.

"Not sealed yet" is 503 with Retry-After (the sealer catches up within a poll interval): the
event exists, the client asks again; a position no event has, or a size no checkpoint has,
is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api import problems
from api.deps import ActorDep, ContainerDep
from projections.chain import checkpoints, proofs

router = APIRouter(prefix="/api/v1/ledger", tags=["verifiable log"])

TEXT = "text/plain; charset=utf-8"
#: The largest position or size either backend stores (a BIGINT); beyond it: 422, not a 500.
MAX_BIGINT = 2**63 - 1


def _described(*statuses: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {s: {"description": d, "content": {"application/problem+json": {}}} for s, d in statuses}


def _text(description: str, example: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"text/plain": {"schema": {"type": "string"}, "example": example}},
        }
    }


NOTE = (
    "caseledger.local/320404\n1024\nq6fJGH1f0Ikd2HLe1QH0E0Zex+bJJ7Ge2m5rWBfoMTU=\n\n"
    "— caseledger.local/320404 Nl0r5w...==\n"
)
UNSEALED = (503, "recorded but not sealed or signed yet: ask again after Retry-After seconds")
TOKEN = (401, "no or bad bearer token (proofs need a token of any role)")
BAD = (422, "a number is not acceptable: the problem names the field")


def _unavailable(error: proofs.ProofUnavailable) -> JSONResponse:
    status = {proofs.NotFound: 404, proofs.Invalid: 422, proofs.NotYet: 503}[type(error)]
    code = {404: "not_found", 422: "invalid_input", 503: "not_sealed_yet"}[status]
    answer = problems.problem(
        status, f"{error.field}: {error.reason}", code=code, field=error.field,
        errors=[{"field": error.field, "reason": error.reason}],
    )  # fmt: skip
    if status == 503:
        answer.headers["Retry-After"] = problems.RETRY_AFTER_SECONDS
    return answer


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The latest signed checkpoint (C2SP tlog-checkpoint signed note); public",
    responses={
        **_text("the signed note, verbatim: keep it outside the bureau", NOTE),
        **_described((404, "no checkpoint is signed yet")),
    },
)
def latest_checkpoint(c: ContainerDep) -> Response:
    found = checkpoints.latest(c.db)
    if found is None:
        return problems.problem(404, "no checkpoint is signed yet", code="not_found")
    return PlainTextResponse(found.note, media_type=TEXT)


@router.get(
    "/public-key",
    response_class=PlainTextResponse,
    summary="The note verifier key that checks every checkpoint (Ed25519); public",
    responses=_text(
        "<name>+<hex key id>+<base64(0x01 || public key)>",
        "caseledger.local/320404+3667c36b+AQ91CKRpzBJR3ku0fk1wzBSfy1xNttMyY6l/D2jrdhbI",
    ),
)
def public_key(c: ContainerDep) -> PlainTextResponse:
    return PlainTextResponse(c.checkpointer.signer.verifier.text() + "\n", media_type=TEXT)


@router.get(
    "/proof/inclusion",
    response_class=PlainTextResponse,
    summary="Inclusion proof of one event (C2SP tlog-proof) against a signed checkpoint",
    responses={
        **_text(
            "c2sp.org/tlog-proof@v1, index, the audit path (base64, one per line), a blank "
            "line, the checkpoint",
            "c2sp.org/tlog-proof@v1\nindex 41\nb64hash...=\n\n" + NOTE,
        ),
        **_described(
            TOKEN,
            BAD,
            (404, "no event has this position, or no checkpoint this size"),
            UNSEALED,
        ),
    },
)
def inclusion_proof(
    c: ContainerDep,
    _: ActorDep,
    position: Annotated[int, Query(ge=1, le=MAX_BIGINT, description="the event's position")],
    tree_size: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_BIGINT,
            description="a checkpoint's tree size; default: the latest holding it",
        ),
    ] = None,
) -> Response:
    try:
        text = proofs.inclusion(c.db, position, tree_size)
    except proofs.ProofUnavailable as error:
        return _unavailable(error)
    return PlainTextResponse(text, media_type=TEXT)


@router.get(
    "/proof/consistency",
    response_class=PlainTextResponse,
    summary="Consistency proof (RFC 9162 2.1.4) that the tree of size `to` extends `from`",
    responses={
        **_text(
            "caseledger/consistency@v1, from, to, the proof (base64, one per line), a blank "
            "line, the checkpoint of size `to`",
            "caseledger/consistency@v1\nfrom 512\nto 1024\nb64hash...=\n\n" + NOTE,
        ),
        **_described(TOKEN, BAD, (404, "no checkpoint has the tree size `to`")),
    },
)
def consistency_proof(
    c: ContainerDep,
    _: ActorDep,
    old: Annotated[
        int, Query(alias="from", ge=0, le=MAX_BIGINT, description="the tree size an auditor holds")
    ],
    new: Annotated[
        int, Query(alias="to", ge=1, le=MAX_BIGINT, description="a checkpoint's tree size")
    ],
) -> Response:
    try:
        text = proofs.consistency(c.db, old, new)
    except proofs.ProofUnavailable as error:
        return _unavailable(error)
    return PlainTextResponse(text, media_type=TEXT)
