"""What verification compares of one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from pipeline.dedup.minhash import shingle_set

SENTENCE_ENDS = "。！？!?.」』）)】；;：:…"  # a text that ends otherwise stops mid-sentence


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
    _open: list[frozenset[int]] = field(default_factory=list, compare=False, repr=False)

    def open_at(self) -> frozenset[int]:
        """Where in `text` a line ends mid-sentence (a wrapped line, a piece that stops there): a shorter document
        that stops open at one of them is no copy cut short of this one, which stops the same way there. Worked
        out at the first asking: few pairs ask."""
        if not self._open:
            found, at = [], 0
            for line, view in zip(*self.body, strict=True):
                if view:
                    at += len(view)
                    if line.rstrip()[-1] not in SENTENCE_ENDS:
                        found.append(at)
                elif found and found[-1] == at and line.rstrip()[-1] in SENTENCE_ENDS:
                    found.pop()  # the sentence's 。 wrapped onto a line of its own
            self._open.append(frozenset(found))
        return self._open[0]

    def shingles(self, ngram: int) -> np.ndarray:
        """The view's shingle set, computed once for all the pairs the document is in."""
        if ngram not in self._shingles:
            self._shingles[ngram] = shingle_set(self.text, ngram)
        return self._shingles[ngram]
