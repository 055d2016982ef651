"""Home of the integrator streams (issue 10): the paged feed, server-sent events, the GraphQL
subscription and the NATS relay, all reading through projections.feed. Not built yet.
"""
