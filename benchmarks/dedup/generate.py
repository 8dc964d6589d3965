"""Writes a labelled near-duplicate benchmark set of government text: DIR/docs.jsonl and DIR/labels.jsonl.

Any dedup tool can run on docs.jsonl ({"id", "text"} per line); score.py scores its clusters against
labels.jsonl. The set is meant to be hard in the ways government web text is hard, and honest about it:

- Bases are real text: MOJ laws and orders cut at article boundaries into pieces of 200-3000 characters
  (--min-chars, --max-chars; each under its title line, later pieces titled 「名稱（第k部分）」), and
  Presidential Office / Tainan City news cut at paragraphs. Past the real pieces, bases are composed from
  random articles under a title of their own (origin "composed" in the labels).
- Planted copies carry ONE edit each, drawn uniformly from EDIT_KINDS. Header/footer/contact edits come from
  TEMPLATES, the chrome of real government sites found in ../shared/realdata and ../realworld (each template
  names its source); dates and counters in them vary per copy.
- Hard negatives are documents a deduplicator must NOT merge with a named partner: a law and its 施行細則,
  templated organisation acts of different agencies (pairs found in the data), year-specific acts, and
  successive amendments. Near-identical pairs that occur naturally in the data are either labelled as one
  of these or kept out, so no unlabelled near-identical bases remain among the real pieces; no two bases
  or hard negatives have the same hashing view (the same 施行細則 among the laws and the orders is one base).
- Every copy and hard negative records its character 5-gram Jaccard to its base / partner after NFKC and
  whitespace removal, so a result can be read against what a similarity threshold can possibly find.

    .venv/bin/python benchmarks/dedup/generate.py --docs 50000 --seed 2 --out /var/tmp/twdedup/50k
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from score import EDIT_KINDS, NEGATIVE_KINDS  # noqa: E402  (the labels score.py reads)

from pipeline.dedup.hashing import exact_key  # noqa: E402
from pipeline.normalize.chinese import converter  # noqa: E402
from pipeline.sources.moj_laws import view  # noqa: E402

SHARED = ROOT.parent / "shared" / "realdata"
MOJ = SHARED / "moj_laws"
NEWS_PRESIDENT = SHARED / "external" / "president_news_2024"
NEWS_TAINAN = SHARED / "external" / "tainan_news_2024_06"

MIN_CHARS, MAX_CHARS = 200, 3000
MIN_REWRITE = 4  # characters a rewritten sentence differs in at least (MIN_BLOCK of compare.py)
NEAR = 0.5  # pieces of two different sources at or above this Jaccard are a (hard-negative) pair, never two bases
YEAR = re.compile(r"(中華民國|民國)?([零〇一二三四五六七八九十百]{2,6}|\d{2,3})(年度|年)")


# ---------------------------------------------------------------------------------------------------------
# similarity: character 5-grams of NFKC text without whitespace, hashed to uint64 (vectorised, no Python loop)


def norm_view(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def shingles(text: str, n: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character n-grams of the normalised text."""
    codes = np.frombuffer(norm_view(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < n:
        codes = np.concatenate([codes, np.zeros(n - len(codes), dtype=np.uint64)])
    m = len(codes) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            h = h * np.uint64(0x100000001B3) + codes[j : j + m]
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
    return np.unique(h)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter) if len(a) + len(b) else 1.0


def near_pairs(sets: list[np.ndarray], threshold: float, seed: int = 0) -> list[tuple[int, int, float]]:
    """(i, j, Jaccard) of the sets at or above threshold: MinHash 32 bands x 2 rows for candidates (catches
    Jaccard 0.5 with p > 0.999), then the exact Jaccard."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=(64, 1), dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=(64, 1), dtype=np.uint64)
    buckets: dict[tuple[int, int, int], list[int]] = {}
    with np.errstate(over="ignore"):
        for i, s in enumerate(sets):
            sig = ((a * s[None, :] + b) >> np.uint64(32)).min(axis=1)
            for band in range(32):
                buckets.setdefault((band, int(sig[2 * band]), int(sig[2 * band + 1])), []).append(i)
    candidates = {(x, y) for docs in buckets.values() for k, x in enumerate(docs) for y in docs[k + 1 :]}
    out = []
    for x, y in sorted(candidates):
        j = jaccard(sets[x], sets[y])
        if j >= threshold:
            out.append((x, y, j))
    return out


# ---------------------------------------------------------------------------------------------------------
# real sources


@dataclass
class Source:
    """One law, order or news item: a title and its units (articles 「第 X 條\\n…」 or paragraphs)."""

    name: str
    units: list[str]
    origin: str  # law | order | news_president | news_tainan


def load_laws() -> list[Source]:
    out = []
    for folder, origin in (("split_ch_law", "law"), ("split_ch_order_sample", "order")):
        for p in sorted((MOJ / folder).glob("[A-Z]*.json")):
            v = view(json.loads(p.read_text(encoding="utf-8-sig")))
            if v is None or not v.name.strip():
                continue
            units = [
                f"{num.strip()}\n{content.replace(chr(13), '').strip()}"
                for kind, num, content in v.articles
                if kind != "C" and content.strip()
            ]
            if units:
                out.append(Source(v.name.strip(), units, origin))
    return out


_TAINAN_HEAD = re.compile(r"^\(?(發稿單位|發稿時間|發稿日期|發稿人|發稿人員)\s*[:：]")
_TAINAN_TAIL = re.compile(
    r"^\(?(發稿單位|業務聯絡人|業務承辦人|新聞聯絡人|業務聯繫人|新聞聯繫人|發稿人|發稿人員|聯絡電話|學校聯絡人|聯絡人)"
)


def load_news() -> list[Source]:
    """News bodies without the agencies' own header/contact lines (those are what the templates add)."""
    out = []
    for p in sorted(NEWS_PRESIDENT.glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        paras = [x.strip() for x in str(d.get("content") or "").split("\n") if x.strip()]
        if paras and d.get("title"):
            out.append(Source(str(d["title"]).strip(), paras, "news_president"))
    for p in sorted(NEWS_TAINAN.glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        paras = [x.strip() for x in str(d.get("content") or "").split("\n") if x.strip()]
        while paras and _TAINAN_HEAD.match(paras[0]):
            paras.pop(0)
        for i, x in enumerate(paras):
            if i >= len(paras) - 6 and _TAINAN_TAIL.match(x):
                paras = paras[:i]
                break
        if paras and "發稿單位" in paras[-1][-300:]:
            paras[-1] = paras[-1][: paras[-1].rindex("發稿單位")].strip()
        paras = [x for x in paras if x]
        if paras and d.get("title"):
            out.append(Source(str(d["title"]).strip(), paras, "news_tainan"))
    return out


# ---------------------------------------------------------------------------------------------------------
# pieces


@dataclass
class Piece:
    title: str
    units: list[str]
    origin: str
    source: int  # index into the sources
    part: int

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.units])


def part_title(name: str, k: int) -> str:
    return name if k == 0 else f"{name}（第{k + 1}部分）"


def split_long(unit: str) -> list[str]:
    """A unit longer than a piece may be: cut after 。 into parts of at most MAX_CHARS - 100."""
    if len(unit) <= MAX_CHARS - 100:
        return [unit]
    out, cur = [], ""
    for sentence in re.split(r"(?<=。)", unit):
        while len(sentence) > MAX_CHARS - 100:
            out.append(cur) if cur else None
            cur = ""
            out.append(sentence[: MAX_CHARS - 100])
            sentence = sentence[MAX_CHARS - 100 :]
        if len(cur) + len(sentence) > MAX_CHARS - 100:
            out.append(cur)
            cur = ""
        cur += sentence
    if cur:
        out.append(cur)
    return [x for x in out if x]


def target_size(rng: random.Random) -> int:
    """Log-uniform in [MIN_CHARS, MAX_CHARS]: as many short notices as long pieces per octave (mean ~1,000)."""
    return int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS * 0.8))))


