#!/usr/bin/env python3
"""Second near-duplicate benchmark generator for Traditional Chinese government text.

It is a second generator, written independently of benchmarks/dedup/generate.py from the benchmark's
description and the real data only, so that results on its sets can be compared with results on generate.py's.

Bases are real public texts from the folder shared/realdata beside the repository (--realdata DIR overrides it):
MOJ laws and orders, Executive Yuan Gazette XML, and Presidential Office and Tainan City news. They are cut
into pieces of --min-chars..--max-chars characters at natural boundaries (articles, paragraphs). About
--dup-share of the documents are edit copies of a base (exactly one edit kind each, see EDIT_KINDS), and about
--negative-share are hard negatives that must stay apart from a partner document (see NEGATIVE_KINDS). No base or
hard negative is accepted that shares half of its 5-grams with another base (Jaccard, or the share of the
smaller one the larger holds: an excerpt is a partial copy).

Writes, to DIR:
    docs.jsonl    one {"id", "text"} per line, shuffled, ids d000000, d000001, ...
    labels.jsonl  one line per document, in the same order, with the fields
                  id, group, kind ("base", an edit kind or a hard-negative kind);
                  base (edit copies: id of the base they were made from);
                  negative_of, negative_of_group (hard negatives: id and group of the partner);
                  amendment (successive_amendment only: the operation applied);
                  jaccard (raw character 5-gram Jaccard with the base / partner) and jaccard_norm (the same after
                  NFKC and removing all whitespace), for copies and hard negatives;
                  source (the real document and piece the text was taken from).
    summary.txt   counts, mean lengths and Jaccard statistics per kind.

    .venv/bin/python benchmarks/dedup/generate_alt.py --docs 5000 --seed 1 --out DIR
    .venv/bin/python benchmarks/dedup/generate_alt.py --docs N --seed S --out DIR [--min-chars 200]
        [--max-chars 1500] [--dup-share 0.5] [--negative-share 0.1] [--realdata DIR]

The output is the same for the same arguments and data: the script re-executes itself with PYTHONHASHSEED=0.
"""

from __future__ import annotations

import argparse
import bisect
import glob
import html
import json
import math
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from score import EDIT_KINDS, NEGATIVE_KINDS  # the labels score.py reads (this folder is on the path)

# the repository is benchmarks/dedup/../..; the real data lives in shared/realdata beside it
DEFAULT_REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


ORG_SUFFIXES = ("組織法", "組織條例", "組織通則", "處務規程", "組織規程", "組織準則", "辦事細則")


# ----------------------------------------------------------------------------------------------------------------
# similarity helpers
# ----------------------------------------------------------------------------------------------------------------


def grams(text: str, n: int = 5) -> set:
    if len(text) < n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def jaccard(a: str, b: str, n: int = 5) -> float:
    ga, gb = grams(a, n), grams(b, n)
    inter = len(ga & gb)
    return inter / (len(ga) + len(gb) - inter) if (ga or gb) else 1.0


def jaccard_sets(ga: set, gb: set) -> float:
    inter = len(ga & gb)
    return inter / (len(ga) + len(gb) - inter) if (ga or gb) else 1.0


_WS = re.compile(r"\s+")


def norm_for_jaccard(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


class NearDupIndex:
    """Cheap near-duplicate guard: content-sampled hashed 8-char substrings -> doc slots; candidates sharing
    enough samples are checked with exact character 5-gram Jaccard (or, `contained`, also the share of the
    smaller text's 5-grams the other holds: a piece cut from the same source at other boundaries is an excerpt
    of the other, a partial copy, however low their Jaccard)."""

    MOD = 24
    MAX_POSTING = 3000

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.post: dict[int, list[int]] = defaultdict(list)
        self.texts: list[str] = []
        self.sizes: list[int] = []

    @classmethod
    def samples(cls, text: str) -> list[int]:
        t = _WS.sub("", text)
        out = set()
        for i in range(len(t) - 7):
            h = hash(t[i : i + 8])
            if h % cls.MOD == 0:
                out.add(h)
        if not out and len(t) >= 8:  # very short text: keep the smallest hashes
            out = set(sorted(hash(t[i : i + 8]) for i in range(len(t) - 7))[:3])
        return sorted(out)

    def near(
        self, text: str, exclude: frozenset = frozenset(), threshold: float | None = None, contained: bool = False
    ) -> tuple[int, float]:
        """Return (slot, similarity) of the most similar indexed text with similarity >= threshold, else (-1, 0)."""
        threshold = self.threshold if threshold is None else threshold
        smp = self.samples(text)
        if not smp:
            return -1, 0.0
        cnt: Counter = Counter()
        for h in smp:
            lst = self.post.get(h)
            if lst and len(lst) <= self.MAX_POSTING:
                cnt.update(lst)

        def need(slot: int) -> int:
            if contained:  # most of the smaller one's samples, as half of its 5-grams inside the other share
                return max(1, int(0.8 * threshold * min(len(smp), self.sizes[slot])))
            return max(1, int(0.4 * threshold * len(smp)))

        cands = sorted((s for s, c in cnt.items() if c >= need(s) and s not in exclude), key=lambda s: (-cnt[s], s))
        g = None
        best = (-1, 0.0)
        for s in cands[:40]:
            if g is None:
                g = grams(text)
            other = grams(self.texts[s])
            j = jaccard_sets(g, other)
            if contained and g and other:
                j = max(j, len(g & other) / min(len(g), len(other)))
            if j >= threshold and j > best[1]:
                best = (s, j)
        return best

    def add(self, text: str) -> int:
        slot = len(self.texts)
        self.texts.append(text)
        samples = self.samples(text)
        self.sizes.append(len(samples))
        for h in samples:
            self.post[h].append(slot)
        return slot


# ----------------------------------------------------------------------------------------------------------------
# loading real data
# ----------------------------------------------------------------------------------------------------------------


def clean_text(s: str) -> str:
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = re.sub(r"[\ue000-\uf8ff]", "", s)  # legacy EUDC glyphs leaking as PUA
    return s


def strip_html(h: str) -> str:
    h = re.sub(r"<!--.*?-->", "", h, flags=re.S)
    h = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", h)
    h = re.sub(r"(?i)<br\s*/?>", "\n", h)
    h = re.sub(r"(?i)</?(p|div|tr|table|h\d|li|ul|ol)\b[^>]*>", "\n", h)
    h = re.sub(r"(?i)</td>", " ", h)
    h = re.sub(r"<[^>]+>", "", h)
    h = html.unescape(h).replace("\xa0", " ")
    h = clean_text(h)
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in h.split("\n")]
    lines = [ln for ln in lines if ln]
    while lines and lines[-1].lower() in ("top", "回頁首", ":::"):
        lines.pop()
    return "\n".join(lines)


class Source:
    """One real document: a title line and a list of blocks (articles or paragraphs)."""

    __slots__ = ("blocks", "key", "kind", "meta", "name", "sep", "title")

    def __init__(
        self, key: str, title: str, blocks: list[str], sep: str, kind: str, name: str = "", meta: dict | None = None
    ) -> None:
        self.key, self.title, self.blocks, self.sep, self.kind, self.name = key, title, blocks, sep, kind, name
        self.meta = meta or {}


def load_moj(real: Path) -> list[Source]:
    out = []
    files = sorted(glob.glob(f"{real}/moj_laws/split_ch_law/*.json")) + sorted(
        glob.glob(f"{real}/moj_laws/split_ch_order_sample/*.json")
    )
    for f in files:
        try:
            with open(f, encoding="utf-8-sig") as fh:
                d = json.load(fh)
        except Exception:
            continue
        name = (d.get("LawName") or "").strip()
        arts = d.get("LawArticles") or []
        if not name or not arts:
            continue
        blocks = []
        fw = clean_text(d.get("LawForeword") or "").strip()
        if fw:
            blocks.append(fw)
        pending = []
        for a in arts:
            content = clean_text(a.get("ArticleContent") or "").rstrip()
            if a.get("ArticleType") == "C":
                if content.strip():
                    pending.append(content)
                continue
            no = (a.get("ArticleNo") or "").strip()
            body = (no + "\n" + content) if no else content
            if not body.strip():
                continue
            blocks.append("\n".join([*pending, body]))
            pending = []
        if not blocks:
            continue
        out.append(
            Source(
                "moj:" + os.path.basename(f)[:-5],
                name,
                blocks,
                "\n",
                "law",
                name,
                {"abandoned": bool(d.get("LawAbandonNote")), "category": d.get("LawCategory") or ""},
            )
        )
    return out


def _cdata(rec: str, tag: str) -> str:
    """Text of <tag><![CDATA[...]]></tag> in a gazette record, or ""."""
    m = re.search(rf"<{tag}><!\[CDATA\[(.*?)\]\]></{tag}>", rec, re.S)
    return m.group(1) if m else ""


def load_gazette(real: Path) -> list[Source]:
    out = []
    files = sorted(glob.glob(f"{real}/external/ey_gazette_2014_05/*/*/*.xml")) + sorted(
        glob.glob(f"{real}/text_datasets/ey_gazette_xml/*.xml")
    )
    for f in files:
        with open(f, encoding="utf-8") as fh:
            s = fh.read()
        for rec in re.findall(r"<Record>(.*?)</Record>", s, re.S):
            text = strip_html(_cdata(rec, "HTMLContent"))
            title = clean_text(_cdata(rec, "Title")).strip()
            mid = _cdata(rec, "MetaId").strip()
            if len(text) < 50:
                continue
            lines = text.split("\n")
            if lines and lines[0] == title:
                lines = lines[1:]
            out.append(Source(f"gazette:{mid}", title, lines, "\n", "gazette", title))
    return out


