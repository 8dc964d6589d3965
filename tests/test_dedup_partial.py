"""Near-duplicates as government sites copy: partial copies, chrome around a copy, re-flowed titles -- and the
hard negatives that must stay apart (versions of a law, a law and its 施行細則)."""

from __future__ import annotations

import json
import re

import numpy as np
import pyarrow.feather as pq_feather
import pytest

from pipeline.config import load_config
from pipeline.dedup.boilerplate import dedup_view, document_lines, line_key, nonempty, stripped, stripped_view, view_of
from pipeline.dedup.cluster import Candidates, NearSettings, cluster
from pipeline.dedup.compare import (
    MAX_SUSPECTS,
    Difference,
    differ_within,
    difference,
    is_article,
    substantively_different,
    well_formed,
)
from pipeline.dedup.hashing import hashing_lines, hashing_view, key_of_view, line_views, prefix_key, views_of
from pipeline.dedup.minhash import shingle_set
from pipeline.dedup.signing import signature_matrix
from pipeline.dedup.verify import (
    COPY,
    JOINED,
    NUMBERS,
    VERSIONS,
    Noisy,
    Partial,
    Slipped,
    Verdict,
    match,
    titles_agree,
    verify_pairs,
)
from pipeline.dedup.view import Stored, View
from pipeline.paths import make_context
from pipeline.readers.encoding import decode_bytes
from pipeline.readers.html_text import read_page
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source

NEAR = NearSettings(bands=16, rows=8, threshold=0.8, ngram=5, containment=0.85, containment_min_chars=80)


def _cluster(
    texts: list[str], boilerplate: frozenset[int] = frozenset(), workers: int = 1, follows: list[bool] | None = None
) -> list[int]:
    """Each text's representative; `follows`: which texts were rejected before dedup (`Candidates.follows`)."""
    views = [hashing_view(t) for t in texts]
    docs = Candidates(
        ids=[f"d{i}" for i in range(len(texts))],
        hash_keys=[key_of_view(v) for v in views],
        priority=np.full(len(texts), 100),
        n_chars=np.asarray([len(t) for t in texts]),
        signatures=signature_matrix(views, num_perm=128, ngram=5),
        view_len=np.asarray([len(v) for v in views]),
        prefix_keys=np.asarray([prefix_key(v) for v in views], dtype=np.uint64),
        follows=None if follows is None else np.asarray(follows, dtype=bool),
    )
    found = cluster(docs, NEAR, lambda idx: {i: texts[i] for i in idx}, boilerplate=boilerplate, workers=workers)
    return found.representative.tolist()


def _apart(verdict: Verdict) -> bool:
    """Not duplicates: two different documents, or two versions of one (alike in shingles only)."""
    return verdict is None or verdict in (VERSIONS, NUMBERS)


def _law(realdata, code: str, articles: slice = slice(None), folder: str = "split_ch_law") -> tuple[str, list[str]]:
    law = json.loads((realdata / f"moj_laws/{folder}/{code}.json").read_text(encoding="utf-8"))
    arts = [f"{a['ArticleNo']}\n{a['ArticleContent']}" for a in law["LawArticles"] if a["ArticleType"] == "A"]
    return law["LawName"], arts[articles]


def _piece(realdata, code: str, articles: slice) -> str:
    """The law's name and the given articles, as one piece of text."""
    name, arts = _law(realdata, code, articles)
    return "\n".join([name, *arts])


def test_a_truncated_copy_is_a_duplicate_and_the_longer_is_kept(realdata):
    name, arts = _law(realdata, "A0030055")  # 行政程序法
    whole = "\n".join([name, *arts[:20]])
    for keep in (0.5, 0.7, 0.95):
        cut = whole[: int(len(whole) * keep)]
        assert _cluster([cut, whole]) == [1, 1], keep  # the whole one represents the cluster


def test_an_amendment_that_is_a_partial_copy_of_its_base_s_framed_copy_stays_apart_from_the_base(realdata):
    """An amendment that added a clause to the last sentence (；其辦法，由主管機關定之) is, compared whole with
    its base, a version of it; against the base's copy under a site header (longer by the header) it reads as a
    partial copy. It does not join that copy's cluster, which holds the base. A copy cut short still does."""
    header = "行政院全球資訊網\n跳到主要內容區塊\n首頁 > 最新消息 > 新聞稿\n字級：小 中 大\n分享 列印 回上一頁"
    for code, articles in (("A0030055", slice(0, 6)), ("A0030055", slice(10, 16)), ("B0000001", slice(0, 6))):
        name, arts = _law(realdata, code, articles)
        base = "\n".join([name, *arts])
        assert base.endswith("。")
        amendment = base[:-1] + "；其辦法，由主管機關定之。"
        framed = f"{header}\n{base}"
        cut = base[: int(len(base) * 0.7)]
        assert _cluster([base, framed, amendment, cut]) == [1, 1, 2, 1], code


def test_a_short_notice_cut_to_ninety_characters_is_still_a_copy_one_cut_shorter_is_not(realdata):
    """A Tainan notice of under 200 characters cut at half its length keeps a view of 80-99 characters: enough
    to be a partial copy (`containment_min_chars`); a piece of 70 is too short to tell from a stock phrase."""
    items = sorted((realdata / "external/tainan_news_2024_06").glob("*.json"))
    notices = [json.loads(path.read_text(encoding="utf-8")) for path in items]
    whole = next(text for n in notices if 170 <= len(hashing_view(text := f"{n['title']}\n{n['content']}")) <= 200)

    def cut_to(chars: int) -> str:
        return whole[: next(k for k in range(len(whole)) if len(hashing_view(whole[:k])) >= chars)]

    assert 90 <= len(hashing_view(cut_to(90))) < 100
    assert _cluster([cut_to(90), whole]) == [1, 1]
    assert _cluster([cut_to(70), whole]) == [0, 1]


def test_a_version_with_an_article_inserted_is_not_a_partial_copy(realdata):
    """All of the old version's shingles are in the new one -- containment 1 -- but not in one stretch."""
    name, arts = _law(realdata, "A0030055")
    _, other = _law(realdata, "A0030023")  # articles of another law, inserted in the middle
    old = "\n".join([name, *arts[:12]])
    new = "\n".join([name, *arts[:6], *other[:8], *arts[6:12]])
    assert len(new) > 1.25 * len(old)  # Jaccard below the threshold, containment 1
    assert _cluster([old, new]) == [0, 1]


def test_a_copy_cut_inside_an_article_an_amendment_deleted_is_no_copy_of_the_amendment(realdata):
    """An amendment that deleted the last article leaves its heading over （刪除）; a copy of the old text cut a
    character into that article (…第 9 條 / 彈) differs from the amendment only in its last line, yet is a
    copy of the old text alone. A typo copy of the amendment whose （刪除） lost a character is still its copy."""
    base = _piece(realdata, "A0030199", slice(5, 9))  # 監察法, 第 6 條 to 第 9 條
    heading = "第 9 條\n"
    last = base.rindex(heading) + len(heading)
    amendment = base[:last] + "（刪除）"
    cut = base[: last + 1]
    assert _apart(match(view_of(cut, frozenset()), view_of(amendment, frozenset()), NEAR))
    assert match(view_of(amendment[:-2] + "）", frozenset()), view_of(amendment, frozenset()), NEAR) == COPY
    assert _cluster([base, cut, amendment]) == [0, 0, 2]


def test_a_reordered_copy_is_no_partial_copy_of_a_version_that_deleted_or_added_an_article(realdata):
    """A copy that moved a law's last article to before the last chapter holds all of a version that deleted
    the chapter's first article; one that moved the last chapter to the top holds all of a version that added
    an article to that chapter. What the longer one has past the other's end holds the article, among lines
    the other has elsewhere: moved there, not cut off. Both are versions of the copy's text, as of the text
    itself, not partial copies of it. A copy cut short is still a partial copy."""
    law = json.loads((realdata / "moj_laws/split_ch_law/A0030199.json").read_text(encoding="utf-8"))  # 監察法
    part = {}
    for a in law["LawArticles"]:
        text = a["ArticleContent"].strip()
        part[a["ArticleNo"] or text.replace(" ", "")[:3]] = f"{a['ArticleNo']}\n{text}" if a["ArticleNo"] else text
    opening = [law["LawName"], part["第一章"], *(part[f"第 {n} 條"] for n in (1, 2, 3))]
    base = [*opening, part["第二章"], *(part[f"第 {n} 條"] for n in (6, 7, 8))]
    last_moved = [*opening, part["第 8 條"], part["第二章"], part["第 6 條"], part["第 7 條"]]
    deleted = [*opening, part["第二章"], part["第 7 條"], part["第 8 條"]]
    chapter_moved = [law["LawName"], *base[5:], *opening[1:]]
    added = [*base[:-1], part["第 4 條"].replace("第 4 條", "第 7-1 條"), base[-1]]
    texts = {"base": base, "last_moved": last_moved, "deleted": deleted, "chapter_moved": chapter_moved}
    view = {k: view_of("\n".join(v), frozenset()) for k, v in {**texts, "added": added}.items()}
    assert match(view["last_moved"], view["base"], NEAR) == COPY
    assert match(view["chapter_moved"], view["base"], NEAR) == COPY
    assert _apart(match(view["last_moved"], view["deleted"], NEAR))
    assert _apart(match(view["chapter_moved"], view["added"], NEAR))
    whole = "\n".join(base)
    cut = view_of(whole[: int(len(whole) * 0.9)], frozenset())
    assert isinstance(match(cut, view["base"], NEAR), tuple)


def test_a_copy_with_a_typo_is_no_partial_copy_of_a_version_with_an_article_appended(realdata):
    """The copy's last line and the new version's differ by a typo, so they are compared character by
    character -- also in Taiwan phrasing, where the appended 第 N 條 reads 條, not 条: still an article."""
    name, arts = _law(realdata, "A0030055")
    _, other = _law(realdata, "A0030023")
    old = "\n".join([name, *arts[:10]])
    typo = len(old) - 12
    copy = old[:typo] + ("之" if old[typo] != "之" else "的") + old[typo + 1 :]
    newer = old + "\n第 10-1 條\n" + other[3].partition("\n")[2]
    reps = _cluster([old, copy, newer])
    assert reps[0] == reps[1] and reps[2] != reps[0]


