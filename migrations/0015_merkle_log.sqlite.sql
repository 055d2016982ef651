-- The verifiable log (docs/verifiable-log.md): every stored event is a leaf, in position
-- order, with a dense index; merkle_nodes holds the root of every complete subtree above the
-- leaves (level >= 1), so that any tree head and proof needs O(log n) reads; checkpoints are
-- the signed notes, verbatim. Appended by the sealer only, never cleared by a rebuild.
CREATE TABLE IF NOT EXISTS merkle_leaves (
    leaf_index BIGINT PRIMARY KEY,
    position BIGINT NOT NULL UNIQUE,
    leaf_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS merkle_nodes (
    level INTEGER NOT NULL,
    node_index BIGINT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, node_index)
);
CREATE TABLE IF NOT EXISTS merkle_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
