"""Character classes every stage shares, defined once so that ratios, script detection, column detection and
line joining agree on what a Han character is; and tables of classes, which count or remove a class's characters
in one numpy pass where the per-document steps would otherwise run a regex pass per class."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

import numpy as np

# CJK Unified Ideographs: Extension A, the URO, the compatibility block, and Extensions B-H (planes 2 and 3).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")  # runs, not characters: counting over runs makes far fewer matches


def han_count(text: str) -> int:
    return sum(map(len, HAN_RUN.findall(text)))


TABLE_LIMIT = 0x40000  # planes 0-3: every Han extension, every letter and digit Unicode has assigned
SHORT = 40  # characters below which a regex is faster than numpy (whose fixed cost is ~5 us a call)


@lru_cache(maxsize=1)
def _every_code_point() -> str:
    return "".join(map(chr, range(TABLE_LIMIT)))  # 1 MiB, made once a process rather than once a table


def one_class(pattern: re.Pattern[str]) -> bool:
    """Whether the regex matches one character class, alone or repeated (`\\d`, `[...]+`, `\\s+`): whether a
    character matches it whatever its neighbours, which is what a table of code points can answer. Read from
    the parse the regex engine compiles (a `\\d{2,}`, a `\\b` or a look-behind depends on the neighbours)."""
    from re import _parser

    items = list(_parser.parse(pattern.pattern, pattern.flags))
    if len(items) == 1 and items[0][0] is _parser.MAX_REPEAT:
        low, high, inner = items[0][1]
        if low != 1 or high is not _parser.MAXREPEAT:
            return False
        items = list(inner)
    return len(items) == 1 and items[0][0] in (_parser.IN, _parser.LITERAL, _parser.NOT_LITERAL, _parser.ANY)


def _class_table(classes: tuple[re.Pattern[str], ...]) -> np.ndarray:
    """For every code point below TABLE_LIMIT, a byte whose bit k says whether classes[k] matches it: each class
    (`one_class`) run over every code point at once, so a lookup answers exactly what the regex would."""
    table = np.zeros(TABLE_LIMIT, dtype=np.uint8)
    for bit, pattern in enumerate(classes):
        for run in pattern.finditer(_every_code_point()):
            table[run.start() : run.end()] |= 1 << bit
    return table


def _table_points(text: str) -> np.ndarray | None:
    """The text's code points, or None where the regexes answer instead: a text under SHORT characters (they
    are faster there), or one with a code point at or beyond TABLE_LIMIT (no table holds it)."""
    if len(text) < SHORT:
        return None
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return None if int(points.max()) >= TABLE_LIMIT else points


class _ClassTable:
    """Regexes of one character class each, and the table of them, made on first use (~35 ms): held like a
    compiled regex, as a module's constant, it costs nothing until a text needs it."""

    def __init__(self, classes: tuple[re.Pattern[str], ...]) -> None:
        if not 0 < len(classes) <= 8:
            raise ValueError("between 1 and 8 classes")
        for pattern in classes:
            if not one_class(pattern):
                raise ValueError(f"not a regex of one character class: {pattern.pattern!r}")
        self.classes = classes

    @cached_property
    def table(self) -> np.ndarray:
        return _class_table(self.classes)


class ClassCounter(_ClassTable):
    """How many characters of a text fall in each of a few classes, in one pass: the classes of each character
    looked up in a table (numpy), instead of one regex pass per class -- about 6x faster on a 1,000-character
    text, with exactly the regexes' counts (`_table_points` says where the regexes count instead)."""

    def __init__(self, *classes: re.Pattern[str]) -> None:
        super().__init__(classes)
        combos = np.arange(1 << len(classes))
        self._per_class = ((combos[:, None] >> np.arange(len(classes))) & 1).astype(np.int64)

    def __call__(self, text: str) -> tuple[int, ...]:
        points = _table_points(text)
        if points is None:
            return tuple(sum(map(len, pattern.findall(text))) for pattern in self.classes)
        combos = np.bincount(self.table[points], minlength=len(self._per_class))
        return tuple(int(n) for n in combos @ self._per_class)


class ClassRemover(_ClassTable):
    """`pattern.sub("", text)` for a pattern of one character class, by a table lookup and a mask (numpy):
    2-3x faster than the regex on a 1,000-character text, the same result (`_table_points` says where the regex
    does it instead)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__((pattern,))
        self.pattern = pattern

    @cached_property
    def _keep(self) -> np.ndarray:
        return self.table == 0

    def __call__(self, text: str) -> str:
        points = _table_points(text)
        if points is None:
            return self.pattern.sub("", text)
        return points[self._keep[points]].tobytes().decode("utf-32-le", "surrogatepass")