def test_successive_versions_of_real_law_pages_stay_apart(realdata):
    """Legislative Yuan pages of one law's versions: alike in all but the amended articles and their dates
    (Jaccard up to 0.98); they are different documents."""
    folder = realdata / "external/ly_lawstat_more/version2/01936"  # 商標法, 14 versions
    pages = sorted(p for p in folder.glob("*.html") if p.name != "index.html")
    texts = [read_page(decode_bytes(p.read_bytes(), "big5").text).text for p in pages]
    assert len(texts) >= 10
    reps = _cluster(texts)
    assert reps == list(range(len(texts)))


def test_chrome_on_a_short_notice_is_left_out_of_the_view(realdata, write_config, tmp_path):
    """Real Tainan notices, most under one site's header and footer lines: a notice re-posted under that chrome
    is an exact duplicate of the bare one; notices that only share the chrome stay apart."""
    items, titles = [], set()
    for path in sorted((realdata / "external/tainan_news_2024_06").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        if len(item["content"]) > 150 and item["title"] not in titles:  # the site posts some items twice
            items.append(item)
            titles.add(item["title"])
    items = items[:40]
    header = "臺南市政府全球資訊網\n首頁 > 市政新聞"
    footer = (
        "臺南市政府 地址：70801臺南市安平區永華路二段6號 電話：06-2991111\n更新日期：113-06-{day:02d} 瀏覽人次：{n}"
    )
    rows = [
        {
            "id": f"n{i}",
            "text": f"{header}\n{it['title']}\n{it['content']}\n{footer.format(day=i % 28 + 1, n=1000 + i)}",
        }
        for i, it in enumerate(items)
    ]
    rows.append({"id": "bare", "text": f"{items[3]['title']}\n{items[3]['content']}"})
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    cfg = load_config(write_config({"pii": {"landline": False}, "sources": [jsonl_source("in.jsonl")]}))
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    # the line views staged for verification are the views it would make of the staged text, and join to the
    # view the exact key and the signature were made of
    rows = pq_feather.read_table(staged[0].staged, columns=["text", "line_views", "hash_key"]).to_pylist()
    assert len(rows) == len(items) + 1
    for row in rows:
        assert row["line_views"] == "\n".join(document_lines(row["text"])[1])
        assert (
            key_of_view(row["line_views"].replace("\n", ""))
            == row["hash_key"]
            == key_of_view(hashing_view(row["text"]))
        )
    manifest = publish(cfg, ctx, staged)
    rejected = {k: v for t in manifest["tallies"].values() for k, v in t["rejected"].items()}
    assert sum(rejected.values()) == 1  # n3 or bare, nothing else: the chrome makes no two notices alike
    assert manifest["dedup_stats"]["boilerplate_lines"] >= 2


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("\n", "\n\n"),
        lambda t: t.replace("\n", "", 1),  # the title line joined with the first article
        lambda t: "轉載：" + t,
    ],
    ids=["blank lines", "title joined", "repost prefix"],
)
def test_re_flowed_or_re_posted_copies_still_agree_on_their_title(realdata, edit):
    name, arts = _law(realdata, "A0030055")
    whole = "\n".join([name, *arts[:8]])
    reps = _cluster([whole, edit(whole)])
    assert reps[0] == reps[1]


def test_a_law_and_its_enforcement_rules_stay_apart(realdata):
    name, arts = _law(realdata, "A0030055")
    rules = "\n".join([name + "施行細則", *arts[:8]])  # the same articles under the 施行細則's name
    assert _cluster(["\n".join([name, *arts[:8]]), rules]) == [0, 1]


def test_a_partial_copy_joins_one_version_only(realdata):
    """The opening articles of a law are a partial copy of the old version and of the new one alike; they
    join one cluster, and the two versions stay apart."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    k = next(k for k in range(16, 20) if "二" in arts[k].split("\n", 1)[1])
    head, body = arts[k].split("\n", 1)
    new = "\n".join([name, *arts[:k], head + "\n" + body.replace("二", "三", 1), *arts[k + 1 : 20]])
    opening = old[: int(len(old) * 0.6)]
    assert opening in new
    reps = _cluster([old, new, opening])
    assert reps[0] != reps[1] and reps[2] in (reps[0], reps[1])


def test_a_copy_of_a_version_without_the_last_article_brings_in_no_other_version(realdata):
    """Cut short before its last line, a copy of a version without the law's last article is a partial copy of
    that version (the list of its last article goes on there: 七、 then 八、) and of the version with the
    article; it stays with the first, and the two versions stay apart."""
    name, arts = _law(realdata, "A0030055")
    k = next(k for k in range(3, 30) if arts[k - 1].count("\r\n") >= 2)  # an article of three lines or more
    old = "\n".join([name, *arts[: k + 1]])
    new = "\n".join([name, *arts[:k]])  # the last article deleted
    cut = new[: new.rindex("\r\n")]
    assert cut.endswith("。") and new.rsplit("\n", 1)[1].startswith("八、")
    (verdict,) = verify_pairs([(2, 1)], {1: new, 2: cut}, frozenset(), NEAR)
    assert isinstance(verdict, Partial) and (verdict.shorter, verdict.longer) == (2, 1)
    assert _cluster([old, new, cut]) == [0, 1, 1]


def test_a_copy_cut_after_a_whole_item_does_not_join_two_versions_of_the_rest(realdata):
    """A copy cut short right after an item of a list (七、…。) ends its sentence, so what it lacks looked like a
    footer: it was a whole copy of the law and of a version that rewrote the next item, and joined the two. The
    list going on (八、) is text: the copy is a partial copy of both, and joins one."""
    name, arts = _law(realdata, "A0030055")
    k = next(k for k in range(3, 30) if arts[k - 1].count("\r\n") >= 2)
    law = "\n".join([name, *arts[:k]])
    last = law.rsplit("\n", 1)[1]
    amended = law.replace(last, "八、考試院有關考選命題、評分及榜示之行為，應於三十日內公告之。")
    cut = law[: law.rindex("\r\n")]
    assert _apart(match(dedup_view(law, frozenset()), dedup_view(amended, frozenset()), NEAR))
    assert isinstance(match(dedup_view(cut, frozenset()), dedup_view(law, frozenset()), NEAR), tuple)
    reps = _cluster([law, amended, cut])
    assert reps[0] != reps[1] and reps[2] in (reps[0], reps[1])
    # a footer after the last item is still chrome
    footer = law + "\n（本資料由法務部全國法規資料庫提供）"
    assert match(dedup_view(footer, frozenset()), dedup_view(law, frozenset()), NEAR) == COPY


def test_a_piece_that_stops_mid_sentence_is_no_copy_cut_short_of_a_version_with_an_article_after_it(realdata):
    """A piece of a law that stops mid-sentence (an excerpt cut at a length) and a version of it with an article
    added after that line: the version's line stops open there too, so the piece is no copy cut short of it, and
    the two stay apart. A copy of the piece cut shorter still is one."""
    name, arts = _law(realdata, "A0030055")
    law = "\n".join([name, *arts[:12]])
    piece = law[: law.rindex("，")]
    version = piece + "\n" + arts[40]
    assert arts[40].startswith("第 ") and not piece.endswith("。")
    assert _apart(match(dedup_view(piece, frozenset()), dedup_view(version, frozenset()), NEAR))
    assert _cluster([piece, version]) == [0, 1]
    shorter = piece[: piece.rindex("，")]
    assert isinstance(match(dedup_view(shorter, frozenset()), dedup_view(version, frozenset()), NEAR), tuple)
    assert isinstance(match(dedup_view(shorter, frozenset()), dedup_view(piece, frozenset()), NEAR), tuple)
    assert _cluster([piece, version, shorter]) in ([0, 1, 0], [0, 1, 1])


def test_a_copy_cut_before_a_full_stop_wrapped_onto_its_own_line_is_still_cut_short(realdata):
    """工業區廢止編定認定標準 wraps the 。 of its 第 2 條 onto a line of its own. A copy cut just before it stops
    mid-sentence where the law's line does too -- but there the law's sentence ends on the next line, so the
    copy is a copy cut short, not a piece the law adds its 第 3 條 to."""
    name, arts = _law(realdata, "J0030063", folder="split_ch_order_sample")
    law = "\n".join([name, *arts])
    cut = law[: law.index("    。")].rstrip()
    assert not cut.endswith("。")
    assert "第 3 條" in law[len(cut) :]
    assert isinstance(match(dedup_view(cut, frozenset()), dedup_view(law, frozenset()), NEAR), tuple)
    assert _cluster([law, cut]) == [0, 0]


def test_a_clause_of_the_law_about_itself_appended_at_the_end_is_a_version(realdata):
    """Amendments append transitional clauses to a law's last article (本法中華民國…修正之條文，自…施行). Appended at
    the very end, such a line read as a footer, so the law was a whole copy (or the start) of its amendment. A
    clause that opens or closes with the law naming itself is text; a site's footer after the law is chrome."""
    name, arts = _law(realdata, "A0030055")
    law = "\n".join([name, *arts[:12]])
    amended = law + "\n本法中華民國一百十二年五月三十日修正之條文，自公布後六個月施行。"
    assert _apart(match(dedup_view(law, frozenset()), dedup_view(amended, frozenset()), NEAR))
    assert _cluster([law, amended]) == [0, 1]
    footer = law + "\n本網站資料依政府資料開放授權條款提供，歡迎多加利用。"
    assert match(dedup_view(law, frozenset()), dedup_view(footer, frozenset()), NEAR) == COPY
    # the law named inside a line is no such clause: at an edge it reads as before, as chrome
    mentions = law + "\n依前項進用之人員，於本法施行期間，得續約之。"
    assert match(dedup_view(law, frozenset()), dedup_view(mentions, frozenset()), NEAR) == COPY


