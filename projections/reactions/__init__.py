"""Processes that tail the log and issue commands; their failures show in projectionStatus."""
