"""Site chrome left out of the hashing view: lines that begin or end many documents of a corpus.

Government pages wrap the same text in headers and footers (the site's name, address, phone, office hours, an
anti-fraud notice, policy links, 更新日期, a visit counter), and agencies re-post with a contact block
appended. Two copies of one notice under different chrome are the same document; one under chrome of its own
would not be found by Jaccard at all when the notice is short. As CCNet and Dolma do with frequent paragraphs,
the runs of lines at the edges of a document that occur at the edges of many documents are removed from the
view dedup compares -- never from the published text.

A line is known by a key: the 64-bit hash of its hashing view with every digit read as 0, so one template's
dates and counters (更新日期：113-06-01, 瀏覽人次：10234) agree -- except the digits of an ordinal (第16部分,
第3850次會議, 第85期): an ordinal numbers the document itself, and the titles of the parts of one law or of the
meetings of one council are as many titles, frequent only when their numbers are read alike. Chrome with an
ordinal in it (a gazette's 第20卷第85期) stays chrome where it is the same line in many documents; a reference
number of five digits or more (發文字號 工程技字第09900264311號) is no ordinal and reads as 0s, like a date.
Extraction keys the first and last EDGE_LINES lines of every document; publish counts in how many documents
each key occurs, and a key in at least `dedup.boilerplate_min_docs` documents (this run's, or already
boilerplate in a corpus deduplicated against) is boilerplate. The set is stored in the release's dedup index,
so a later run sees the same views. A document whose view would lose more than half of itself keeps it whole:
a short record made of common lines is still itself, not an empty view equal to every other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import xxhash

from pipeline.dedup.arrays import member
from pipeline.dedup.compare import ends_with_heading, is_article
from pipeline.dedup.hashing import TITLE_MAX, hashing_view, line_views
from pipeline.dedup.view import Source, View
from pipeline.normalize.chinese import fold_script

EDGE_LINES = 32  # a portal's navigation (首頁, 網站地圖, 字級: 小 中 大, ...) runs to 30 short lines
MIN_SHARE = 0.05  # of a view: less boilerplate than this hardly moves its Jaccard, and the view is kept as is
MIN_KEPT = 0.5  # of the view: a document that would keep less keeps its whole view
SENTENCE_ENDS = "。！？!?.」』）)】；;：:…"  # a text that ends otherwise stops mid-sentence
FULL_STOPS = "。！？!?；;"
WRAPPED_TAIL = 2  # characters of a view: the end of a sentence wrapped onto a line of its own (之。)
_DIGIT = re.compile(r"\d")
# An ordinal whole (its digits kept), or one digit (read as 0). An ordinal is short: a document's reference
# number (工程技字第09900264311號) is not one, and reads alike on every notice of one office.
_NUMBER = re.compile(r"第\d{1,4}(?!\d)|\d")
LINE_KEY_SCHEME = 4  # part of the staged-file key: a change here changes the line keys extraction stores
_LENGTH_SHIFT = 48
# The kinds of law and regulation (中央法規標準法 第 2-3 條), as written and in the Simplified views
_LAW_KINDS = ["法", "律", "條例", "通則", "規程", "規則", "細則", "辦法", "綱要", "標準", "準則"]
_LAW_ENDS = tuple(_LAW_KINDS + [fold_script(kind) for kind in _LAW_KINDS])
# three characters at least before the kind: a category of a site's menu (行政規則, 自治條例) is no law's name
_LAW_NAME = re.compile(f".{{3,}}(?:{'|'.join(fold_script(kind) for kind in _LAW_KINDS)})")
_NOTE = re.compile(r"\s*[（(][^（()）]*[）)]$")  # （第2部分）, （修正草案）
_NAVIGATION = ">＞›»|｜/"
_LABEL_MAX = 6  # characters of a label before a name (法規名稱：)


def line_key(line: str) -> int | None:
    """The key of one line -- 48 bits of hash and, above them, the length of its view -- or None for a line
    with no letters (it leaves nothing in the view anyway)."""
    return _key(hashing_view(line))


def _key(view: str) -> int | None:
    return _keys([view])[0]


def _keys(views: list[str]) -> list[int | None]:
    """`_key` of each view, the digits of all of them read in one pass (a line ends no ordinal: no digit
    crosses a line break)."""
    joined = "\n".join(views)
    read = _NUMBER.sub(_digits_read, joined) if "第" in joined else _DIGIT.sub("0", joined)
    mask = (1 << _LENGTH_SHIFT) - 1
    return [
        (xxhash.xxh3_64_intdigest(line.encode("utf-8")) & mask) | (min(len(view), 0xFFFF) << _LENGTH_SHIFT)
        if view
        else None
        for view, line in zip(views, read.split("\n"), strict=True)
    ]


def _digits_read(found: re.Match[str]) -> str:
    number = found.group()
    return number if len(number) > 1 else "0"


def key_length(keys: np.ndarray) -> np.ndarray:
    """The view length each line key carries."""
    return (np.asarray(keys, dtype=np.uint64) >> np.uint64(_LENGTH_SHIFT)).astype(np.int64)


def document_lines(text: str, stored: str | None = None) -> tuple[list[str], list[str]]:
    """The text's non-empty lines and the view of each. `stored`: those views as extraction stored them
    ("\n"-joined), so verification need not make them again -- used when they pair up with the lines."""
    lines = text.split("\n")
    kept = [i for i, line in enumerate(lines) if line.strip()]
    if stored is not None:
        views = stored.split("\n") if kept else []
        if len(views) == len(kept):
            return [lines[i] for i in kept], views
    return [lines[i] for i in kept], nonempty(text, line_views(text))


def nonempty(text: str, views: list[str]) -> list[str]:
    """The views (one per line of `text`) of its non-empty lines: the lines dedup looks at."""
    return [view for view, line in zip(views, text.split("\n"), strict=True) if line.strip()]


def edge_keys(views: list[str]) -> list[int]:
    """Distinct keys of the first and last EDGE_LINES of a document's non-empty lines (their views), where site
    chrome sits."""
    edges = views if len(views) <= 2 * EDGE_LINES else views[:EDGE_LINES] + views[-EDGE_LINES:]
    return sorted({k for k in _keys(edges) if k is not None})


def frequent(keys: np.ndarray, min_docs: int) -> np.ndarray:
    """Sorted keys of the lines that occur in at least `min_docs` documents (`keys`: every document's distinct
    edge keys, concatenated). Short lines count too: a navigation bar is thirty of them."""
    if min_docs <= 0 or not len(keys):
        return np.empty(0, dtype=np.uint64)
    values, counts = np.unique(keys, return_counts=True)
    return values[counts >= min_docs]


def weighing(line_keys: np.ndarray, owners: np.ndarray, boilerplate: np.ndarray, view_lens: np.ndarray) -> np.ndarray:
    """The documents whose boilerplate lines are enough of their view to be worth leaving out, ascending.
    `line_keys` are every document's distinct edge keys concatenated, `owners` the document of each, and
    `view_lens` each document's view length -- all documents at once, one pass of numpy."""
    hit = member(line_keys, boilerplate)
    if not hit.any():
        return np.empty(0, dtype=np.int64)
    # A document without a boilerplate line weighs 0, under any share of a view of at least one character.
    weight = np.bincount(owners[hit], weights=key_length(line_keys[hit]), minlength=len(view_lens))
    return np.flatnonzero(weight >= MIN_SHARE * np.maximum(np.asarray(view_lens, dtype=np.float64), 1))


