"""An independent verifier of caseledger's Merkle log, written from docs/verifiable-log.md alone.

It shares no code with the ledger (hashlib, `cryptography`, sqlite3 and psycopg only), so that
an auditor can run it, read it, or replace it with their own.
"""
