"""Text normalisation: Unicode and layout, script (OpenCC, audited), personal data. Each step reports changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.config import NormalizeConfig, PiiConfig
from pipeline.normalize import chinese, pii
from pipeline.normalize.unicode import STEPS, steps

Step = Callable[[str], str]


def normalize(text: str, chosen: list[tuple[str, Step]] = STEPS) -> tuple[str, list[str]]:
    """Apply steps in order; return the text and the names of the steps that changed it."""
    changed: list[str] = []
    for name, step in chosen:
        new = step(text)
        if new != text:
            changed.append(name)
            text = new
    return text, changed


@dataclass
class Normalized:
    text: str
    steps: list[str]
    script: str
    traditional_ratio: float | None
    converted_chars: int
    samples: list[dict[str, str]] = field(default_factory=list)
    pii: Counter[str] = field(default_factory=Counter)


class Normalizer:
    """The configured pipeline of steps for one source; cheap to build, converters are cached per process."""

    def __init__(self, cfg: NormalizeConfig, pii_cfg: PiiConfig, *, unwrap: bool = False) -> None:
        self.cfg = cfg
        self.unicode_steps = steps(fold=cfg.fold_fullwidth, unwrap=unwrap)
        self.pii_categories = pii_cfg.enabled()

    def __call__(self, text: str) -> Normalized:
        text, changed = normalize(text, self.unicode_steps)
        variants = None if self.cfg.variants == "none" else self.cfg.variants
        script = chinese.to_traditional(text, self.cfg.convert, variants)
        if script.changed_chars:
            changed.append(f"opencc_{self.cfg.convert}" if script.script != "hant" else f"opencc_{variants}")
        text = script.text
        redacted: Counter[str] = Counter()
        if self.pii_categories:
            text, redacted = pii.redact(text, self.pii_categories)
            if redacted:
                changed.append("pii_redaction")
        samples = [{k: self.redact(v) for k, v in s.items()} for s in script.samples]  # they go into the report
        return Normalized(
            text, changed, script.script, script.traditional_ratio, script.changed_chars, samples, redacted
        )

    def redact(self, text: str) -> str:
        """The text with the configured personal data replaced (for text kept outside documents, e.g. the
        raw text of a rejected record or a conversion sample)."""
        return pii.redact(text, self.pii_categories)[0] if self.pii_categories and text else text