def test_a_number_after_a_formula_digit_changed_is_a_version(realdata):
    """The views drop punctuation, so （CO2）八小時 runs the formula's 2 into the number after it (co2八). Changed to
    十六小時 it is an amended limit, not a typo that leaves a number no one writes; a Chinese numeral typed beside
    Arabic digits (第10條 -> 第十10條) still changes no number."""
    name, arts = _law(realdata, "A0030055")
    law = "\n".join([name, *arts[:12]])
    limit = law + "\n二氧化碳（CO2）八小時值：一千ppm，體積濃度百萬分之一。"
    amended = limit.replace("八小時", "十六小時")
    assert _apart(match(dedup_view(limit, frozenset()), dedup_view(amended, frozenset()), NEAR))
    typo = limit.replace("（CO2）", "（CO十2）")
    assert match(dedup_view(limit, frozenset()), dedup_view(typo, frozenset()), NEAR) == COPY


def test_a_decimal_amount_or_a_zero_changed_is_a_version(realdata):
    """The views drop the decimal point, so 三十七．五個基數 reads 三十七五: no number as written, but two the view ran
    together; changed to 四十一．五 or 三十七．七五 it is an amended amount, as a score of 零分 changed to 五分 is --
    while a numeral slipped into a number no one writes (一百六十五 -> 一六十五) stays a typo."""
    name, arts = _law(realdata, "F0050003")
    at = next(i for i, art in enumerate(arts) if "三十七．五個基數" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1]])
    view = dedup_view(law, frozenset())
    for amount in ("四十一．五", "三十七．七五"):
        amended = dedup_view(law.replace("三十七．五個基數", f"{amount}個基數"), frozenset())
        assert _apart(match(view, amended, NEAR)), amount
    name, arts = _law(realdata, "R0030035")
    at = next(i for i, art in enumerate(arts) if "成績為零分" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1]])
    amended = law.replace("成績為零分", "成績為五分")
    assert _apart(match(dedup_view(law, frozenset()), dedup_view(amended, frozenset()), NEAR))
    assert well_formed("零") and not well_formed("一六十五")


def test_a_number_replaced_within_numbers_run_together_is_a_version_one_numeral_slipped_is_not(realdata):
    """一．五倍 is viewed 一五; an amendment that puts 二十 for its 五 leaves 一二十, no number as written -- but 一
    and 二十 are numbers, and so is what it replaced. One numeral slipped for another (第四十七條 -> 第四十十條) is a
    typo."""
    name, arts = _law(realdata, "D0020053")
    at = next(i for i, art in enumerate(arts) if "第四十七條" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1], "第 99 條\n前項罰鍰，得按其營業額加至一．五倍。"])
    view = dedup_view(law, frozenset())
    amended = dedup_view(law.replace("一．五倍", "一．二十倍"), frozenset())
    assert _apart(match(view, amended, NEAR))
    typo = dedup_view(law.replace("第四十七條", "第四十十條", 1), frozenset())
    assert match(view, typo, NEAR) == COPY


def test_numbers_beside_a_list_marker_wrapped_or_lost_read_as_numbers(realdata):
    """Amounts as the views read them: a list marker runs into the amount after it (二、三個月 is viewed 二三), so
    三 -> 二十三 there is 二, then a number changed; an amount wrapped after its first numeral (新臺幣一 / 萬五千元)
    changed on the next line is a number changed, where a unit slipped before a list marker (四、 -> 百四、) is a
    typo; and a copy that lost the day of a date (十二月日) is no copy of a version that changed the day
    (十二月十七日), as it is of the law."""
    name, arts = _law(realdata, "B0010042")
    at = next(i for i, art in enumerate(arts) if "二、三個月" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1]])
    view = dedup_view(law, frozenset())
    assert _apart(match(view, dedup_view(law.replace("二、三個月", "二、二十三個月"), frozenset()), NEAR))
    name, arts = _law(realdata, "A0030028")
    at = next(i for i, art in enumerate(arts) if "新臺幣一萬五千元" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1]]).replace("新臺幣一萬五千元", "新臺幣一\n萬五千元")
    view = dedup_view(law, frozenset())
    assert _apart(match(view, dedup_view(law.replace("\n萬五千元", "\n萬八千元"), frozenset()), NEAR))
    listed = law.replace("新臺幣一\n萬五千元", "新臺幣一萬五千元\n一、罰金。")
    slipped = listed.replace("\n一、罰金。", "\n百一、罰金。")
    assert match(dedup_view(listed, frozenset()), dedup_view(slipped, frozenset()), NEAR) == COPY
    name, arts = _law(realdata, "A0010043")
    at = next(i for i, art in enumerate(arts) if "十二月七日" in art)
    law = "\n".join([name, *arts[max(0, at - 3) : at + 1]])
    lost, changed = law.replace("十二月七日", "十二月日"), law.replace("十二月七日", "十二月十七日")
    assert match(dedup_view(law, frozenset()), dedup_view(lost, frozenset()), NEAR) == COPY
    assert _apart(match(dedup_view(lost, frozenset()), dedup_view(changed, frozenset()), NEAR))


def test_a_deleted_article_filled_in_is_a_version_where_a_copy_joined_another_deletion_to_its_heading(realdata):
    """A re-flowed copy joins 第 7 條 and （刪除） in one line, so its line 刪除 under the last article is its only one.
    A new version that fills the last article in lacks that line: the copy's other 刪除 went into the re-flow and
    moved nowhere, so this one is a change -- not a copy of the longer version cut short."""
    name, arts = _law(realdata, "F0030015", slice(0, 9))
    assert arts[6].endswith("\n（刪除）") and arts[8].endswith("\n（刪除）")
    _, other = _law(realdata, "F0030015", slice(9, None))
    joined = [*arts[:6], arts[6].replace("\n", ""), *arts[7:]]
    copy = "\n".join([name, *joined])
    text = "\n".join(art.partition("\n")[2] for art in other[:2])
    filled = "\n".join([name, *arts[:8], arts[8].replace("（刪除）", text)])
    assert match(dedup_view("\n".join([name, *arts]), frozenset()), dedup_view(copy, frozenset()), NEAR) == COPY
    assert _apart(match(dedup_view(copy, frozenset()), dedup_view(filled, frozenset()), NEAR))


def test_an_item_deleted_or_a_slipped_heading_is_an_article(realdata):
    """The MOJ heads the articles of laws written as items with a bare number (11 over 十一、…): a version that
    deleted the last one is no copy of the law, nor is one without an article whose heading a typo copy broke
    (總第2條, 第21 without its 條)."""
    law = json.loads((realdata / "moj_laws" / "split_ch_law" / "A0000005.json").read_text(encoding="utf-8"))
    name = law["LawName"]
    items = [f"{a['ArticleNo']}\n{a['ArticleContent']}" for a in law["LawArticles"] if a["ArticleType"] == "A"]
    assert items[-1].startswith("11\n十一、")
    whole, without = "\n".join([name, *items]), "\n".join([name, *items[:-1]])
    assert _apart(match(dedup_view(whole, frozenset()), dedup_view(without, frozenset()), NEAR))
    assert _cluster([whole, without]) == [0, 1]
    assert is_article("11") and is_article("总第2条") and is_article("第21") and is_article("第21条")
    assert is_article("第条")
    name, arts = _law(realdata, "A0030055", slice(0, 9))
    assert arts[-1].startswith("第 9 條\n")
    lost = "\n".join([name, *arts[:-1], arts[-1].replace("第 9 條", "第  條")])  # a typo copy lost the number
    assert _cluster(["\n".join([name, *arts]), lost, "\n".join([name, *arts[:-1]])]) == [0, 0, 2]
    assert not is_article("第2页") and not is_article("2024") and not is_article("本法自公布日施行")


def test_a_copy_cut_short_already_with_its_version_joins_no_other(realdata):
    """A copy cut short mid-sentence is a copy of a re-post of the old version with a typo in its opening, so
    it is in the old version's cluster; that it is also a partial copy of a new version, one with an article
    added after the cut, does not join the two versions."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    heading, added = arts[19].split("\n")[0], arts[5].split("\n", 1)[1]
    new = "\n".join([name, *arts[:20], heading.replace("條", "條之一") + "\n" + added])
    opening = arts[2].split("\n", 1)[1]
    typo = old.replace(opening[:6], opening[:5] + "乙", 1)  # one character slipped
    cut = old[: old.index("如下", old.index(arts[19])) + 3]  # 本法所稱之當事人如下︰ and no list
    assert typo != old and cut in new
    reps = _cluster([old, new, typo, cut])
    assert reps[1] == 1 and reps[0] == reps[2] == reps[3] != 1


def test_a_copy_cut_short_joins_no_other_version_whichever_copy_of_its_own_is_longest_first(realdata):
    """The copy cut short is in the old version's cluster, as is a copy with two articles swapped, as long as
    the old version and listed before it. That copy does not go on where the cut stops; the old version does,
    and it and the new version (an article added) are versions: the two clusters stay apart. A second copy cut
    alike goes on past nothing: the two join the old version."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    new = old + "\n" + arts[19].split("\n")[0].replace("條", "條之一") + "\n" + arts[5].split("\n", 1)[1]
    swapped = "\n".join([name, arts[1], arts[0], *arts[2:20]])
    cut = old[: old.index("如下", old.index(arts[19])) + 3]  # 本法所稱之當事人如下︰ and no list
    assert len(swapped) == len(old) and cut in new and not swapped.startswith(cut)
    reps = _cluster([swapped, old, cut, new])
    assert reps[0] == reps[1] == reps[2] != reps[3]
    early = old[: old.index(arts[18]) + 16]  # an article before the last cut short
    assert _cluster([early, early.replace("\n", "\n\n"), old]) == [2, 2, 2]


