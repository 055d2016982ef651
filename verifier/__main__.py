"""`python -m verifier log DATABASE_URL`, `case-file FILE` and `consistency PROOF`.

Exit 0: verified; 1: something is wrong (the first bad position is named); 2: cannot check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verifier.case_file import verify_case_file
from verifier.encoding import Malformed
from verifier.log import HeldCheckpoint, verify_log
from verifier.note import BadSignature
from verifier.proofs import ProofFailed, check_consistency
from verifier.rows import LogRows, Unreadable
from verifier.summary import case_file_lines, load_key, log_lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m verifier", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    log = sub.add_parser("log", help="verify a ledger database's whole log")
    log.add_argument("database_url", help="sqlite:///path or postgresql://user@host/db")
    log.add_argument("--checkpoint", action="append", default=[], help="a checkpoint you hold")
    log.add_argument("--public-key", required=True, help="the verifier key (text or file)")
    case = sub.add_parser("case-file", help="verify an exported case file offline")
    case.add_argument("file")
    case.add_argument("--public-key", required=True, help="the verifier key (text or file)")
    consistency = sub.add_parser(
        "consistency", help="check that a newer checkpoint extends one you hold (a proof text)"
    )
    consistency.add_argument("proof", help="the text of GET /api/v1/ledger/proof/consistency")
    consistency.add_argument("--checkpoint", required=True, help="the checkpoint you hold")
    consistency.add_argument("--public-key", required=True, help="the verifier key (text or file)")
    return parser


def _progress(done: int, total: int) -> None:
    print(f"\rverified {done}/{total} events", end="", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        key = load_key(args.public_key)
        if args.command == "case-file":
            report = verify_case_file(Path(args.file).read_text(encoding="utf-8"), key)
            if not report.ok:
                print(f"FAILED: {report.problem}")
                return 1
            print("\n".join(case_file_lines(report)))
            return 0
        if args.command == "consistency":
            new = check_consistency(
                Path(args.proof).read_text(encoding="utf-8"),
                Path(args.checkpoint).read_text(encoding="utf-8"), key,
            )  # fmt: skip
            print(f"the checkpoint of size {new.tree_size} extends the one you hold")
            return 0
        held = [HeldCheckpoint(f, Path(f).read_text(encoding="utf-8")) for f in args.checkpoint]
        with LogRows(args.database_url) as rows:
            log_report = verify_log(rows, key, held, _progress)
        print(file=sys.stderr)
    except (BadSignature, ProofFailed) as e:
        print(f"FAILED: {e}")
        return 1
    except (Malformed, Unreadable, OSError) as e:
        print(f"cannot verify: {e}", file=sys.stderr)
        return 2
    print("\n".join(log_lines(log_report)))
    failure = log_report.first_failure()
    if failure is not None:
        print(f"FAILED: {failure}")
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