def cut(src: Source, index: int, rng: random.Random) -> tuple[list[Piece | None], list[int]]:
    """The source cut at unit boundaries into pieces of MIN_CHARS..MAX_CHARS (None where one falls outside);
    also how many units each took."""
    units = [u for x in src.units for u in split_long(x)]
    pieces: list[list[str]] = []
    part: list[str] = []
    size, target = len(src.name) + 10, target_size(rng)
    for u in units:
        if part and size + len(u) > MAX_CHARS:
            pieces.append(part)
            part, size, target = [], len(src.name) + 10, target_size(rng)
        part.append(u)
        size += len(u) + 1
        if size >= target:
            pieces.append(part)
            part, size, target = [], len(src.name) + 10, target_size(rng)
    if part:
        if pieces and size < MIN_CHARS and sum(len(x) + 1 for x in pieces[-1]) + size <= MAX_CHARS:
            pieces[-1].extend(part)
        else:
            pieces.append(part)
    out: list[Piece | None] = [Piece(part_title(src.name, k), p, src.origin, index, k) for k, p in enumerate(pieces)]
    out = [p if p and MIN_CHARS <= len(p.text) <= MAX_CHARS else None for p in out]
    return out, [len(p) for p in pieces]


def cut_like(src: Source, index: int, counts: list[int]) -> list[Piece | None]:
    """The source cut into the same numbers of units as another source's pieces (aligned pieces); None where it
    runs out of units or a piece falls outside MIN_CHARS..MAX_CHARS."""
    units = [u for x in src.units for u in split_long(x)]
    out: list[Piece | None] = []
    at = 0
    for k, n in enumerate(counts):
        part = units[at : at + n]
        at += n
        piece = Piece(part_title(src.name, k), part, src.origin, index, k) if part else None
        out.append(piece if piece and MIN_CHARS <= len(piece.text) <= MAX_CHARS else None)
    return out


# ---------------------------------------------------------------------------------------------------------
# templates: chrome of real government sites (dates and counters vary per copy)


def roc_date(rng: random.Random, sep: str = "-") -> str:
    return f"{rng.randint(100, 114)}{sep}{rng.randint(1, 12):02d}{sep}{rng.randint(1, 28):02d}"


def ad_date(rng: random.Random, sep: str = "/") -> str:
    return f"{rng.randint(2011, 2025)}{sep}{rng.randint(1, 12):02d}{sep}{rng.randint(1, 28):02d}"


def roc_long(rng: random.Random) -> str:
    return f"中華民國{rng.randint(100, 114)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def hhmm(rng: random.Random) -> str:
    return f"{rng.randint(8, 18):02d}:{rng.choice([0, 10, 15, 20, 30, 40, 45, 50])}".replace(":0", ":00")


