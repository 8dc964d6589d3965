"""Bytes -> records. Readers never guess silently: what they cannot read becomes a rejection with a reason."""
