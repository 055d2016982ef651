"""REST commands: one router (and its request bodies) per area."""
