"""The synthetic demo district (钟楼区), loaded through the ledger's own commands."""
