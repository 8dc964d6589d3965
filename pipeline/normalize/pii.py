"""Taiwan personal data: detected, validated and replaced by typed placeholders such as <身分證字號>.

Identity numbers count only when their check digit is right; phone numbers only in the shapes Taiwanese
writing uses (an area code in parentheses or followed by a dash, or a 09 mobile prefix), so article numbers,
dates, statistics and 8-digit unified business numbers (統一編號) are left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# Letter codes of the first character of national ID and resident certificate numbers.
_LETTER = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


def _checksum_ok(first_code: int, second: int, rest: str) -> bool:
    digits = [first_code // 10, first_code % 10, second, *(int(c) for c in rest)]
    return sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10 == 0


def valid_national_id(value: str) -> bool:
    """A123456789: a letter, 1 or 2 (sex), seven digits and a check digit."""
    v = value.upper()
    return bool(re.fullmatch(r"[A-Z][12]\d{8}", v)) and _checksum_ok(_LETTER[v[0]], int(v[1]), v[2:])


def valid_resident_certificate(value: str) -> bool:
    """New format (2021-) A800000014: a letter, 8 or 9, eight digits. Old format AB12345678: two letters."""
    v = value.upper()
    if re.fullmatch(r"[A-Z][89]\d{8}", v):
        return _checksum_ok(_LETTER[v[0]], int(v[1]), v[2:])
    if re.fullmatch(r"[A-Z][A-D]\d{8}", v):
        return _checksum_ok(_LETTER[v[0]], _LETTER[v[1]] % 10, v[2:])
    return False


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Cheap tests that every match of a detector's pattern implies (most texts fail them, and skip the pattern):
# identity numbers have a letter then eight digits; every phone and card number worth a placeholder has eight
# or more digits in a run of digits and separators.
_ID_HINT = re.compile(r"[A-Za-z][0-9A-Da-d]\d{8}")
_NUMBER_HINT = re.compile(r"\d[\d ()+#-]{6,}\d")


@dataclass(frozen=True)
class Detector:
    category: str
    placeholder: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    hint: Callable[[str], object] = bool  # falsy: the text cannot hold a match

    def accepts(self, m: re.Match[str]) -> bool:
        """A match that is personal data: valid (check digit, Luhn, length) and, but for e-mail addresses,
        not part of an official document number."""
        return (self.category == "email" or not _document_number(m)) and self.valid(m.group(0))


def _digits_valid_card(value: str) -> bool:
    digits = re.sub(r"[ -]", "", value)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits)


DETECTORS: list[Detector] = [
    Detector(
        "email",
        "<電子郵件>",
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
        ),
        lambda v: True,
        lambda text: "@" in text,
    ),
    Detector(
        "national_id",
        "<身分證字號>",
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z][12]\d{8}(?![A-Za-z0-9])"),
        valid_national_id,
        _ID_HINT.search,
    ),
    Detector(
        "resident_certificate",
        "<居留證號>",
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?:[89]\d{8}|[A-Da-d]\d{8})(?![A-Za-z0-9])"),
        valid_resident_certificate,
        _ID_HINT.search,
    ),
    Detector(
        "credit_card",
        "<信用卡號>",
        re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"),
        _digits_valid_card,
        _NUMBER_HINT.search,
    ),
    Detector(
        "mobile",
        "<手機號碼>",
        re.compile(r"(?<![\d+])(?:\+886[ -]?|\(?0)9\d{2}\)?[ -]?\d{3}[ -]?\d{3}(?!\d)"),
        lambda v: True,
        _NUMBER_HINT.search,
    ),
    Detector(
        "landline",
        "<電話號碼>",
        re.compile(
            r"(?<![\d+])(?:\+886[ -]?\(?0?[2-8]\d{0,2}\)?[ -]?|\(0[2-8]\d{0,2}\)[ -]?|0[2-8]\d{0,2}-)"
            r"\d{3,4}[ -]?\d{3,4}(?:[ ]?(?:#|轉|分機|ext\.?)[ ]?\d{1,5})?(?!\d)"
        ),
        lambda v: len(re.sub(r"\D", "", v)) >= 8,
        _NUMBER_HINT.search,
    ),
]
CATEGORIES = [d.category for d in DETECTORS]


def _document_number(m: re.Match[str]) -> bool:
    """Inside an official document number (文號) such as 勞人1字第0940500123號: a number, not a phone."""
    before = m.string[max(0, m.start() - 1) : m.start()]
    after = m.string[m.end() : m.end() + 1]
    return before in ("第", "字") or after == "號"


def redact(text: str, categories: set[str] | None = None) -> tuple[str, Counter[str]]:
    """Replace every valid match of the enabled categories; returns the text and counts per category."""
    counts: Counter[str] = Counter()
    for det in DETECTORS:
        if (categories is not None and det.category not in categories) or not det.hint(text):
            continue

        def _sub(m: re.Match[str], det: Detector = det) -> str:
            if det.accepts(m):
                counts[det.category] += 1
                return det.placeholder
            return m.group(0)

        text = det.pattern.sub(_sub, text)
    return text, counts
