"""Verification of one candidate pair: are two documents copies, one a partial copy of the other, or two
different documents? A pair is a duplicate when
- their titles agree (a short first line; see `titles_agree`): a copy re-flowed, re-spaced or re-posted
  under 轉載： or a letterhead still does; a law and its 施行細則, the organisation acts of two agencies, one
  year's budget act and the next do not;
- their shingle sets are alike: Jaccard at least `threshold`, or -- a truncated copy, an excerpt -- the shorter
  one's shingles at least `containment` inside the longer one's, when the shorter view has at least
  `containment_min_chars` characters, and in one contiguous stretch of it (Jaccard with the stretch it lines
  up with reaches `threshold`): a version with an article added inside has all of the old one's shingles,
  but not in one stretch -- or the longer one is the shorter one whole between lines of site chrome (a short
  notice under a header and footer of dates and counters of its own, `_wrapped`);
- they do not differ as versions do (`compare.substantively_different`): a number changed (三十日 -> 四十日),
  an article added or deleted, a sentence rewritten. A version that changed one amount has a Jaccard of 0.99;
  only the alignment tells it from a copy with a typo.
A noisy copy (`compare.difference`: a number changed among more slips that break words) is a Noisy verdict: it
joins the one cluster it differs from by the fewest suspects, only while nothing joins it to another, and
never two documents marked VERSIONS (`cluster._attach_noisy`). A copy with a letter where the other has a digit
of a number (性三 / 十三) is Slipped: joined after the copies, and not where that joins two versions that differ
by their numbers alone (NUMBERS; `cluster._attach_slipped`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.dedup.boilerplate import FULL_STOPS, SENTENCE_ENDS, view_of
from pipeline.dedup.compare import (
    ALIKE,
    APART,
    Difference,
    Likeness,
    differ_within,
    difference,
    heading_only,
    is_article,
    names_article,
    slip,
    taiwan_phrasing,
)
from pipeline.dedup.hashing import hashing_view
from pipeline.dedup.lsh import UnionFind
from pipeline.dedup.minhash import shingle_set
from pipeline.dedup.view import Source, View

if TYPE_CHECKING:
    from pipeline.dedup.cluster import NearSettings

TITLE_SLACK = 8  # characters a re-post may put before a title (轉載, 【公告】, 新聞稿)
OPENING = 32  # characters of chrome a view may open with before its title
HEAD_LINES = 8  # lines of a letterhead (機關令, 日期, 字號) a view may open with before its title
CUT_SLACK = 8  # characters where a copy was cut short may read differently (a phrase converted whole)
CHROME_LINE = 40  # characters of its view a line of site chrome (a breadcrumb, a date, a counter, a phone) has at most
MIN_SLIPS, SLIPS_PER_100 = 3, 3  # scattered edits a copy may have below the Jaccard threshold


class Partial(NamedTuple):
    """A partial copy: the shorter document, the longer one, their Jaccard, and how much of the shorter one's
    shingles the longer one holds."""

    shorter: int
    longer: int
    jaccard: float
    containment: float


class Noisy(NamedTuple):
    """A noisy copy: the two documents (-1 until `verify_pairs` names them), their Jaccard, and the suspects
    (numbers changed, one-character edits made twice) that the other slips outnumber."""

    a: int
    b: int
    jaccard: float
    suspects: int


class Slipped(NamedTuple):
    """A copy but for digits of a number, or a modal verb, the `letter` document has a letter in place of (十三
    -> 性三, 得 -> 荓), where the `digit` one has them: a typo -- or a typo copy of another version (三 with 性
    inserted; 應 for 得), a copy of both versions. Joined after the copies, unless that puts two versions that
    differ by their numbers alone in one cluster (`cluster._attach_slipped`). Positions in the pair (0, 1)
    until `verify_pairs` names the documents."""

    letter: int
    digit: int


COPY = "copy"
JOINED = "joined"  # not compared: one cluster already through copies verified before it in its batch
VERSIONS = "versions"  # alike in shingles, different as versions are (no noisy copy joins one to the other)
NUMBERS = "numbers"  # VERSIONS that differ by numbers changed alone (三倍 / 十三倍): no Slipped copy joins them
# COPY, JOINED, VERSIONS, NUMBERS, a partial copy, a noisy copy, a copy with a digit slipped, or two different
# documents (pickles as it is)
Verdict = str | Partial | Noisy | Slipped | None


def _views(texts: Mapping[int, Source], boilerplate: frozenset[int]) -> Callable[[int], View]:
    """Each document's view by index, built once (`view_of`: without the `boilerplate` lines at its edges)."""
    views: dict[int, View] = {}

    def view(i: int) -> View:
        if i not in views:
            views[i] = view_of(texts[i], boilerplate)
        return views[i]

    return view


