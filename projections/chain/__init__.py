"""Home of the Merkle log beside the event table (issue 9): a sealer appends every stored event
as a leaf (RFC 9162 tree hashing) exactly once and in order, in one transaction with its
tracking record, and signs checkpoints; proofs and the verifier read it. Not built yet.
"""