# realworld/moj_lawclasslist_html/*.html, text of the old 全國法規資料庫 page frame (menus, then the footer)
MOJ_NAV = (
    "全國法規資料庫\n:::\n網站地圖\n加入最愛\nENGLISH\nPDA\n首頁\n字級:\n小\n中\n大\n一般民眾版\n青少年版\n:::\n"
    "最新訊息\n法規類別\n組改後法規類別\n組改前法規類別\n法規檢索\n司法判解\n條約協定\n兩岸協議\n綜合查詢\n跨機關檢索\n"
    "訂閱電子報\n訂閱RSS\n:::\n現在位置：\n首頁\n> 法規類別 > {where}"
)
MOJ_FOOT = (
    ":::\nQ&A\n服務信箱\n電子報訂閱人數\n{count}\n無障礙A+\n本網站係提供法規之最新動態資訊及資料檢索，並不提供法規及法律諮詢之服務。\n"
    "若有任何法律上的疑義，建議您可逕向發布法規之主管機關洽詢，或參考本網站為民服務單元。\n"
    "本網站法規資料係由政府各機關提供之電子檔或書面文字登打製作，若與各法規主管機關之公布文字有所不同，"
    "仍以各法規主管機關之公布資料為準。\n建議將畫面解析度設定為1024*768\n著作權所有，請勿任意傳載本網站內容\n"
    "本網站由法務部全國法規資料庫工作小組維運管理."
)
# shared/realdata/external/tainan_news_2024_06: 發稿 lines (both label styles occur) and the releasing units
TAINAN_UNITS = ["教育局", "新聞及國際關係處", "觀光旅遊局", "文化局", "經濟發展局", "水利局", "農業局", "地政局",
                "社會局", "交通局", "都市發展局", "勞工局", "衛生局", "警察局"]  # fmt: skip
# shared/realdata/external/ey_gazette_2014_05: the first lines of a gazette item (issuer + 令/公告, date, 字號)
GAZETTE_ISSUERS = [
    ("行政院令", "院授主基字第"),
    ("內政部令", "台內營字第"),
    ("客家委員會公告", "客會文字第"),
    ("財政部令", "台財稅字第"),
    ("勞動部令", "勞動條2字第"),
    ("衛生福利部公告", "衛授食字第"),
]
GAZETTE_SIGNERS = ["院　　長　江宜樺", "部　　長　陳威仁", "主任委員　劉慶中", "部　　長　張盛和"]
# realworld/fsc_penalty_cases: 裁處書 header lines and the 訴願 notice every decision ends with
FSC_NOTICE = (
    "注意事項：\n一、受處分人如不服本處分，應於本處分送達之次日起30日內，依訴願法第58條第1項規定，繕具訴願書經由本會"
    "（新北市板橋區縣民大道2段7號18樓）向行政院提起訴願。惟依訴願法第93條第1項規定，除法律另有規定外，訴願之提起並不停止"
    "本處分之執行。\n副本：本會{bureau}"
)
# shared/realdata/external/president_news_2024: the date line and the closing line of visit notices
PRESIDENT_FOOT = "歡迎民眾前來參觀，相關參觀及預約資訊請上總統府官網（https://www.president.gov.tw/Page/124）查詢。"
# the Tainan police's anti-fraud closing sentences (tainan_news_2024_06, tncc_council_news)
ANTI_FRAUD = [
    "有任何詐騙疑慮都可以撥打165反詐騙諮詢專線或110報案專線查證。",
    "有任何懷疑迅速撥打防詐諮詢專線165查證。更多反詐騙訊息，可至臺南市政府警察局臉書粉絲專頁查詢。",
]
# agency contact blocks: addresses as they appear in the data (FSC decisions, Presidential Office news,
# Tainan news), switchboards as the agencies publish them; office hours in the usual wording
CONTACTS = [
    ("金融監督管理委員會", "22041新北市板橋區縣民大道2段7號18樓", "(02)8968-0899"),
    ("總統府", "100006臺北市中正區重慶南路1段122號", "(02)2311-3731"),
    ("臺南市政府", "708201臺南市安平區永華路二段6號", "06-2991111"),
    ("臺南市政府衛生局", "臺南市東區林森路一段418號", "(06)2679751"),
    ("臺南市政府教育局", "708201臺南市安平區永華路二段6號", "06-2991111分機8333"),
]


@dataclass
class Template:
    name: str
    source: str
    header: Callable[[random.Random], str] | None = None
    footer: Callable[[random.Random], str] | None = None


def _gazette_head(r: random.Random) -> str:
    issuer, prefix = r.choice(GAZETTE_ISSUERS)
    return f"{issuer}\n{roc_long(r)}\n{prefix}{r.randint(100, 114)}{r.randint(0, 9999999):07d}號"


def _fsc_head(r: random.Random) -> str:
    word = r.choice(["銀控", "證券", "保理", "檢查"])
    return (
        f"金融監督管理委員會　裁處書\n受文者：\n發文日期：{roc_long(r)}\n"
        f"發文字號：金管{word}字第{r.randint(100, 114)}{r.randint(0, 9999999):07d}號"
    )


def _tainan_head(r: random.Random) -> str:
    unit = r.choice(TAINAN_UNITS)
    if r.random() < 0.5:
        return f"發稿單位：{unit}\n發稿時間：113年{r.randint(1, 12)}月{r.randint(1, 28)}日{hhmm(r)}"
    return f"發稿單位:{unit}\n發稿日期:113年{r.randint(1, 12)}月{r.randint(1, 28)}日"


