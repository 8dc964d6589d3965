"""Stage 3, extract: each resource's bytes -> a staged file of rows with their attributes (normalised text,
script, language, quality signals, lengths, words, tokens, hashing keys, signatures) and its typed record.
Nothing publish decides is decided here.

The package imports nothing itself: a worker process imports `workers` (and waits) before the heavy readers,
dictionaries and tokenizer that `resource` brings."""
