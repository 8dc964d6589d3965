"""Unicode and layout clean-up that keeps Chinese text readable.

NFC, not NFKC: NFKC would turn the full-width comma `，` into `,` and U+3000 into a space. NFC does fold the
CJK compatibility ideographs (U+F900-U+FAFF, e.g. U+FA0C -> 兀 U+5140) to their unified forms: they exist only
for round-trips with legacy code pages (Big5 C94A/DDFC) and name the same character; the step is recorded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from pipeline.chars import HAN

_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_LEADING = re.compile(r"^[ \t\u3000]+", re.M)
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


def fold_fullwidth(text: str) -> str:
    """Full-width ASCII letters and digits (Ａ１) -> ASCII; CJK punctuation such as ，。（）「」 stays full-width."""
    return _FULLWIDTH_ALNUM.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text)


def layout_whitespace(text: str) -> str:
    """Indentation (ASCII or ideographic spaces) and trailing spaces removed; at most one blank line."""
    text = _TRAILING.sub("\n", text + "\n")
    text = _LEADING.sub("", text)
    return _BLANKS.sub("\n\n", text).strip()


_HAN_END = re.compile(f"[{HAN}，、]$")
_HAN_START = re.compile(f"^[{HAN}，、；。：」）]")
_LIST_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[)）]|\d+[.、．]|第\s*\S+\s*[條条章節节款項项目編编])"
)
WRAP_MIN = 15  # hard-wrapped lines in MOJ data are ~34 characters; headings and list items are shorter


def unwrap_lines(text: str) -> str:
    """Join lines broken inside a sentence by fixed-width layout (`...之遺\n教，...`); lists stay as they are."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and len(prev.strip()) >= WRAP_MIN
            and _HAN_END.search(prev.rstrip())
            and _HAN_START.match(line.lstrip())
            and not _LIST_MARKER.match(line.lstrip())
        ):
            out[-1] = prev.rstrip() + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def steps(*, fold: bool = True, unwrap: bool = False) -> list[tuple[str, Callable[[str], str]]]:
    """The Unicode and layout steps, in order, as configured."""
    chosen: list[tuple[str, Callable[[str], str]]] = [
        ("newlines", newlines),
        ("html_entities", html_entities),
        ("controls", controls),
        ("nfc", nfc),
    ]
    if fold:
        chosen.append(("fold_fullwidth", fold_fullwidth))
    if unwrap:
        chosen.append(("unwrap_lines", unwrap_lines))
    chosen.append(("layout_whitespace", layout_whitespace))
    return chosen


STEPS = steps()


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogates(text: str) -> list[int]:
    """Offsets of lone surrogates (from JSON escapes like "\\ud800"): such a str cannot be written as UTF-8."""
    return [m.start() for m in _SURROGATE.finditer(text)]


def replace_surrogates(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD, so it can be stored and shown."""
    return _SURROGATE.sub("\ufffd", text)