def _tainan_foot(r: random.Random) -> str:
    unit = r.choice(TAINAN_UNITS)
    return (
        f"發稿單位：臺南市政府{unit}\n業務聯絡人：{r.choice(['社會教育科', '永續校園科', '企劃科', '綜合規劃科'])} "
        f"電話：06-2991111分機{r.randint(1000, 8999)}\n新聞聯絡人：局本部 電話：06-2991111分機8333"
    )


def _gov_site_foot(r: random.Random) -> str:
    agency, address, phone = r.choice(CONTACTS)
    return (
        f"隱私權政策 | 資訊安全政策 | 政府網站資料開放宣告\n{agency} 地址：{address} 電話：{phone}\n"
        f"更新日期：{roc_date(r)}\n瀏覽人次：{r.randint(10_000, 9_999_999):,}"
    )


TEMPLATES = [
    Template(
        "moj_lawclasslist",
        "realworld/moj_lawclasslist_html (old 全國法規資料庫 frame; 電子報訂閱人數 varies)",
        lambda r: MOJ_NAV.format(where=r.choice(["組改前法規類別", "組改後法規類別", "法規檢索"])),
        lambda r: MOJ_FOOT.format(count=f"{r.randint(100_000, 199_999):,}"),
    ),
    Template(
        "tainan_news",
        "realdata/external/tainan_news_2024_06 (發稿單位/發稿時間 head, 業務/新聞聯絡人 tail)",
        _tainan_head,
        _tainan_foot,
    ),
    Template(
        "ey_gazette",
        "realdata/external/ey_gazette_2014_05 (issuer, date, 字號 head; signer and 'Top' tail)",
        _gazette_head,
        lambda r: f"{r.choice(GAZETTE_SIGNERS)}\nTop",
    ),
    Template(
        "fsc_decision",
        "realworld/fsc_penalty_cases (裁處書 head, 訴願 notice tail)",
        _fsc_head,
        lambda r: FSC_NOTICE.format(bureau=r.choice(["銀行局", "證券期貨局", "保險局", "檢查局"])),
    ),
    Template(
        "fda_border",
        "realworld/fda_border_rejections (發布日期 / 報驗受理日期 fields as labelled lines)",
        lambda r: f"發布日期：{ad_date(r)}\n報驗受理日期：{ad_date(r)}",
        None,
    ),
    Template(
        "president_news",
        "realdata/external/president_news_2024 (date line, visit notice)",
        lambda r: f"{r.randint(100, 114)}年{r.randint(1, 12):02d}月{r.randint(1, 28):02d}日",
        lambda r: PRESIDENT_FOOT,
    ),
    Template(
        "anti_fraud",
        "realdata/external/tainan_news_2024_06 (police anti-fraud closing sentences)",
        None,
        lambda r: "臺南市政府警察局關心您：" + r.choice(ANTI_FRAUD),
    ),
    Template(
        "gov_site_footer",
        "the standard government-site footer items (policy links, 更新日期, 瀏覽人次) with contact data from "
        "the sources above; composed, not copied from one page",
        lambda r: ":::\n跳到主要內容區塊\n首頁 > 法令規章 > " + r.choice(["法規命令", "行政規則", "法令函釋"]),
        _gov_site_foot,
    ),
]


def contact_block(r: random.Random) -> tuple[str, str]:
    agency, address, phone = r.choice(CONTACTS)
    hours = r.choice(
        ["服務時間：週一至週五 08:30-12:30、13:30-17:30", "上班時間：星期一至星期五上午8時30分至下午5時30分"]
    )
    layout = r.randrange(3)
    if layout == 0:
        return agency, f"{agency}\n地址：{address}\n電話：{phone}\n{hours}"
    if layout == 1:
        return agency, f"機關地址：{address}　總機：{phone}　{hours}"
    return agency, f"聯絡資訊\n{agency}（{address}）\n電話：{phone}\n{hours}"


def update_stamp(r: random.Random) -> str:
    y, m, d = r.randint(2011, 2025), r.randint(1, 12), r.randint(1, 28)
    return r.choice(
        [
            f"更新日期：{y - 1911}-{m:02d}-{d:02d}",
            f"最後更新時間：{y}/{m:02d}/{d:02d} {hhmm(r)}",
            f"發布日期：{y}-{m:02d}-{d:02d}",
            f"資料更新日期：{y - 1911}/{m:02d}/{d:02d}",
            f"更新時間：{y}-{m:02d}-{d:02d} {hhmm(r)}:{r.randint(0, 59):02d}",
            f"修正日期：民國 {y - 1911} 年 {m:02d} 月 {d:02d} 日",
            f"發布日期：{y}/{m:02d}/{d:02d}",
        ]
    )


# ---------------------------------------------------------------------------------------------------------
# edits: each returns (text, detail) or None when it cannot apply to this piece


FULL_PUNCT = {"，": ",", "。": ".", "：": ":", "；": ";", "（": "(", "）": ")", "？": "?", "！": "!"}
TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