def stripped(text: str, boilerplate: frozenset[int]) -> str | None:
    """The text without the boilerplate lines at its edges, or None when it has none or would keep too little.
    Only runs of boilerplate from either end are peeled (`_peel`): a short content line that many documents
    share (第 1 條, 一、) stays where content surrounds it."""
    peeled = _peeled(text, boilerplate)
    if peeled is None:
        return None
    lines, _, head, tail = peeled
    return "\n".join(lines[head : len(lines) - tail])


def stripped_view(text: str, boilerplate: frozenset[int], stored: str | None = None) -> str | None:
    """The hashing view of `stripped(text, boilerplate)` -- its lines' views joined -- or None, as there.
    `stored`: the line views extraction stored (see `document_lines`)."""
    peeled = _peeled(text, boilerplate, stored)
    if peeled is None:
        return None
    _, views, head, tail = peeled
    return "".join(views[head : len(views) - tail])


def _peeled(
    text: str, boilerplate: frozenset[int], stored: str | None = None
) -> tuple[list[str], list[str], int, int] | None:
    """The text's non-empty lines, their views, and how many of them chrome takes from the start and the end;
    None when there is none to leave out, or leaving it out would keep less than MIN_KEPT of the view."""
    if not boilerplate:
        return None
    lines, views = document_lines(text, stored)
    peel = _peel_counts(lines, views, boilerplate)
    return None if peel is None else (lines, views, *peel)


def _peel_counts(lines: list[str], views: list[str], boilerplate: frozenset[int]) -> tuple[int, int] | None:
    """How many lines chrome takes from the start and the end (see `_peeled`); only the lines a run of chrome
    reaches are looked at, and a line is hashed only when boilerplate has a line of its length."""
    lengths = _key_lengths(boilerplate)

    def chrome(i: int) -> bool:
        # An article heading is never chrome, nor the line that follows it: that is the article's text,
        # however many laws share it (第 N 條 / 本法自公布日施行), also where a re-flow joined the heading to
        # the line before it (…規定辦理。 第 21 條).
        view = views[i]
        return (
            min(len(view), 0xFFFF) in lengths
            and _key(view) in boilerplate
            and not is_article(view)
            and not (i and (is_article(views[i - 1]) or ends_with_heading(lines[i - 1], views[i - 1])))
            and not _ends_sentence_wrapped(lines, views, i)
        )

    n = len(lines)
    # Nor is a law's name at the top: the pages of one law's articles all open with it, and two organisation
    # acts made from one template differ in little else.
    head = _peel(lambda i: chrome(i) and not names_law(lines[i]), n)
    tail = _peel(lambda j: chrome(n - 1 - j), n) if head < n else 0
    if not head and not tail:
        return None
    if sum(map(len, views[head : n - tail])) < MIN_KEPT * sum(map(len, views)):
        return None
    return head, tail


