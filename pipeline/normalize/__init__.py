"""Text normalisation: Unicode and layout, script (OpenCC, audited), personal data, private-use code points
(造字). Each step reports changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.config import NormalizeConfig, PiiConfig
from pipeline.normalize import chinese, pii
from pipeline.normalize.private_use import PrivateUseTable, Replacement, load_table
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
    private_use: list[Replacement] = field(default_factory=list)


class Normalizer:
    """The configured pipeline of steps for one source; cheap to build, converters are cached per process."""

    def __init__(
        self,
        cfg: NormalizeConfig,
        pii_cfg: PiiConfig,
        *,
        unwrap: bool = False,
        private_use: PrivateUseTable | None = None,
    ) -> None:
        self.cfg = cfg
        self.unicode_steps = steps(fold=cfg.fold_fullwidth, unwrap=unwrap)
        self.pii_categories = pii_cfg.enabled()
        self.private_use = private_use or load_table()

    def __call__(self, text: str, field: str = "text") -> Normalized:
        """Unicode and layout steps, script conversion, redaction, then private-use code points replaced --
        last, so the offsets recorded for them are offsets in the text as published."""
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
        text, replaced = self.private_use.replace(text, field)
        if replaced:
            changed.append("private_use")
        samples = [{k: self.redact(v) for k, v in s.items()} for s in script.samples]  # they go into the report
        return Normalized(
            text, changed, script.script, script.traditional_ratio, script.changed_chars, samples, redacted, replaced
        )

    def redact(self, text: str) -> str:
        """The text with the configured personal data and the private-use code points replaced (for text kept
        outside documents, e.g. the raw text of a rejected record or a conversion sample)."""
        text = pii.redact(text, self.pii_categories)[0] if self.pii_categories and text else text
        return self.private_use.replace(text)[0]