@dataclass
class Editor:
    rng: random.Random
    common: str  # frequent CJK characters of the bases
    t2s: object = field(default_factory=lambda: converter("t2s"))

    def apply(self, kind: str, piece: Piece) -> tuple[str, str, str] | None:
        """(text, template or '', detail) of the copy."""
        r, text = self.rng, piece.text
        if kind in ("header", "footer", "header+footer"):
            need = {"header": ("header",), "footer": ("footer",), "header+footer": ("header", "footer")}[kind]
            t = r.choice([t for t in TEMPLATES if all(getattr(t, x) for x in need)])
            head = t.header(r) + "\n" if "header" in need and t.header else ""
            foot = "\n" + t.footer(r) if "footer" in need and t.footer else ""
            return head + text + foot, t.name, ""
        if kind == "contact_block":
            agency, block = contact_block(r)
            return text + "\n" + block, "contact:" + agency, ""
        if kind == "truncated":
            share = r.uniform(0.5, 0.95)
            return text[: max(1, int(len(text) * share))], "", f"kept {share:.2f}"
        if kind == "update_stamp":
            stamp, top = update_stamp(r), r.random() < 0.5
            return (stamp + "\n" + text if top else text + "\n" + stamp), "", ("top" if top else "bottom")
        if kind == "reorder":
            if len(piece.units) < 2:
                return None
            units = list(piece.units)
            i, j = sorted(r.sample(range(len(units)), 2))
            if units[i] == units[j]:
                return None
            units[i], units[j] = units[j], units[i]
            return "\n".join([piece.title, *units]), "", f"units {i} and {j} swapped"
        if kind == "partly_simplified":
            lines = text.split("\n")
            share = r.uniform(0.2, 0.6)
            chosen = [i for i in range(len(lines)) if r.random() < share] or [r.randrange(len(lines))]
            out = list(lines)
            for i in chosen:
                out[i] = self.t2s.convert(lines[i])
            if out == lines:
                return None
            return "\n".join(out), "", f"{sum(a != b for a, b in zip(out, lines, strict=True))}/{len(lines)} lines"
        if kind == "char_edits":
            chars, ops = list(text), []
            for _ in range(r.randint(1, 5)):
                pos = r.randrange(len(chars))
                op = r.choice(["sub", "ins", "del"])
                if op == "sub":
                    chars[pos] = r.choice(self.common)
                elif op == "ins":
                    chars.insert(pos, r.choice(self.common))
                elif len(chars) > 1:
                    del chars[pos]
                ops.append(op)
            new = "".join(chars)
            return (new, "", ",".join(ops)) if new != text else None
        if kind == "whitespace":
            return self.whitespace(piece)
        if kind == "width":
            return self.width(text)
        raise ValueError(kind)

    def whitespace(self, piece: Piece) -> tuple[str, str, str] | None:
        r = self.rng
        lines = piece.text.split("\n")
        ops = r.sample(["wrap", "join", "blank", "spaces", "split_title"], r.randint(1, 3))
        if "split_title" in ops and len(lines[0]) > 3:
            at = r.randrange(1, len(lines[0]))
            lines = [lines[0][:at], lines[0][at:], *lines[1:]]
        if "join" in ops and len(lines) > 1:
            for _ in range(r.randint(1, max(1, len(lines) // 3))):
                if len(lines) < 2:
                    break
                i = r.randrange(len(lines) - 1)
                lines[i : i + 2] = [lines[i] + r.choice(["", " ", "  "]) + lines[i + 1]]
        if "wrap" in ops:
            width = r.randint(18, 60)
            lines = [ln[k : k + width] for ln in lines for k in range(0, max(len(ln), 1), width)]
        if "spaces" in ops:
            lines = [r.choice(["", " ", "  ", "    "]) + ln + r.choice(["", " ", "   "]) for ln in lines]
        sep = "\n\n" if "blank" in ops else "\n"
        new = sep.join(lines)
        return (new, "", "+".join(ops)) if new != piece.text else None

    def width(self, text: str) -> tuple[str, str, str] | None:
        r = self.rng
        ops = r.sample(["ascii_punct", "fullwidth_alnum", "ideographic_space"], r.randint(1, 3))
        new = text
        if "ascii_punct" in ops:
            new = new.translate(str.maketrans(FULL_PUNCT))
        if "fullwidth_alnum" in ops:
            new = new.translate(str.maketrans(TO_FULL))
        if "ideographic_space" in ops:
            new = "\n".join(("　　" if r.random() < 0.5 else "") + ln.replace(" ", "　") for ln in new.split("\n"))
        return (new, "", "+".join(ops)) if new != text else None


# ---------------------------------------------------------------------------------------------------------
# hard negatives that are made (year-specific titles, successive amendments)

CN_DIGITS = "零一二三四五六七八九"
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(s: str) -> int | None:
    """一百零四 / 六十一 / 一一三 / 113 -> int (below 10,000)."""
    if s.isdigit():
        return int(s)
    s = s.replace("〇", "零")
    if all(c in CN_DIGITS for c in s):  # digit by digit: 一一三
        return int("".join(str(CN_DIGITS.index(c)) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in CN_DIGITS:
            cur = CN_DIGITS.index(c)
        elif c in CN_UNITS:
            total += (cur or 1) * CN_UNITS[c]
            cur = 0
        else:
            return None
    return total + cur


def int_to_cn(n: int, like: str) -> str:
    """n (below 10,000) written the way `like` is written: positional 一百零四, digit by digit 一一三, or Arabic."""
    if like.isdigit() or n >= 10_000:
        return str(n)
    if len(like) > 1 and all(c in CN_DIGITS + "〇" for c in like):
        return "".join(CN_DIGITS[int(d)] for d in str(n))
    out, gap = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, size)
        if digit:
            if gap and out:
                out += "零"
            out += ("" if unit == "十" and digit == 1 and not out else CN_DIGITS[digit]) + unit
            gap = False
        else:
            gap = True
    return out or "零"


def other_year(piece: Piece, rng: random.Random) -> tuple[str, str] | None:
    """The piece under another year's title, the year changed in the body too (Chinese and Arabic forms)."""
    m = YEAR.search(piece.title)
    if not m:
        return None
    year = cn_to_int(m.group(2))
    if year is None or year < 1:
        return None
    new = year + rng.choice([-2, -1, 1, 2])
    if new < 1:
        return None
    old_forms = {m.group(2), str(year)}
    text = piece.text
    for form in sorted(old_forms, key=len, reverse=True):
        repl = int_to_cn(new, form)
        text = re.sub(rf"(?<![零〇一二三四五六七八九十百\d]){re.escape(form)}(?=年)", repl, text)
    return (text, f"{year} -> {new}") if text != piece.text else None


AMOUNT = re.compile(r"([零〇一二三四五六七八九十百千]+|\d+)(萬元|元|日內|日|個月|年內|小時|倍|人以上|分之一)")


def amend(piece: Piece, rng: random.Random, article_pool: list[str]) -> tuple[str, str] | None:
    """A later version of the piece: 1-3 articles materially changed (a sentence rewritten, an amount or a
    deadline changed, an article added or deleted)."""
    units = list(piece.units)
    if len(units) < 2 or not units[0].startswith("第"):
        return None
    changes = []
    touched: set[int] = set()
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(units))
        if i in touched:
            continue
        touched.add(i)
        head, _, body = units[i].partition("\n")
        options = ["rewrite", "add", "delete"] + (["amount"] * 2 if AMOUNT.search(body) else [])
        op = rng.choice(options)
        if op == "amount":
            found = list(AMOUNT.finditer(body))
            m = rng.choice(found)
            old = cn_to_int(m.group(1))
            if old is None:
                continue
            new = max(1, old * rng.choice([2, 3]) if rng.random() < 0.5 else old + rng.choice([5, 10, 15, 30]))
            units[i] = head + "\n" + body[: m.start(1)] + int_to_cn(new, m.group(1)) + body[m.end(1) :]
            changes.append(f"{m.group(0)} -> {int_to_cn(new, m.group(1))}{m.group(2)}")
        elif op == "rewrite":
            sentences = [s for s in re.split(r"(?<=。)", body) if s]
            k = rng.randrange(len(sentences))
            donor = rng.choice(article_pool).partition("\n")[2]
            replacement = rng.choice([s for s in re.split(r"(?<=。)", donor) if s] or [donor])
            if Levenshtein.distance(replacement, sentences[k], score_cutoff=MIN_REWRITE) < MIN_REWRITE:
                continue  # a donor sentence that differs by a word is a typo's worth, not a rewrite
            sentences[k] = replacement
            units[i] = head + "\n" + "".join(sentences)
            changes.append(f"sentence rewritten in {head}")
        elif op == "add":
            donor = rng.choice(article_pool).partition("\n")[2]
            if donor in body:
                continue
            units.insert(i + 1, f"{head.replace(' 條', '')}-1 條\n{donor}" if head.endswith(" 條") else donor)
            changes.append(f"article added after {head}")
        elif op == "delete" and len(units) > 2:
            del units[i]
            changes.append(f"{head} deleted")
            touched = {t if t < i else t - 1 for t in touched}
    text = "\n".join([piece.title, *units])
    return (text, "; ".join(changes)) if changes and text != piece.text else None


# ---------------------------------------------------------------------------------------------------------
# the set


@dataclass
class Doc:
    text: str
    group: str
    kind: str
    origin: str
    base: int | None = None  # index of the base document (copies)
    template: str = ""
    detail: str = ""
    negative_of: int | None = None  # index of the document it must not be merged with
    natural: bool | None = None
    jaccard: float | None = None


def names_differ_by_year(a: str, b: str) -> bool:
    return bool(YEAR.search(a) and YEAR.sub("#", a) == YEAR.sub("#", b))


def build(n_docs: int, seed: int, dup_share: float, neg_share: float, log: Callable[[str], None]) -> list[Doc]:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    sources = load_laws() + load_news()
    log(f"sources: {len(sources)} ({Counter(s.origin for s in sources)}) in {time.perf_counter() - t0:.1f} s")

    # near-identical sources (different names, or the same news item twice): families with one lead
    t0 = time.perf_counter()
    bodies = [shingles("\n".join(s.units)) for s in sources]
    pairs = near_pairs(bodies, NEAR, seed)
    parent = list(range(len(sources)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y, _ in pairs:
        parent[max(find(x), find(y))] = min(find(x), find(y))
    log(f"near-identical sources: {len(pairs)} pairs (Jaccard >= {NEAR}) in {time.perf_counter() - t0:.1f} s")

    # pieces: leads cut freely, family members cut like their lead (aligned pieces)
    pieces: list[Piece] = []
    counts_of: dict[int, list[int]] = {}
    lead_piece: dict[tuple[int, int], int] = {}
    for i, src in enumerate(sources):
        if find(i) == i:
            cuts, counts_of[i] = cut(src, i, rng)
            for k, p in enumerate(cuts):
                if p is not None:
                    lead_piece[(i, k)] = len(pieces)
                    pieces.append(p)
    natural: list[tuple[str, int, Piece]] = []  # (kind, lead piece index, member piece)
    dropped = 0
    used_lead_pieces: set[int] = set()
    for i, src in enumerate(sources):
        lead = find(i)
        if lead == i:
            continue
        for k, member in enumerate(cut_like(src, i, counts_of[lead])):
            li = lead_piece.get((lead, k))
            if member is None:
                continue
            if li is None:
                pieces.append(member)
                continue
            j = jaccard(shingles(pieces[li].text), shingles(member.text))
            if j < NEAR:
                pieces.append(member)
                continue
            a, b = sources[lead].name, src.name
            acts = {sources[lead].origin, src.origin} <= {"law", "order"} and a != b
            kind = ("year_specific" if names_differ_by_year(a, b) else "templated_org_acts") if acts else ""
            if kind and li not in used_lead_pieces:
                used_lead_pieces.add(li)
                natural.append((kind, li, member))
            else:
                dropped += 1
    log(f"pieces: {len(pieces)} real; natural hard-negative pairs {Counter(k for k, _, _ in natural)}; "
        f"{dropped} near-identical pieces left out")  # fmt: skip

    # a law and its 施行細則: piece k of each
    by_name = {s.name: i for i, s in enumerate(sources)}
    pieces_of: dict[int, list[int]] = {}
    for idx, p in enumerate(pieces):
        pieces_of.setdefault(p.source, []).append(idx)
    rules_pairs = []
    for name, i in by_name.items():
        if name.endswith("施行細則") and name[: -len("施行細則")] in by_name:
            law = by_name[name[: -len("施行細則")]]
            for a, b in zip(pieces_of.get(law, []), pieces_of.get(i, []), strict=False):
                rules_pairs.append((a, b))

    n_neg = round(n_docs * neg_share)
    n_dup = round(n_docs * dup_share)
    n_base = n_docs - n_neg - n_dup
    quota = n_neg // len(NEGATIVE_KINDS)
    rng.shuffle(rules_pairs)
    nat_org = [x for x in natural if x[0] == "templated_org_acts"]
    nat_year = [x for x in natural if x[0] == "year_specific"]
    rng.shuffle(nat_org)
    rng.shuffle(nat_year)

    docs: list[Doc] = []
    base_of_piece: dict[int, int] = {}
    reserved: set[int] = set()  # pieces that appear as hard negatives, never as bases

    doc_of_view: dict[str, int] = {}  # one document per hashing view: the same text twice is one base

    def add_base(idx: int) -> int:
        if idx not in base_of_piece:
            p = pieces[idx]
            seen = doc_of_view.setdefault(exact_key(p.text), len(docs))
            base_of_piece[idx] = seen
            if seen == len(docs):
                docs.append(Doc(p.text, f"g{len(docs)}", "base", p.origin))
        return base_of_piece[idx]

    negatives: list[tuple[str, int, str, str, bool]] = []  # (kind, partner piece, text, detail, natural)
    for a, b in rules_pairs:
        if len(negatives) >= quota:
            break
        if a in reserved or b in reserved or b in {n[1] for n in negatives}:
            continue
        reserved.add(b)
        negatives.append(("law_vs_enforcement_rules", a, pieces[b].text, sources[pieces[b].source].name, True))
    for kind, li, member in nat_org[:quota]:
        negatives.append((kind, li, member.text, member.title, True))
    year_natural = nat_year[:quota]
    for kind, li, member in year_natural:
        negatives.append((kind, li, member.text, member.title, True))
    # year-specific made from pieces with a year in the title, then successive amendments fill the share
    law_pieces = [i for i, p in enumerate(pieces) if p.origin in ("law", "order") and i not in reserved]
    rng.shuffle(law_pieces)
    article_pool = [u for s in sources if s.origin in ("law", "order") for u in s.units]
    made_year = 0
    for idx in law_pieces:
        if len(year_natural) + made_year >= quota:
            break
        made = other_year(pieces[idx], rng)
        if made:
            negatives.append(("year_specific", idx, made[0], made[1], False))
            made_year += 1
    for idx in law_pieces:
        if len(negatives) >= n_neg:
            break
        if idx in reserved:
            continue
        made = amend(pieces[idx], rng, article_pool)
        if made:
            negatives.append(("successive_amendment", idx, made[0], made[1], False))
    negatives = negatives[: min(n_neg, n_docs)]
    for _kind, partner, _text, _detail, _nat in negatives:
        add_base(partner)
    if len(base_of_piece) > n_base:
        log(f"note: hard-negative partners ({len(base_of_piece)}) exceed the base budget {n_base}")

    # the other bases: real pieces in random order, then composed ones
    order = [i for i in range(len(pieces)) if i not in reserved and i not in base_of_piece]
    rng.shuffle(order)
    for idx in order:
        if len(docs) >= n_base:
            break
        add_base(idx)
    composed = 0
    while len(docs) < n_base:
        src = rng.choice(sources)
        target, units = target_size(rng), []
        title = f"{src.name}彙編第{composed + 1}號"
        size = len(title)
        while size < target:
            u = rng.choice(article_pool)
            if size + len(u) > MAX_CHARS:
                break
            units.append(u)
            size += len(u) + 1
        text = "\n".join([title, *units])
        if len(text) >= MIN_CHARS and units:
            pieces.append(Piece(title, units, "composed", -1, 0))
            add_base(len(pieces) - 1)
            composed += 1
    n_bases = len(docs)
    piece_of_base = {d: p for p, d in base_of_piece.items()}
    # past the real law pieces, successive amendments of composed bases fill the hard-negative share
    extra = [i for i in base_of_piece if pieces[i].origin == "composed"]
    rng.shuffle(extra)
    for idx in extra:
        if len(negatives) >= n_neg:
            break
        made = amend(pieces[idx], rng, article_pool)
        if made:
            negatives.append(("successive_amendment", idx, made[0], made[1], False))

    for kind, partner, text, detail, nat in negatives:
        if doc_of_view.setdefault(exact_key(text), len(docs)) != len(docs):
            continue  # the same text as a base (a 施行細則 among the orders, a year's act made that exists)
        pd = base_of_piece[partner]
        docs.append(Doc(text, f"g{len(docs)}", kind, pieces[partner].origin, None, "", detail, pd, nat))

    # planted copies: (base, kind) drawn first, then made base by base (one base's shingles at a time)
    common = "".join(c for c, _ in Counter(c for d in docs[: min(n_bases, 3000)] for c in d.text
                                             if "\u4e00" <= c <= "\u9fff").most_common(300))  # fmt: skip
    editor = Editor(random.Random(seed + 1), common)
    plan = sorted((rng.randrange(n_bases), rng.choice(EDIT_KINDS)) for _ in range(n_dup))
    t0 = time.perf_counter()
    for b, kind in plan:
        made = None
        for _attempt in range(20):
            made = editor.apply(kind, pieces[piece_of_base[b]])
            if made:
                break
            b = rng.randrange(n_bases)
        if made is None:
            continue
        text, template, detail = made
        docs.append(Doc(text, docs[b].group, kind, docs[b].origin, b, template, detail))
    log(f"copies: {len(docs) - n_bases - len(negatives)} in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    cache: tuple[int, np.ndarray] | None = None
    for d in docs[n_bases:]:
        ref = d.base if d.base is not None else d.negative_of
        if cache is None or cache[0] != ref:
            cache = (ref, shingles(docs[ref].text))
        d.jaccard = round(jaccard(cache[1], shingles(d.text)), 4)
    log(f"Jaccard to base / partner in {time.perf_counter() - t0:.1f} s")
    return docs


def write(docs: list[Doc], out: Path, seed: int) -> None:
    """Shuffled documents doc0..docN-1 and their labels, in the same order."""
    order = list(range(len(docs)))
    random.Random(seed + 2).shuffle(order)
    doc_id = {old: f"doc{new}" for new, old in enumerate(order)}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "docs.jsonl", "w", encoding="utf-8") as fd, open(out / "labels.jsonl", "w", encoding="utf-8") as fl:
        for new, old in enumerate(order):
            d = docs[old]
            fd.write(json.dumps({"id": f"doc{new}", "text": d.text}, ensure_ascii=False) + "\n")
            label: dict[str, object] = {"id": f"doc{new}", "group": d.group, "kind": d.kind, "origin": d.origin}
            if d.base is not None:
                label["base"] = doc_id[d.base]
            if d.negative_of is not None:
                label["negative_of"] = doc_id[d.negative_of]
                label["negative_of_group"] = docs[d.negative_of].group
                label["natural"] = d.natural
            if d.template:
                label["template"] = d.template
            if d.detail:
                label["detail"] = d.detail
            if d.jaccard is not None:
                label["jaccard"] = d.jaccard
            fl.write(json.dumps(label, ensure_ascii=False) + "\n")


def summary(docs: list[Doc]) -> str:
    kinds = Counter(d.kind for d in docs)
    lines = [f"{len(docs)} documents, mean {sum(len(d.text) for d in docs) / len(docs):.0f} characters"]
    lines.append("origin of bases: " + ", ".join(f"{k} {v}" for k, v in Counter(
        d.origin for d in docs if d.kind == "base").most_common()))  # fmt: skip
    for kind in ["base", *EDIT_KINDS, *NEGATIVE_KINDS]:
        js = [d.jaccard for d in docs if d.kind == kind and d.jaccard is not None]
        extra = ""
        if js:
            js.sort()
            extra = (
                f"  Jaccard median {js[len(js) // 2]:.3f}, min {js[0]:.3f}, "
                f">= 0.8: {sum(j >= 0.8 for j in js) / len(js):.0%}"
            )
        lines.append(f"  {kind:<26} {kinds.get(kind, 0):>7}{extra}")
    return "\n".join(lines)


def main() -> None:
    global MIN_CHARS, MAX_CHARS  # the pieces' lengths, which the functions above read
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dup-share", type=float, default=0.5, help="share of documents that are planted copies")
    parser.add_argument("--negative-share", type=float, default=0.1, help="share of documents that are hard negatives")
    parser.add_argument("--min-chars", type=int, default=MIN_CHARS, help="shortest piece a base is cut into")
    parser.add_argument("--max-chars", type=int, default=MAX_CHARS, help="longest piece a base is cut into")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    MIN_CHARS, MAX_CHARS = args.min_chars, args.max_chars
    if not MOJ.is_dir():
        print(f"skipped: {MOJ} not found")
        return
    t0 = time.perf_counter()
    log = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    docs = build(args.docs, args.seed, args.dup_share, args.negative_share, log)
    write(docs, args.out, args.seed)
    print(summary(docs))
    print(f"written to {args.out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