def test_a_typo_copy_that_lost_its_last_full_stop_joins_no_version_with_an_article_after_it(realdata):
    """A copy with a slip in its opening article that also lost its very last 。 stops mid-sentence where the
    old version ends: it reads as the old version cut short, and so as a partial copy of a version with an
    article added after the last. It is the old version's copy; the new version stays apart."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    new = old + "\n" + arts[19].split("\n")[0].replace("條", "條之一") + "\n" + arts[5].split("\n", 1)[1]
    opening = arts[2].split("\n", 1)[1]
    typo = old.replace(opening[:6], opening[:5] + "乙", 1).removesuffix("。")
    assert old.endswith("。") and typo != old and not typo.endswith("。")
    reps = _cluster([old, typo, new])
    assert reps[0] == reps[1] != reps[2]


def test_a_typo_copy_that_lost_its_last_character_is_no_partial_copy_of_a_version_with_an_article_after_it(
    realdata,
):
    """A copy that lost the last character before its closing 。 (…定之。 -> …定。) ends its sentence: it is no
    copy cut short, though its last line stops a character into the version's, and the version goes on with an
    article added after it."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    new = old + "\n" + arts[19].split("\n")[0].replace("條", "條之一") + "\n" + arts[5].split("\n", 1)[1]
    typo = old[:-2] + old[-1]
    assert old.endswith("。") and typo.endswith("。") and len(typo) == len(old) - 1
    assert _apart(match(dedup_view(typo, frozenset()), dedup_view(new, frozenset()), NEAR))
    reps = _cluster([old, typo, new])
    assert reps[0] == reps[1] != reps[2]


def test_versions_differ_within_their_edges_and_reposts_only_at_them(realdata):
    name, arts = _law(realdata, "A0030055")
    lines = hashing_lines("\n".join([name, *arts[:6]]))
    header, footer = hashing_lines("臺北市政府法規查詢系統\n現行法規"), hashing_lines("最後更新：113年6月11日")
    other_header, other_footer = hashing_lines("行政院農業委員會全球資訊網"), hashing_lines("總機：(02)2381-2991")
    assert not differ_within(header + lines + footer, other_header + lines + other_footer)
    without_last = hashing_lines("\n".join([name, *arts[:5]]))  # the last article deleted: its heading differs
    assert differ_within(without_last + footer, lines + other_footer)
    rewritten = arts[2].split("\n")[0] + "\n" + arts[4].split("\n", 1)[1]  # an article's text rewritten
    changed = hashing_lines("\n".join([name, *arts[:2], rewritten, *arts[3:6]]))
    assert differ_within(header + lines, other_header + changed)
    # the last line rewritten, in the same closing edit as one re-post's contact block
    longer_last = [*lines[:-1], lines[-1] + "但執行已逾六月認無繼續執行之必要者得免其執行"]
    assert differ_within(lines + other_footer + footer, longer_last)
    assert not differ_within(lines + hashing_lines("最後更新：113年6月11日"), lines + footer)


def test_a_text_under_the_chrome_of_two_reposts_is_a_copy_of_both(realdata):
    """Two re-posts of a notice, each in its own site's chrome, hold too little of each other to be copies; but each
    is the text whole between lines of chrome, so the text is a copy of both and the three are one cluster."""
    name, arts = _law(realdata, "A0030055")
    text = "\n".join([name, *arts[:2]])
    one = "\n".join(
        [
            "行政院農業委員會全球資訊網",
            "首頁 > 法令規章 > 本會主管法規",
            text,
            "機關地址：10014臺北市中正區南海路37號",
            "總機：(02)2381-2991",
            "本網站最佳瀏覽解析度為1024x768",
            "更新日期：113-05-02 瀏覽人次：120453",
        ]
    )
    two = "\n".join(
        [
            "臺北市政府法規查詢系統",
            "現行法規 / 公告法規 / 法規沿革",
            text,
            "市府地址：11008臺北市信義區市府路1號",
            "市民熱線：1999（外縣市請撥02-27208889）",
            "本系統建議使用Chrome瀏覽器",
            "最後更新：113年6月11日",
        ]
    )
    assert match(dedup_view(text, frozenset()), dedup_view(one, frozenset()), NEAR) == COPY
    assert len(set(_cluster([one, two, text]))) == 1


def test_a_text_that_stops_mid_sentence_above_a_footer_is_a_copy_of_the_page(realdata):
    """A piece of a law that stops mid-sentence, posted with a site's footer: nothing of its text goes on past it,
    only chrome, so it is no copy cut short of the page (which joins one cluster only) but a copy. A text, its
    footer copy and its header-and-footer copy are one cluster; against the whole law, whose line goes on with
    the rest of the sentence, the piece is still cut short."""
    name, arts = _law(realdata, "A0030055", slice(0, 7))  # 行政程序法
    lines = arts[6].splitlines()
    assert lines[3].startswith("二、有多種同樣能達成目的之方法時，")
    text = "\n".join([name, *arts[:6], *lines[:3], "二、有多種同樣能達成目的之方法時，"])
    assert dedup_view(text, frozenset()).ends_open
    footer = ["機關地址：10014臺北市中正區南海路37號", "總機：(02)2381-2991", "更新日期：113-05-02 瀏覽人次：120453"]
    header = ["臺北市政府法規查詢系統", "現行法規 / 公告法規 / 法規沿革"]
    paged = "\n".join([text, *footer])
    framed = "\n".join([*header, text, *footer[:2], "最後更新：113年6月11日"])
    assert match(dedup_view(text, frozenset()), dedup_view(paged, frozenset()), NEAR) == COPY
    assert len(set(_cluster([paged, framed, text]))) == 1
    whole = "\n".join([name, *arts])
    assert isinstance(match(dedup_view(text, frozenset()), dedup_view(whole, frozenset()), NEAR), tuple)  # partial


def test_a_copy_cut_before_the_change_joins_the_version_copied_most(realdata):
    """A copy cut short before the article a later version changed is as much a copy of one version as of the
    other; it joins the version that was copied more often, even when the other, shorter, is more alike."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    k = next(k for k in range(18, 20) if "，" in arts[k].split("\n", 1)[1])
    head, body = arts[k].split("\n", 1)
    shorter = body.split("，", 1)[1]  # a clause struck out: the new version is the shorter one
    new = "\n".join([name, *arts[:k], head + "\n" + shorter, *arts[k + 1 : 20]])
    reposted = "\n".join(["轉載：" + name, *arts[:20], "（本文轉載自全國法規資料庫）"])
    opening = old[: int(len(old) * 0.6)]
    assert opening in new
    reps = _cluster([new, old, reposted, opening])
    assert reps[0] == 0 and reps[1] == reps[2] == reps[3] != 0


def test_a_number_losing_a_digit_is_a_new_version():
    def law(line: str) -> list[str]:
        return ["商業團體法", "第 8 條", line, "第 9 條", "本法自公布日施行"]

    assert substantively_different(law("欠繳會費滿十六個月經勸告而不履行者"), law("欠繳會費滿六個月經勸告而不履行者"))
    assert substantively_different(law("三年以下有期徒刑"), law("十三年以下有期徒刑"))
    assert substantively_different(law("按其金額百分之一計算"), law("按其金額二百分之一計算"))  # a rate amended
    assert not substantively_different(law("經主管機關許可合併者"), law("經主管機關許合併者"))  # a character lost
    # a numeral lost one character from another slip: the two are aligned as one stretch (會後四 -> 後)
    assert substantively_different(law("議事紀錄於會後四十五日內分送"), law("議事紀錄於後十五日內分送"))
    assert not substantively_different(law("議事紀錄於會後四十五日內分送"), law("議事紀錄於後四十五日內分送"))


def test_a_numeral_left_as_it_was_between_two_slips_is_no_number_changed():
    """傳輸一定 -> 傳員一生: two slips one character apart are aligned as one changed stretch that holds the 一
    on both sides; no number became another."""

    def law(line: str) -> list[str]:
        return ["藥事法", "第 8 條", hashing_view(line), "第 9 條", "本法自公布日施行"]

    line = "提供或傳輸一定條件之服務"
    assert not substantively_different(law(line), law("提供或傳員一生條件之服務"))
    assert substantively_different(law(line), law("提供或傳員二生條件之服務"))  # 一 -> 二 among the slips


@pytest.mark.parametrize(
    ("line", "typo", "amended"),
    [
        ("處新臺幣一百六十五萬元以下罰鍰", "處新臺幣一六十五萬元以下罰鍰", "處新臺幣二百六十五萬元以下罰鍰"),
        ("自民國一百零九年一月一日施行", "自民國一百零年一月一日施行", "自民國一百一十年一月一日施行"),
        ("依第10條規定辦理", "依第十10條規定辦理", "依第11條規定辦理"),
    ],
)
def test_a_slip_that_leaves_no_number_or_repeats_is_a_typo(line, typo, amended):
    """No one writes 一六十五, 一百零 or 十10: an amended amount is a number, a slip leaves none."""

    def law(text: str) -> list[str]:
        return ["商業團體法", "第 8 條", hashing_view(text), "第 9 條", "本法自公布日施行"]

    assert well_formed("一百六十五") and well_formed("一一三") and well_formed("3萬") and well_formed("二十萬")
    assert not substantively_different(law(line), law(typo))
    assert substantively_different(law(line), law(amended))


MOJ_NAVIGATION = (
    "全國法規資料庫\n:::\n網站地圖\n加入最愛\nENGLISH\nPDA\n首頁\n字級:\n小\n中\n大\n一般民眾版\n青少年版\n"
    ":::\n最新訊息\n法規類別\n法規檢索\n司法判解\n條約協定\n兩岸協議\n綜合查詢\n跨機關檢索\n訂閱電子報\n訂閱RSS\n"
    ":::\n現在位置：\n首頁\n> 法規類別 > 組改後法規類別"
)


def _chrome(*texts: str) -> frozenset[int]:
    return frozenset(k for t in texts for k in map(line_key, t.split("\n")) if k is not None)


def test_a_navigation_bar_of_short_lines_is_peeled(realdata):
    """A portal's thirty short navigation lines before a law: the page is the law's duplicate."""
    name, arts = _law(realdata, "A0030055")
    law = "\n".join([name, *arts[:2]])
    assert len(MOJ_NAVIGATION) > 0.3 * len(law)
    reps = _cluster([law, MOJ_NAVIGATION + "\n" + law], _chrome(MOJ_NAVIGATION))
    assert reps[0] == reps[1]
    assert _cluster([law, MOJ_NAVIGATION + "\n" + law]) == [0, 1]  # the bar counted as text, they are not alike


def test_boilerplate_is_peeled_from_the_edges_only(realdata):
    """Many laws end 第 N 條 / 本法自公布日施行 -- frequent lines, so boilerplate -- but an article, heading and
    text, stops the peel: a version that deleted its second-to-last article is not a copy of the one that has
    it, and a version that added one after the last is not the old one with a footer."""
    name, arts = _law(realdata, "A0030055")
    ending = ["第 40 條\n本法施行細則，由中央主管機關定之。", "第 41 條\n本法自公布日施行。"]
    old = "\n".join([name, *arts[:10], *ending])
    new = "\n".join([name, *arts[:10], ending[1]])
    chrome = _chrome(*ending, arts[1])  # a common article inside the text is boilerplate too
    assert stripped(old, chrome) is None  # the last article is the law's text, not chrome
    assert _cluster([old, new], chrome) == [0, 1]
    footer = "\n".join([old, "本網站由法務部維護"])
    assert stripped(footer, chrome | _chrome("本網站由法務部維護")) == old
    added = "\n".join([old, "第 42 條\n本法修正條文，自公布後六個月施行。"])
    assert _cluster([old, added], chrome) == [0, 1]
    # re-flowed, the last heading joined to the line before it: its text is still the law's, not a footer, and
    # the copy is no copy cut short of the version with one more article
    joined = old.replace("由中央主管機關定之。\n第 41 條", "由中央主管機關定之。 第 41 條")
    assert joined != old and stripped(joined, chrome) is None
    assert _cluster([old, joined, added], chrome) == [0, 0, 2]


def test_copies_under_a_letterhead_and_a_contact_block_are_found_at_low_jaccard(realdata):
    """A law re-posted between a letterhead and a contact block has a Jaccard near 0.6 with the bare law; the
    bands of fewer rows find every such pair (the 16 x 8 bands find one in three)."""
    codes = sorted(p.stem for p in (realdata / "moj_laws/split_ch_law").glob("A00300*.json"))[:8]
    texts = []
    for n, code in enumerate(codes):
        name, arts = _law(realdata, code, slice(0, 6))
        bare = "\n".join([name, *arts])[:500]
        head = f"經濟部令\n中華民國11{n}年{n + 1}月{n + 3}日\n經法字第11{n}0{n}4520{n}號"
        foot = f"承辦單位：法制處第{n + 1}科\n聯絡電話：02-2321-200{n}\n傳真：02-2391-{n}{n}00\n"
        foot += f"地址：臺北市福州街{n + 1}號"
        texts += [bare, head + "\n" + bare + "\n" + foot + "\n" + foot.replace("：", "（總機）：", 1)]
    reps = _cluster(texts)
    assert reps == [2 * (i // 2) + 1 for i in range(len(texts))]


def test_a_template_filled_in_for_another_body_is_not_a_copy(realdata):
    """One organisation act made from another's: the same word replaced alike in several places."""
    name, arts = _law(realdata, "A0030055")
    law = "\n".join([name, *arts[:12]])
    assert law.count("人民") >= 2
    assert substantively_different(hashing_lines(law), hashing_lines(law.replace("人民", "民眾")))
    # one place only: a slip, as a copy has
    assert not substantively_different(hashing_lines(law), hashing_lines(law.replace("人民", "民眾", 1)))


