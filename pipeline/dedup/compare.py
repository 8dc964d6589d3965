"""How two alike documents differ: copying noise, or a different version.

A copy differs from its original by chrome at its edges (a header, a footer, a stamp, a contact block), by a
tail cut off, by paragraphs moved, by lines re-flowed, or by a few scattered characters. A successive version of
a law or notice differs inside: a sentence rewritten, an article added or deleted, an amount or a deadline
changed (三十日 -> 四十日). Two documents are aligned line by line (each line as its hashing view), then the lines
that differ character by character (Levenshtein opcodes); a difference is substantive when, away from both ends
of the documents,
- lines are added or removed that do not appear elsewhere in the other document (a move; a moved line may
  carry slips), or
- within changed lines, a stretch of at least MIN_BLOCK characters changes, a number becomes another, one
  word becomes the same other word twice (a template filled in for another agency), a modal verb becomes
  another (應 -> 得), or -- in a law -- a word is put in or left out (主管機關 -> 中央主管機關).
Lines re-flowed (joined, split) compare equal: the characters are compared, not the line breaks.

A number changed, a modal verb changed, a word put into a law and a one-character edit made twice are what a
version does -- unless the copy is noisy: with at least NOISE_WITNESSES other scattered slips of a character or
so that each break a word of the segmentation dictionary (管理 -> 管, 許可 -> 學可) and touch no numeral, or put
in a character no writer would (a Latin letter or a digit between Chinese characters, a character in no word
of the dictionary), and no more such suspects than witnesses, they are slips too (十條 -> 十四條). An
amendment's rewordings put words for words (發行 -> 發出) and witness nothing. Typos that fall close together
(a swap beside a slip) are told apart before a stretch is read as rewritten.
`difference` tells the three apart: SAME, NOISY, DIFFERENT; a noisy copy joins one cluster only (`cluster`), so
it never joins two versions.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from enum import IntEnum
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from pipeline.normalize.chinese import converter
from pipeline.normalize.segment import traditional_dictionary

MIN_BLOCK = 4  # characters of the hashing view (no spaces or punctuation)
RENAME_CHARS = 1  # a word replaced by the same other word twice is a rename; typos do not repeat
SLIP_CHARS = 2  # characters a copied title may get wrong
GLUE = 2  # equal runs shorter than this inside a changed stretch are coincidence, not a return to the text
NOISE_WITNESSES = 1  # word-breaking slips that make a copy noisy: its number changes and repeats are slips too
MAX_SUSPECTS = 3  # more numbers changed (or edits repeated) than this: a version, however noisy (typos are few)
WORD_CHARS = 4  # the longest dictionary word a slip is looked up in
CHINESE_NUMERALS = "〇零一二三四五六七八九十百千万萬亿億两兩"
NUMERALS = "0-9" + CHINESE_NUMERALS
_NUMBER = re.compile(f"[{NUMERALS}]+")
_NUMBER_RUN = re.compile(f"[0-9]+|[{CHINESE_NUMERALS}]+")  # a number in one script
_NUMERAL = re.compile(f"[{NUMERALS}]")
Stops = tuple[frozenset[int], frozenset[int]]  # where numbers stop in each of two texts (`line_stops`)
NO_STOPS: Stops = (frozenset(), frozenset())
# An article of a law (第十二条, 第121条), also with a character slipped into its heading (第员8条): views are
# Simplified, and compared in Taiwan phrasing (條) too.
_NUMBERED = f"[{NUMERALS}]+[^{NUMERALS}条條]?[条條]"  # an article's number and 條, a character slipped between
_ARTICLE = re.compile(f"第[^{NUMERALS}]?{_NUMBERED}")
_ARTICLE_AT_END = re.compile(_ARTICLE.pattern + "$")
_HEADING_START = re.compile(f"第[{NUMERALS}]*")  # what is left of an article heading cut short
# An article's heading alone on its line with a character of it slipped or lost (時 46 條, 46 條, 總第2條, 第21,
# 第條): a heading still; so is a bare number, as the MOJ heads the articles of laws written as items (11 over 十一、).
_HEADING_ALONE = re.compile(
    f"[^{NUMERALS}]?{_NUMBERED}|第[{NUMERALS}]+[^{NUMERALS}頁页]?|[^{NUMERALS}]?第[{NUMERALS}]*[条條]|[0-9]{{1,3}}"
)


def taiwan_phrasing(view: str) -> str:
    """A view in Traditional script and Taiwan phrasing (OpenCC s2twp: 信息 -> 資訊, 发布 -> 釋出): copies partly in
    mainland phrasing say the same."""
    return str(converter("s2twp").convert(view))


def slip(a: str, b: str) -> bool:
    """Two titles that differ by at most SLIP_CHARS scattered characters or two neighbours swapped (國家 / 家國), no
    number becoming another: a typo, not another year (一一二 / 一一三) or part (第1部分 / 第2部分). The same either
    way round."""
    if Levenshtein.distance(a, b, score_cutoff=SLIP_CHARS) > SLIP_CHARS:
        return False
    return all(
        (max(a1 - a0, b1 - b0) == 1 or _swapped(a[a0:a1], b[b0:b1])) and not _number_changed(a, b, a0, a1, b0, b1)
        for a0, a1, b0, b1 in _regions(a, b)
    )


def _swapped(old: str, new: str) -> bool:
    """Two neighbouring characters typed the other way round (委員 / 員委)."""
    return len(old) == 2 and old == new[::-1] and old[0] != old[1]


def is_article(view: str) -> bool:
    """Whether a line view opens an article of a law (第十二條, 第 12-1 條), or is one's heading alone, maybe with a
    character of it slipped (時 46 條, 第21: a typo copy of a version with one more article is still that), or a
    bare number (the MOJ's heading of an article written as an item)."""
    return bool(_ARTICLE.match(view) or _HEADING_ALONE.fullmatch(view))


def names_article(view: str) -> bool:
    """Whether a line view opens an article by its heading (第十二條, 第 12-1 條): not a bare number, which heads a
    table's row as often."""
    return bool(_ARTICLE.match(view))


def heading_only(view: str) -> bool:
    """Whether a view is an article's heading and nothing else (第六十四條, 第 64 條)."""
    return bool(_ARTICLE.fullmatch(view))


def ends_with_heading(line: str, view: str) -> bool:
    """Whether a line (and `view`, its view) ends with an article's heading, nothing after it: a re-flow joined
    the heading to the line before it (…規定辦理。 第 21 條)."""
    return line.rstrip()[-1:] in "條条" and bool(_ARTICLE_AT_END.search(view))


def _regions(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Changed stretches (a0, a1, b0, b1): the alignment's edits, joined across coincidentally equal runs
    shorter than GLUE (a rewritten sentence shares a character here and there with the old one) -- unless the
    stretch so joined is typos that fell close together (`_typos`): then each is a stretch of its own."""
    joined: list[list[tuple[int, int, int, int]]] = []
    for tag, a0, a1, b0, b1 in Levenshtein.opcodes(a, b):
        if tag == "equal":
            continue
        if joined and a0 - joined[-1][-1][1] < GLUE and b0 - joined[-1][-1][3] < GLUE:
            joined[-1].append((a0, a1, b0, b1))
        else:
            joined.append([(a0, a1, b0, b1)])
    regions = []
    for edits in joined:
        whole = (edits[0][0], edits[-1][1], edits[0][2], edits[-1][3])
        wide = max(whole[1] - whole[0], whole[3] - whole[2]) >= MIN_BLOCK
        regions.extend((wide and _typos(a, b, *whole)) or [whole])
    return regions


MAX_TYPOS = 3  # slips in one joined stretch that may still be typos: more is a sentence rewritten


def _typos(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int, int, int]]:
    """The typos a joined stretch is made of, when it is two neighbours swapped beside slips of one character,
    an equal character between each (第人三有出 / 第三人有提出, 取收得阗 / 收取得可); else none. A swap is a typist's
    slip, seldom a reworder's, and a sentence rewritten (應檢具申請 -> 得填具報告) changes more than one character
    at a time."""
    if max(a1 - a0, b1 - b0) > 3 * MAX_TYPOS:  # three swaps, an equal character between each, at most
        return []
    units = [(a0 + x0, a0 + x1, b0 + y0, b0 + y1) for x0, x1, y0, y1 in _single_edits(a[a0:a1], b[b0:b1])]
    if not units or len(units) > MAX_TYPOS or not any(_swapped(a[x0:x1], b[y0:y1]) for x0, x1, y0, y1 in units):
        return []
    return units


def _single_edits(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """An optimal alignment of two short strings that counts two neighbours swapped as one edit (the optimal
    string alignment distance), as its edits (a0, a1, b0, b1) -- when no two of them touch; else none."""
    n, m = len(a), len(b)
    cost = [[i + j if not (i and j) else 0 for j in range(m + 1)] for i in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 2 : i] == b[j - 2 : j][::-1] and a[i - 1] != a[i - 2]:
                best = min(best, cost[i - 2][j - 2] + 1)
            cost[i][j] = best
    edits: list[tuple[int, int, int, int]] = []
    i, j, touching = n, m, False
    while i or j:
        step: tuple[int, int]
        if i and j and a[i - 1] == b[j - 1] and cost[i][j] == cost[i - 1][j - 1]:
            i, j, touching = i - 1, j - 1, False
            continue
        if i > 1 and j > 1 and a[i - 2 : i] == b[j - 2 : j][::-1] and cost[i][j] == cost[i - 2][j - 2] + 1:
            step = (2, 2)
        elif i and j and cost[i][j] == cost[i - 1][j - 1] + 1:
            step = (1, 1)
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            step = (1, 0)
        else:
            step = (0, 1)
        if touching:
            return []
        edits.append((i - step[0], i, j - step[1], j))
        i, j, touching = i - step[0], j - step[1], True
    return edits[::-1]


def _number_changed(a: str, b: str, a0: int, a1: int, b0: int, b1: int, stops: Stops = NO_STOPS) -> bool:
    """A number becomes another: numerals replaced by numerals (三十日 -> 四十日), numerals inserted next to a
    numeral or removed from beside one (三年 -> 十三年, 十六個月 -> 六個月), or a number of several numerals
    inserted or removed (十二月日 -> 十二月十五日; not digits one by one, as two slips side by side may put). A
    numeral turned into a letter, or a lone one lost, is read as a typo; so is a change that leaves a number no
    one writes (一百六十五 -> 一六十五, 10 -> 十10): an amended amount is written as a number."""
    old, new = a[a0:a1], b[b0:b1]
    if old and new and bool(_NUMERAL.search(old)) != bool(_NUMERAL.search(new)):
        # Numerals on one side only: a stretch glued from edits a character apart (會後四十五 -> 後十五) is judged
        # edit by edit, where a numeral lost from beside another still changes a number.
        if any(
            _number_changed(a, b, a0 + i0, a0 + i1, b0 + j0, b0 + j1, stops)
            for tag, i0, i1, j0, j1 in Levenshtein.opcodes(old, new)
            if tag in ("insert", "delete")
        ):
            return True
        return _numbers_beside_swap(a, b, a0, a1, b0, b1, stops)
    if old and new:
        # the same numerals on both sides: one glued into a stretch of other edits (傳員一生 -> 傳輸一定)
        changed = bool(_NUMERAL.search(old) and _NUMERAL.search(new)) and _NUMERAL.findall(old) != _NUMERAL.findall(new)
    else:
        text, start, end = (b, b0, b1) if new else (a, a0, a1)
        changed = bool(_NUMERAL.search(text[start:end])) and (
            _same_script(text[start - 1 : start], text[start])
            or _same_script(text[end : end + 1], text[end - 1])
            or (end - start > 1 and bool(_NUMBER.fullmatch(text[start:end])) and _one_number(text[start:end]))
        )
    return changed and _read_as_numbers(a, b, a0, a1, b0, b1, stops)


def _numbers_beside_swap(a: str, b: str, a0: int, a1: int, b0: int, b1: int, stops: Stops) -> bool:
    """Numerals one side of a change has (訂定二 / 定訂) where, without them, the two are two neighbours swapped: an
    alignment reads the numeral as replaced by a letter, but a copy that swapped 訂定 beside an amended 二十年 lost no
    numeral -- each run of them is judged as put in or left out (十年 -> 二十年)."""
    old, new = a[a0:a1], b[b0:b1]
    numbered, other = (old, new) if _NUMERAL.search(old) else (new, old)
    if not _swapped(_NUMERAL.sub("", numbered), other):
        return False
    runs = [found.span() for found in _NUMBER.finditer(numbered)]
    if numbered is old:
        return any(_number_changed(a, b, a0 + i, a0 + j, b0 + i, b0 + i, stops) for i, j in runs)
    return any(_number_changed(a, b, a0 + i, a0 + i, b0 + i, b0 + j, stops) for i, j in runs)


def _read_as_numbers(a: str, b: str, a0: int, a1: int, b0: int, b1: int, stops: Stops = NO_STOPS) -> bool:
    """Whether the runs of numerals the change a[a0:a1] -> b[b0:b1] touches read as numbers on both sides:
    - each is well-formed;
    - the change puts a number for another within numbers the view ran together (`_number_among_numbers`);
    - each side's run is numbers run together, as many on both sides (十三．五 -> 十三．十五 is viewed 十三五 ->
      十三十五: 十三 and 五 -> 十三 and 十五).
    Otherwise a number no one writes on one side is a slip (一百六十五 -> 一六十五)."""
    # a line break between numbers on one side (the other re-flowed) stops both sides' runs alike
    stop_a = stops[0] | _mirrored(stops[1], b0, b1, a0, a1)
    stop_b = stops[1] | _mirrored(stops[0], a0, a1, b0, b1)
    (lo_a, hi_a), (lo_b, hi_b) = _run_around(a, a0, a1, stop_a), _run_around(b, b0, b1, stop_b)
    # the whole numbers the change touches, each in one script: co2八 holds 2 and 八
    old, new = _NUMBER_RUN.findall(a[lo_a:hi_a]), _NUMBER_RUN.findall(b[lo_b:hi_b])
    if old and new and lo_a == lo_b == 0 and a[0] == b[0] and a[0] in _WRAPPED_UNITS:
        # Both open the lines compared with the same unit (萬五千元): a number begun on the line before, wrapped
        # (新臺幣一 / 萬五千元). A unit on one side only is a slip (四、 -> 百四、).
        old[0], new[0] = "一" + old[0], "一" + new[0]
    if all(map(well_formed, old + new)) and not _digits_for_place_value(a, b, (lo_a, hi_a), (lo_b, hi_b)):
        return True
    absorbing = not any(map(_one_number, old + new))
    if _number_among_numbers(a, b, (lo_a, a0, a1, hi_a), (lo_b, b0, b1, hi_b), absorbing):
        return True
    if _slip_of_another_number(old, new):
        return True
    if any(map(well_formed, old + new)):
        return False
    pieces_old, pieces_new = [_pieces(run) for run in old], [_pieces(run) for run in new]
    if not all(pieces_old + pieces_new):
        return False
    return sum(map(len, pieces_old)) == sum(map(len, pieces_new))


def _slip_of_another_number(old: list[str], new: list[str]) -> bool:
    """One number on each side, one as people write it and the other not, the two more than a slip apart: a typo
    copy of another version's amount (一千百萬, 五 lost from 一千五百萬, against 二千萬). A slip of this one's
    number is one numeral typed, lost or swapped (一千五百萬 / 一千百萬)."""
    if len(old) != 1 or len(new) != 1 or well_formed(old[0]) == well_formed(new[0]):
        return False
    return Levenshtein.distance(old[0], new[0], score_cutoff=2) > 1 and not _swapped(old[0], new[0])


def _digits_for_place_value(a: str, b: str, run_a: tuple[int, int], run_b: tuple[int, int]) -> bool:
    """One side writes its run of Chinese numerals digit by digit (六八, 二二) where the other writes it in
    place-value form or as one numeral (六十八, 二): a 十 lost or a digit typed twice, not an amended number -- a
    version writes its number the way the one before it did (a year 一一三 becomes 一一四). Unless both read as an
    item's number and a number after it, the view having dropped the 、 between (一、五年 -> 一、十五年 is viewed
    一五 -> 一十五); never after 第 (第六八條 is an article's number)."""
    runs = a[run_a[0] : run_a[1]], b[run_b[0] : run_b[1]]
    if not all(runs) or any(run.isascii() or not _NUMBER_RUN.fullmatch(run) for run in runs):
        return False
    if bool(_BY_DIGIT.fullmatch(runs[0])) == bool(_BY_DIGIT.fullmatch(runs[1])):
        return False
    ordinal = a[run_a[0] - 1 : run_a[0]] == "第" or b[run_b[0] - 1 : run_b[0]] == "第"
    item = runs[0][0] == runs[1][0] and all(len(run) > 1 and well_formed(run[1:]) for run in runs)
    return ordinal or not item


def _number_among_numbers(
    a: str, b: str, at_a: tuple[int, int, int, int], at_b: tuple[int, int, int, int], absorbing: bool
) -> bool:
    """Whether a change puts a number for another among numbers the view ran together: what the run of numerals
    holds before and after the change is the same on both sides, and the run reads as numbers side by side on
    each, the one changed among them. `at_a`, `at_b`: where the run begins, the change begins and ends, and the
    run ends, in a and in b.
    - The change itself is a number on both sides, of other length (一．五倍 -> 一．二十倍 is viewed 一五 ->
      一二十); one numeral for another is as a slip puts it (四十七 -> 四十十).
    - `absorbing` (no side is one number as written): with what follows it or what precedes it, the change is a
      number on both sides (二、六個月 -> 二、三十六個月 is viewed 二六 -> 二三十六: 二, then 六 -> 三十六)."""
    (lo_a, a0, a1, hi_a), (lo_b, b0, b1, hi_b) = at_a, at_b
    before, after, old, new = a[lo_a:a0], a[a1:hi_a], a[a0:a1], b[b0:b1]
    if before != b[lo_b:b0] or after != b[b1:hi_b] or not _NUMBER.fullmatch(old + new):
        return False
    readings = [(before, old, after, new)] if old and new and max(len(old), len(new)) > 1 else []
    if absorbing and before:
        readings.append((before, old + after, "", new + after))
    if absorbing and after:
        readings.append(("", before + old, after, before + new))
    return any(
        changed and changed_to and all(well_formed(part) for part in (head, changed, tail, changed_to) if part)
        for head, changed, tail, changed_to in readings
    )


def _one_number(run: str) -> bool:
    """A run of numerals that is one number as written: not digits one by one (二六 may be 二、六)."""
    return well_formed(run) and not _BY_DIGIT.fullmatch(run)


def _run_around(text: str, start: int, end: int, stops: frozenset[int] = frozenset()) -> tuple[int, int]:
    """Where the run of numerals that text[start:end] touches begins and ends, not past a line break in `stops`."""
    lo, hi = start, end
    while lo > 0 and lo not in stops and _NUMERAL.match(text[lo - 1]):
        lo -= 1
    while hi < len(text) and hi not in stops and _NUMERAL.match(text[hi]):
        hi += 1
    return lo, hi


def line_stops(lines: list[str]) -> frozenset[int]:
    """Where, in the lines joined, a line that ends with a number meets one that opens with another: an amount
    ending a sentence, then an item's number (百分之五。 / 二、本保險…, viewed 五二本保险). A number wrapped onto the
    next line (新臺幣一 / 萬五千元) reads whole: its second part is no number alone."""
    stops, at = set(), 0
    for line, following in pairwise(lines):
        at += len(line)
        ending, opening = _TRAILING_NUMBER.search(line), _NUMBER.match(following)
        if ending and opening and well_formed(ending.group()) and well_formed(opening.group()):
            stops.add(at)
    return frozenset(stops)


_TRAILING_NUMBER = re.compile(f"[{NUMERALS}]+$")


def _mirrored(stops: frozenset[int], start: int, end: int, other_start: int, other_end: int) -> frozenset[int]:
    """Stops of one text at the same distance from a change's ends in the other (where the change is
    text[start:end] in the one and [other_start:other_end] in the other)."""
    if not stops:
        return stops
    return frozenset(
        other_end + (at - end) if at >= end else other_start - (start - at) for at in stops if not start < at < end
    )


def _pieces(run: str) -> list[str]:
    """A run of numerals split into the longest well-formed numbers from its start; empty when it does not split."""
    pieces: list[str] = []
    while run:
        end = next((end for end in range(len(run), 0, -1) if well_formed(run[:end])), 0)
        if not end:
            return []
        pieces.append(run[:end])
        run = run[end:]
    return pieces


def _same_script(neighbour: str, edge: str) -> bool:
    """Both are numerals of one script, Arabic or Chinese: a Chinese numeral typed beside Arabic digits (10 ->
    十10) changes no number, and the views run a formula's digit into the number after it ((CO2)八 -> co2八)."""
    return bool(neighbour and _NUMERAL.match(neighbour) and _NUMERAL.match(edge)) and (
        neighbour.isascii() == edge.isascii()
    )


_DIGIT = "一二三四五六七八九两兩"
_CHINESE_GROUP = re.compile(f"(?:[{_DIGIT}]千)?(?:零?[{_DIGIT}]百)?(?:零?[{_DIGIT}]?十)?(?:零?[一二三四五六七八九])?")
_BY_DIGIT = re.compile("[〇零一二三四五六七八九]{2,}")  # 一一三 (a year), 五八
_ARABIC = re.compile(r"\d+(?:[千百]|[萬万億亿])*")  # 3萬, 5千
_BARE = ("百", "千")  # a hundred, a thousand without a digit: 百分之一 (one per cent), 千分之五
_ZERO = ("零", "〇")
_WRAPPED_UNITS = "萬万億亿千百"  # no number opens with these


def well_formed(number: str) -> bool:
    """Whether a run of numerals is a number as people write it: Arabic digits (with a 萬 or 千 after them),
    Chinese numerals in place-value form (二千一百零九, 十五, 三萬五千), Chinese digits one by one (一一三), or a
    bare 百 or 千 (百分之一: an amended rate of 二百分之一 is a number changed), or a zero alone."""
    if _ARABIC.fullmatch(number) or _BY_DIGIT.fullmatch(number) or number in _BARE or number in _ZERO:
        return True
    if re.search(r"\d", number):
        return False  # Arabic and Chinese digits mixed (十10, 2七)
    groups = re.split("[萬万億亿]", number)
    if len(groups) > 1 and not groups[-1]:
        groups = groups[:-1]  # 三萬: nothing after the last 萬
    return all(g and _CHINESE_GROUP.fullmatch(g) for g in groups)


Spans = list[tuple[int, int]]  # character ranges of whole lines within a stretch's joined text
# Counted in `renames` under keys no rename has (a rename replaces something): the one article-heading number a
# copy may get wrong; the suspects (numbers changed, one-character edits made twice); the slips let pass.
_HEADING_SLIP = ("", "")
_SUSPECT = ("", "#")  # one-character edits made twice
_NUMBER_SUSPECT = ("", "0")  # numbers changed: Taiwan phrasing leaves them as they are
_WORDING_SUSPECT = ("", "w")  # a modal verb changed, a word put into a law: as an amended number is
_SLIP = ("", "~")
# What a provision makes of its subject: a duty (應, 須) or a power (得); its negation (不得, 不應). An amendment
# changes one on purpose (應 -> 得 makes a duty a power); a slip lands on one by chance, and seldom on another.
_MODALS = frozenset("應应得須须")
_NEGATIONS = frozenset("不非毋")
_DIGIT_IN_A, _DIGIT_IN_B = ("", "9a"), ("", "9b")  # digits of a number one side has where the other has a letter


class Difference(IntEnum):
    """How two documents differ, from least to most: as copies, as a noisy copy, as versions."""

    SAME = 0
    NOISY = 1
    DIFFERENT = 2


class Likeness(NamedTuple):
    """How two documents differ, and by how many suspects (numbers changed, one-character edits made twice):
    ordered from the most alike. `slipped`: of copies (SAME), the digits of a number each has where the other
    has a letter (十三 / 性三): such a copy may be a typo copy of another version of the number."""

    kind: Difference
    suspects: int = 0
    slipped: tuple[int, int] = (0, 0)

    def swapped(self) -> Likeness:
        """The same likeness, the two documents taken the other way round."""
        return self._replace(slipped=self.slipped[::-1])


ALIKE = Likeness(Difference.SAME)
APART = Likeness(Difference.DIFFERENT)


def _chars_differ(
    a: str,
    b: str,
    renames: Counter[tuple[str, str]],
    edges: tuple[bool, bool] = (False, False),
    headings: tuple[Spans, Spans] = ([], []),
    words: frozenset[str] | None = None,
    tail: bool = False,
    law: bool = False,
    stops: Stops = NO_STOPS,
) -> bool:
    """Two changed stretches of text differ substantively: a long change, a number that becomes another, or a word
    replaced by the same other word as elsewhere in the document (`renames` counts them across the stretches): one
    agency's organisation act made from another's says 教職員 for 人員 throughout, while typos fall where they fall.
    What differs as written is compared again in Taiwan phrasing (OpenCC s2twp, the costly part, so only then): a copy
    partly in mainland phrasing (信息, 软件) says the same as the original (資訊, 軟體). Where Taiwan phrasing still
    differs, both are compared once more in mainland phrasing (s2twp, then tw2sp): a copy converted with mainland
    phrases (數位 -> 数字, 支援 -> 支持) is not turned back by s2twp, which reads 数字 as 數字; one mainland phrase
    stands for several Taiwan ones. `edges`: whether the stretches open and end their documents, where text only one
    of them has (a header; a footer of a partial copy) run into a re-flowed line is chrome, not a change. `headings`:
    the spans of the lines of each that are an article's heading alone (第十三條); one number changed inside such a
    heading, on both sides, is a slip of copying: a version that renumbers articles inserts or deletes one, and its
    text shows it. `tail`: whether the stretches end both documents, where the characters one has past the other's end
    (方 / 方式提出: a copy cut mid-word) witness no slip. `law`: the documents are articles of a law, where a word put
    in or left out is an amendment (`_word_put`); a news release posted twice is edited so (市長 -> 臺南市長).
    `stops`: where lines that end and open with numbers meet in each (`line_stops`)."""
    trial = renames.copy()
    if (
        not _edits_differ(a, b, trial, edges, headings, words, tail, law, stops)
        and trial[_SUSPECT] == renames[_SUSPECT]
    ):
        renames.update(trial - renames)
        return False
    trial = renames.copy()
    ta, tb = _taiwan_stretch(a), _taiwan_stretch(b)
    if not _edits_differ(ta, tb, trial, edges, words=words, tail=tail, law=law, stops=_kept(stops, (a, b), (ta, tb))):
        renames.clear()
        renames.update(trial)
        return False
    ma, mb = _mainland_stretch(a), _mainland_stretch(b)
    return _edits_differ(ma, mb, renames, edges, words=words, tail=tail, law=law, stops=_kept(stops, (a, b), (ma, mb)))


def _kept(stops: Stops, texts: tuple[str, str], phrased: tuple[str, str]) -> Stops:
    """The stops of two texts, for the texts in other phrasing: where the phrasing kept both lengths."""
    return stops if tuple(map(len, phrased)) == tuple(map(len, texts)) else NO_STOPS


# The stretch a version changed is the same against every copy of the other version in a batch: converted once.
_taiwan_stretch = lru_cache(maxsize=1 << 12)(taiwan_phrasing)


@lru_cache(maxsize=1 << 12)
def _mainland_stretch(view: str) -> str:
    """A stretch in mainland phrasing (OpenCC tw2sp of its Taiwan phrasing: 數位 -> 数字, 影片 -> 视频)."""
    return str(converter("tw2sp").convert(_taiwan_stretch(view)))


def _edits_differ(
    a: str,
    b: str,
    renames: Counter[tuple[str, str]],
    edges: tuple[bool, bool],
    headings: tuple[Spans, Spans] = ([], []),
    words: frozenset[str] | None = None,
    tail: bool = False,
    law: bool = False,
    stops: Stops = NO_STOPS,
) -> bool:
    """`_chars_differ` on the stretches as given. `words`: the dictionary a slip must break a word of to witness
    a noisy copy; without it, every slip that touches no numeral does (a first, cheaper count)."""
    for a0, a1, b0, b1 in _regions(a, b):
        added = a[a0:a1] or b[b0:b1]
        at_edge = (edges[0] and a0 == b0 == 0) or (edges[1] and a1 == len(a) and b1 == len(b))
        if at_edge and (a0 == a1 or b0 == b1) and not _ARTICLE.search(added):
            continue
        width = max(a1 - a0, b1 - b0)
        if _number_changed(a, b, a0, a1, b0, b1, stops):
            if _inside(a0, a1, headings[0]) and _inside(b0, b1, headings[1]) and not renames[_HEADING_SLIP]:
                renames[_HEADING_SLIP] += 1
                continue
            if width >= MIN_BLOCK:
                return True  # a sentence rewritten that holds a number
            renames[_NUMBER_SUSPECT] += 1  # an amended amount -- or, in a noisy copy, one more slip
            if _suspects(renames) > MAX_SUSPECTS:
                return True
            continue
        if width >= MIN_BLOCK:
            return True
        if _modal_changed(a, b, a0, a1, b0, b1) or (law and _word_put(a, b, a0, a1, b0, b1)):
            renames[_WORDING_SUSPECT] += 1  # an amendment's -- or, in a noisy copy, slips that met by chance
            if _suspects(renames) > MAX_SUSPECTS:
                return True
            continue
        if width >= RENAME_CHARS:  # the same word dropped twice (之) is a rewording too
            key = (a[a0:a1], b[b0:b1])
            renames[key] += 1
            if renames[key] == 1:
                # A slip witnesses a noisy copy when it breaks a word, or is a character no writer puts there: a
                # numeral lost (三人 -> 餘) may be an amendment, a word for a word (發行 -> 發出) a rewording.
                cut = tail and a1 == len(a) and b1 == len(b) and not (a0 < a1 and b0 < b1)
                witness = int(
                    not cut
                    and (
                        _stray_numeral(a, b, a0, a1, b0, b1)
                        or (
                            not _NUMERAL.search(key[0] + key[1])
                            and (not words or _breaks_word(a, b, a0, a1, b0, b1, words) or _stray(a, b, a0, a1, b0, b1))
                        )
                    )
                )
                renames[_SLIP] += witness
                renames[_witnessed(key)] = witness
                digit = _digit_slipped(a, b, a0, a1, b0, b1)
                if digit:
                    renames[_DIGIT_IN_A if digit == 1 else _DIGIT_IN_B] += 1
            elif width > 1 or renames[key] > 2:
                return True
            else:  # one character twice: a rewording, or two slips that met by chance in a noisy copy
                renames[_SLIP] -= renames[_witnessed(key)]
                renames[_SUSPECT] += 1
                if _suspects(renames) > MAX_SUSPECTS:
                    return True
    return False


def _suspects(renames: Counter[tuple[str, str]]) -> int:
    """What a version changes on purpose, counted so far: numbers, modal verbs, words put into a law, and
    one-character edits made twice."""
    return renames[_SUSPECT] + renames[_NUMBER_SUSPECT] + renames[_WORDING_SUSPECT]


def _modal_changed(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> bool:
    """One modal verb put for another (應 / 得; also among slips glued into one stretch: 登記者得 / 登農者應), or a
    negation put before one or taken away (得 / 不得)."""
    old, new = a[a0:a1], b[b0:b1]
    if len(old) == len(new):
        return _modal_swapped(old, new)
    if not old and len(new) == 1:
        return new in _NEGATIONS and b[b1 : b1 + 1] in _MODALS
    if not new and len(old) == 1:
        return old in _NEGATIONS and a[a1 : a1 + 1] in _MODALS
    # a slip put in or dropped beside the change (應 / 得躨; 法人得 / 法中人應): the stretch aligned at either end, or
    # character by character
    k = min(len(old), len(new))
    if k and (_modal_swapped(old[:k], new[:k]) or _modal_swapped(old[-k:], new[-k:])):
        return True
    return any(
        tag != "equal"
        and (i2 - i1, j2 - j1) != (len(old), len(new))
        and _modal_changed(a, b, a0 + i1, a0 + i2, b0 + j1, b0 + j2)
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    )


def _modal_swapped(old: str, new: str) -> bool:
    return any(x != y and x in _MODALS and y in _MODALS for x, y in zip(old, new, strict=True))


def _word_put(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> bool:
    """A whole word of two or three characters put in or left out where it breaks no word, or between two words
    (由主管機關 -> 由中央主管機關; 當地主管機關 -> 當地中央主管機關): a rewording. A slip of typing puts in or drops a
    character, seldom a word."""
    if a0 == a1:
        added, text, at = b[b0:b1], a, a0
    elif b0 == b1:
        added, text, at = a[a0:a1], b, b0
    else:
        return False
    if not 2 <= len(added) < MIN_BLOCK or _NUMERAL.search(added):
        return False
    words = dictionary_words()
    return added in words and (not _in_words(text, at, at, words) or _between_words(text, at, words))


def _between_words(text: str, at: int, words: frozenset[str]) -> bool:
    """A word ends at `at` and another starts there (當地|主管機關), whatever word the two characters either side
    make by chance (地主): a point where a word may be put in."""
    ends = any(text[i:at] in words for i in range(max(0, at - WORD_CHARS), at - 1))
    return ends and any(text[at:j] in words for j in range(at + 2, min(len(text), at + WORD_CHARS) + 1))


def _digit_slipped(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> int:
    """Which side (1: `a`, 2: `b`) has a numeral where the other has one character that is none, beside a numeral
    of its script (十三 -> 性三): a typo of 十三 -- or a typo copy of the version that reads 三, with 性 inserted,
    so a copy of both versions. Likewise a modal verb where the other has a character that is none (得 -> 荓): a
    typo copy of 得, or of the version that reads 應. 0 for any other change."""
    if a1 - a0 != 1 or b1 - b0 != 1:
        return 0
    for side, text, at, other in ((1, a, a0, b[b0]), (2, b, b0, a[a0])):
        if not _NUMERAL.match(other) and any(
            _same_script(text[k : k + 1], text[at]) for k in (at - 1, at + 1) if k >= 0
        ):
            return side
        if text[at] in _MODALS and other not in _MODALS and other not in _NEGATIONS:
            return side
    return 0


def _witnessed(key: tuple[str, str]) -> tuple[str, str]:
    """Where `renames` keeps whether a slip's first occurrence witnessed a noisy copy (views hold no NUL)."""
    return ("\0" + key[0], key[1])


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """The words of two to WORD_CHARS characters of the segmentation dictionary, in Traditional script and in
    Simplified (hashing views are Simplified; Taiwan phrasing is Traditional)."""
    with open(traditional_dictionary(), encoding="utf-8") as fh:
        found = [word for word in (line.split(" ", 1)[0].strip() for line in fh) if 2 <= len(word) <= WORD_CHARS]
    return frozenset(found) | frozenset(str(converter("t2s").convert("\n".join(found))).split("\n"))


def _in_words(text: str, start: int, end: int, words: frozenset[str]) -> bool:
    """Whether every character of text[start:end] is part of a dictionary word there; for an empty stretch,
    whether a word spans the point (the characters either side of it)."""
    if start == end:
        return any(
            text[i:j] in words
            for i in range(max(0, start - WORD_CHARS + 1), start)
            for j in range(start + 1, min(len(text), i + WORD_CHARS) + 1)
        )
    return all(
        any(
            text[i:j] in words
            for i in range(max(0, at - WORD_CHARS + 1), at + 1)
            for j in range(max(at + 1, i + 2), min(len(text), i + WORD_CHARS) + 1)
        )
        for at in range(start, end)
    )


def _breaks_word(a: str, b: str, a0: int, a1: int, b0: int, b1: int, words: frozenset[str]) -> bool:
    """A slip of typing breaks a word: on one side the changed characters (or the point where they are missing)
    sit in a dictionary word, on the other they do not (管理 -> 管, 採取 -> 採員取). A rewording puts words for
    words (發行 -> 發出); an inserted or dropped particle (之) sits in no word on either side."""
    return _in_words(a, a0, a1, words) != _in_words(b, b0, b1, words)


_LATIN = re.compile("[A-Za-z]")
_ASCII_WORD = re.compile("[A-Za-z0-9]")


@lru_cache(maxsize=1)
def word_characters() -> frozenset[str]:
    """The characters that occur in some word of the segmentation dictionary."""
    return frozenset("".join(dictionary_words()))


def _stray(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> bool:
    """A slip puts in, drops or puts for another one character no writer of the text would: a Latin letter
    between Chinese characters (電話號碼z), or a character in no word of the dictionary (年05鼆月). An amendment
    changes words and units (mg -> g), not these."""
    for text, at, end in ((a, a0, a1), (b, b0, b1)):
        if end - at != 1:
            continue
        if _LATIN.match(text[at]):
            if not any(_ASCII_WORD.match(text[k]) for k in (at - 1, at + 1) if 0 <= k < len(text)):
                return True
        elif not text[at].isascii() and text[at].isalpha() and text[at] not in word_characters():
            return True
    return False


def _stray_numeral(a: str, b: str, a0: int, a1: int, b0: int, b1: int) -> bool:
    """One character put in or left out between two of the other kind: a digit between Chinese characters (台中0市)
    or a Chinese character inside a run of digits (4政494). No number becomes another; a typist's finger slipped."""
    if (a1 - a0) + (b1 - b0) != 1:
        return False
    text, at = (a, a0) if a1 > a0 else (b, b0)
    if at == 0 or at + 1 >= len(text):
        return False
    before, char, after = text[at - 1], text[at], text[at + 1]
    if char.isdigit() and char.isascii():
        return not _NUMERAL.match(before) and not _NUMERAL.match(after) and not before.isascii() and not after.isascii()
    return not char.isascii() and before.isdigit() and after.isdigit() and before.isascii() and after.isascii()


def _inside(start: int, end: int, spans: Spans) -> bool:
    return any(lo <= start and end <= hi for lo, hi in spans)


def heading_spans(lines: list[str]) -> Spans:
    """Where the lines that are an article's heading alone (第13條, 第十三條) lie in the lines joined."""
    spans, at = [], 0
    for line in lines:
        if _ARTICLE.fullmatch(line):
            spans.append((at, at + len(line)))
        at += len(line)
    return spans


def line_opcodes(la: list[str], lb: list[str]) -> list[tuple[str, int, int, int, int]]:
    """`SequenceMatcher.get_opcodes` of two lists of lines, lines both open and end with set aside first: two
    copies differ in a few lines, and difflib's search for the longest matching block, in Python, then runs over
    those alone (19 against 25 microseconds a pair of the benchmark's documents). The same opcodes as over the
    whole lists (`_set_aside`)."""
    n = min(len(la), len(lb))
    head = 0
    while head < n and la[head] == lb[head]:
        head += 1
    tail = 0
    while tail < n - head and la[-1 - tail] == lb[-1 - tail]:
        tail += 1
    head, tail = _set_aside(la, lb, head, tail)
    middle = SequenceMatcher(None, la[head : len(la) - tail], lb[head : len(lb) - tail], autojunk=False)
    ops = [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    # the lines set aside are all the equal ones at their end, so the middle neither opens nor ends equal
    if head:
        ops.insert(0, ("equal", 0, head, 0, head))
    if tail:
        ops.append(("equal", len(la) - tail, len(la), len(lb) - tail, len(lb)))
    return ops


def _set_aside(la: list[str], lb: list[str], head: int, tail: int) -> tuple[int, int]:
    """Which of all the equal opening (`head`) and ending (`tail`) lines are set aside: all of one end, or none,
    as they occur nowhere else in either list. No matching block then crosses from them into the rest (the
    lines next to them differ), and difflib finds the rest's blocks as it would over the whole; a line repeated
    (刪除 in a law) would otherwise be matched at its other occurrence."""
    if not (head or tail):
        return 0, 0
    opening, ending = set(la[:head]), set(la[len(la) - tail :])
    rest = set(la[head : len(la) - tail])
    rest.update(lb[head : len(lb) - tail])
    apart = opening.isdisjoint(ending)
    return (head if apart and rest.isdisjoint(opening) else 0), (tail if apart and rest.isdisjoint(ending) else 0)


def _stretches(la: list[str], lb: list[str]) -> list[tuple[int, int, int, int]]:
    """Line ranges (i1, i2, j1, j2) that differ, changed ones joined across single equal lines between them: a
    re-flowed paragraph aligns in pieces."""
    out: list[list[int]] = []
    last = ""
    for tag, i1, i2, j1, j2 in line_opcodes(la, lb):
        if tag == "equal":
            continue
        glue = tag == last == "replace"  # lines added and lines deleted elsewhere are not one re-flow
        last = tag
        if glue and i1 - out[-1][1] <= 1 and j1 - out[-1][3] <= 1:
            out[-1][1], out[-1][3] = i2, j2
        else:
            out.append([i1, i2, j1, j2])
    return [(r[0], r[1], r[2], r[3]) for r in out]


def substantively_different(la: list[str], lb: list[str], partial: bool = False, cut_short: bool = False) -> bool:
    """Whether two documents, as lists of line views (`hashing.hashing_lines`), differ as versions do rather
    than as copies do (see the module docstring), a noisy copy counted as different. `partial`: one is a
    truncated copy or an excerpt of the other, so whatever the longer one has beyond it at either end is expected.
    `cut_short`: the shorter one stops mid-sentence, so what the longer one has after it is the rest of a copy
    cut short, whatever it holds."""
    return difference(la, lb, partial, cut_short).kind != Difference.SAME


def difference(la: list[str], lb: list[str], partial: bool = False, cut_short: bool = False) -> Likeness:
    """`substantively_different`, telling a noisy copy apart: its number changes and one-character edits made
    twice are outnumbered by at least NOISE_WITNESSES other slips that each break a word. Slips are counted
    first without the dictionary, which loads only for the few pairs that may be noisy."""
    found = _difference(la, lb, partial, cut_short)
    if found.kind != Difference.NOISY:
        return found
    return _difference(la, lb, partial, cut_short, dictionary_words())


def _difference(
    la: list[str], lb: list[str], partial: bool, cut_short: bool, words: frozenset[str] | None = None
) -> Likeness:
    if la == lb or "".join(la) == "".join(lb):
        return ALIKE
    renames: Counter[tuple[str, str]] = Counter()
    count_a, count_b = Counter(la), Counter(lb)
    # articles of a law, on either side (a copy that ran its lines together has no heading of its own): a word
    # put in is an amendment
    law = any(map(is_article, la)) or any(map(is_article, lb))
    aligned = _stretches(la, lb)
    moved = _moved_lines(la, lb, count_a, count_b, aligned)
    if moved:
        # A line moved with a slip in it, beside other changes (a typo copy against a copy that moved the
        # paragraph): its slips count, and it is then the same line moved.
        if any(_chars_differ(la[i], lb[j], renames, words=words, law=law) for i, j in moved):
            return APART
        lb = list(lb)
        for i, j in moved:
            lb[j] = la[i]
        count_b = Counter(lb)
        aligned = _stretches(la, lb)
    gone: list[str] = []  # text only `la` has, and only `lb` has: versions' articles, or moved lines with a slip
    put: list[str] = []
    stretches = []
    for i1, i2, j1, j2 in aligned:
        if "".join(la[i1:i2]) == "".join(lb[j1:j2]):
            # Re-flowed: the same characters in other lines. Its lines are accounted for, and move nowhere: a
            # line split off here (刪除 under 第 442 條) is not the one a later stretch lacks.
            count_a.subtract(la[i1:i2])
            count_b.subtract(lb[j1:j2])
        else:
            stretches.append((i1, i2, j1, j2))
    for i1, i2, j1, j2 in stretches:
        # Lines on both sides of this stretch, or found elsewhere in the other document more often than in this
        # one (outside the stretch), were moved (a law repeats a sentence in several articles: one changed copy
        # of it is no move).
        old_lines, new_lines = Counter(la[i1:i2]), Counter(lb[j1:j2])
        outside_a = {line: count_a[line] - old_lines[line] for line in old_lines.keys() | new_lines.keys()}
        outside_b = {line: count_b[line] - new_lines[line] for line in outside_a}
        moved_out = Counter({line: outside_b[line] - outside_a[line] for line in old_lines})
        moved_in = Counter({line: outside_a[line] - outside_b[line] for line in new_lines})
        keep_old, keep_new = old_lines - new_lines, new_lines - old_lines
        old_at = [i for i in range(i1, i2) if _take(keep_old, la[i]) and not _take(moved_out, la[i])]
        new_at = [j for j in range(j1, j2) if _take(keep_new, lb[j]) and not _take(moved_in, lb[j])]
        old_kept, new_kept = [la[i] for i in old_at], [lb[j] for j in new_at]
        old, new = "".join(old_kept), "".join(new_kept)
        # A heading cut short at the very end (第, 第 1): the document goes on with an article the other lacks.
        heading_cut = _heading_cut(la, old_at) if old_kept else _heading_cut(lb, new_at)
        if old == new:
            continue  # re-flowed: the same characters in other lines
        at_start, at_end = i1 == 0 and j1 == 0, i2 == len(la) and j2 == len(lb)
        added = old_kept or new_kept
        # Lines added at an edge are chrome, a stamp, a contact block -- not articles of a law. Where one document
        # is a partial copy of the other, what the longer has beyond it holds articles, of course; but a copy cut
        # short rarely ends exactly before an article heading, a version without its last articles does (and
        # one without its first articles starts exactly at one).
        if partial and at_start and not at_end:
            follows = (lb[j2:] if old_kept else la[i2:])[:1]
            article = any(map(is_article, added)) and any(map(is_article, follows))
        else:
            # Where the longer one goes on past the shorter, its own first line counts, even when left out above
            # as moved: a re-flowed copy that joined an earlier 第 3 條 to its text makes a later one look moved.
            side = la[i1:i2] if old_kept else lb[j1:j2]
            opening = side[:1] if partial else added
            # A clause of a law about itself at the end (本條例…修正之條文，自…施行) is its text, never a site's.
            # So is an article past the other's end among lines the other has elsewhere: moved there, not cut
            # off (a copy that moved a chapter to its end, beside a version that deleted the chapter's article).
            if partial:
                moved_past = at_end and len(added) < len(side) and any(map(is_article, added))
                article = not cut_short and (
                    is_article(opening[0]) or (at_end and _own_clause(opening[0])) or moved_past
                )
            else:
                # A list that goes on past the other's last item (三、 then 四、) is text, not a footer: a copy cut
                # short after a whole item, or a version without the last ones.
                prev = (la[i1 - 1 : i1] if old_kept else lb[j1 - 1 : j1]) if at_end and not (old and new) else []
                article = any(map(is_article, added)) or bool(prev and _list_goes_on(prev[0], added[0]))
                article = article or (at_end and _own_clause(added[0]))
            article = article or heading_cut
        if (at_start or at_end) and (not old or not new) and not article:
            continue
        # A tail cut off -- unless it goes on with an article and the shorter one ends its sentence: that is a
        # version without the article (a re-wrapped copy may have joined the heading to a line).
        tail = (old if len(old) > len(new) else new)[min(len(old), len(new)) :]
        # The changed lines kept end both documents: lines a copy moved to its end (the last article's line, then
        # a table) leave the line before them inside it, and what the other has past that line is text.
        ends = at_end and old_at[-1:] in ([], [len(la) - 1]) and new_at[-1:] in ([], [len(lb) - 1])
        cut = partial and old and new and ends and (old.startswith(new) or new.startswith(old))
        if cut:
            # What follows the cut in the longer one's own lines: a heading left out above as moved (第 3 條
            # stands earlier in it too) still opens the article after the cut.
            shorter, lines = (new, la[i1:i2]) if len(old) > len(new) else (old, lb[j1:j2])
            longer = "".join(lines)
            if longer.startswith(shorter):
                tail = longer[len(shorter) :]
            # A whole text (not cut short) that stops a character before its line's end, where the other goes on
            # with an article: a copy that lost its last character, beside a version with one more article.
            if cut_short or not (is_article(tail) or _article_after(lines, len(shorter))):
                continue
            return APART
        if old and new and at_start and (old.endswith(new) or new.endswith(old)):
            extra = (old if len(old) > len(new) else new)[: abs(len(old) - len(new))]
            if partial or not _ARTICLE.search(extra):
                continue  # chrome before a re-flowed opening; or an excerpt that starts within a line
        if not old or not new:
            # Lines only one has: long ones, numbers, a heading cut short, and the whole text of an article however
            # short (（刪除）, where an amended law deleted it) are text; a stray word or two is copying noise.
            body = _article_body(la, old_at) if old_kept else _article_body(lb, new_at)
            if len(old or new) >= MIN_BLOCK or _NUMBER.search(old or new) or heading_cut or body:
                (gone if old else put).append(old or new)
            continue
        if _article_deleted(old_kept, new) or _article_deleted(new_kept, old):
            return APART  # an article's text where the other has （刪除）: an amendment deleted it
        if _chars_differ(
            old,
            new,
            renames,
            (at_start, ends and partial),
            (heading_spans(old_kept), heading_spans(new_kept)),
            words,
            ends,
            law,
            (line_stops(old_kept), line_stops(new_kept)) if len(old_kept) > 1 or len(new_kept) > 1 else NO_STOPS,
        ):
            return APART
    if (gone or put) and _moved_with_slips(gone, put, renames, words, law):
        return APART
    suspects, slips = _suspects(renames), renames[_SLIP]
    if not suspects:
        return Likeness(Difference.SAME, slipped=(renames[_DIGIT_IN_A], renames[_DIGIT_IN_B]))
    if slips >= NOISE_WITNESSES and suspects <= slips:
        return Likeness(Difference.NOISY, suspects)
    return Likeness(Difference.DIFFERENT, suspects)  # different by its numbers (and repeats) alone


MOVED_SLIPS = 10  # characters in a hundred a moved line may differ by and still be the same line with slips
MOVED_LINE = 20  # characters a line needs to be found moved with a slip: headings (第3條 / 與3條) are alike


def _same_but_slips(text: str, other: str) -> bool:
    """`other` is `text` but for MOVED_SLIPS characters in a hundred of it (two at least)."""
    allowed = max(2, len(text) * MOVED_SLIPS // 100)
    return Levenshtein.distance(text, other, score_cutoff=allowed) <= allowed


def _moved_lines(
    la: list[str],
    lb: list[str],
    count_a: Counter[str],
    count_b: Counter[str],
    stretches: list[tuple[int, int, int, int]],
) -> list[tuple[int, int]]:
    """(i, j): a line only `la` has and one only `lb` has, in different changed `stretches`, of MOVED_LINE
    characters or more, that are the same line but for MOVED_SLIPS characters in a hundred: a line one document
    moved and the other has a slip in."""
    if len(stretches) < 2:
        return []
    where: dict[tuple[int, int], int] = {}  # (side, line) -> the changed stretch it is in
    for k, (i1, i2, j1, j2) in enumerate(stretches):
        where.update({(0, i): k for i in range(i1, i2) if not count_b[la[i]] and len(la[i]) >= MOVED_LINE})
        where.update({(1, j): k for j in range(j1, j2) if not count_a[lb[j]] and len(lb[j]) >= MOVED_LINE})
    only_a = [i for side, i in where if side == 0]
    only_b = [j for side, j in where if side == 1]
    if not only_a or not only_b:
        return []
    pairs: list[tuple[int, int]] = []
    for i in only_a:
        here = where[(0, i)]
        # a line with a slip where it stands is no moved line; nor is one the other document has with a slip
        # where it stands
        if any(where[(1, j)] == here and _same_but_slips(la[i], lb[j]) for j in only_b):
            continue
        j = next((j for j in only_b if where[(1, j)] != here and _same_but_slips(la[i], lb[j])), None)
        if j is None or any(where[(0, k)] == where[(1, j)] and _same_but_slips(la[k], lb[j]) for k in only_a):
            continue
        pairs.append((i, j))
        only_b.remove(j)
    return pairs


def _moved_with_slips(
    gone: list[str], put: list[str], renames: Counter[tuple[str, str]], words: frozenset[str] | None, law: bool
) -> bool:
    """Whether text only one document has (`gone` from the first, `put` into the second) differs substantively:
    each piece is the same as a piece of the other's, its slips aside (a paragraph a copy moved, with a typo in
    it, is no longer found elsewhere as it is), and those two compare as changed stretches do -- else it is
    text a version added or deleted."""
    left = list(put)
    for text in gone:
        found = next((k for k, other in enumerate(left) if _same_but_slips(text, other)), None)
        if found is None or _chars_differ(text, left.pop(found), renames, words=words, law=law):
            return True
    return bool(left)


def differ_within(la: list[str], lb: list[str]) -> bool:
    """Whether two documents differ as versions do between their edges: lines that differ at either end are
    left out first unless they hold an article heading -- two re-posts of one text in different sites' chrome
    (a header, a footer, an update stamp) differ there and nowhere else; versions differ by an article, or
    inside."""
    ops = line_opcodes(la, lb)
    start_a = start_b = 0
    end_a, end_b = len(la), len(lb)
    if ops and ops[0][0] != "equal" and not _holds_text(la, lb, ops[0], at_end=False):
        start_a, start_b = ops[0][2], ops[0][4]
    if len(ops) > 1 and ops[-1][0] != "equal" and not _holds_text(la, lb, ops[-1], at_end=True):
        end_a, end_b = ops[-1][1], ops[-1][3]
    return substantively_different(la[start_a:end_a], lb[start_b:end_b])


EDITED_LINE = 16  # characters both sides of an edge share before their text goes each its own way: edited text


def _holds_text(la: list[str], lb: list[str], op: tuple[str, int, int, int, int], at_end: bool) -> bool:
    """Whether an edge's changed lines hold text rather than chrome: an article heading, or the text edited on
    both sides (the last line before a contact block rewritten: the two sides open alike and go on each its own
    way). Lines re-flowed with a footer after them open alike too, but one side's text just ends there."""
    _, i1, i2, j1, j2 = op
    if any(map(is_article, la[i1:i2] + lb[j1:j2])):
        return True
    a, b = "".join(la[i1:i2]), "".join(lb[j1:j2])
    if not at_end:
        a, b = a[::-1], b[::-1]
    shared = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return EDITED_LINE <= shared < min(len(a), len(b))


_ITEM = re.compile("([0-9]{1,2}|[一二三四五六七八九十]{1,3})(?![0-9一二三四五六七八九十百千])")
_CHINESE_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def _item_number(line: str) -> int | None:
    """The number of the item a line view opens (三受破產… -> 3, 十一臨時條款… -> 11, 2本辦法… -> 2), if it
    opens one: a numeral of one or two places followed by text."""
    found = _ITEM.match(line)
    if not found or found.end() == len(line):
        return None
    number = found.group(1)
    if number.isdigit():
        return int(number)
    tens, ten, units = number.partition("十")
    if not ten:
        return _CHINESE_DIGITS.get(tens) if len(tens) == 1 else None
    if len(tens) > 1 or len(units) > 1:
        return None
    return _CHINESE_DIGITS.get(tens, 1 if not tens else 0) * 10 + (_CHINESE_DIGITS.get(units, 0) if units else 0)


# A law or rule naming itself (本法, 本條例, 本細則 ...), in the Simplified script of the views: opening a line
# (本條例自公布日施行) or closing it (…特訂定本細則).
_OWN = "本(?:法|条例|细则|办法|规则|标准|准则|要点|规程|通则)"
_OWN_CLAUSE = re.compile(f"{_OWN}.+|.*(?<![基日根]){_OWN}")


def _own_clause(line: str) -> bool:
    """A line view that is a clause of a law about the law itself: text of an amendment (本條例…修正之條文，自…
    施行), never a site's chrome. A line that only names the law inside (…於本條例施行期間…) may be anywhere in
    an article."""
    return bool(_OWN_CLAUSE.fullmatch(line))


def _list_goes_on(before: str, after: str) -> bool:
    """The line view `after` opens the item numbered next to the one `before` opens (九耳溫槍膠套 -> 十溫度計)."""
    first, then = _item_number(before), _item_number(after)
    return first is not None and then == first + 1


def _article_after(lines: list[str], stop: int) -> bool:
    """The line that `stop` (characters into the lines joined) falls in ends one character after it, and an
    article follows that line."""
    at = 0
    for k, line in enumerate(lines):
        at += len(line)
        if at >= stop:
            return at - stop == 1 and k + 1 < len(lines) and is_article(lines[k + 1])
    return False


def _heading_cut(lines: list[str], at: list[int]) -> bool:
    """The kept lines `at` end the document with an article heading cut short (第, 第十, 第12 without 條)."""
    return bool(at) and at[-1] == len(lines) - 1 and bool(_HEADING_START.fullmatch(lines[-1]))


_DELETED = "删除"  # （刪除）, an article an amendment deleted, as a line view


def _article_deleted(lines: list[str], other: str) -> bool:
    """One of the lines is an article's text as an amended law leaves it when it deletes the article, and the
    other side's text in its place holds neither of its characters (刪 or 刪現 there is a typo copy's slip)."""
    return _DELETED in lines and not set(other) & set(_DELETED)


def _article_body(lines: list[str], at: list[int]) -> bool:
    """One of the kept lines `at` is the text of an article: the line under its heading."""
    return any(i > 0 and i - 1 not in at and is_article(lines[i - 1]) for i in at)


def _take(counts: Counter[str], line: str) -> bool:
    """True (and one fewer left) while `counts` still holds `line`."""
    if counts[line] > 0:
        counts[line] -= 1
        return True
    return False
