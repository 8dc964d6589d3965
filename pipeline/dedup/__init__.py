"""Duplicate detection over the hashing view: exact now, MinHash near-duplicates beside it."""
