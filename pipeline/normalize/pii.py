"""Taiwan personal data: detected, validated and replaced by typed placeholders such as <身分證字號>.

Identity numbers count only when their check digit is right; phone numbers only in the shapes Taiwanese
writing uses (an area code in parentheses or followed by a dash, a 09 mobile prefix, or a local number right
after 電話 / TEL / 傳真 ...), so article numbers, dates, statistics and 8-digit unified business numbers (統一編號)
are left alone. Agencies write numbers and addresses with full-width punctuation -- （06）2993992, 06－3901459,
＃123, aiping＠mail．moe.gov．tw -- which width folding rightly keeps: detectors read a shadow of the text in
which those characters (and full-width digits, letters and spaces) are their ASCII forms, one for one, so
every offset stays the text's own.
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
_LOCAL_HINT = re.compile(r"(?:電話|專線|傳真|TEL|Tel|tel|FAX|Fax|fax|Phone|phone)")


# Width and dash variants of the characters numbers and e-mail addresses are written with, each mapped to one
# ASCII character (aiping＠mail．moe.gov．tw: width folding keeps the full-width ＠ and ．).
_SHADOW = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "（": "(",
        "）": ")",
        "〔": "(",
        "〕": ")",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "﹣": "-",
        "−": "-",
        "＃": "#",
        "＋": "+",
        "．": ".",
        "＠": "@",
        "﹫": "@",
        "＿": "_",
        **{chr(0xFF21 + k): chr(ord("A") + k) for k in range(26)},
        **{chr(0xFF41 + k): chr(ord("a") + k) for k in range(26)},
        "\u3000": " ",
        "\u00a0": " ",
    }
)


_SHADOWED = re.compile("[" + re.escape("".join(sorted(map(chr, _SHADOW)))) + "]")
_SHADOW_OF = {chr(code): ascii_form for code, ascii_form in _SHADOW.items()}


def shadow(text: str) -> str:
    """The text as number detectors read it: same length, width and dash variants as ASCII. Replaced where they
    occur (a few a document) rather than through `str.translate`, which looks up every character: 8x faster."""
    return _SHADOWED.sub(lambda found: _SHADOW_OF[found.group()], text)


@dataclass(frozen=True)
class Detector:
    category: str
    placeholder: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    hint: Callable[[str], object] = bool  # falsy: the text cannot hold a match
    group: int = 0  # the part of a match that is the data (the rest is context, e.g. "電話：")

    def accepts(self, m: re.Match[str]) -> bool:
        """A match that is personal data: valid (check digit, Luhn, length) and, but for e-mail addresses,
        not part of an official document number."""
        return (self.category == "email" or not _document_number(m, self.group)) and self.valid(m.group(self.group))


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
    Detector(  # a local number without its area code, right after the word for a phone: 電話：2993992#123
        "landline",
        "<電話號碼>",
        re.compile(
            r"(?:電話|聯絡電話|連絡電話|服務電話|專線|傳真|TEL|Tel|tel|FAX|Fax|fax|Phone|phone)[ ]?[:：]?[ ]?"
            r"(?<![\d+])(\d{3,4}[ -]?\d{4}(?:[ ]?(?:#|轉|分機|ext\.?)[ ]?\d{1,5})?)(?![\d-])"
        ),
        lambda v: 7 <= len(re.sub(r"\D", "", v.split("#")[0].split("轉")[0].split("分機")[0])) <= 8,
        _LOCAL_HINT.search,
        group=1,
    ),
]
CATEGORIES = [d.category for d in DETECTORS]


def _document_number(m: re.Match[str], group: int = 0) -> bool:
    """Inside an official document number (文號) such as 勞人1字第0940500123號: a number, not a phone."""
    start, end = m.span(group)
    before = m.string[max(0, start - 1) : start]
    after = m.string[end : end + 1]
    return before in ("第", "字") or after == "號"


def find(text: str, categories: set[str] | None = None) -> list[tuple[int, int, Detector]]:
    """(start, end, detector) of every valid match of the enabled categories, over the shadow of the text,
    in text order, the earlier detector winning an overlap (as redaction applies them)."""
    view = shadow(text)
    spans: list[tuple[int, int, Detector]] = []
    taken: list[tuple[int, int]] = []
    hinted: dict[Callable[[str], object], bool] = {}  # detectors share hints: each is searched once a text
    for det in DETECTORS:
        if categories is not None and det.category not in categories:
            continue
        if det.hint not in hinted:
            hinted[det.hint] = bool(det.hint(view))
        if not hinted[det.hint]:
            continue
        for m in det.pattern.finditer(view):
            start, end = m.span(det.group)
            if det.accepts(m) and not any(start < e and s < end for s, e in taken):
                spans.append((start, end, det))
                taken.append((start, end))
    return sorted(spans, key=lambda span: span[0])


def redact(text: str, categories: set[str] | None = None) -> tuple[str, Counter[str]]:
    """Replace every valid match of the enabled categories; returns the text and counts per category."""
    counts: Counter[str] = Counter()
    out: list[str] = []
    at = 0
    for start, end, det in find(text, categories):
        out += [text[at:start], det.placeholder]
        counts[det.category] += 1
        at = end
    out.append(text[at:])
    return "".join(out), counts