def _ends_sentence_wrapped(lines: list[str], views: list[str], i: int) -> bool:
    """Line i is the last word or two of the sentence the line before it left open, wrapped onto a line of its
    own (…相關機關處理 / 之。): frequent at the ends of laws, yet the text's, not chrome. Peeled, the text
    would seem cut short mid-sentence."""
    return (
        i > 0
        and len(views[i]) <= WRAPPED_TAIL
        and lines[i].rstrip()[-1:] in FULL_STOPS
        and lines[i - 1].rstrip()[-1:] not in SENTENCE_ENDS
    )


@lru_cache(maxsize=8)
def _key_lengths(boilerplate: frozenset[int]) -> frozenset[int]:
    """The view lengths the boilerplate lines have (a line key carries its length): no other line is one."""
    return frozenset(key >> _LENGTH_SHIFT for key in boilerplate)


def names_law(line: str) -> bool:
    """Whether a line is the name of a law or regulation (公務人員退休資遣撫卹法, 財政部組織法（第2部分）,
    法規名稱：某某辦法): a name ending in a kind of law (中央法規標準法 第 2-3 條), maybe under a short label, maybe
    followed by a bracketed note. A path of navigation (首頁 > 法令規章 > 行政規則) names a page, not a law."""
    line = _NOTE.sub("", line.strip())
    if not line.endswith(_LAW_ENDS) or any(c in line for c in _NAVIGATION):
        return False
    label, colon, name = line.rpartition("：") if "：" in line else line.rpartition(":")
    if colon and len(label) > _LABEL_MAX:
        return False
    view = hashing_view(name)
    return len(view) <= TITLE_MAX and bool(_LAW_NAME.fullmatch(view))


def _peel(chrome: Callable[[int], bool], n: int) -> int:
    """How many of `n` lines from the start are chrome (`chrome(i)`: the i-th is): the run of boilerplate
    lines they open with, up to EDGE_LINES.
    The run does not bridge other lines: laws share short lines (第 2 條) and whole sentences (本法所稱主管機關
    ...) that a bridge would peel with the title between them. An article is never chrome: many laws end
    第 N 條 / 本法自公布日施行, and a version without its last articles must not look like one with them."""
    peeled = 0
    while peeled < min(n, EDGE_LINES) and chrome(peeled):
        peeled += 1
    return peeled


# A line that is an update stamp alone (最後異動日期：2016/7/7 04:08, 資料更新時間：民國101年04月24日), as a view:
# a site puts one above, below or inside the text it shows, each with a date of its own.
_STAMP = re.compile(
    "(?:最后|资料|网页|本页|页面|内容|档案)?(?:更新|修改|异动|上版|上架|维护|发布|发稿)(?:日期|时间|日|于)?"
    "(?:民国)?[0-9〇零一二三四五六七八九十年月日时分秒上下午]{4,}"
)


def is_stamp(view: str) -> bool:
    """Whether a line's view is an update stamp alone: chrome wherever it stands, left out of what verification
    compares (the hashing view keeps it; signatures are not made again)."""
    return bool(_STAMP.fullmatch(view))


def dedup_view(text: str, boilerplate: frozenset[int], stored: str | None = None) -> View:
    """A document as dedup verification compares it: the hashing view of its text without boilerplate lines and
    update stamps (chrome wherever a site puts them), its title line's view (the view of the first kept line,
    when that is at most TITLE_MAX characters), and its lines with and without the boilerplate. `stored`: its
    line views as extraction stored them."""
    texts, views = document_lines(text, stored)
    stamps = [bool(v) and is_stamp(v) for v in views]
    if any(stamps):
        views = ["" if stamp else v for v, stamp in zip(views, stamps, strict=True)]
    peel = _peel_counts(texts, views, boilerplate) if boilerplate else None
    head, tail = peel or (0, 0)
    kept = [v for v in views[head : len(views) - tail] if v]
    first = next((k for k in range(head, len(texts) - tail) if not stamps[k]), None)
    title = views[first] or None if first is not None and len(texts[first].strip()) <= TITLE_MAX else None
    end = next((k for k in reversed(range(head, len(texts) - tail)) if not stamps[k]), None)
    last = texts[end].rstrip() if end is not None else ""
    ends_open = bool(last) and last[-1] not in SENTENCE_ENDS
    whole = None if peel is None else [v for v in views if v]
    body = (texts[head : len(texts) - tail], views[head : len(views) - tail])
    return View("".join(kept), title, kept, whole, ends_open, body)


def view_of(source: Source, boilerplate: frozenset[int]) -> View:
    """`dedup_view` of a document's text, with its stored line views when it has them."""
    if isinstance(source, str):
        return dedup_view(source, boilerplate)
    return dedup_view(source.text, boilerplate, source.line_views)
