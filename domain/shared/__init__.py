"""What every area shares: errors, values, vocabularies, identity, calendars, procedure."""