def test_mainland_phrasing_is_the_same_text():
    def notice(word: str) -> list[str]:
        text = f"資訊公開公告\n第 1 條\n本部{word}系統將於下週維護\n第 2 條\n請各機關配合辦理{word}安全稽核"
        return hashing_lines(text)

    assert not substantively_different(notice("資訊"), notice("信息"))


def test_a_changed_sentence_that_the_law_repeats_elsewhere_is_a_change():
    """Laws repeat sentences; the unchanged repetition must not make the changed one look moved."""
    rule = "處新臺幣二萬元以上十萬元以下罰鍰"
    base = ["罰則", "第 1 條", rule, "第 2 條", "違反前條規定者亦同", "第 3 條", rule]
    amended = [*base[:-1], rule.replace("十萬", "二十萬")]
    assert substantively_different(hashing_lines("\n".join(base)), hashing_lines("\n".join(amended)))


def test_a_version_without_its_last_article_is_not_a_truncated_copy(realdata):
    name, arts = _law(realdata, "A0030055")
    whole = "\n".join([name, *arts[:14]])
    shorter = "\n".join([name, *arts[:13]])
    cut = whole[: len(whole) - len(arts[13]) // 2]  # cut inside the last article: a truncated copy
    reps = _cluster([whole, shorter, cut])
    assert reps[0] == reps[2] != reps[1]


def test_a_copy_cut_mid_sentence_or_at_a_cross_reference_is_still_a_copy(realdata):
    """Only a cut at a line's end, with its sentence complete and an article heading next, reads as a version
    without the rest; a cut that drops the last 。 or stops right before a 第四條 inside a line is a copy cut short."""
    name, arts = _law(realdata, "A0010016")  # 中央研究院組織法: its 第 10 條 refers to 第四條
    whole = "\n".join([name, *arts[:14]])
    before_last = "\n".join([name, *arts[:13]])
    no_stop = before_last.rstrip("。")  # the last sentence lost its full stop
    k = next(k for k in range(8, 13) if re.search(r"第[一二三四五六七八九十]+條", arts[k].split("\n", 1)[1]))
    ref = re.search(r"第[一二三四五六七八九十]+條", arts[k].split("\n", 1)[1])
    at_reference = whole[: whole.index(arts[k]) + len(arts[k].split("\n", 1)[0]) + 1 + ref.start()]
    assert _cluster([whole, before_last]) == [0, 1]  # a version without its last article
    assert _cluster([whole, no_stop]) == [0, 0]  # (its view is before_last's: judged as one, they stay one)
    assert _cluster([whole, at_reference]) == [0, 0]


def test_a_version_without_its_first_article_is_not_an_excerpt(realdata):
    name, arts = _law(realdata, "A0030055")
    chrome = _chrome(name)  # a title many documents share (民法（第97部分）) is peeled like chrome
    old = "\n".join([name, *arts[:14]])
    new = "\n".join([name, *arts[1:14]])
    assert _cluster([old, new], chrome) == [0, 1]


# Line views of a real page (two laws' articles, each with a 第 8 條) and of a re-wrapped copy of it, from the
# dedup benchmark: difflib paired the wrong 第 8 條 when the page came second.
PAGE_LINES = [
    "第8条",
    "身心障碍者参加全民健康保险公务人员保险私立学校教职员保险军人保险或退休人员保险保险费之补助由保险人按月开具保险费计算表及缴款单于当月底前送请应补助保险费之各级政府拨付应补助保险费之各级政府应于次月五日前拨付保险人",
    "身心障碍者参加前项以外之社会保险保险费之补助由保险人按月开具保险费计算表或统计表及缴款单于次月底前送请应补助保险费之各级政府拨付各级政府应于再次月底前拨付保险人",
    "应补助之保险费经保险人查明有差额时应于核计下次保险费时一并结算",
    "应补助保险费之政府逾期未拨付保险费补助费保险人得自次月份起停止办理前条第一项之作业并向身心障碍者收缴保险费俟各该政府将未拨付之保险费缴清后自次月份起恢复办理",
    "保险人停止办理前条第一项作业之期间补助身心障碍者保险费之作业由直辖市县市政府或乡镇市区公所办理",
    "第8条",
    "一等审计处置处长一人由审计官兼任职位列第十至第十三职等副处长一人由审计兼任职位列第十或第十一职等审计十八人至三十人稽察六人至十人职位均列第六至第九职等其中审计六人至十人稽察二人至四人得列第十职等科长三人至五人覆审室主任一人由审计或稽察兼任之审计员及稽察员二十二人至三十八人职位均列第三至第五职等其中八人至十二人得列第六或第七职等主任秘书一人职位列第十职等总务科科长一人秘书一人专员一人职位均列第六至第九职等科员四人至八人职位列第三至第五职等其中一人至三人得列第六或第七职等办事员五人至七人职位列第一至第四职等",
    "第17条",
    "少年服务机构应置左列人员其员额至少三人",
    "一主任可由社会工作员兼任",
    "二社会工作员",
    "三行政佐理人员",
    "四其他必要人员",
    "第13条",
    "受补助单位应于补助核定后执行前将计划名称执行时间及地点以公开方式周知所属会员及计划之受益人",
]
REWRAPPED_LINES = [
    "第8条身心障碍者参加全民健康保险公务人员保险私立学校教职员保险军人保险或退",
    "休人员保险保险费之补助由保险人按月开具保险费计算表及缴款单于当月底前送请应补助保",
    "险费之各级政府拨付应补助保险费之各级政府应于次月五日前拨付保险人",
    "身心障碍者参加前项以外之社会保险保险费之补助由保险人按月开具保险费计算表或统计表及",
    "缴款单于次月底前送请应补助保险费之各级政府拨付各级政府应于再次月底前拨付保险人",
    "应补助之保险费经保险人查明有差额时应于核计下次保险费时一并结算",
    "应补助保险费之政府逾期未拨付保险费补助费保险人得自次月份起停止办理前条第一项之作业",
    "并向身心障碍者收缴保险费俟各该政府将未拨付之保险费缴清后自次月份起恢复办理",
    "保险人停止办理前条第一项作业之期间补助身心障碍者保险费之作业由直辖市县市政",
    "府或乡镇市区公所办理",
    "第8条",
    "一等审计处置处长一人由审计官兼任职位列第十至第十三职等副处长一人由审计兼任",
    "职位列第十或第十一职等审计十八人至三十人稽察六人至十人职位均列第六至第九职等",
    "其中审计六人至十人稽察二人至四人得列第十职等科长三人至五人覆审室主任一人由审",
    "计或稽察兼任之审计员及稽察员二十二人至三十八人职位均列第三至第五职等其中八人至",
    "十二人得列第六或第七职等主任秘书一人职位列第十职等总务科科长一人秘书一人",
    "专员一人职位均列第六至第九职等科员四人至八人职位列第三至第五职等其中一人至三",
    "人得列第六或第七职等办事员五人至七人职位列第一至第四职等",
    "第17条",
    "少年服务机构应置左列人员其员额至少三人一主任可由社会工作员兼任二",
    "社会工作员",
    "三行政佐理人员四其他必要人员",
    "第13条",
    "受补助单位应于补助核定后执行前将计划名称执行时间及地点以公开方式周知所属会员及计",
    "画之受益人",
]


def test_verdicts_are_the_same_either_way_round():
    """Where a heading repeats, a line alignment may pair it wrongly one way round; a copy is a copy both ways."""
    page, copy = View("".join(PAGE_LINES), None, PAGE_LINES), View("".join(REWRAPPED_LINES), None, REWRAPPED_LINES)
    assert match(page, copy, NEAR) == match(copy, page, NEAR) == COPY


def test_a_short_notice_with_a_few_typos_is_a_copy_below_the_jaccard_threshold():
    notice = (
        "臺南市政府公告\n本府訂於本年七月辦理市民活動中心整修工程，施工期間暫停開放借用，"
        "造成不便敬請見諒。如有疑問，請洽本府民政局承辦人員，或於上班時間至服務台詢問。"
    )
    typos = notice.replace("整修", "整條").replace("見諒", "見涼").replace("承辦", "成辦")  # 3 in 84 characters
    rewritten = notice.replace("如有疑問，請洽本府民政局承辦人員，", "活動中心將於工程完竣後另行公告恢復開放日期，")
    views = [hashing_view(t) for t in (notice, typos)]
    sa, sb = (set(shingle_set(v, 5).tolist()) for v in views)
    assert len(sa & sb) / len(sa | sb) < 0.8
    texts = {0: notice, 1: typos, 2: rewritten}
    assert verify_pairs([(0, 1), (0, 2)], texts, frozenset(), NEAR) == [COPY, None]


def test_a_pair_that_verified_copies_already_join_is_not_compared():
    """Two copies of one notice (a typo each) are each a copy of it: that they are copies of each other follows,
    so their pair is JOINED, not compared; a pair that only a different document could join is compared."""
    notice = (
        "臺南市政府公告\n本府訂於本年七月辦理市民活動中心整修工程，施工期間暫停開放借用，"
        "造成不便敬請見諒。如有疑問，請洽本府民政局承辦人員，或於上班時間至服務台詢問。"
    )
    first, second = notice.replace("整修", "整條"), notice.replace("見諒", "見涼")
    rewritten = notice.replace("如有疑問，請洽本府民政局承辦人員，", "活動中心將於工程完竣後另行公告恢復開放日期，")
    texts = {0: notice, 1: first, 2: second, 3: rewritten}
    assert verify_pairs([(0, 1), (1, 2)], texts, frozenset(), NEAR) == [COPY, COPY]  # compared: not joined yet
    assert verify_pairs([(0, 1), (0, 2), (1, 2)], texts, frozenset(), NEAR) == [COPY, COPY, JOINED]
    assert verify_pairs([(0, 3), (1, 3), (0, 1), (1, 3)], texts, frozenset(), NEAR) == [None, None, COPY, None]


def test_titles_agree_across_a_slip_or_mainland_phrasing_but_not_another_name():
    def view(title: str) -> View:
        return View(title, title, [title])

    assert titles_agree(view("总统出席匠人魂影片释出记者会"), view("总统出席匠人魂影片发布记者会"))
    assert titles_agree(view("交通部基隆港务局苏澳港分局组织条例"), view("交通部基隆港务苏澳港分局组织条例"))
    assert not titles_agree(view("科技部新竹科学园区管理局组织法"), view("科技部中部科学园区管理局组织法"))
    assert not titles_agree(view("中华民国一一二年度中央政府总预算"), view("中华民国一一三年度中央政府总预算"))


def test_line_views_join_to_the_view_and_a_rewrapped_copy_still_verifies(realdata):
    for path in sorted((realdata / "moj_laws/split_ch_law").glob("*.json"))[:200]:
        law = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join([law["LawName"], *(a["ArticleContent"] for a in law["LawArticles"])])
        assert "".join(hashing_lines(text)) == hashing_view(text), path.name
    # The real 預算法 wraps 計畫 across a line break (投資計\r\n畫): line by line, 計 and 畫 would convert apart
    # (计 / 画) and a re-wrapped copy would read 计划 where the original reads 计画, three times over.
    law = json.loads((realdata / "moj_laws/split_ch_law/A0020062.json").read_text(encoding="utf-8"))
    text = "\n".join([law["LawName"], *(a["ArticleContent"] for a in law["LawArticles"][:40])])
    assert "計\r\n畫" in text
    flat = re.sub(r"\s", "", text)
    rewrapped = "\n".join(flat[i : i + 37] for i in range(0, len(flat), 37))
    assert "".join(hashing_lines(rewrapped)) == "".join(hashing_lines(text))
    assert match(dedup_view(text, frozenset()), dedup_view(rewrapped, frozenset()), NEAR) == COPY


def test_stored_line_views_stand_in_for_the_text_s_own(realdata):
    """Verification takes the line views extraction stored; they must be the views it would make, and views
    that do not pair up with the text's lines (a text edited since) are made again."""
    name, arts = _law(realdata, "A0030055")
    text = "\n".join(["首頁 > 法令規章", name, *arts[:12], "", "更新日期：113-06-01"])
    chrome = frozenset(k for k in (line_key("首頁 > 法令規章"), line_key("更新日期：113-06-01")) if k is not None)
    _, every_line = views_of(text)
    stored = "\n".join(nonempty(text, every_line))
    assert view_of(Stored(text, stored), chrome) == dedup_view(text, chrome)
    assert view_of(Stored(text, stored), chrome).text != dedup_view(text, frozenset()).text  # chrome peeled
    assert view_of(Stored(text, "a\nb"), chrome) == dedup_view(text, chrome)
    assert stripped_view(text, chrome, stored) == hashing_view(stripped(text, chrome) or "")


def _overlapping_pieces(realdata) -> list[str]:
    """Overlapping pieces of one law, each with a copy under a footer and a copy cut short."""
    name, arts = _law(realdata, "A0030055")
    texts = []
    for k in range(6):
        whole = "\n".join([name, *arts[k * 4 : k * 4 + 12]])
        texts += [whole, whole + "\n承辦人：法制處", whole[: int(len(whole) * 0.7)]]
    return texts


def test_verification_in_small_batches_decides_alike(realdata, monkeypatch):
    texts = _overlapping_pieces(realdata)
    expected = _cluster(texts)
    assert len(set(expected)) < len(texts)
    monkeypatch.setattr("pipeline.dedup.cluster.VIEW_BATCH", 2)
    assert _cluster(texts) == expected


def test_verification_in_worker_processes_decides_alike(realdata, monkeypatch):
    texts = _overlapping_pieces(realdata)
    expected = _cluster(texts)
    monkeypatch.setattr("pipeline.dedup.cluster.PARALLEL_PAIRS", 1)
    monkeypatch.setattr("pipeline.dedup.cluster.VIEW_BATCH", 3)  # many batches, back in any order
    assert _cluster(texts, workers=2) == expected


def test_a_real_double_post_re_flowed_under_other_chrome_is_one_document(realdata):
    """Tainan City posted one press release twice: once under a 發稿單位 / 發稿日期 header in paragraphs, once as
    one long line with the press contacts run on at its end."""
    folder = realdata / "external/tainan_news_2024_06"
    texts = []
    for name in ("2024-06-01_8641007", "2024-06-01_8641069"):
        item = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        texts.append(item["content"])  # as configs/realdata-external.yaml reads it
    assert texts[0].count("\n") > 5 > texts[1].count("\n")
    reps = _cluster(texts)
    assert reps[0] == reps[1]


def test_the_numbered_titles_of_one_law_are_no_chrome():
    """The parts of one law (X（第16部分）, X（第17部分）) are frequent first lines only with their numbers read
    alike; a title is peeled, the organisation act made from another agency's template, with one word
    renamed, would be that act's copy. Dates and counters of one template still read alike."""
    from pipeline.dedup.boilerplate import frequent

    article = (
        "第 56 條\n{who}在職亡故後，其遺族月撫卹金之給與月數規定如下：\n"
        "一、依第五十三條第二項第一款規定撫卹者，給與二百四十個月之月撫卹金。\n"
        "二、依第五十三條第二項第二款規定撫卹者，給與一百八十個月之月撫卹金。\n"
        "三、病故或意外死亡者，給與一百二十個月之月撫卹金。\n"
        "前項領受人屬未成年子女者，於前項所定給卹期限屆滿時尚未成年者，得繼續給卹至成年為止。"
    )
    school = "公立學校教職員退休資遣撫卹條例（第{k}部分）"
    titles = [line_key(school.format(k=k)) for k in range(10, 40)]
    chrome = frozenset(frequent(np.asarray(titles, dtype=np.uint64), 2).tolist())
    assert not chrome  # thirty titles, none of them twice
    assert line_key("更新日期：113-06-01") == line_key("更新日期：112-01-25")
    assert line_key("瀏覽人次：10,234") == line_key("瀏覽人次：99,871")
    civil = "公務人員退休資遣撫卹法（第16部分）\n" + article.format(who="公務人員")
    teachers = school.format(k=16) + "\n" + article.format(who="教職員")
    assert _cluster([civil, teachers], chrome) == [0, 1]


def test_a_copy_cut_inside_the_next_article_heading_is_no_copy_of_a_version_without_it(realdata):
    """A copy cut right after the 第 of the next article's heading goes on with an article that a version
    which deleted it lacks: it joins the version it was cut from, and the two versions stay apart."""
    name, arts = _law(realdata, "A0030055")
    whole = "\n".join([name, *arts[:12]])
    without = "\n".join([name, *arts[:11]])
    cut = without + "\n第"
    assert substantively_different(hashing_lines(without), hashing_lines(cut))
    reps = _cluster([whole, without, cut])
    assert reps[0] == reps[2] != reps[1]


def test_an_article_deleted_to_a_short_mark_is_a_change_even_where_a_copy_moved_it(realdata):
    """A later version replaces an article's text with （刪除）: two characters, yet the article's whole text.
    Against a copy of the old version with its articles in another order, the heading is a move and the old
    text lines at the end like a partial copy's tail; the mark alone tells the versions apart."""
    name, arts = _law(realdata, "A0030055")
    old = [name, *arts[:3]]
    head = arts[1].split("\n", 1)[0]
    amended = "\n".join([name, arts[0], head + "\n（刪除）", arts[2]])
    reordered = "\n".join([name, arts[0], arts[2], arts[1]])
    assert substantively_different(hashing_lines(amended), hashing_lines(reordered), partial=True)
    assert substantively_different(hashing_lines(amended), hashing_lines("\n".join(old)))


def test_a_law_name_that_opens_many_pages_is_no_chrome(realdata):
    """One page per article, each under the law's name: the name is a frequent first line, yet it is what tells
    the same article of two organisation acts made from one template apart. A path of navigation that ends in a
    kind of law (首頁 > 法令規章 > 行政規則) is still chrome."""
    article = (
        "第 5 條\n本署置署長一人，職務列簡任第十三職等；副署長二人，職務列簡任第十二職等；主任秘書一人，"
        "職務列簡任第十一職等。\n本署各職稱之官等職等及員額，另以編制表定之。"
    )
    names = ["財政部國庫署組織法", "財政部賦稅署組織法"]
    path = "首頁 > 法令規章 > 行政規則"
    chrome = _chrome(*names, path, "法規名稱：" + names[0], "法規名稱：" + names[1])
    pages = [f"{path}\n法規名稱：{name}\n{article}" for name in names]
    assert _cluster(pages, chrome) == [0, 1]
    from pipeline.dedup.boilerplate import names_law

    assert names_law("法規名稱：財政部國庫署組織法") and names_law("公立學校教職員退休資遣撫卹條例（第16部分）")
    assert not names_law(path) and not names_law("行政規則") and not names_law("全國法規資料庫")
    assert stripped(f"{path}\n{article}", chrome) == article


def test_a_notice_issued_again_under_a_new_reference_number_is_a_duplicate(realdata, tmp_path):
    """The Public Construction Commission published one technician's licence notice twice, a year apart: the
    same body under a new date and a new reference number (工程技字第09800268501號 / 第09900264311號). Those header
    lines are the office's chrome -- every notice has one, alike once their digits are read alike -- so the
    second is a duplicate of the first, as a whole run over the gazette finds."""
    import pyarrow.parquet as pq
    import yaml

    from pipeline.config import load_config
    from pipeline.dedup.boilerplate import line_key
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish

    assert line_key("工程技字第09800268501號") == line_key("工程技字第09900264311號")
    part = "公立學校教職員退休資遣撫卹條例（第{}部分）"
    assert line_key(part.format(16)) != line_key(part.format(17))
    source = {"kind": "local", "paths": [str(realdata / "text_datasets/ey_gazette_xml/*.xml")], "format": "xml"}
    source |= {"record_tag": "Record", "text_field": "HTMLContent", "html_fields": ["HTMLContent"]}
    source |= {"id_field": "MetaId"}
    source["dataset"] = {"id": "ey-gazette", "license": "政府資料開放授權條款-第1版"}
    body = {"data_dir": str(tmp_path / "data"), "output_dir": str(tmp_path / "corpus"), "sources": [source]}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    cfg = load_config(tmp_path / "c.yaml")
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    publish(cfg, ctx, staged)
    rows = [
        row
        for folder in ("data", "rejected")
        for row in pq.read_table(tmp_path / "corpus" / folder, columns=["id", "text", "dup_cluster"]).to_pylist()
    ]
    notices = [r for r in rows if r["text"] and "核准林成功換發技師執業執照" in r["text"]]
    assert len(notices) == 2 and "09800268501" in "".join(r["text"] for r in notices)
    assert notices[0]["dup_cluster"] == notices[1]["dup_cluster"] is not None


def test_edge_keys_read_a_document_s_lines_as_each_alone(realdata):
    """Edge-line keys read the digits of all lines in one pass; a line's key is what it is alone, whatever lines
    surround it (an ordinal at a line's end, a long reference number, a date)."""
    from pipeline.dedup.boilerplate import _keys, edge_keys

    gazette = (realdata / "text_datasets/ey_gazette_xml").glob("*.xml")
    texts = [path.read_text(encoding="utf-8", errors="replace")[:20000] for path in sorted(gazette)[:3]]
    texts.append("公告\n工程技字第09900264311號\n第16部分\n第\n12\n更新日期：113-06-01")
    for text in texts:
        views = [v for v in line_views(text) if v]
        assert _keys(views) == [_keys([view])[0] for view in views]
        assert edge_keys(views) == sorted({k for k in (_keys([v])[0] for v in views[:32] + views[-32:]) if k})


def test_one_article_number_miscopied_in_its_heading_is_a_slip_a_changed_reference_is_not(realdata):
    """A copy that got one article's heading wrong (第 13 條 as 第 1 條) with the article's text the same is a
    copy: a version renumbers by inserting or deleting articles, and shows it. Two headings changed, or a
    number changed in the text (違反第十條 -> 第十九條), stays a difference."""
    name, arts = _law(realdata, "A0030055", slice(0, 20))  # 行政程序法
    whole = "\n".join([name, *arts])
    assert "\n第 13 條\n" in whole and "\n第 14 條\n" in whole

    def verdict(other: str) -> object:
        return match(dedup_view(whole, frozenset()), dedup_view(other, frozenset()), NEAR)

    assert verdict(whole.replace("\n第 13 條\n", "\n第 1 條\n")) == COPY
    assert verdict(whole.replace("\n第 13 條\n", "\n第 113 條\n")) == COPY
    assert verdict(whole.replace("\n第 13 條\n", "\n第 1 條\n").replace("\n第 14 條\n", "\n第 4 條\n")) != COPY
    body = whole.index("\n第 13 條\n") + len("\n第 13 條\n")
    assert verdict(whole[:body] + "第十條之規定" + whole[body:]) != COPY
    referenced = whole.replace("第 13 條\n", "第 13 條\n依第十條規定，", 1)
    assert verdict(referenced.replace("依第十條規定", "依第十九條規定")) != COPY


def test_the_end_of_a_sentence_wrapped_onto_its_own_line_is_no_chrome(realdata):
    """Real laws wrap a sentence's last character or two onto a line of their own (…於會議時派員列 / 席。): 448
    articles of the laws end so, and such a line is frequent at the ends of documents. Peeled as chrome, a
    version without the law's last article would seem a copy cut short mid-sentence, and join the longer one."""
    name, arts = _law(realdata, "A0010014")  # 戰略顧問委員會組織條例, article 5 ends 派員列\r\n席。
    assert arts[4].rstrip().endswith("列\r\n席。") and len(arts) > 5
    shorter, longer = "\n".join([name, *arts[:5]]), "\n".join([name, *arts[:6]])
    chrome = frozenset(k for k in (line_key("席。"),) if k is not None)
    assert stripped(shorter, chrome) is None
    assert not dedup_view(shorter, chrome).ends_open
    assert _apart(match(dedup_view(shorter, chrome), dedup_view(longer, chrome), NEAR))
    footer = frozenset(k for k in (line_key("更新日期：113-06-01"),) if k is not None)
    assert stripped(shorter + "\n更新日期：113-06-01", footer) == shorter  # chrome still is


def test_a_closing_sentence_peeled_as_chrome_does_not_hide_the_article_after_it(realdata):
    """56 articles of the real laws end with the paragraph 前項之未遂犯罰之。, so in a corpus of law pieces it edges
    many documents and is peeled as boilerplate. A version that adds an article after it must not then read as
    the old one cut exactly at a sentence -- a partial copy of the new one. A copy cut short still is one."""
    name, arts = _law(realdata, "A0030057", slice(80, 97))  # 政府採購法, article 96 (index 95) ends so
    assert arts[-2].rstrip().endswith("\n前項之未遂犯罰之。")
    old, new = "\n".join([name, *arts[:-1]]), "\n".join([name, *arts])
    chrome = frozenset(k for k in (line_key("前項之未遂犯罰之。"),) if k is not None)
    assert stripped(old, chrome) is not None  # peeled from the old version's end
    assert _apart(match(dedup_view(old, chrome), dedup_view(new, chrome), NEAR))
    assert _cluster([old, new], chrome) == [0, 1]
    cut = new[: int(len(new) * 0.9)]
    assert isinstance(match(dedup_view(cut, chrome), dedup_view(new, chrome), NEAR), tuple)


def test_a_heading_with_its_first_character_slipped_is_still_a_heading(realdata):
    """A typo copy of a law whose last article's heading lost its 第 (時 46 條) still has that article: the
    version without it is no partial copy of the typo copy, so it does not join the law's cluster through it."""
    name, arts = _law(realdata, "A0030057", slice(30, 40))  # 政府採購法
    new, old = "\n".join([name, *arts]), "\n".join([name, *arts[:-1]])
    heading = arts[-1].split("\n", 1)[0]
    assert heading.startswith("第 ") and heading.endswith(" 條")
    typo = new.replace("\n" + heading + "\n", "\n時" + heading[1:] + "\n")
    assert is_article("时40条") and is_article("40条") and not is_article("本法自公布日施行")
    assert _apart(match(dedup_view(old, frozenset()), dedup_view(typo, frozenset()), NEAR))
    reps = _cluster([new, typo, old])
    assert reps[0] == reps[1] != reps[2]


def test_a_heading_joined_to_its_line_elsewhere_does_not_hide_the_article_a_version_adds(realdata):
    """Two laws on one page both have a 第 3 條. A re-flowed copy of the later version joins the first 第 3 條 to
    its text, so the second one seemed moved from where the first stands: the version without the second law's
    article 3 then read as a copy cut short of the re-flowed one, joining the two versions through it."""
    name, first = _law(realdata, "A0030057", slice(0, 5))  # 政府採購法
    _, second = _law(realdata, "A0030055", slice(0, 3))  # 行政程序法
    assert first[2].startswith("第 3 條\n") and second[2].startswith("第 3 條\n")
    old, new = "\n".join([name, *first, *second[:2]]), "\n".join([name, *first, *second])
    joined = new.replace("第 3 條\n", "第 3 條", 1)  # the first law's heading run into its text
    assert substantively_different(hashing_lines(old), hashing_lines(joined), partial=True)
    assert _apart(match(dedup_view(old, frozenset()), dedup_view(joined, frozenset()), NEAR))
    reps = _cluster([new, joined, old])
    assert reps[0] == reps[1] != reps[2]


def test_a_number_changed_among_slips_that_break_words_is_a_noisy_copy_and_joins_its_original_only(realdata):
    """A typo copy whose slips also hit a number (第一項 -> 第二項) is told from a version by its other slips: they
    break words (效能 -> 效, 信用 -> 信月), where an amendment puts words for words (原則 -> 原理, 提高 -> 提升). The
    noisy copy joins the cluster it differs from by the fewest numbers; the version stays apart."""
    name, arts = _law(realdata, "A0030055", slice(0, 12))  # 行政程序法
    base = "\n".join([name, *arts])
    for old in ("依前條第一項", "提高行政效能", "誠實信用", "依法行政之原則", "前二項公告"):
        assert base.count(old) == 1, old
    slips = base.replace("提高行政效能", "提高行政效").replace("誠實信用", "誠實信月")
    noisy = slips.replace("依前條第一項", "依前條第二項")
    amended = (
        base.replace("前二項公告", "前三項公告").replace("依法行政之原則", "依法行政之原理").replace("提高", "提升")
    )
    lines = {key: hashing_lines(text) for key, text in (("base", base), ("noisy", noisy), ("amended", amended))}
    assert difference(lines["base"], lines["noisy"]).kind == Difference.NOISY
    assert difference(lines["base"], lines["amended"]).kind == Difference.DIFFERENT
    # without the word-breaking slips, the number changed is a version's
    one_number = base.replace("依前條第一項", "依前條第二項")
    assert difference(lines["base"], hashing_lines(one_number)).kind == Difference.DIFFERENT
    # nor is a sentence rewritten that holds a number one slip more, among slips that break words
    rewritten = slips.replace("依前條第一項定土地管轄權者", "依第十五條規定辦理者")
    assert rewritten != slips and difference(lines["base"], hashing_lines(rewritten)).kind == Difference.DIFFERENT
    view = {key: dedup_view(text, frozenset()) for key, text in (("base", base), ("noisy", noisy))}
    assert isinstance(match(view["base"], view["noisy"], NEAR), Noisy)
    assert match(view["base"], dedup_view(amended, frozenset()), NEAR) == NUMBERS  # and rewordings
    reps = _cluster([base, amended, noisy])
    assert reps[2] == reps[0] != reps[1]
    # a noisy copy alike two versions joins one of them only, never both
    reps = _cluster([base, one_number, noisy.replace("依前條第二項", "依前條第三項")])
    assert reps[0] != reps[1] and reps[2] in (reps[0], reps[1])


def test_a_letter_in_a_digits_place_joins_one_version_only(realdata):
    """A version gives five days more (得於五日內 -> 得於十五日內). A typo copy of the old one has a letter
    slipped in before the 五 (得於性五日內): a copy of the old one, and as near the new one, whose 十 it reads as a
    typo. It joins the old one only; with no other version about, it joins the new one."""
    name, arts = _law(realdata, "A0030055", slice(20, 40))  # 行政程序法
    old = "\n".join([name, *arts])
    assert old.count("得於五日內") == 1
    new, typo = old.replace("得於五日內", "得於十五日內"), old.replace("得於五日內", "得於性五日內")
    view = {key: dedup_view(text, frozenset()) for key, text in (("old", old), ("new", new), ("typo", typo))}
    assert match(view["old"], view["new"], NEAR) == NUMBERS  # versions by their numbers alone
    assert match(view["old"], view["typo"], NEAR) == COPY
    assert match(view["new"], view["typo"], NEAR) == Slipped(letter=1, digit=0)
    assert match(view["typo"], view["new"], NEAR) == Slipped(letter=0, digit=1)
    for order in ([0, 1, 2], [1, 2, 0], [2, 1, 0]):
        texts = [(old, new, typo)[i] for i in order]
        reps = dict(zip(order, _cluster(texts), strict=True))
        assert reps[0] == reps[2] != reps[1], order
    assert len(set(_cluster([new, typo]))) == 1


def test_a_letter_in_a_digits_place_in_an_article_moved_still_joins_its_original(realdata):
    """The typo copy's 第四性三條 stands in an article another copy moved: between the two copies the line is
    found moved with its slip, so the two are what the typo copy and the original are. The copy joins its
    original, and the moved copy with it."""
    name, arts = _law(realdata, "A0030055", slice(30, 40))  # 行政程序法
    assert arts[6].startswith("第 37 條") and arts[6].count("第四十三條") == 1
    base = "\n".join([name, *arts])
    moved = "\n".join([name, *arts[:6], arts[7], arts[6], *arts[8:]])
    typo = base.replace("第四十三條", "第四性三條")
    view = {key: dedup_view(text, frozenset()) for key, text in (("base", base), ("moved", moved), ("typo", typo))}
    assert match(view["base"], view["typo"], NEAR) == Slipped(letter=1, digit=0)
    assert match(view["moved"], view["typo"], NEAR) == Slipped(letter=1, digit=0)
    assert len(set(_cluster([base, moved, typo]))) == 1
    # the slip the other way round: a digit for the 第 before a number (第四十三條 -> 三四十三條)
    digit = base.replace("第四十三條", "三四十三條")
    assert match(view["base"], dedup_view(digit, frozenset()), NEAR) == Slipped(letter=0, digit=1)
    assert match(view["moved"], dedup_view(digit, frozenset()), NEAR) == Slipped(letter=0, digit=1)
    assert len(set(_cluster([base, moved, digit]))) == 1


def test_a_copy_with_more_numbers_changed_than_typos_hit_is_a_version_however_many_slips(realdata):
    """Typos are few: beyond MAX_SUSPECTS numbers changed, a document is another version, whatever slips that
    break words it also has (and the alignment stops there rather than reading the rest)."""
    name, arts = _law(realdata, "A0030055", slice(0, 12))  # 行政程序法
    base = "\n".join([name, *arts])
    slips = [("提高行政效能", "提高行政效"), ("誠實信用", "誠實信月"), ("民主之程序", "民之程序")]
    slips += [("行使裁量權", "行使裁權"), ("確保依法行政", "確保依法政")]
    numbers = [("依前條第一項", "依前條第二項"), ("前二項公告", "前三項公告"), ("二、司法機關", "五、司法機關")]
    numbers += [("三、監察機關", "六、監察機關")]
    noisy = base
    for old, new in slips + numbers[:MAX_SUSPECTS]:
        assert base.count(old) == 1, old
        noisy = noisy.replace(old, new)
    assert difference(hashing_lines(base), hashing_lines(noisy)).kind == Difference.NOISY
    many = noisy.replace(*numbers[MAX_SUSPECTS])
    assert many != noisy and difference(hashing_lines(base), hashing_lines(many)).kind == Difference.DIFFERENT


def test_a_version_that_extends_its_last_sentence_is_no_copy_of_the_old_one_gone_on(realdata):
    """The old version ends …參加行政程序之人。; the new one goes on with the same sentence. The views leave out the
    full stop, so the old one's view is the new one's cut short, and a copy of the old one with two articles
    swapped is a partial copy of the new one: the old one ends a sentence where the new one's goes on. A copy
    cut right after a full stop still is a copy."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    assert old.endswith("參加行政程序之人。")
    new = old[:-1] + "，但經中央主管機關核定者，不在此限。"
    swapped = "\n".join([name, arts[1], arts[0], *arts[2:20]])
    assert _apart(match(dedup_view(old, frozenset()), dedup_view(new, frozenset()), NEAR))
    reps = _cluster([old, swapped, new])
    assert reps[0] == reps[1] != reps[2]
    cut = old[: old.rindex("。", 0, len(old) - 1) + 1]
    assert len(set(_cluster([old, cut]))) == 1


def test_a_version_ending_on_a_chapter_heading_is_no_cut_copy_of_one_that_joined_the_next_heading_to_it(realdata):
    """農業發展條例 第 61-64 條: a version that deleted 第 64 條 ends on the chapter heading above it (第 六 章
    農業研究及推廣), open, as a copy cut short does. Against a re-flowed copy of the law that joined 第 64 條 to that
    line, it stopped mid-line and read as a cut copy of it; the longer one's line goes on with an article's
    heading there, so it is the article the shorter one lacks -- a version, as against the law itself."""
    law = json.loads((realdata / "moj_laws/split_ch_law/M0020001.json").read_text(encoding="utf-8"))
    parts = law["LawArticles"][71:76]
    assert [p["ArticleNo"] for p in parts if p["ArticleType"] == "A"] == [
        "第 61 條",
        "第 62 條",
        "第 63 條",
        "第 64 條",
    ]
    lines = [law["LawName"]]
    for part in parts:
        lines += [part["ArticleNo"], part["ArticleContent"]] if part["ArticleType"] == "A" else [part["ArticleContent"]]
    whole = "\n".join(lines).replace("\r\n", "\n")
    chapter = parts[3]["ArticleContent"]
    amended = whole[: whole.index(chapter) + len(chapter)]  # 第 64 條 deleted: the chapter heading ends it
    reflowed = whole.replace(chapter + "\n第 64 條\n", chapter.strip() + "第 64 條\n").replace(
        "\n第 62 條", " 第 62 條"
    )
    assert chapter.strip() + "第 64 條" in reflowed
    assert _cluster([whole, reflowed]) == [0, 0]
    reps = _cluster([whole, reflowed, amended])
    assert reps[0] == reps[1] != reps[2]
