"""Everything that wires processes together: settings, REST, GraphQL, auth, CLI."""
