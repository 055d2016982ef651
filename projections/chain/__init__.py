"""The Merkle log beside the event table (docs/verifiable-log.md): the sealer appends every
stored event as a leaf (RFC 9162 tree hashing) exactly once and in order, in one transaction
with its tracking record; the checkpointer signs tree heads; proofs are read from the stored
complete-subtree nodes. The independent verifier shares none of this code.
"""
