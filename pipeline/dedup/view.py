"""What verification compares of one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from pipeline.dedup.minhash import shingle_set


class Stored(NamedTuple):
    """A document's text with the view of each of its non-empty lines as extraction stored them ("\n"-joined):
    verification takes the views instead of converting the text again (the conversion is its costliest step)."""

    text: str
    line_views: str | None = None


Source = str | Stored  # what verification is given of a document: its text, or its text and stored line views


def text_of(source: Source) -> str:
    return source if isinstance(source, str) else source.text


@dataclass(frozen=True)
class View:
    """A document's hashing view, its title view and its lines (see `boilerplate.dedup_view`)."""

    text: str
    title: str | None = None
    lines: list[str] = field(default_factory=list)  # the view line by line (how versions differ from copies)
    whole: list[str] | None = None  # line by line with the boilerplate left in (None: there was none)
    ends_open: bool = False  # the text stops mid-sentence, as a copy cut short does
    body: tuple[list[str], list[str]] = ([], [])  # the text's lines that `text` is made of, and their views
    _shingles: dict[int, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def text_lines(self) -> list[tuple[str, str]]:
        """Each of `lines` beside the text line it is the view of (read where punctuation, which views leave out,
        tells something)."""
        return [(line, view) for line, view in zip(*self.body, strict=True) if view]

    def shingles(self, ngram: int) -> np.ndarray:
        """The view's shingle set, computed once for all the pairs the document is in."""
        if ngram not in self._shingles:
            self._shingles[ngram] = shingle_set(self.text, ngram)
        return self._shingles[ngram]