def load_news(real: Path) -> list[Source]:
    out = []
    for f in sorted(glob.glob(f"{real}/external/president_news_2024/*.json")):
        with open(f, encoding="utf-8") as fh:
            d = json.load(fh)
        content = clean_text(d.get("content") or "").strip()
        if not content:
            continue
        paras = [p.strip() for p in content.split("\n\n") if p.strip()]
        title = clean_text(d.get("title") or "").strip()
        out.append(Source(f"president:{d.get('id')}", title, paras, "\n\n", "news", title))
    for f in sorted(glob.glob(f"{real}/external/tainan_news_2024_06/*.json")):
        with open(f, encoding="utf-8") as fh:
            d = json.load(fh)
        content = clean_text(d.get("content") or "").strip("\n")
        if not content.strip():
            continue
        paras = [p.rstrip() for p in content.split("\n") if p.strip()]
        title = clean_text(d.get("title") or "").strip()
        out.append(Source("tainan:" + os.path.basename(f)[:-5], title, paras, "\n", "news", title))
    return out


# ----------------------------------------------------------------------------------------------------------------
# cutting into pieces
# ----------------------------------------------------------------------------------------------------------------

_SENT_END = re.compile(r"(?<=[。；！？])")


def explode(block: str, limit: int) -> list[str]:
    """Split a block longer than limit at line, then sentence boundaries (hard cut as last resort)."""
    if len(block) <= limit:
        return [block]
    lines = block.split("\n")
    if len(lines) > 1:
        units, joiner = lines, "\n"
    else:
        units, joiner = [x for x in _SENT_END.split(block) if x], ""
    if len(units) <= 1:
        return [block[i : i + limit] for i in range(0, len(block), limit)]
    parts, cur = [], None
    for u in units:
        if cur is None:
            cur = u
        elif len(cur) + len(joiner) + len(u) > limit:
            parts.append(cur)
            cur = u
        else:
            cur = cur + joiner + u
    if cur is not None:
        parts.append(cur)
    res = []
    for p in parts:
        res.extend(explode(p, limit) if len(p) > limit else [p])
    return res


class Piece:
    __slots__ = ("blocks", "idx", "sep", "src", "text", "title")

    def __init__(self, src: Source, idx: int, title: str | None, blocks: list[str]) -> None:
        self.src, self.idx, self.title, self.blocks, self.sep = src, idx, title, blocks, src.sep
        head = [title] if title else []
        self.text = self.sep.join(head + blocks) if src.sep == "\n\n" else "\n".join(head + blocks)


