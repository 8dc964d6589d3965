"""Stage 3, extract: each resource's bytes -> a staged file of rows with their attributes (normalised text,
script, language, quality signals, lengths, words, tokens, hashing keys, signatures) and its typed record.
Nothing publish decides is decided here."""

from pipeline.extract.resource import extract_resource
from pipeline.extract.staged import StagedResource, staged_key

__all__ = ["StagedResource", "extract_resource", "staged_key"]
