"""What every area of the ledger shares: errors, values, identity, calendar, parameters."""