def verify_pairs(
    pairs: Iterable[tuple[int, int]], texts: Mapping[int, Source], boilerplate: frozenset[int], near: NearSettings
) -> list[Verdict]:
    """The verdict on each pair, the documents' views built once from `texts` (each document's text by index,
    maybe with its stored line views; without the `boilerplate` lines at its edges). A pair that copies verified
    earlier in `pairs` already join (a and c both copies of b) is JOINED, not compared: its verdict could not
    change the clusters, which join copies transitively, and a partial copy inside one cluster is not attached."""
    view = _views(texts, boilerplate)
    local = {doc: k for k, doc in enumerate(texts)}  # the batch's documents, numbered for the union-find
    copies = UnionFind(len(local))  # the copies found so far
    out: list[Verdict] = []
    for a, b in pairs:
        if copies.find(local[a]) == copies.find(local[b]):
            out.append(JOINED)
            continue
        va, vb = view(a), view(b)
        found = match(va, vb, near)
        if found == COPY:
            copies.union(local[a], local[b])
        elif isinstance(found, Noisy):
            found = found._replace(a=a, b=b)
        elif isinstance(found, Slipped):
            found = Slipped((a, b)[found.letter], (a, b)[found.digit])
        elif isinstance(found, tuple):
            shorter, longer = (a, b) if len(va.text) <= len(vb.text) else (b, a)
            found = Partial(shorter, longer, *found)
        out.append(found)
    return out


def bridges(
    triples: Iterable[tuple[int, int, int]],
    texts: Mapping[int, Source],
    boilerplate: frozenset[int],
    near: NearSettings,
) -> list[bool | None]:
    """For each (longer, member, shorter) -- a partial copy, the longer document that holds it, and a document of
    the partial copy's own cluster: whether joining the two clusters would join two versions of one text, None
    when the shorter one cannot be `member` cut short (`_cut_from`). It would when `member` and the longer
    document are versions (a copy cut short is a whole copy of a version without the last article): one holds
    most of the other (at least `near.containment` of its shingles), yet they differ between their edges
    (`compare.differ_within`; two re-posts of one notice in different sites' chrome differ only at the edges)."""
    view = _views(texts, boilerplate)
    out = []
    for longer, member, shorter in triples:
        if not _cut_from(view(shorter), view(member), near):
            out.append(None)
            continue
        a, b = sorted((view(longer), view(member)), key=lambda v: len(v.text))
        out.append(_held(a, b, near.ngram) >= (near.containment or 1.0) and differ_within(a.lines, b.lines))
    return out


def _cut_from(cut: View, whole: View, near: NearSettings) -> bool:
    """Whether `cut` may be `whole` cut short: `whole` does not stop mid-sentence itself, and goes on past the
    cut's end from the cut's start -- or the two end on the same line, only the cut stopping mid-sentence there,
    and `whole` holds the cut (a typo copy that lost its last 。: its slips keep its start from being that of
    the copy it was made from)."""
    if whole.ends_open:
        return False
    if len(whole.text) > len(cut.text) and whole.text.startswith(cut.text[:-CUT_SLACK]):
        return True
    if not (cut.ends_open and cut.lines and whole.lines and cut.lines[-1] == whole.lines[-1]):
        return False
    return _held(cut, whole, near.ngram) >= (near.containment or 1.0)