def cut_source(src: Source, rng: random.Random, lo: int, hi: int, pass_no: int) -> list[Piece]:
    """Greedy cut at block boundaries; each piece aims at a random target length in lo..hi. Later passes start
    with a shorter first piece so that their boundaries fall elsewhere."""
    title_every = src.kind == "law"
    tlen = len(src.title) + len(src.sep)
    limit = max(lo, (hi - tlen) // 2)
    blocks = []
    for b in src.blocks:
        blocks.extend(explode(b, limit))
    seplen = len(src.sep)
    pieces: list[Piece] = []

    def make(bl: list[str]) -> Piece:
        k = len(pieces)
        return Piece(src, k, src.title if (title_every or k == 0) else None, bl)

    cur: list[str] = []
    curlen = 0
    target = rng.randint(lo // 2, (lo + hi) // 3) if pass_no else rng.randint(lo, hi)
    for b in blocks:
        add = len(b) + (seplen if cur else 0)
        if cur and tlen + curlen + add > hi:
            p = make(cur)
            if len(p.text) >= lo:
                pieces.append(p)
            cur, curlen = [], 0
            target = rng.randint(lo, hi)
            add = len(b)
        cur.append(b)
        curlen += add
        if tlen + curlen >= target:
            p = make(cur)
            if lo <= len(p.text) <= hi:
                pieces.append(p)
            cur, curlen = [], 0
            target = rng.randint(lo, hi)
    if cur:
        p = make(cur)
        if lo <= len(p.text) <= hi:
            pieces.append(p)
        elif pieces and len(p.text) < lo:
            prev = pieces[-1]
            merged = Piece(src, prev.idx, prev.title, prev.blocks + cur)
            if len(merged.text) <= hi:
                pieces[-1] = merged
    return pieces


# ----------------------------------------------------------------------------------------------------------------
# Chinese numerals and year / amount rewriting
# ----------------------------------------------------------------------------------------------------------------

CN_DIG = "零一二三四五六七八九"
CN_VAL = {c: i for i, c in enumerate(CN_DIG)}
CN_VAL.update({"〇": 0, "兩": 2})
CN_UNIT = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"萬": 10**4, "億": 10**8}


def cn2int(s: str) -> int | None:
    total, section, num = 0, 0, None
    if not s:
        return None
    for ch in s:
        if ch in CN_VAL:
            num = CN_VAL[ch]
        elif ch in CN_UNIT:
            section += (1 if num is None else num) * CN_UNIT[ch]
            num = None
        elif ch in CN_BIG:
            section += num or 0
            total += section * CN_BIG[ch]
            section, num = 0, None
        else:
            return None
    return total + section + (num or 0)


def _cn_under_10000(n: int, leading: bool) -> str:
    out = ""
    zero = False
    for unit, ch in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit
        n %= unit
        if d:
            if zero and out:
                out += "零"
            zero = False
            if unit == 10 and d == 1 and not out and leading:
                out += "十"
            else:
                out += CN_DIG[d] + ch
        elif out:
            zero = True
    return out


def int2cn(n: int) -> str:
    """Chinese numeral: 十, 二十一, 一百零三, 一百一十二, 三萬五千, 一兆二千億 (int2cn_roc_year writes 一百十二);
    below 10**16 (an amount an amendment multiplied can pass 一兆)."""
    if n == 0:
        return "零"
    if n >= 10**16:
        raise ValueError(f"{n}: no numeral past 兆 here")
    parts = []
    for big, ch in ((10**12, "兆"), (10**8, "億"), (10**4, "萬"), (1, "")):
        d = n // big
        n %= big
        if d:
            if parts and d < 1000:
                parts.append("零")
            parts.append(_cn_under_10000(d, leading=not parts) + ch)
    return "".join(parts)


def int2cn_roc_year(n: int) -> str:
    s = int2cn(n)
    return s.replace("一百一十", "一百十")


CN_NUM_CHARS = "零〇一二三四五六七八九十百千萬億兩"

YEAR_PATTERNS = [
    # 中華民國一百十二年 / 民國九十九年
    (re.compile(r"(中華民國|民國)([零〇一二三四五六七八九十百]{1,6})(?=年)"), "cnroc"),
    # 一百十三年度
    (re.compile(r"(?<![零〇一二三四五六七八九十百千])([零〇一二三四五六七八九十百]{2,6})(?=年度)"), "cnbare"),
    # 中華民國113年 / 民國 113 年
    (re.compile(r"(中華民國|民國)(\s*)(\d{2,3})(?=\s*年)"), "arroc"),
    # 113年度 / 113年5月
    (re.compile(r"(?<![\d.,])(\d{2,3})(?=\s*年\s*(?:度|\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月))"), "arbare"),
    # 2024年 / 2024-05-13 / 2024/5/13
    (re.compile(r"(?<![\d.,])((?:19[5-9]|20[0-3])\d)(?=\s*年|[-/.]\d{1,2}[-/.]\d{1,2})"), "west"),
    # 113/05/13, 113.05.13
    (re.compile(r"(?<![\d.,/])(1[01]\d)(?=[/.]\d{1,2}[/.]\d{1,2}(?!\d))"), "rocslash"),
]


def shift_years(text: str, delta: int) -> tuple[str, int, int]:
    """Shift every year expression by delta. Returns (text, changes, first_change_pos)."""
    spans = []
    for pat, kind in YEAR_PATTERNS:
        for m in pat.finditer(text):
            if kind == "cnroc":
                v = cn2int(m.group(2))
                if v is None or not (1 <= v <= 130):
                    continue
                spans.append((m.start(2), m.end(2), int2cn_roc_year(v + delta)))
            elif kind == "cnbare":
                v = cn2int(m.group(1))
                if v is None or not (40 <= v <= 130):
                    continue
                spans.append((m.start(1), m.end(1), int2cn_roc_year(v + delta)))
            elif kind == "arroc":
                v = int(m.group(3))
                if not (1 <= v <= 130):
                    continue
                spans.append((m.start(3), m.end(3), str(v + delta)))
            elif kind == "arbare":
                v = int(m.group(1))
                if not (40 <= v <= 130):
                    continue
                spans.append((m.start(1), m.end(1), str(v + delta)))
            elif kind in ("west", "rocslash"):
                v = int(m.group(1))
                spans.append((m.start(1), m.end(1), str(v + delta)))
    spans.sort()
    merged, last_end = [], -1
    for s, e, r in spans:
        if s >= last_end:
            merged.append((s, e, r))
            last_end = e
    if not merged:
        return text, 0, -1
    out, pos = [], 0
    for s, e, r in merged:
        out.append(text[pos:s])
        out.append(r)
        pos = e
    out.append(text[pos:])
    return "".join(out), len(merged), merged[0][0]


AMOUNT_AR = re.compile(r"(新臺幣|新台幣|NT\$)\s*([\d,]{1,15})(\s*)(億|萬|千)?(元)")
AMOUNT_CN = re.compile(r"(新臺幣|新台幣)([零〇一二三四五六七八九十百千萬億兩]{1,12})(元)")


def _round_sig(v: float, sig: int = 2) -> int:
    if v <= 0:
        return 1
    p = max(0, math.floor(math.log10(v)) - sig + 1)
    return round(v / 10**p) * 10**p


def change_amounts(text: str, rng: random.Random, prob: float = 0.8) -> tuple[str, int, int]:
    spans = []
    for m in AMOUNT_AR.finditer(text):
        if rng.random() > prob:
            continue
        raw = m.group(2).replace(",", "")
        if not raw.isdigit():
            continue
        v = int(raw)
        nv = _round_sig(v * rng.uniform(1.03, 1.3), 2 if v >= 100 else 1)
        if nv == v:
            nv = v + max(1, v // 10)
        s = f"{nv:,}" if "," in m.group(2) else str(nv)
        spans.append((m.start(2), m.end(2), s))
    for m in AMOUNT_CN.finditer(text):
        if rng.random() > prob:
            continue
        v = cn2int(m.group(2))
        if not v:
            continue
        nv = _round_sig(v * rng.uniform(1.05, 1.5), 1 if v < 100 else 2)
        if nv == v:
            nv = v * 2
        spans.append((m.start(2), m.end(2), int2cn(nv)))
    new, starts = replace_spans(text, sorted(spans))
    return new, len(starts), starts[0] if starts else -1


def replace_spans(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """`text` with each (start, end, replacement) of the sorted `spans` put in, a span overlapping one before it
    left out; and where the replacements went in."""
    out, pos, starts = [], 0, []
    for start, end, replacement in spans:
        if start < pos:
            continue
        out += [text[pos:start], replacement]
        pos = end
        starts.append(start)
    out.append(text[pos:])
    return "".join(out), starts


def first_diff(a: str, b: str) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


# ----------------------------------------------------------------------------------------------------------------
# site chrome templates
# ----------------------------------------------------------------------------------------------------------------

AGENCIES = [
    ("內政部", "moi.gov.tw"),
    ("法務部", "moj.gov.tw"),
    ("財政部", "mof.gov.tw"),
    ("教育部", "edu.tw"),
    ("經濟部", "moea.gov.tw"),
    ("交通部", "motc.gov.tw"),
    ("勞動部", "mol.gov.tw"),
    ("衛生福利部", "mohw.gov.tw"),
    ("文化部", "moc.gov.tw"),
    ("數位發展部", "moda.gov.tw"),
    ("農業部", "moa.gov.tw"),
    ("環境部", "moenv.gov.tw"),
    ("國家發展委員會", "ndc.gov.tw"),
    ("客家委員會", "hakka.gov.tw"),
    ("原住民族委員會", "cip.gov.tw"),
    ("海洋委員會", "oac.gov.tw"),
    ("行政院主計總處", "dgbas.gov.tw"),
    ("行政院人事行政總處", "dgpa.gov.tw"),
    ("全國法規資料庫", "law.moj.gov.tw"),
    ("臺南市政府", "tainan.gov.tw"),
    ("臺北市政府", "gov.taipei"),
    ("新北市政府", "ntpc.gov.tw"),
    ("桃園市政府", "tycg.gov.tw"),
    ("臺中市政府", "taichung.gov.tw"),
    ("高雄市政府", "kcg.gov.tw"),
    ("基隆市政府", "klcg.gov.tw"),
    ("中華民國總統府", "president.gov.tw"),
    ("行政院", "ey.gov.tw"),
    ("考選部", "moex.gov.tw"),
    ("金融監督管理委員會", "fsc.gov.tw"),
    ("國家通訊傳播委員會", "ncc.gov.tw"),
    ("公平交易委員會", "ftc.gov.tw"),
    ("衛生福利部疾病管制署", "cdc.gov.tw"),
    ("內政部警政署", "npa.gov.tw"),
    ("財政部國稅局", "ntbt.gov.tw"),
    ("嘉義縣政府", "cyhg.gov.tw"),
]
CITIES = [
    ("100", "臺北市", "中正區", ["重慶南路一段", "忠孝東路一段", "凱達格蘭大道", "徐州路", "中山南路", "貴陽街一段"]),
    ("110", "臺北市", "信義區", ["市府路", "松仁路", "松高路"]),
    ("106", "臺北市", "大安區", ["和平東路二段", "信義路三段", "復興南路一段"]),
    ("220", "新北市", "板橋區", ["中山路一段", "縣民大道二段", "文化路一段"]),
    ("242", "新北市", "新莊區", ["中平路", "中正路"]),
    ("330", "桃園市", "桃園區", ["縣府路", "中正路"]),
    ("407", "臺中市", "西屯區", ["臺灣大道三段", "市政北一路", "文心路二段"]),
    ("700", "臺南市", "中西區", ["永華路二段", "民生路一段", "中山路"]),
    ("708", "臺南市", "安平區", ["永華路二段", "健康路三段"]),
    ("730", "臺南市", "新營區", ["民治路", "中山路"]),
    ("802", "高雄市", "苓雅區", ["四維三路", "中正二路", "光華一路"]),
    ("200", "基隆市", "仁愛區", ["義一路", "愛四路"]),
    ("612", "嘉義縣", "太保市", ["祥和一路東段", "祥和二路"]),
    ("540", "南投縣", "南投市", ["中興路", "南陽路"]),
]
AREA_CODES = {
    "臺北市": "02",
    "新北市": "02",
    "基隆市": "02",
    "桃園市": "03",
    "臺中市": "04",
    "臺南市": "06",
    "高雄市": "07",
    "嘉義縣": "05",
    "南投縣": "049",
}
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
GIVEN = "淑惠美玲雅婷怡君宜芳志明建宏俊傑家豪冠宇承恩柏翰品妤欣怡佳蓉文雄國華秀英麗珠信宏昱廷哲維思穎子晴宗翰育德"
TITLES = ["科長", "專員", "技正", "科員", "視察", "專門委員", "約聘人員", "助理員", "技士", "組長", "秘書", "研究員"]
UNITS = [
    "綜合規劃司",
    "法制處",
    "秘書室",
    "資訊處",
    "會計室",
    "人事室",
    "政風室",
    "企劃科",
    "行政科",
    "輔導科",
    "社會救助科",
    "勞資關係科",
    "建築管理科",
    "觀光行銷科",
    "新聞傳播科",
    "預算科",
    "稅務科",
    "保育科",
]
CRUMB_SECTIONS = [
    ["便民服務", "法規查詢"],
    ["最新消息", "新聞稿"],
    ["法令規章", "主管法規"],
    ["政府公開資訊", "法規命令"],
    ["業務專區", "公告事項"],
    ["新聞與公告", "即時新聞"],
    ["資訊公開", "施政計畫"],
    ["首長專區", "首長致詞"],
    ["公告資訊", "招標公告"],
    ["便民服務", "常見問答"],
    ["法規資訊", "法規草案預告"],
    ["新聞中心", "本府新聞"],
]


def rand_date(rng: random.Random, style: str | None = None) -> str:
    y = rng.randint(2012, 2025)
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    style = style or rng.choice(["iso", "slash", "roc", "rocdash", "rocdot", "roczh"])
    if style == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    if style == "slash":
        return f"{y}/{m}/{d}"
    if style == "roc":
        return f"{y - 1911}年{m}月{d}日"
    if style == "rocdash":
        return f"{y - 1911}-{m:02d}-{d:02d}"
    if style == "rocdot":
        return f"{y - 1911}.{m:02d}.{d:02d}"
    return f"民國{y - 1911}年{m:02d}月{d:02d}日"


def rand_time(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def rand_addr(rng: random.Random) -> tuple[str, str]:
    zipc, city, dist, roads = rng.choice(CITIES)
    z = zipc + (f"{rng.randint(1, 99):02d}" if rng.random() < 0.5 else "")
    num = rng.randint(1, 600)
    floor = f"{rng.randint(1, 20)}樓" if rng.random() < 0.4 else ""
    city_s = city.replace("臺", "台") if rng.random() < 0.3 else city
    return f"{z}{city_s}{dist}{rng.choice(roads)}{num}號{floor}", city


def rand_phone(rng: random.Random, city: str) -> str:
    ac = AREA_CODES.get(city, "02")
    if ac == "02":
        num = f"{rng.randint(2000, 8999)}-{rng.randint(0, 9999):04d}"
    elif ac == "049":
        num = f"{rng.randint(220, 299)}-{rng.randint(0, 9999):04d}"
    else:
        num = f"{rng.randint(200, 399)}{rng.randint(0, 9999):04d}"
    style = rng.random()
    if style < 0.4:
        return f"({ac}){num}"
    if style < 0.7:
        return f"{ac}-{num}"
    return f"（{ac}）{num}"


def rand_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def header_block(rng: random.Random, title: str, agency: tuple[str, str] | None = None) -> str:
    ag, dom = agency or rng.choice(AGENCIES)
    sec = rng.choice(CRUMB_SECTIONS)
    t = rng.randrange(10)
    short_title = title[:30] if title else ""
    if t == 0:
        return "\n".join(
            [
                f"{ag}全球資訊網",
                "跳到主要內容區塊",
                ":::",
                "首頁 > " + " > ".join(sec),
                "字級：小 中 大",
                "分享 列印 回上一頁",
            ]
        )
    if t == 1:
        return "\n".join(
            [
                ":::",
                f"首頁 / {sec[0]} / {sec[1]}",
                f"發布日期：{rand_date(rng)}",
                f"更新日期：{rand_date(rng)}",
                f"瀏覽人次：{rng.randint(15, 250000)}",
            ]
        )
    if t == 2:
        return "\n".join(
            [
                f"{ag} {dom.split('.')[0].upper()}",
                "網站導覽 | English | 常見問答 | RSS",
                "您的位置：首頁＞" + "＞".join(sec),
                f"{short_title}",
            ]
        )
    if t == 3:
        return "\n".join(
            [
                "回首頁 | 網站導覽 | 雙語詞彙 | 行動版",
                f"現在位置：首頁 › {sec[0]} › {sec[1]}",
                f"發布單位：{ag}{rng.choice(UNITS)}",
                f"發布日期：{rand_date(rng)}",
                f"點閱次數：{rng.randint(3, 99999)}",
            ]
        )
    if t == 4:
        return "\n".join(
            [
                "字級設定 A- A A+",
                "列印 轉寄 分享到Facebook 分享到LINE",
                f"資料來源：{ag}",
                f"公告日期：{rand_date(rng)}",
            ]
        )
    if t == 5:
        return "\n".join(
            [
                f"{ag}",
                "::: 首頁 > " + " > ".join(sec) + " > 內容",
                "",
                f"張貼日期：{rand_date(rng)} {rand_time(rng)}",
                f"點閱數：{rng.randint(10, 40000)}",
            ]
        )
    if t == 6:
        return "\n".join(
            [
                "法規名稱：" + (title or "（未命名）"),
                f"修正日期：{rand_date(rng, 'roczh')}",
                "法規類別："
                + rng.choice(
                    [
                        "行政＞內政部＞戶政目",
                        "行政＞財政部＞賦稅目",
                        "行政＞勞動部＞勞動條件目",
                        "行政＞教育部＞學校教育目",
                        "行政＞經濟部＞商業目",
                    ]
                ),
                "所有條文 編章節 條號查詢 條文檢索",
            ]
        )
    if t == 7:
        return "\n".join(
            [
                f"{ag}全球資訊網-{sec[1]}",
                f"首頁 » {sec[0]} » {sec[1]}",
                "",
                f"最後更新：{rand_date(rng)}",
                "友善列印 | 下載PDF | 回上頁",
            ]
        )
    if t == 8:
        return "\n".join(
            [
                "跳到主要內容",
                f"{ag} 服務電話：{rand_phone(rng, '臺北市')}",
                "熱門關鍵字：補助 申請 法規 防疫 報稅",
                "首頁＞" + "＞".join(sec),
            ]
        )
    return "\n".join(
        [
            f"【{sec[1]}】{short_title}",
            f"日期：{rand_date(rng)}　來源：{ag}",
            f"人氣：{rng.randint(1, 9999)}　字型大小：小　中　大",
        ]
    )


def footer_block(rng: random.Random, agency: tuple[str, str] | None = None) -> str:
    ag, dom = agency or rng.choice(AGENCIES)
    addr, city = rand_addr(rng)
    tel = rand_phone(rng, city)
    t = rng.randrange(10)
    if t == 0:
        return "\n".join(
            [
                "回上一頁 回首頁 回頁首",
                f"{ag} 版權所有 © {rng.randint(2015, 2025)} All Rights Reserved.",
                f"地址：{addr}",
                f"總機：{tel}",
            ]
        )
    if t == 1:
        return "\n".join(
            [
                "隱私權政策 | 資訊安全政策 | 政府網站資料開放宣告 | 網站導覽",
                f"{ag}　地址：{addr}　電話：{tel}",
                f"服務時間：週一至週五 {rng.choice(['08:30~17:30', '08:00~17:00', '09:00~18:00'])}",
                f"建議使用 {rng.choice(['1280x800', '1024x768', '1920x1080'])} 以上解析度瀏覽",
            ]
        )
    if t == 2:
        return "\n".join(
            [
                f"更新日期：{rand_date(rng)}",
                f"瀏覽人次：{rng.randint(100, 9999999)}",
                "反詐騙專線165 ‧ 檢舉電話 " + rand_phone(rng, city),
                f"Copyright © {ag}",
            ]
        )
    if t == 3:
        return "\n".join(
            [
                "分享 列印 回上一頁",
                "",
                "相關連結",
                "上一則 下一則 回列表",
                f"{ag} 電話：{tel} 傳真：{rand_phone(rng, city)}",
                f"本網站最佳瀏覽解析度為{rng.choice(['1280*1024', '1366*768', '1920*1080'])}",
            ]
        )
    if t == 4:
        return "\n".join(
            [
                ":::",
                f"機關地址：{addr}",
                f"聯絡電話：{tel}",
                "為防範詐騙，請撥打反詐騙諮詢專線165",
                "無障礙檢測標章 AA 2.1",
                f"今日瀏覽人數：{rng.randint(10, 30000)} 總瀏覽人數：{rng.randint(100000, 90000000)}",
            ]
        )
    if t == 5:
        return "\n".join(
            [
                f"資料來源：{ag}{rng.choice(UNITS)}",
                f"發布日期：{rand_date(rng)}",
                f"更新日期：{rand_date(rng)}",
                "回頁首",
            ]
        )
    if t == 6:
        return "\n".join(
            [
                "隱私權保護政策 ｜ 政府網站資料開放宣告 ｜ 著作權聲明 ｜ 意見信箱",
                f"{addr}",
                f"代表號：{tel}（{rng.choice(['週一至週五', '上班時間'])}）",
                f"政風檢舉專線：{rand_phone(rng, city)}",
                f"© {rng.randint(2016, 2025)} {ag}",
            ]
        )
    if t == 7:
        return "\n".join(
            [
                "附件：",
                f"{rng.choice(['附件一', '說明資料', '相關表單'])}.pdf（{rng.randint(50, 900)}KB）",
                f"{rng.choice(['申請表', '對照表', '新聞稿'])}.odt（{rng.randint(20, 300)}KB）",
                f"點閱次數：{rng.randint(5, 12000)}",
                "回上一頁",
            ]
        )
    if t == 8:
        return "\n".join(
            [
                "TOP",
                f"{ag}",
                f"地址：{addr}",
                f"電話：{tel}",
                f"網址：https://www.{dom}",
                "最佳瀏覽環境：Chrome、Edge、Firefox 最新版本",
            ]
        )
    return "\n".join(
        [
            f"更新時間：{rand_date(rng)} {rand_time(rng)}",
            f"發布單位：{rng.choice(UNITS)}",
            f"累計瀏覽：{rng.randint(1, 500000)}次",
            "FB分享 LINE分享 列印 回上頁",
        ]
    )


def contact_block(rng: random.Random) -> str:
    ag, dom = rng.choice(AGENCIES)
    addr, city = rand_addr(rng)
    name = rand_name(rng)
    title = rng.choice(TITLES)
    tel = rand_phone(rng, city)
    ext = rng.randint(100, 9999)
    mail = rng.choice(["", "mail."]) + dom
    user = rng.choice(["a", "ab", "sh", "cy", "wl", "tc", "pr", "adm", "ey", "hj"]) + str(rng.randint(1, 99999))
    t = rng.randrange(5)
    if t == 0:
        return f"聯絡人：{name} {title}\n電話：{tel} 分機 {ext}\n電子郵件：{user}@{mail}"
    if t == 1:
        return (
            f"新聞聯絡人：{rng.choice(UNITS)}{title} {name}\n聯絡電話：{tel}#{ext}\n"
            f"手機：09{rng.randint(10, 99)}-{rng.randint(0, 999):03d}-{rng.randint(0, 999):03d}"
        )
    if t == 2:
        return (
            f"承辦單位：{ag}{rng.choice(UNITS)}\n承辦人：{name}\n電話：{tel}轉{ext}\n"
            f"傳真：{rand_phone(rng, city)}\nE-mail：{user}@{mail}"
        )
    if t == 3:
        return f"如有疑問，請洽{ag}{rng.choice(UNITS)}{name}{title}，電話：{tel}分機{ext}。"
    return f"聯絡窗口：{name}（{title}）\n地址：{addr}\n電話：{tel} ext.{ext}\n信箱：{user}@{mail}"


def stamp_line(rng: random.Random) -> str:
    lab = rng.choice(
        ["最後更新時間", "資料更新日期", "更新日期", "最後異動日期", "資料更新時間", "最後修改日期", "更新時間"]
    )
    d = rand_date(rng)
    if rng.random() < 0.3:
        d += " " + rand_time(rng)
    colon = rng.choice(["：", ":", "： "])
    return f"{lab}{colon}{d}"


# ----------------------------------------------------------------------------------------------------------------
# edit operations (each takes a base record and rng, returns new text or None if not applicable)
# ----------------------------------------------------------------------------------------------------------------

CONFUSABLE = [
    "己已巳",
    "末未",
    "土士",
    "日曰",
    "戊戌戍",
    "人入八",
    "天夭",
    "千干于",
    "刀力",
    "大太犬",
    "王玉主",
    "木本术",
    "白自",
    "治冶",
    "侯候",
    "徵微",
    "緣綠",
    "辨辯辦瓣",
    "撤撒",
    "祇祗",
    "帳賬",
    "裡裏",
    "著着",
    "臺台",
    "於于",
    "峰峯",
    "並并",
    "準准",
    "週周",
    "佈布",
    "份分",
    "鉅巨",
    "畫劃",
    "做作",
    "像象",
    "採采",
    "證証",
    "鐘鍾",
    "輛兩",
    "貫慣",
    "狀壯",
    "第弟",
    "條修",
    "項頂",
    "規親",
    "法去",
    "管菅",
    "員貝",
    "款疑",
    "理埋",
    "市巿",
    "令今",
    "處虛",
    "應鷹",
    "之乏",
    "與輿",
    "業叢",
    "關閞",
    "政攻",
    "0O",
    "1lI",
    "5S",
    "8B",
    "2Z",
]
CONF_MAP = {}
for grp in CONFUSABLE:
    for c in grp:
        CONF_MAP.setdefault(c, []).extend(x for x in grp if x != c)
COMMON_CJK = (
    "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種"
    "面而方後多定行學法所民得經十三之進著等部度家電力裡如水化高自二理起小物現實加量都兩體制機當使點從業本"
    "去把性好應開它合還因由其些然前外天政四日那社義事平形相全表間樣與關各重新線內數正心反你明看原又麼利比"
    "或但質氣第向道命此變條只沒結解問意建月公無系軍很情者最立代想已通並提直題黨程展五果料象員革位入常文總"
    "次品式活設及管特件長求老頭基資邊流路級少圖山統接知較將組見計別她手角期根論運農指幾九區強放決西被幹做"
    "必戰先回則任取據處府研質"
)


def ed_header(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    return header_block(rng, rec["title"]) + "\n" + rec["text"]


def ed_footer(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    return rec["text"] + "\n" + footer_block(rng)


def ed_header_footer(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    ag = rng.choice(AGENCIES)
    return header_block(rng, rec["title"], ag) + "\n" + rec["text"] + "\n" + footer_block(rng, ag)


def ed_contact(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    sep = "\n\n" if rng.random() < 0.5 else "\n"
    return rec["text"].rstrip("\n") + sep + contact_block(rng)


def ed_truncated(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    text = rec["text"]
    lo_cut = max(int(len(text) * 0.5), rec.get("min_cut", 0) + 1)
    hi_cut = int(len(text) * 0.95)
    if lo_cut > hi_cut:
        return None
    return text[: rng.randint(lo_cut, hi_cut)]


def ed_stamp(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    line = stamp_line(rng)
    text = rec["text"]
    where = rng.random()
    if where < 0.35:
        return line + "\n" + text
    if where < 0.7:
        return text + "\n" + line
    nl = [m.start() for m in re.finditer("\n", text)]
    if not nl:
        return text + "\n" + line
    p = nl[rng.randrange(len(nl))]
    return text[:p] + "\n" + line + text[p:]


def ed_reorder(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    blocks = list(rec["blocks"])
    if len(blocks) < 3:
        return None
    for _ in range(10):
        nb = list(blocks)
        mode = rng.random()
        if mode < 0.6:
            i, j = rng.sample(range(len(nb)), 2)
            nb[i], nb[j] = nb[j], nb[i]
        elif mode < 0.85:
            i = rng.randrange(len(nb) - 1)
            j = rng.randint(i + 1, min(len(nb) - 1, i + 3))
            seg = nb[i : j + 1]
            rng.shuffle(seg)
            nb[i : j + 1] = seg
        else:  # move a block elsewhere
            i = rng.randrange(len(nb))
            b = nb.pop(i)
            nb.insert(rng.randrange(len(nb) + 1), b)
        if nb != blocks:
            head = [rec["title_line"]] if rec["title_line"] else []
            sep = rec["sep"]
            return sep.join(head + nb) if sep == "\n\n" else "\n".join(head + nb)
    return None


_SENT = re.compile(r"[^。！？；\n]*[。！？；]?\n?")

_cc_cache = {}


def opencc(conf: str) -> Any:
    if conf not in _cc_cache:
        import opencc as occ

        _cc_cache[conf] = occ.OpenCC(conf)
    return _cc_cache[conf]


def ed_simplified(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    text = rec["text"]
    sents = [s for s in _SENT.findall(text) if s]
    if "".join(sents) != text or len(sents) < 2:
        sents = [text]
    conf = "tw2sp" if rng.random() < 0.3 else "t2s"
    cc = opencc(conf)
    share = rng.uniform(0.2, 0.6)
    k = max(1, round(len(sents) * share))
    # prefer sentences that actually change
    idx = list(range(len(sents)))
    rng.shuffle(idx)
    chosen = set(idx[:k])
    out = [cc.convert(s) if i in chosen else s for i, s in enumerate(sents)]
    new = "".join(out)
    return new if new != text else None


def _rand_cjk(rng: random.Random) -> str:
    return rng.choice(COMMON_CJK) if rng.random() < 0.7 else chr(rng.randint(0x4E00, 0x9FA5))


def ed_char_edits(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    text = list(rec["text"])
    n = max(1, round(len(text) / 500 * rng.uniform(1, 4)))
    for _ in range(n):
        if len(text) < 3:
            break
        op = rng.random()
        # pick a position; prefer non-whitespace
        for _ in range(5):
            p = rng.randrange(len(text))
            if not text[p].isspace():
                break
        c = text[p]
        if op < 0.45:  # substitute
            if c.isdigit() and rng.random() < 0.8:
                text[p] = rng.choice([d for d in "0123456789" if d != c])
            elif c in CONF_MAP and rng.random() < 0.7:
                text[p] = rng.choice(CONF_MAP[c])
            else:
                text[p] = _rand_cjk(rng)
        elif op < 0.65:  # delete
            del text[p]
        elif op < 0.85:  # insert
            text.insert(p, _rand_cjk(rng) if rng.random() < 0.8 else rng.choice("，、。的之0123456789"))
        else:  # swap adjacent
            if p + 1 < len(text) and text[p] != text[p + 1]:
                text[p], text[p + 1] = text[p + 1], text[p]
            else:
                text[p] = _rand_cjk(rng)
    new = "".join(text)
    return new if new != rec["text"] else None


def ed_whitespace(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    text = rec["text"]
    ops = rng.sample(["spaces", "join", "split", "indent", "blank", "trail"], rng.randint(1, 3))
    for op in ops:
        if op == "spaces":  # spaces between some characters / after punctuation
            chars = list(text)
            k = max(1, int(len(chars) * rng.uniform(0.005, 0.04)))
            for _ in range(k):
                p = rng.randrange(1, len(chars))
                chars.insert(p, rng.choice([" ", " ", "  ", "\u3000", "\t"]))
            text = "".join(chars)
        elif op == "join":  # remove line breaks
            nl = [m.start() for m in re.finditer("\n", text)]
            if nl:
                drop = set(rng.sample(nl, max(1, int(len(nl) * rng.uniform(0.3, 1.0)))))
                text = "".join(("" if rng.random() < 0.7 else " ") if (i in drop) else ch for i, ch in enumerate(text))
        elif op == "split":  # add line breaks after some punctuation
            out = []
            for ch in text:
                out.append(ch)
                if ch in "，。；：" and rng.random() < 0.25:
                    out.append("\n")
            text = "".join(out)
        elif op == "indent":
            ind = rng.choice(["\u3000\u3000", "  ", "    ", "\t"])
            text = "\n".join((ind + ln) if ln.strip() and rng.random() < 0.8 else ln for ln in text.split("\n"))
        elif op == "blank":
            text = re.sub(r"\n+", lambda m: m.group(0) * 2 if rng.random() < 0.8 else m.group(0), text)
        elif op == "trail":
            text = "\n".join(ln + rng.choice(["", " ", "  ", "\u3000"]) for ln in text.split("\n"))
            text = rng.choice(["", "\n", " \n", "\n\n"]) + text + rng.choice(["\n", "\n\n", "  ", ""])
    return text if text != rec["text"] else None


def ed_width(rec: dict, rng: random.Random, args: argparse.Namespace) -> str | None:
    text = rec["text"]
    to_full = [i for i, c in enumerate(text) if 0x21 <= ord(c) <= 0x7E]
    to_half = [i for i, c in enumerate(text) if 0xFF01 <= ord(c) <= 0xFF5E or c == "\u3000"]
    chars = list(text)
    if to_full and (not to_half or rng.random() < 0.6):
        share = rng.uniform(0.3, 1.0)
        for i in to_full:
            if rng.random() < share:
                chars[i] = chr(ord(chars[i]) + 0xFEE0)
        if rng.random() < 0.3:  # also spaces next to digits
            chars = [("\u3000" if (c == " " and rng.random() < 0.5) else c) for c in chars]
    elif to_half:
        share = rng.uniform(0.3, 1.0)
        for i in to_half:
            if rng.random() < share:
                chars[i] = " " if chars[i] == "\u3000" else chr(ord(chars[i]) - 0xFEE0)
    else:
        return None
    new = "".join(chars)
    return new if new != text else None


EDIT_FUNCS = {
    "header": ed_header,
    "footer": ed_footer,
    "header+footer": ed_header_footer,
    "contact_block": ed_contact,
    "truncated": ed_truncated,
    "update_stamp": ed_stamp,
    "reorder": ed_reorder,
    "partly_simplified": ed_simplified,
    "char_edits": ed_char_edits,
    "whitespace": ed_whitespace,
    "width": ed_width,
}


# ----------------------------------------------------------------------------------------------------------------
# successive amendments
# ----------------------------------------------------------------------------------------------------------------

ART_HEAD = re.compile(r"^第 (\d+)(?:-(\d+))? 條$")
PERIOD = re.compile(r"([一二三四五六七八九十百千]+)(日|個月|年|小時|工作日|週)(?![度])")
MONEY_CN = re.compile(r"新臺幣([一二三四五六七八九十百千萬億]+)(元)")
MONEY_AR = re.compile(r"新臺幣\s*([\d,]+)\s*(萬|億)?元")
PERCENT = re.compile(r"百分之([一二三四五六七八九十]+)")

REWRITES = [
    (re.compile(r"應(?=[於向經依由為])"), "得"),
    (re.compile(r"得(?=[於向經依由為])"), "應"),
    (re.compile(r"(?<!中央)主管機關(?=定之|訂定|核定)"), "中央主管機關"),
    (re.compile(r"(?<=由)主管機關"), "主管機關會商有關機關"),
    (
        re.compile(r"(處新臺幣[一二三四五六七八九十百千萬]+元以上[一二三四五六七八九十百千萬]+元以下罰鍰)"),
        r"\1，並得按次處罰",
    ),
    (re.compile(r"(?<=[^。\n]{8})。(?=\n|$)"), "；其辦法，由主管機關定之。"),
    (re.compile(r"(?<=[^。\n]{8})。(?=\n|$)"), "。但有正當理由，經主管機關核准者，不在此限。"),
    (re.compile(r"直轄市、縣（市）政府"), "直轄市、縣（市）主管機關"),
    (re.compile(r"書面"), "書面或電子方式"),
]


def _new_period(v: int, rng: random.Random) -> int:
    choices = {
        1: [2, 3],
        2: [1, 3],
        3: [5, 6],
        5: [7, 10],
        6: [3, 12],
        7: [10, 14],
        10: [15, 20],
        14: [20, 30],
        15: [20, 30],
        20: [30],
        30: [60, 20, 45],
        60: [90, 30],
        90: [60, 120],
        180: [90, 120, 365],
    }
    if v in choices:
        return rng.choice(choices[v])
    return v * 2 if v < 50 else v + v // 2


def amend(rec: dict, rng: random.Random, article_pool: list[str]) -> tuple[str, str] | None:
    """Return (amended_text, op) for a law base, or None if no operation applies."""
    text = rec["text"]
    blocks = rec["blocks"]
    art_idx = []
    for i, b in enumerate(blocks):
        for ln in b.split("\n"):
            m = ART_HEAD.match(ln.strip())
            if m:
                art_idx.append((i, int(m.group(1)), m.group(2)))
                break
    ops = ["number", "rewrite", "delete", "add"]
    rng.shuffle(ops)
    head = [rec["title_line"]] if rec["title_line"] else []

    def join(bl: list[str]) -> str:
        return "\n".join(head + bl)

    for op in ops:
        if op == "delete" and len(art_idx) >= 3:
            i, no, sub = art_idx[rng.randrange(len(art_idx))]
            b = blocks[i]
            lines = b.split("\n")
            k = next(j for j, ln in enumerate(lines) if ART_HEAD.match(ln.strip()))
            if "\n".join(lines[k + 1 :]).strip() in ("（刪除）", "刪除。", ""):
                continue
            nb = list(blocks)
            if rng.random() < 0.7:
                nb[i] = "\n".join([*lines[: k + 1], "（刪除）"])
            else:
                pre = "\n".join(lines[:k])  # keep chapter headings
                if pre:
                    nb[i] = pre
                else:
                    del nb[i]
            return join(nb), "article_deleted"
        if op == "add" and art_idx and article_pool:
            i, no, sub = art_idx[rng.randrange(len(art_idx))]
            if sub or (i == len(blocks) - 1 and "施行" in blocks[i]):  # not after the closing 施行 article
                continue
            body = rng.choice(article_pool)
            new_art = f"第 {no}-1 條\n{body}"
            if any(f"第 {no}-1 條" in b for b in blocks):
                continue
            nb = list(blocks)
            nb.insert(i + 1, new_art)
            return join(nb), "article_added"
        if op == "number":
            cands = []
            for m in PERIOD.finditer(text):
                v = cn2int(m.group(1))
                if v and v <= 400:
                    cands.append((m.start(1), m.end(1), int2cn(_new_period(v, rng))))
            for m in MONEY_CN.finditer(text):
                v = cn2int(m.group(1))
                if v:
                    nv = rng.choice([v * 2, v * 3, v * 5 // 3, v // 2 if v >= 2000 else v * 2])
                    nv = _round_sig(nv, 1)
                    if nv != v:
                        cands.append((m.start(1), m.end(1), int2cn(nv)))
            for m in MONEY_AR.finditer(text):
                raw = m.group(1).replace(",", "")
                if raw.isdigit() and int(raw) > 0:
                    v = int(raw)
                    nv = _round_sig(v * rng.choice([1.5, 2, 3, 0.5]), 1)
                    if nv != v:
                        cands.append((m.start(1), m.end(1), f"{nv:,}" if "," in m.group(1) else str(nv)))
            for m in PERCENT.finditer(text):
                v = cn2int(m.group(1))
                if v and v < 100:
                    nv = rng.choice([v + 5, v * 2, max(1, v - 5)])
                    if nv != v and nv < 100:
                        cands.append((m.start(1), m.end(1), int2cn(nv)))
            if not cands:
                continue
            k = 1 if rng.random() < 0.7 else min(2, len(cands))
            new, _ = replace_spans(text, sorted(rng.sample(cands, k)))
            if new != text:
                return new, "number_changed"
        if op == "rewrite":
            order = list(range(len(REWRITES)))
            rng.shuffle(order)
            for ri in order:
                pat, repl = REWRITES[ri]
                ms = list(pat.finditer(text))
                # never touch the title line
                tl = len(rec["title_line"]) if rec["title_line"] else 0
                ms = [m for m in ms if m.start() > tl]
                if not ms:
                    continue
                m = rng.choice(ms)
                new = text[: m.start()] + m.expand(repl) + text[m.end() :]
                if new != text:
                    return new, "sentence_rewritten"
    return None


# ----------------------------------------------------------------------------------------------------------------
# main generation
# ----------------------------------------------------------------------------------------------------------------

YEAR_NAME = re.compile(r"中華民國[零〇一二三四五六七八九十百]+年(度|下半年及[零〇一二三四五六七八九十百]+年度)?")


class Gen:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.docs: list[dict] = []  # internal records
        self.index = NearDupIndex(0.5)
        self.used_pieces: set = set()
        self.exact: set = set()

    # ---- pool --------------------------------------------------------------------------------------------------
    def build_sources(self) -> None:
        t = time.time()
        real = self.args.realdata
        self.sources = load_moj(real) + load_gazette(real) + load_news(real)
        if not self.sources:
            sys.exit(f"generate_alt.py: no real documents found under {real}")
        self.by_name = {}
        for s in self.sources:
            # laws only; prefer the non-abandoned version when names collide
            if s.kind == "law" and (
                s.name not in self.by_name
                or (self.by_name[s.name].meta.get("abandoned") and not s.meta.get("abandoned"))
            ):
                self.by_name[s.name] = s
        print(f"[gen] {len(self.sources)} real documents loaded in {time.time() - t:.1f}s", file=sys.stderr)

    def pieces_of(self, src: Source, pass_no: int) -> list[Piece]:
        key = (src.key, pass_no)
        if key not in self._piece_cache:
            r = random.Random(f"{self.args.seed}:{src.key}:{pass_no}")
            self._piece_cache[key] = cut_source(src, r, self.args.min_chars, self.args.max_chars, pass_no)
        return self._piece_cache[key]

    # ---- doc records -------------------------------------------------------------------------------------------
    def _try_accept(self, text: str, exclude_docs: Iterable[int] = ()) -> bool:
        if text in self.exact:
            return False
        excl = frozenset(self.docs[d]["slot"] for d in exclude_docs if self.docs[d].get("slot") is not None)
        slot, _ = self.index.near(text, excl, contained=True)
        return slot < 0

    def _register(self, rec: dict) -> int:
        rec["n"] = len(self.docs)
        self.docs.append(rec)
        self.exact.add(rec["text"])
        if rec["kind"] == "base" or rec["kind"] in NEGATIVE_KINDS:
            rec["slot"] = self.index.add(rec["text"])
        return rec["n"]

    def base_record(self, p: Piece) -> dict:
        return {
            "kind": "base",
            "text": p.text,
            "title": p.src.title,
            "title_line": p.title,
            "blocks": p.blocks,
            "sep": p.sep,
            "src_kind": p.src.kind,
            "source": f"{p.src.key}#p{p.idx}",
        }

    def add_base(self, p: Piece, pass_no: int, check: bool = True, exclude_docs: Iterable[int] = ()) -> int | None:
        pk = (p.src.key, pass_no, p.idx)
        if pk in self.used_pieces:
            return None
        if check and not self._try_accept(p.text, exclude_docs):
            return None
        self.used_pieces.add(pk)
        rec = self.base_record(p)
        if pass_no:
            rec["source"] += f"/pass{pass_no}"
        return self._register(rec)

    def add_negative(
        self, kind: str, text: str, partner: int, source: str, extra: dict | None = None, check: bool = True
    ) -> int | None:
        if text == self.docs[partner]["text"]:
            return None
        if check and not self._try_accept(text, exclude_docs=(partner,)):
            return None
        rec = {"kind": kind, "text": text, "partner": partner, "source": source}
        rec.update(extra or {})
        return self._register(rec)

    # ---- plan --------------------------------------------------------------------------------------------------
    def run(self) -> None:
        a = self.args
        self._piece_cache = {}
        self.build_sources()
        N = a.docs
        n_neg = round(N * a.negative_share)
        n_copy = round(N * a.dup_share)
        n_copy = min(n_copy, N - n_neg - 1)
        n_base_total = N - n_neg - n_copy
        quota = {k: n_neg // 4 for k in NEGATIVE_KINDS}
        for k in NEGATIVE_KINDS[: n_neg - sum(quota.values())]:
            quota[k] += 1
        # partner bases must not exceed the bases budget: each negative needs at most one new base
        t0 = time.time()
        self.neg_count = Counter()
        self.real_pairs(
            "law_vs_enforcement_rules", self.enforcement_pairs(), quota["law_vs_enforcement_rules"], n_base_total
        )
        self.real_pairs("templated_org_acts", self.org_pairs(), quota["templated_org_acts"], n_base_total)
        # shortfall of the real kinds goes to the synthetic kinds
        short = sum(quota[k] - self.neg_count[k] for k in NEGATIVE_KINDS[:2])
        quota["year_specific"] += short // 2
        quota["successive_amendment"] += short - short // 2
        self.year_specific(quota["year_specific"], n_base_total)
        quota["successive_amendment"] += quota["year_specific"] - self.neg_count["year_specific"]
        self.amendments(quota["successive_amendment"], n_base_total)
        print(f"[gen] negatives {dict(self.neg_count)} in {time.time() - t0:.1f}s", file=sys.stderr)
        t0 = time.time()
        self.fill_bases(n_base_total)
        print(f"[gen] bases {self.n_bases()} in {time.time() - t0:.1f}s", file=sys.stderr)
        n_copy = N - len(self.docs)
        t0 = time.time()
        self.make_copies(n_copy)
        print(
            f"[gen] copies done in {time.time() - t0:.1f}s ({self.truncated_rejected} truncations rejected "
            "as too close to another group)",
            file=sys.stderr,
        )
        self.write()

    def n_bases(self) -> int:
        return sum(1 for d in self.docs if d["kind"] == "base")

    # ---- real hard negatives -----------------------------------------------------------------------------------
    def enforcement_pairs(self) -> list[tuple[Source, Source]]:
        pairs = []
        for name in sorted(self.by_name):
            rn = name + "施行細則"
            if rn in self.by_name:
                pairs.append((self.by_name[name], self.by_name[rn]))
        return pairs

    def org_pairs(self) -> list[tuple[Source, list[Source]]]:
        """Pairs of org acts (different agencies) grouped by their template suffix."""
        groups = defaultdict(list)
        for name in sorted(self.by_name):
            for suf in ORG_SUFFIXES:
                if name.endswith(suf):
                    groups[suf].append(self.by_name[name])
                    break
        pairs = []
        for _suf, srcs in sorted(groups.items()):
            # candidate partner acts: same suffix; matching by best piece similarity happens in real_pairs
            srcs = sorted(srcs, key=lambda s: s.key)
            for s in srcs:
                pairs.append((s, [x for x in srcs if x is not s]))
        return pairs

    def real_pairs(self, kind: str, pairs: list, want: int, base_budget: int) -> None:
        """For law_vs_enforcement_rules pairs is [(law, rules)]; for templated_org_acts [(act, [other acts])].
        The negative is a piece of the second document, the partner the most similar piece of the first."""
        if want <= 0:
            return
        cand = []  # (jaccard, neg_piece, partner_piece)
        if kind == "law_vs_enforcement_rules":
            for law, rules in pairs:
                lp = self.pieces_of(law, 0)
                if not lp:
                    continue
                lgr = [grams(p.text) for p in lp]
                for rp in self.pieces_of(rules, 0):
                    g = grams(rp.text)
                    js = [jaccard_sets(g, x) for x in lgr]
                    b = max(range(len(js)), key=lambda i: js[i])
                    cand.append((js[b], rp, lp[b]))
        else:
            # index all org-act pieces, then for each piece find the most similar piece of another act
            allp = []
            for s, _others in pairs:
                allp.extend(self.pieces_of(s, 0))
            idx = NearDupIndex(0.15)
            for p in allp:
                idx.add(p.text)
            for p in allp:
                smp = idx.samples(p.text)
                cnt = Counter()
                for h in smp:
                    cnt.update(idx.post.get(h, []))
                g = grams(p.text)
                best = (0.0, None)
                for s, _c in sorted(cnt.items(), key=lambda x: (-x[1], x[0]))[:30]:
                    q = allp[s]
                    if q.src is p.src or q.src.name == p.src.name:
                        continue
                    j = jaccard_sets(g, grams(q.text))
                    if j > best[0]:
                        best = (j, q)
                if best[1] is not None and best[0] >= 0.15:
                    cand.append((best[0], p, best[1]))
        # hardest first (but keep some variety): sort by jaccard with a random tiebreak, drop implausible ones
        self.rng.shuffle(cand)
        cand = [c for c in cand if c[0] < 0.97 and c[1].text != c[2].text]
        cand.sort(key=lambda c: -c[0] + self.rng.random() * 0.3)
        partner_doc = {}
        used_neg = set()
        for _j, negp, partp in cand:
            if self.neg_count[kind] >= want or self.n_bases() >= base_budget:
                break
            nk = (negp.src.key, 0, negp.idx)
            pk = (partp.src.key, 0, partp.idx)
            if nk in used_neg or nk in self.used_pieces or nk in partner_doc:
                continue
            if pk in used_neg:
                continue
            if pk in partner_doc:
                pd = partner_doc[pk]
            else:
                if pk in self.used_pieces:
                    continue
                # partner and negative must both be new to everything else
                if not self._try_accept(partp.text) or not self._try_accept(negp.text):
                    continue
                # the negative may be close to its partner but to nothing else: check it before adding the partner
                pd = self.add_base(partp, 0, check=False)
                partner_doc[pk] = pd
            d = self.add_negative(kind, negp.text, pd, f"{negp.src.key}#p{negp.idx}")
            if d is None:
                continue
            self.used_pieces.add(nk)
            used_neg.add(nk)
            self.neg_count[kind] += 1

    # ---- synthetic hard negatives ------------------------------------------------------------------------------
    def _pool_iter(self, pass_no: int, filt: Callable[[Source], bool] | None = None) -> Iterator[Piece]:
        order = list(range(len(self.sources)))
        random.Random(f"{self.args.seed}:order:{pass_no}").shuffle(order)
        for i in order:
            s = self.sources[i]
            if filt and not filt(s):
                continue
            for p in self.pieces_of(s, pass_no):
                if (s.key, pass_no, p.idx) not in self.used_pieces:
                    yield p

    def year_specific(self, want: int, base_budget: int) -> None:
        if want <= 0:
            return
        kind = "year_specific"
        # 1) real yearly series (中華民國X年度…條例/辦法): pieces of two different years
        series = defaultdict(list)
        for name, s in sorted(self.by_name.items()):
            if YEAR_NAME.search(name):
                series[YEAR_NAME.sub("Y", name)].append(s)
        for _key, srcs in sorted(series.items()):
            if len(srcs) < 2:
                continue
            srcs = sorted(srcs, key=lambda s: s.key)
            for a_src, b_src in pairwise(srcs):
                ap, bp = self.pieces_of(a_src, 0), self.pieces_of(b_src, 0)
                for q in bp:
                    if self.neg_count[kind] >= want or self.n_bases() >= base_budget:
                        return
                    if not ap:
                        break
                    g = grams(q.text)
                    js = [(jaccard_sets(g, grams(p.text)), i) for i, p in enumerate(ap)]
                    j, i = max(js)
                    p = ap[i]
                    if j < 0.3 or j >= 0.97:
                        continue
                    pk, qk = (p.src.key, 0, p.idx), (q.src.key, 0, q.idx)
                    if pk in self.used_pieces or qk in self.used_pieces:
                        continue
                    if not self._try_accept(p.text) or not self._try_accept(q.text):
                        continue
                    pd = self.add_base(p, 0, check=False)
                    d = self.add_negative(
                        kind, q.text, pd, f"{q.src.key}#p{q.idx}", {"min_cut": first_diff(p.text, q.text), "real": True}
                    )
                    if d is not None:
                        self.used_pieces.add(qk)
                        self.neg_count[kind] += 1
                        self.docs[pd]["min_cut"] = max(self.docs[pd].get("min_cut", 0), first_diff(p.text, q.text))
        # 2) re-issued yearly text: shift every year (and amounts) in a base that has several year mentions
        for sweep, pass_no in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (1, 3)]:
            for p in self._pool_iter(pass_no):
                if self.neg_count[kind] >= want or self.n_bases() >= base_budget:
                    return
                # first sweep: texts that look yearly (年度, budget amounts); then any text with several years
                if sweep == 0 and "年度" not in p.text:
                    continue
                # news speeches about past years are not re-issued yearly: only yearly-looking news texts
                if p.src.kind == "news" and "年度" not in p.text:
                    continue
                delta = self.rng.choice([1, 1, 1, 1, -1, 2])
                new, nchg, _first = shift_years(p.text, delta)
                if nchg < 2:
                    continue
                new2, namt, _first2 = change_amounts(new, self.rng, prob=0.7)
                if not self._try_accept(p.text):
                    continue
                pd = self.add_base(p, pass_no, check=False)
                d = self.add_negative(kind, new2, pd, f"{p.src.key}#p{p.idx} years{delta:+d}", {"changes": nchg + namt})
                if d is None:
                    continue
                self.neg_count[kind] += 1
                self.docs[pd]["min_cut"] = max(self.docs[pd].get("min_cut", 0), first_diff(p.text, new2))

    def amendments(self, want: int, base_budget: int) -> None:
        if want <= 0:
            return
        kind = "successive_amendment"
        article_pool = []
        by_cat = defaultdict(list)
        for s in self.sources:
            if s.kind == "law" and not s.meta.get("abandoned"):
                for b in s.blocks:
                    lines = b.split("\n")
                    k = next((i for i, ln in enumerate(lines) if ART_HEAD.match(ln.strip())), None)
                    if k is not None:
                        body = "\n".join(lines[k + 1 :])
                        if 30 <= len(body) <= 250 and "刪除" not in body and s.name not in body:
                            article_pool.append(body)
                            by_cat[s.meta.get("category", "")].append((s.key, body))
        article_pool.sort()
        for pass_no in range(0, 4):
            for p in self._pool_iter(pass_no, filt=lambda s: s.kind == "law"):
                if self.neg_count[kind] >= want or self.n_bases() >= base_budget:
                    return
                rec = self.base_record(p)
                # an added article comes from another law of the same category (same agency and subject)
                same_cat = [b for k, b in by_cat.get(p.src.meta.get("category", ""), []) if k != p.src.key]
                r = amend(rec, self.rng, same_cat if len(same_cat) >= 5 else article_pool)
                if r is None:
                    continue
                new, op = r
                if len(new) < self.args.min_chars * 0.8:
                    continue
                if not self._try_accept(p.text):
                    continue
                pd = self.add_base(p, pass_no, check=False)
                d = self.add_negative(kind, new, pd, f"{p.src.key}#p{p.idx}", {"amendment": op})
                if d is None:
                    continue
                self.neg_count[kind] += 1
                self.docs[pd]["min_cut"] = max(self.docs[pd].get("min_cut", 0), first_diff(p.text, new))

    # ---- plain bases -------------------------------------------------------------------------------------------
    def fill_bases(self, total: int) -> None:
        for pass_no in range(0, 6):
            for p in self._pool_iter(pass_no):
                if self.n_bases() >= total:
                    return
                self.add_base(p, pass_no)
            print(f"[gen] after pass {pass_no}: {self.n_bases()} bases", file=sys.stderr)
        print(f"[gen] WARNING: only {self.n_bases()} distinct bases available (wanted {total})", file=sys.stderr)

    # ---- edit copies -------------------------------------------------------------------------------------------
    def make_copies(self, n_copy: int) -> None:
        bases = [d["n"] for d in self.docs if d["kind"] == "base"]
        kinds = [EDIT_KINDS[i % len(EDIT_KINDS)] for i in range(n_copy)]
        self.rng.shuffle(kinds)
        # per-base weight: some bases are copied much more often than others
        weights = [self.rng.lognormvariate(0, 0.8) for _ in bases]
        cum = []
        acc = 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        seen = set()
        negs_of = defaultdict(list)
        for d in self.docs:
            if d["kind"] in NEGATIVE_KINDS:
                negs_of[d["partner"]].append(d["slot"])
        self.truncated_rejected = 0
        trunc_of = defaultdict(list)
        for kind in kinds:
            for _attempt in range(50):
                b = bases[bisect.bisect_left(cum, self.rng.random() * acc)]
                rec = self.docs[b]
                new = EDIT_FUNCS[kind](rec, self.rng, self.args)
                if not new or new == rec["text"] or not new.strip():
                    continue
                if (b, new) in seen:
                    continue
                if kind == "truncated":
                    # a cut-short copy must not come close to another group's document (its own partner's
                    # negatives excepted): the dropped tail may have been what told two similar pieces apart
                    excl = frozenset([rec["slot"]] + negs_of[b] + trunc_of[b])
                    if self.index.near(new, excl, threshold=0.4)[0] >= 0:
                        self.truncated_rejected += 1
                        continue
                    trunc_of[b].append(self.index.add(new))  # later truncations are checked against it too
                seen.add((b, new))
                self._register({"kind": kind, "text": new, "base_doc": b, "source": rec["source"]})
                break
            else:
                print(f"[gen] could not make a {kind} copy", file=sys.stderr)

    # ---- output ------------------------------------------------------------------------------------------------
    def write(self) -> None:
        a = self.args
        os.makedirs(a.out, exist_ok=True)
        order = list(range(len(self.docs)))
        self.rng.shuffle(order)
        ids = {}
        for pos, n in enumerate(order):
            ids[n] = f"d{pos:06d}"
        group = {}
        for d in self.docs:
            if d["kind"] == "base" or d["kind"] in NEGATIVE_KINDS:
                group[d["n"]] = "g" + ids[d["n"]][1:]
        for d in self.docs:
            if d["kind"] in EDIT_KINDS:
                group[d["n"]] = group[d["base_doc"]]
        stats = defaultdict(list)
        stats_norm = defaultdict(list)
        lens = defaultdict(list)
        with (
            open(os.path.join(a.out, "docs.jsonl"), "w", encoding="utf-8") as fd,
            open(os.path.join(a.out, "labels.jsonl"), "w", encoding="utf-8") as fl,
        ):
            for n in order:
                d = self.docs[n]
                lab = {"id": ids[n], "group": group[n], "kind": d["kind"]}
                lens[d["kind"]].append(len(d["text"]))
                other = None
                if d["kind"] in EDIT_KINDS:
                    lab["base"] = ids[d["base_doc"]]
                    other = self.docs[d["base_doc"]]["text"]
                elif d["kind"] in NEGATIVE_KINDS:
                    lab["negative_of"] = ids[d["partner"]]
                    lab["negative_of_group"] = group[d["partner"]]
                    other = self.docs[d["partner"]]["text"]
                    if d.get("amendment"):
                        lab["amendment"] = d["amendment"]
                if other is not None:
                    j = jaccard(d["text"], other)
                    jn = jaccard(norm_for_jaccard(d["text"]), norm_for_jaccard(other))
                    lab["jaccard"] = round(j, 4)
                    lab["jaccard_norm"] = round(jn, 4)
                    stats[d["kind"]].append(j)
                    stats_norm[d["kind"]].append(jn)
                lab["source"] = d["source"]
                fd.write(json.dumps({"id": ids[n], "text": d["text"]}, ensure_ascii=False) + "\n")
                fl.write(json.dumps(lab, ensure_ascii=False) + "\n")
        kinds = ["base", *EDIT_KINDS, *NEGATIVE_KINDS]
        cnt = Counter(d["kind"] for d in self.docs)
        all_len = [len(d["text"]) for d in self.docs]
        src_cnt = Counter(d["source"].split(":")[0] for d in self.docs if d["kind"] == "base")
        lines = [
            f"generate_alt.py --docs {a.docs} --seed {a.seed} --min-chars {a.min_chars} --max-chars {a.max_chars} "
            f"--dup-share {a.dup_share} --negative-share {a.negative_share}",
            f"documents {len(self.docs)}  mean length {statistics.mean(all_len):.1f} chars  "
            f"groups {len(set(group.values()))}",
            "bases by source: " + ", ".join(f"{k} {v}" for k, v in sorted(src_cnt.items())),
            "",
            f"{'kind':<26}{'count':>7}{'mean len':>10}{'J5 median':>11}{'J5 min':>9}"
            f"{'J5norm med':>12}{'J5norm min':>12}",
        ]
        for k in kinds:
            if not cnt[k]:
                continue
            row = f"{k:<26}{cnt[k]:>7}{statistics.mean(lens[k]):>10.1f}"
            if stats[k]:
                row += f"{statistics.median(stats[k]):>11.3f}{min(stats[k]):>9.3f}"
                row += f"{statistics.median(stats_norm[k]):>12.3f}{min(stats_norm[k]):>12.3f}"
            lines.append(row)
        am = Counter(d.get("amendment") for d in self.docs if d["kind"] == "successive_amendment")
        if am:
            lines.append("")
            lines.append("successive_amendment operations: " + ", ".join(f"{k} {v}" for k, v in sorted(am.items())))
        ry = sum(1 for d in self.docs if d["kind"] == "year_specific" and d.get("real"))
        lines.append(f"year_specific from real yearly series: {ry}")
        lines.append("")
        lines.append(
            "J5 = character 5-gram set Jaccard with the base (edit kinds) or with negative_of (negatives), raw "
            "text; J5norm = the same after NFKC and removing all whitespace. Label field 'jaccard' is J5."
        )
        with open(os.path.join(a.out, "summary.txt"), "w", encoding="utf-8") as fs:
            fs.write("\n".join(lines) + "\n")
        print("\n".join(lines))


def reexec_with_fixed_hash_seed() -> None:
    """Run this script again with PYTHONHASHSEED=0 unless it already is.

    The built-in hash() of a str is salted per process unless PYTHONHASHSEED is fixed. NearDupIndex samples
    8-character substrings by their hash() value, and those samples decide which documents are accepted as
    distinct, so without a fixed seed the generated set would differ from run to run. A fixed seed makes the
    output reproducible; hash() itself must stay, or the output would no longer match earlier sets."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])


def main() -> None:
    reexec_with_fixed_hash_seed()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-chars", type=int, default=200)
    ap.add_argument("--max-chars", type=int, default=1500)
    ap.add_argument("--dup-share", type=float, default=0.5)
    ap.add_argument("--negative-share", type=float, default=0.1)
    ap.add_argument(
        "--realdata",
        type=Path,
        default=DEFAULT_REALDATA,
        metavar="DIR",
        help=f"folder with the real data (default: {DEFAULT_REALDATA})",
    )
    args = ap.parse_args()
    if not args.realdata.is_dir():
        sys.exit(f"generate_alt.py: real data folder {args.realdata} not found (give it with --realdata DIR)")
    t = time.time()
    Gen(args).run()
    print(f"[gen] done in {time.time() - t:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
