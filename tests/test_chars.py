"""ClassCounter and ClassRemover: one table lookup per character gives exactly what a regex pass per class
gives (counts; the text with the class removed)."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.chars import HAN_RUN, ClassCounter, ClassRemover
from pipeline.dedup.hashing import _STRIP_IN_LINES
from pipeline.normalize.chinese import _char_patterns, _counter

LETTERS = re.compile(r"[^\W\d_]+")
DIGIT = re.compile(r"\d")


def _by_regex(classes: tuple[re.Pattern[str], ...], text: str) -> tuple[int, ...]:
    return tuple(sum(map(len, p.findall(text))) for p in classes)


def _texts() -> list[str]:
    rng = random.Random(7)
    pools = [
        "第一條　為保障人民權益，特制定本法。第二條 本法所稱主管機關：在中央為內政部。",
        "为保障人民权益，特制定本法。这个规定适用于台湾地区。",
        "ABC abc 123 ４５６ ½ ² Ⅻ ₃ _ ñ é ß",
        "\U00020000\U0002a6d6\U00031350\U000323af𠀀𪚥",  # Han Extensions B..H (H is outside HAN)
        "\t\n\u3000\u00a0 。，、；：「」『』（）",
        "\ud800\udfff",  # lone surrogates, as a lossy decode may leave them
    ]
    texts = ["", "a", "字", "12", *pools]
    for _ in range(300):
        texts.append("".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 400))))
    texts.append("第一條" * 50 + "\U000e0001")  # a tag character, beyond the table: counted by regex
    texts.append("".join(map(chr, range(0x3000, 0xA000))))  # every BMP ideograph and more, in one text
    return texts


@pytest.mark.parametrize("classes", [(HAN_RUN, DIGIT), (HAN_RUN, LETTERS, DIGIT)])
def test_counts_equal_the_regex_counts(classes):
    counter = ClassCounter(*classes)
    for text in _texts():
        assert counter(text) == _by_regex(classes, text), text[:40]


def test_script_counter_agrees_with_its_patterns():
    trad, simp = _char_patterns()
    classes = (HAN_RUN, trad, simp, re.compile(r"[^\W\d_]+"))
    for text in _texts():
        assert _counter()(text) == _by_regex(classes, text)


def test_class_count_is_bounded():
    with pytest.raises(ValueError):
        ClassCounter()
    with pytest.raises(ValueError):
        ClassCounter(*[DIGIT] * 9)


@pytest.mark.parametrize("pattern", [re.compile(r"\s+"), re.compile(r"[\W_]+"), _STRIP_IN_LINES])
def test_removal_equals_the_regex_substitution(pattern):
    remove = ClassRemover(pattern)
    for text in _texts():
        assert remove(text) == pattern.sub("", text), text[:40]


@pytest.mark.parametrize("pattern", [r"\d{2,}", r"\b\w", "ab", r"(?<=a)b", r"[a-z]*", r"\d+?"])
def test_a_regex_that_reads_neighbours_is_refused(pattern):
    """A table answers per character: a regex whose match depends on the characters around it cannot be one."""
    with pytest.raises(ValueError, match="one character class"):
        ClassCounter(re.compile(pattern))
    with pytest.raises(ValueError, match="one character class"):
        ClassRemover(re.compile(pattern))
