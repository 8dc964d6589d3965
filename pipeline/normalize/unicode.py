"""Unicode and layout clean-up that keeps Chinese text readable.

NFC, not NFKC: NFKC would turn the full-width comma `，` into `,` and U+3000 into a space. NFC does fold the
CJK compatibility ideographs (U+F900-U+FAFF, e.g. U+FA0C -> 兀 U+5140) to their unified forms: they exist only
for round-trips with legacy code pages (Big5 C94A/DDFC) and name the same character; the step is recorded.
"""

from __future__ import annotations

import html
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_TRAILING = re.compile(r"[ \t\u3000]+\n")
_BLANKS = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def html_entities(text: str) -> str:
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)).replace("\xa0", " "), text)


def controls(text: str) -> str:
    return _CONTROL.sub("", text)


def layout_whitespace(text: str) -> str:
    text = _TRAILING.sub("\n", text + "\n")
    return _BLANKS.sub("\n\n", text).strip()


STEPS = [
    ("newlines", newlines),
    ("html_entities", html_entities),
    ("controls", controls),
    ("nfc", nfc),
    ("layout_whitespace", layout_whitespace),
]