def _held(a: View, b: View, ngram: int) -> float:
    """The share of `a`'s shingles that `b` holds."""
    sa, sb = a.shingles(ngram), b.shingles(ngram)
    return len(np.intersect1d(sa, sb, assume_unique=True)) / max(len(sa), 1)


def titles_agree(a: View, b: View) -> bool:
    """Equal titles; one title the other with a short prefix (轉載：, 【公告】: a re-post); or one of the two titles
    opening both views, give or take some chrome before it (a re-flowed first line, a letterhead, a site's
    header line left in); also in Taiwan phrasing (釋出 / 发布), or with a slip of a character or two. A
    different name (another agency's, year's, or the law's own name followed by 施行細則 in a
    different text) agrees in none of these ways."""
    if a.title is None or b.title is None or a.title == b.title:
        return True
    if is_article(a.title) and is_article(b.title):
        return True  # no titles: the law's name left out as boilerplate, a copy with its articles reordered
    if _taiwan_title(a.title) == _taiwan_title(b.title) or slip(a.title, b.title):
        return True
    short, long_ = sorted((a.title, b.title), key=len)
    if long_.endswith(short) and len(long_) - len(short) <= TITLE_SLACK:
        return True
    return any(_opens(t, a) and _opens(t, b) for t in (a.title, b.title))


# A title is compared with every candidate of its document; titles are short (TITLE_MAX), so the cache is small.
_taiwan_title = lru_cache(maxsize=1 << 16)(taiwan_phrasing)


def _opens(title: str, view: View) -> bool:
    """The title stands near the top of the view: in its first characters (a re-flowed first line) or first
    lines (under a letterhead)."""
    return title in view.text[: len(title) + OPENING] or title in "".join(view.lines[:HEAD_LINES])


def match(a: View, b: View, near: NearSettings) -> str | Noisy | Slipped | tuple[float, float] | None:
    """Exact verification of one candidate pair (see the module docstring): COPY for copies (Slipped when one has
    a letter for a digit of the other's number), a Noisy copy,
    (Jaccard, containment) of a partial copy with the longer document, VERSIONS for two versions of one text
    (alike in shingles, different inside), None for two different documents."""
    if not titles_agree(a, b):
        return None
    sa, sb = a.shingles(near.ngram), b.shingles(near.ngram)
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    jaccard = inter / (len(sa) + len(sb) - inter)
    containment = inter / max(min(len(sa), len(sb)), 1)
    shorter, longer = (a, b) if len(a.text) <= len(b.text) else (b, a)
    few_slips = jaccard < near.threshold and _few_slips(a, b, jaccard, near.ngram)
    wrapped = jaccard < near.threshold and containment >= (near.containment or 2) and _wrapped(shorter, longer)
    alike = _alike(a, b) if jaccard >= near.threshold or few_slips or wrapped else APART
    cut_short = _continues(shorter, longer) and _cut_short(shorter, longer) and not _wrapped(shorter, longer)
    if alike.kind == Difference.SAME:
        # cut short: a copy of this version or of another alike
        if cut_short:
            return (jaccard, containment)
        in_a, in_b = alike.slipped
        if bool(in_a) != bool(in_b):
            return Slipped(1, 0) if in_a else Slipped(0, 1)
        return COPY
    if alike.kind == Difference.NOISY and not cut_short:
        return Noisy(-1, -1, jaccard, alike.suspects)
    if jaccard < near.threshold and not _partial_copy(shorter, longer, containment, near):
        return None
    # a partial copy -- or a copy cut short -- joins the cluster it is most alike
    partial = _alike(shorter, longer, partial=True).kind
    # a text whose last sentence the other goes on with is a version, whichever is longer (an amendment that
    # added a clause at its end is shorter than its base's copy under a site header); a copy cut short goes on
    # with nothing
    if partial == Difference.SAME and not (
        _sentence_extended(shorter, longer) or (not shorter.ends_open and _sentence_extended(longer, shorter))
    ):
        return (jaccard, containment)
    if partial == Difference.NOISY:
        return None  # a noisy copy cut short, of this version or another: no sign of either
    if jaccard < near.threshold:
        return None
    return NUMBERS if alike.kind == Difference.DIFFERENT and alike.suspects else VERSIONS


