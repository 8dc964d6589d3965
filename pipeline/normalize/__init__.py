"""Text normalisation steps. Each step returns the new text; the caller records which steps changed it."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.normalize.unicode import STEPS

Step = Callable[[str], str]


def normalize(text: str, steps: list[tuple[str, Step]] = STEPS) -> tuple[str, list[str]]:
    """Apply steps in order; return the text and the names of the steps that changed it."""
    changed: list[str] = []
    for name, step in steps:
        new = step(text)
        if new != text:
            changed.append(name)
            text = new
    return text, changed