def _few_slips(a: View, b: View, jaccard: float, ngram: int) -> bool:
    """At most SLIPS_PER_100 characters edited per hundred (at least MIN_SLIPS): a short notice with five typos
    has a shingle Jaccard below 0.8 (each slip spoils `ngram` shingles), yet reads as the same text. The edit
    distance is costly, so first what the Jaccard of views so few edits apart must be at least."""
    allowed = max(MIN_SLIPS, min(len(a.text), len(b.text)) * SLIPS_PER_100 // 100)
    if abs(len(a.text) - len(b.text)) > allowed:
        return False
    na, nb = sorted((len(a.shingles(ngram)), len(b.shingles(ngram))))
    if jaccard < (na - allowed * ngram) / (nb + allowed * ngram):
        return False
    return Levenshtein.distance(a.text, b.text, score_cutoff=allowed) <= allowed


# An item of a list opens the line (一、, （二）, 3.): text, however short.
_ITEM = re.compile(r"[（(]?[一二三四五六七八九十百0-9]+[、.．）)]")


def _wrapped(shorter: View, longer: View) -> bool:
    """The longer view is the shorter one whole, line for line, between lines of site chrome: short lines that end
    no sentence and open no article or item (首頁 / 公告資訊, 更新日期：102年5月21日, 瀏覽人次：510816, Copyright ©
    桃園市政府), at least one. A short notice under a site's header and footer has a low Jaccard with itself when
    the chrome's dates, counters and agency name are its own; an excerpt ends or starts where the other goes on
    with its text, a version with an article or a sentence. A text that stops mid-sentence (a piece cut at a
    chunk's end) above a footer is no copy cut short of the page: nothing of its text goes on there."""
    if not shorter.lines:
        return False
    inner, n = shorter.lines, len(shorter.lines)
    lines = longer.text_lines()
    for i in range(len(longer.lines) - n + 1):
        if longer.lines[i : i + n] == inner:
            rest = lines[:i] + lines[i + n :]
            return bool(rest) and all(_chrome_line(text.strip(), view) for text, view in rest)
    return False


def _chrome_line(text: str, view: str) -> bool:
    return len(view) <= CHROME_LINE and text[-1:] not in FULL_STOPS and not is_article(view) and not _ITEM.match(text)


def _cut_short(shorter: View, longer: View) -> bool:
    """The shorter view stops mid-sentence, and not where a line of the longer one stops open too before an
    article's heading (第 6-1 條; a bare number heads a table's next row as often), or goes on with one that a
    re-flow joined to it: a piece that stops so is no copy cut short of the longer one -- the article is the
    longer one's own
    (a wrapped line that goes on, in the longer one, with the rest of its sentence is a cut all the same; so is
    one whose 。 is wrapped onto a line of its own). Where the shorter one stops in the longer one is found by its
    last line or characters (`_end_in`): a copy under a site's header does not start where the other starts."""
    if not shorter.ends_open:
        return False
    lines, views = longer.body
    found = _end_in(shorter, longer)
    at, stop = 0, len(shorter.text) if found is None else found
    for k, view in enumerate(views):
        if not view:
            continue
        at += len(view)
        if at < stop:
            continue
        if at > stop:
            # the longer one's line goes on: with the rest of the sentence (第四條 in it is a reference), or with
            # nothing but an article's heading, which a re-flowed copy joined to the line before it (第 六 章
            # 農業研究及推廣第 64 條)
            return not heading_only(view[len(view) - (at - stop) :])
        if lines[k].rstrip()[-1] in SENTENCE_ENDS:
            return True
        for line, after in zip(lines[k + 1 :], views[k + 1 :], strict=True):
            if after:
                return not names_article(after)
            if line.rstrip()[-1] in SENTENCE_ENDS:
                return True
        return True
    return True


def _sentence_extended(shorter: View, longer: View) -> bool:
    """The shorter text's last line ends with a full stop where a line of the longer one goes on with the same
    sentence: a version that extended its last sentence (本辦法自發布日施行。 -> 本辦法自發布日施行，施行期間至…止。).
    A copy cut right after a full stop ends where the longer one has that full stop too; a version that went on
    after its last sentence put another stop there (施行。 -> 施行；其辦法由主管機關定之。), or added a proviso
    (…為之。但有正當理由者，不在此限。) as its last line. The views leave punctuation out, so the longer one's own
    line is read where the shorter one stops in it, found by the shorter one's last characters (`_end_in`): a copy
    that wrapped its lines elsewhere (…證券交易稅，\n一律免徵。) stops at the same place."""
    last = shorter.text_lines()[-1][0].rstrip() if shorter.lines else ""
    if not last or last[-1] not in FULL_STOPS:
        return False
    stop = _end_in(shorter, longer)
    if stop is None:
        return False
    kept = longer.text_lines()
    at = 0
    for k, (line, view) in enumerate(kept):
        if at + len(view) < stop:
            at += len(view)
            continue
        if at + len(view) == stop:
            return False  # the longer one's line ends there too
        # the shortest start of the line whose view reaches the stop; what follows it there
        cut = bisect_left(range(len(line)), stop - at, key=lambda n: len(hashing_view(line[:n])))
        rest = line[cut:].lstrip()
        # the same stop, then a proviso (。但…不在此限。) that ends the longer one: what amendments add to an
        # article more than anything (a law's lines go on with provisos as often, so a cut there goes on after)
        proviso = k == len(kept) - 1 and rest[1:].lstrip().startswith("但")
        return not rest or rest[0] != last[-1] or proviso
    return False


TAIL_CHARS = 24  # characters of its view the end of a text is found by in another


def _end_in(text: View, other: View) -> int | None:
    """Where `text` ends in `other` (a position in its view): where a line of `other` opens with `text`'s last
    line and goes on, under the same line as there; else where `text`'s last TAIL_CHARS characters stand in
    `other`, when they stand there once (a copy that wrapped its lines elsewhere); else where one line of `other`
    opens with `text`'s last line but for slips (a typo copy), or in Taiwan phrasing (a copy in mainland phrases:
    項目 / 專案). None for a text with no line left in its view."""
    if not text.lines:
        return None
    end, before = text.lines[-1], text.lines[-2] if len(text.lines) > 1 else ""
    at = 0
    for k, view in enumerate(other.lines):
        if len(view) > len(end) and view.startswith(end) and (other.lines[k - 1] if k else "") == before:
            return at + len(end)
        at += len(view)
    tail = text.text[-TAIL_CHARS:]
    at = other.text.find(tail)
    if at >= 0:
        return None if other.text.find(tail, at + 1) >= 0 else at + len(tail)  # a phrase said twice: no telling
    found = _end_with_slips(end, other.lines)
    return found if found is not None else _end_in_taiwan_phrasing(end, other.lines)


def _end_in_taiwan_phrasing(end: str, lines: list[str]) -> int | None:
    """Where the line `end` ends in `lines` (a position in their join), both read in Taiwan phrasing: the one
    line that opens with it so and goes on, where the phrasing keeps the lengths (项目 / 專案, 稽核 / 審核)."""
    wanted = taiwan_phrasing(end)
    if len(wanted) != len(end):
        return None
    found: list[int] = []
    at = 0
    for view in lines:
        if len(view) > len(end):
            read = taiwan_phrasing(view)
            if len(read) == len(view) and read.startswith(wanted):
                found.append(at + len(end))
        at += len(view)
    return found[0] if len(found) == 1 else None


SLIP_CHARS = 16  # characters of a line a slip in it is allowed for, where one text's last line is read in another


def _end_with_slips(end: str, lines: list[str]) -> int | None:
    """Where the line `end` ends in `lines` (a position in their join), read with a slip per SLIP_CHARS of its
    characters (a typo copy's last line): the one line that opens with it so and goes on, the end put where the
    line's opening is nearest it in edits."""
    allowed = len(end) // SLIP_CHARS
    if not allowed:
        return None
    found: list[int] = []
    at = 0
    for view in lines:
        if len(view) > len(end) + allowed:
            near = min(
                (Levenshtein.distance(view[:stop], end, score_cutoff=allowed + 1), abs(stop - len(end)), stop)
                for stop in range(len(end) - allowed, len(end) + allowed + 1)
            )
            if near[0] <= allowed:
                found.append(at + near[2])
        at += len(view)
    return found[0] if len(found) == 1 else None


def _continues(shorter: View, longer: View) -> bool:
    """The longer view goes on where the shorter one stops (give or take CUT_SLACK characters at the cut): a
    copy cut short before the article a later version changed is as much a copy of one as of the other, so it
    joins one cluster only, as partial copies do."""
    return len(longer.text) > len(shorter.text) + CUT_SLACK and longer.text.startswith(shorter.text[:-CUT_SLACK])


def _partial_copy(shorter: View, longer: View, containment: float, near: NearSettings) -> bool:
    """Long enough, contained enough, and in one contiguous stretch of the longer document."""
    if near.containment is None or len(shorter.text) < near.containment_min_chars or containment < near.containment:
        return False
    return _window_similarity(shorter, longer.text, near.ngram) >= near.threshold


def _alike(a: View, b: View, partial: bool = False) -> Likeness:
    """How they differ (`compare.difference`) without their boilerplate or with it, whichever is less: a line
    that many documents end with is peeled as boilerplate from the end of one copy, but not from a copy with a
    footer after it. `partial`: `a` is the shorter one, maybe cut short (mid-sentence)."""
    cut = partial and _cut_short(a, b)
    if partial and a.whole is not None and a.lines and a.whole[-1] != a.lines[-1]:
        # The shorter one's closing lines were peeled as boilerplate (前項之未遂犯罰之: many laws' articles end so):
        # what the longer one has after them decides. An article there is a version's, not the rest of a copy.
        return _same_text(a.whole, b.whole or b.lines, partial, cut)
    found = _same_text(a.lines, b.lines, partial, cut)
    if found == ALIKE or (a.whole is None and b.whole is None):
        return found
    return min(found, _same_text(a.whole or a.lines, b.whole or b.lines, partial, cut))


def _same_text(la: list[str], lb: list[str], partial: bool, cut: bool) -> Likeness:
    """`compare.difference`, aligned either way round where a line repeats (第 8 條 in two laws of one page):
    the line alignment may then pair it wrongly one way, never both; a real change shows both ways."""
    found = difference(la, lb, partial, cut)
    if found == ALIKE or not (len(set(la)) < len(la) or len(set(lb)) < len(lb)):
        return found
    return min(found, difference(lb, la, partial, cut).swapped())


def _window_similarity(view: View, longer: str, ngram: int) -> float:
    """Jaccard of the shorter view with the stretch of the longer one it lines up with: a truncated copy or an
    excerpt is one contiguous stretch of the original; a version with an article added or changed inside is
    not, though its shingles may all be there."""
    best = 0.0
    shorter, sa = view.text, view.shingles(ngram)
    for offset in sorted({0, len(shorter) // 4, len(shorter) // 2}):
        anchor = shorter[offset : offset + 16]
        start = longer.find(anchor) if len(anchor) == 16 else -1
        if start < 0:
            continue
        begin = max(0, start - offset)
        sb = shingle_set(longer[begin : begin + len(shorter)], ngram)
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        best = max(best, inter / (len(sa) + len(sb) - inter))
    return best
