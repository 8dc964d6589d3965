"""What a version changes on purpose and a copy by chance: update stamps anywhere in a page, modal verbs, a last
sentence extended after another stop, titles with two characters swapped, numbers written digit by digit, and
a number slipped among other slips. Laws from the MOJ database (../shared/realdata; skipped without it) or
lines of real laws."""

from __future__ import annotations

from pipeline.config import NormalizeConfig, PiiConfig
from pipeline.dedup.boilerplate import dedup_view, is_stamp
from pipeline.dedup.compare import Difference, difference, slip, substantively_different
from pipeline.dedup.hashing import hashing_view
from pipeline.dedup.verify import COPY, Noisy, Slipped, _cut_short, match, titles_agree
from pipeline.normalize import Normalizer
from pipeline.normalize.chinese import converter
from tests.test_dedup_partial import NEAR, _apart, _cluster, _law, _piece


def _match(a: str, b: str):
    return match(dedup_view(a, frozenset()), dedup_view(b, frozenset()), NEAR)


def _lines(*texts: str) -> list[str]:
    return ["商業團體法", "第 8 條", *(hashing_view(t) for t in texts), "第 9 條", "本法自公布日施行"]


def test_an_update_stamp_inside_the_text_is_chrome(realdata):
    """Sites put 最後異動日期 / 資料更新時間 lines above, below and inside the text they show, each with its own
    date; between two articles it is chrome as much as at the top. An amendment with a stamp stays a version."""
    law = _piece(realdata, "A0030055", slice(0, 12))
    lines = law.split("\n")
    for stamp in ("最後異動日期:2016/7/7 04:08", "資料更新時間： 民國101年04月24日", "更新日期：2017/8/2 20:29"):
        copy = "\n".join([*lines[:9], stamp, *lines[9:]])
        assert _match(law, copy) == COPY, stamp
        assert len(set(_cluster([law, copy]))) == 1
    amended = law.replace("應於當事人有利及不利之情形", "應於當事人有利及不利之情形，於三十日內")
    stamped = "\n".join([*amended.split("\n")[:9], "最後修改日期： 106-04-23", *amended.split("\n")[9:]])
    assert _apart(_match(law, stamped))
    # a stamp at the end leaves the text whole (not stopped mid-sentence); lines that open like a stamp are text
    assert not dedup_view(law + "\n資料更新日期：113/02/18", frozenset()).ends_open
    assert is_stamp(hashing_view("資料更新時間： 民國101年04月24日"))
    assert not is_stamp(hashing_view("本辦法自發布日施行"))
    assert not is_stamp(hashing_view("發布日期：一一三年一月一日施行"))


def test_a_modal_verb_changed_is_a_version_a_slip_on_it_is_not(realdata):
    """應 -> 得 turns a duty into a power, 不得 -> 得 a ban into a licence: an amendment's change of one character.
    A slip that puts some other character there is a typo."""
    law = _piece(realdata, "A0030055", slice(0, 12))
    duty = "行政機關就該管行政程序，應於當事人有利及不利之情形"
    ban = "行政行為，非有正當理由，不得為差別待遇。"
    assert duty in law and ban in law
    for amended in (
        law.replace(duty, duty.replace("應於", "得於")),
        law.replace(ban, ban.replace("不得", "得")),
        law.replace(duty, duty.replace("應於", "不應於")),
    ):
        assert _apart(_match(law, amended))
        assert _cluster([law, amended]) == [0, 1]
    typo = law.replace(duty, duty.replace("應於", "膺於"))
    assert _match(law, typo) == Slipped(letter=1, digit=0)  # a copy, joined after the others (a copy of both?)
    assert _cluster([law, typo]) == [0, 0]


def test_a_last_sentence_extended_after_another_stop_or_by_a_proviso_is_a_version(realdata):
    """An amendment that goes on after the last sentence puts a ； for its 。 (施行。 -> 施行；其辦法…) or adds a
    proviso (。但…不在此限。). The law is then no copy cut short of it: a cut after a full stop ends with the stop
    the longer one has there, and seldom right before a proviso."""
    law = _piece(realdata, "A0030055", slice(0, 12))
    assert law.endswith("。")
    for extended in (law[:-1] + "；其辦法，由主管機關定之。", law + "但有正當理由，經主管機關核准者，不在此限。"):
        assert _apart(_match(law, extended))
        assert _cluster([law, extended]) == [0, 1]
    # a copy cut right after a full stop inside a line is still the longer one's
    at = next(k for k in range(len(law) * 3 // 4, len(law) - 1) if law[k] in "。；" and law[k + 1] not in "\r\n")
    assert len(set(_cluster([law, law[: at + 1]]))) == 1


def test_titles_with_two_characters_swapped_agree():
    """A typo copy swaps two neighbours (國家公園法 / 家國公園法); a number swapped (十三 / 三十) is another one."""
    assert slip("國家公園法", "家國公園法") and slip("行政院飛航安全委員會會議規則", "行政院飛航安全員委會會議規則")
    assert not slip("第十三條", "第三十條")
    assert titles_agree(dedup_view("國家公園法\n第 1 條\n為保護國家特有之自然風景", frozenset()),
                        dedup_view("家國公園法\n第 1 條\n為保護國家特有之自然風景", frozenset()))  # fmt: skip


def test_a_number_written_digit_by_digit_beside_place_value_is_a_slip():
    """六十八 -> 六八 (a 十 lost), 二 -> 二二 (a digit typed twice): no version writes its number so. A year written
    digit by digit that changes is a number; so is a number after an item's own, the 、 between left out of the
    view (一、五年 -> 一、十五年)."""
    assert not substantively_different(_lines("依第六十八條第一項規定辦理"), _lines("依第六八條第一項規定辦理"))
    assert not substantively_different(_lines("二等殘給與八年"), _lines("二二等殘給與八年"))
    assert not substantively_different(_lines("已逾年度開始六個月者"), _lines("已逾年度開始六一個月者"))
    assert substantively_different(_lines("中華民國一一三年度預算"), _lines("中華民國一一四年度預算"))
    assert substantively_different(_lines("一、五年以下有期徒刑"), _lines("一、十五年以下有期徒刑"))
    assert substantively_different(_lines("依第六十八條第一項規定辦理"), _lines("依第六十九條第一項規定辦理"))


def test_a_number_slipped_beside_a_word_broken_is_a_noisy_copy_that_joins_its_own_law():
    """A typo copy whose slips hit a number (五百萬 -> 五萬) and break a word (罰鍰 -> 罰日鍰) is noisy: it joins the
    law it differs from least, not the amendment that changed another number of it."""
    law = ["處新臺幣一百萬元以上五百萬元以下罰鍰", "違反第十八條第一項規定未經申請核准", "應於三十日內改善"]
    typo = ["處新臺幣一百萬元以上五萬元以下罰日鍰", "違反第十八條第一項規定未經申請核准", "應於三十日內改善"]
    amended = ["處新臺幣一百萬元以上五百萬元以下罰鍰", "違反第十八條第一項規定未經申請核准", "應於六十日內改善"]
    assert difference(_lines(*law), _lines(*typo)).kind == Difference.NOISY
    assert difference(_lines(*law), _lines(*amended)).kind == Difference.DIFFERENT
    assert difference(_lines(*typo), _lines(*amended)).kind == Difference.DIFFERENT
    frame = ["商業團體法", "第 8 條"], ["第 9 條", "本法自公布日施行。"]
    texts = ["\n".join([*frame[0], *side, *frame[1]]) for side in (law, typo, amended)]
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        found = dict(zip(order, _cluster([texts[k] for k in order]), strict=True))
        assert found[0] == found[1] != found[2], order


def test_the_tail_of_a_copy_cut_mid_word_witnesses_no_slip():
    """A copy cut inside its last word (…指定之方 / …指定之方式提出) is cut, not a slip that breaks a word: beside a
    version that changed a number it does not make that version a noisy copy."""
    cut = ["於收受通知後三個月內依本部指定之方式提出", "應於收受本部通知後三個月內依本部指定之方"]
    version = ["於收受通知後三十三個月內依本部指定之方式提出", "應於收受本部通知後三個月內依本部指定之方式提出"]
    lines = [["商業團體法", "第 8 條", *(hashing_view(t) for t in side)] for side in (cut, version)]
    assert difference(*lines).kind == Difference.DIFFERENT


def test_a_word_put_in_a_law_is_a_rewording_a_character_is_a_slip():
    """由主管機關 -> 由中央主管機關: an amendment puts in a word; a typo copy puts in a character (主管機員關). A news
    release posted twice is edited so (市長 -> 臺南市長, 局長陳淑美): outside a law a word put in is no version."""
    line = "申請書之格式，由主管機關定之"
    assert substantively_different(_lines(line), _lines(line.replace("由主管", "由中央主管")))
    assert not substantively_different(_lines(line), _lines(line.replace("主管機關", "主管機員關")))
    assert not substantively_different(_lines(line), _lines(line.replace("主管機關", "主管員機關")))
    news = ["黑橋牌企業捐贈冷凍食品一批予實物愛心銀行", "市長黃偉哲感謝企業長期投入社會公益", "社會局盧局長說明"]
    edited = [news[0], "臺南市長黃偉哲感謝企業長期投入社會公益", news[2]]
    assert not substantively_different([hashing_view(t) for t in news], [hashing_view(t) for t in edited])


def test_a_modal_verb_changed_beside_a_slip_is_still_a_version():
    """A typo copy's slip a character from the amendment's 應 -> 得 is aligned with it as one stretch."""
    line = "依公司法向主管機關登記者應於變更後十五日內辦理"
    assert substantively_different(_lines(line.replace("登記者應", "登農者應")), _lines(line.replace("應於", "得於")))
    assert not substantively_different(_lines(line), _lines(line.replace("登記者", "登農者")))


def test_a_copy_with_its_first_article_moved_agrees_on_no_title_when_the_law_name_is_left_out(realdata):
    """Pieces of one law all open with its name, which a run with many of them leaves out as boilerplate: the view
    then opens with an article's heading, no title. A copy that moved its first article elsewhere is a copy; a
    piece of another law opening with another article stays apart."""
    _, arts = _law(realdata, "A0030055", slice(0, 8))
    piece, moved = "\n".join(arts), "\n".join([*arts[5:], *arts[1:5], arts[0]])
    assert dedup_view(piece, frozenset()).title != dedup_view(moved, frozenset()).title
    assert _match(piece, moved) == COPY
    assert len(set(_cluster([piece, moved]))) == 1


def test_a_modal_verb_lost_among_word_breaking_slips_is_a_noisy_copy():
    """A typo copy that lost the 不 of 不得 and swapped two characters of 自由 is noisy, as one with a number slipped
    among slips is: it joins one cluster only. The amendment that dropped the 不 and nothing else is a version."""
    law = ["受聲請法院不得以無管轄權而裁定駁回之", "經法院裁判而剝奪人身自由者", "發提審票之法院"]
    typo = ["受聲請法院得以無管轄權而裁定駁回之", "經法院裁判而剝奪人身由自者", "發提審票法院"]
    amended = ["受聲請法院得以無管轄權而裁定駁回之", "經法院裁判而剝奪人身自由者", "發提審票之法院"]
    assert difference(_lines(*law), _lines(*typo)).kind == Difference.NOISY
    assert difference(_lines(*law), _lines(*amended)).kind == Difference.DIFFERENT


def test_typos_close_together_are_slips_a_swap_beside_a_word_put_in_is_not(realdata):
    """A copy typed fast swaps two neighbours beside another slip, one character between (當事人有利 -> 事當人由利):
    aligned, the two glue into one changed stretch of four characters, but each is a typo. A swap beside a word
    put in (人民權益 -> 民人及其權益) or a sentence rewritten around one kept character stays a version."""
    law = _piece(realdata, "A0030055", slice(0, 12))
    assert law.count("當事人有利") == 1 and law.count("以保障人民權益") == 1
    typo = law.replace("當事人有利", "事當人由利")
    assert _match(law, typo) == COPY
    assert len(set(_cluster([law, typo]))) == 1
    assert _apart(_match(law, law.replace("以保障人民權益", "以保障民人及其權益")))
    assert _apart(_match(law, law.replace("不得逾越法定之裁量範圍", "不得超出法律所定範圍")))


def test_a_stray_character_witnesses_a_noisy_copy_a_unit_changed_does_not():
    """A number changed is an amendment's -- unless the copy also has a slip no writer makes: a Latin letter
    between Chinese characters, a character in no word of the dictionary, a digit put between Chinese
    characters. Those make it a noisy copy. A unit changed beside a number (5mg -> 6g) is an amendment."""
    base = "依前條第一項定土地管轄權者，依下列各款順序定之"
    numbered = base.replace("第一項", "第二項")
    assert difference(_lines(base), _lines(numbered)).kind == Difference.DIFFERENT
    for word, stray in (("土地", "土z地"), ("土地", "土鼆地"), ("轄權", "轄7權")):
        noisy = numbered.replace(word, stray)
        assert noisy != numbered
        assert difference(_lines(base), _lines(noisy)).kind == Difference.NOISY, stray
    dose = "每公斤不得超過5mg，違者處新臺幣三萬元以下罰鍰"
    assert difference(_lines(dose), _lines(dose.replace("5mg", "6g"))).kind == Difference.DIFFERENT


def test_an_article_a_copy_moved_is_found_moved_with_a_slip_in_it(realdata):
    """A copy moves an article and has a typo in it: the article is no longer found elsewhere as it is, yet it
    is the same article, its slip aside. A version that moves an article and rewrites a sentence of it, or
    adds an article of its own, differs."""
    name, arts = _law(realdata, "A0030055", slice(0, 12))
    assert arts[8].count("當事人") == 1
    base = "\n".join([name, *arts])
    slipped = arts[8].replace("當事人", "當是人")
    moved = "\n".join([name, *arts[:3], slipped, *arts[3:8], *arts[9:]])
    assert _match(base, moved) == COPY
    assert len(set(_cluster([base, moved]))) == 1
    rewritten = arts[8].replace("應於當事人有利及不利之情形", "應就與當事人利益相關之事項")
    assert _apart(_match(base, "\n".join([name, *arts[:3], rewritten, *arts[3:8], *arts[9:]])))
    added = "第 13 條\n本法自公布日施行。"
    assert _apart(_match(base, "\n".join([name, *arts[:3], slipped, *arts[3:8], *arts[9:], added])))


def test_a_line_moved_with_a_slip_beside_other_slips_is_the_same_line_and_the_typo_copy_joins_its_law(realdata):
    """A copy that swapped two articles and a typo copy with a slip in one of them (影響化) and others elsewhere:
    the line is found moved with its slip even where the stretch it stands in changed too (人民 / 人薺 just
    above the moved articles). The typo copy is then a noisy copy of the moved copy, as of the law, and joins
    them -- not the amendment that changed 每四年 to 每八年 twice, which it is a noisier copy of."""
    name, arts = _law(realdata, "H0170151", slice(19, 27))  # 文化基本法, 第 20 條 to 第 27 條
    base = "\n".join([name, *arts])
    moved = "\n".join([name, *arts[:2], arts[5], *arts[3:5], arts[2], *arts[6:]])  # 第 22 條 and 第 25 條 swapped
    typo = base
    for old, new in (
        ("生存權及", "生存權加"),
        ("對人民、", "對人薺、"),
        ("影響文化之虞時，各", "影響化之虞時，各"),
        ("價值、保障文化與", "價值、保障化與"),
        ("學校及公營事業辦理", "學校樣公營事業辦理"),
        ("發展之參考", "發展之參部"),
    ):
        assert typo.count(old) == 1, old
        typo = typo.replace(old, new)
    amended = base.replace("每四年", "每八年")
    assert amended.count("每八年") == 2
    assert isinstance(_match(moved, typo), Noisy)
    assert _cluster([base, moved, typo, amended]) == [0, 0, 0, 3]


def test_a_heading_with_a_slip_is_not_found_moved_to_another_heading(realdata):
    """Two laws' articles on one page, and a typo copy whose slips joined a heading to its text (第 9 條於…)
    and put 與 for 第 in a heading both laws have (與 3 條): the two headings only one side has are alike
    (第 9 條 / 與 3 條, two characters apart), but too short to be one line found moved with a slip, so the
    copy is a copy, not a version."""
    page = "\n".join([_piece(realdata, "A0030055", slice(0, 4)), _piece(realdata, "A0030023", slice(2, 9))])
    assert page.count("第 3 條\n") == 2 and page.count("第 9 條\n") == 1
    second = page.index("第 3 條\n", page.index("第 3 條\n") + 1)
    typo = (page[:second] + "與" + page[second + 1 :]).replace("第 9 條\n", "第 9 條於", 1)
    assert _match(page, typo) == COPY


def test_a_proviso_added_is_a_version_of_a_copy_whose_last_line_went_through_mainland_phrasing(realdata):
    """A copy whose last line was posted in mainland Simplified (项目, 审核) and converted back with Taiwan
    phrasing reads 專案, 稽核 where the law reads 項目, 審核: its last line is not found in the amendment as
    written, nor with a slip per 16 characters, but it is in Taiwan phrasing. The amendment that added a
    proviso after it (。但有正當理由…不在此限。) is then a version of the copy, as of the law, not the longer text
    the copy is a partial copy of."""
    norm = Normalizer(NormalizeConfig(), PiiConfig(), unwrap=True)
    law = _piece(realdata, "F0150001", slice(13, 16))  # 國軍退除役官兵輔導條例, 第 11 條 to 第 13 條
    head, last = law.rsplit("\n", 1)
    copy = norm(head + "\n" + converter("tw2sp").convert(last)).text
    assert "專案" in copy and "稽核" in copy and "項目" in law
    amended = norm(law[:-1] + "。但有正當理由，經主管機關核准者，不在此限。").text
    base = norm(law).text
    assert _match(copy, base) == COPY
    assert _apart(_match(copy, amended)) and _apart(_match(base, amended))


def test_an_amount_ending_a_line_is_read_apart_from_the_next_item_s_number(realdata):
    """就業保險法 第 9 條: 一、…百分之五。 then 二、本保險…; the view drops the punctuation (…百分之五 / 二本保险…),
    so where the stretch compared holds both lines -- a copy whose 三、 line went through mainland phrasing
    (項目 -> 專案) beside an amendment that made it 百分之十 -- the amount and the item's number are two numbers,
    not 五二 against 十二 (a number written digit by digit, read as a slip). The copy is a version of the
    amendment, as the law is; so is a copy that ran the items into one line."""
    norm = Normalizer(NormalizeConfig(), PiiConfig(), unwrap=True)
    law = _piece(realdata, "N0050021", slice(8, 9)).replace("\r\n", "\n")
    assert "百分之五。\n二、" in law and "三、本保險增減給付項目" in law
    head, last = law.rsplit("\n", 1)
    copy = norm(head + "\n" + converter("tw2sp").convert(last)).text
    assert "給付專案" in copy
    amended = norm(law.replace("百分之五。", "百分之十。")).text
    assert _match(copy, norm(law).text) == COPY
    assert _apart(_match(copy, amended))
    # the same where a re-flowed copy ran the items into one line: the amendment's line break stops both
    reflowed = norm(law.replace("百分之五。\n二、", "百分之五。二、").replace("\n三、", "三、")).text
    assert "百分之五。二、" in reflowed
    assert _match(reflowed, norm(law).text) == COPY
    assert _apart(_match(reflowed, amended))


def test_a_copy_converted_with_mainland_phrases_says_the_same():
    """OpenCC tw2sp turns Taiwan phrases into mainland ones (數位 -> 数字, 支援 -> 支持), and s2twp does not turn them
    back (数字 stays 數字): compared in Taiwan phrasing, the copy renames one word three times, as a template filled
    in for another agency does. In mainland phrasing the two say the same. A word really replaced throughout
    (數位 -> 類比) still differs."""
    base = ["本府推動數位轉型，強化市民數位能力", "感謝各界支援，共同拓展數位貿易"]
    mainland = [str(converter("tw2sp").convert(line)) for line in base]
    assert "数字" in mainland[0] and "支持" in mainland[1]
    assert difference(_lines(*base), _lines(*mainland)).kind == Difference.SAME
    renamed = [line.replace("數位", "類比") for line in base]
    assert difference(_lines(*base), _lines(*renamed)).kind == Difference.DIFFERENT


def test_a_word_put_between_two_words_is_a_rewording_whatever_word_their_edges_make():
    """當地主管機關 -> 當地中央主管機關: 中央 goes between 當地 and 主管, though 地主 is a word too."""
    line = "應先報請當地主管機關限期令所有人拆除之"
    assert substantively_different(_lines(line), _lines(line.replace("當地主管", "當地中央主管")))
    assert not substantively_different(_lines(line), _lines(line.replace("當地主管", "當地中主管")))


def test_a_modal_verb_changed_beside_a_slip_put_in_is_still_a_version():
    """A typo copy put a character in one before 應, or right after it, where the amendment has 得:
    aligned, the two glue into one stretch of unequal lengths (者應 / 中者得, 得 / 應躨), the modal verb changed in
    it all the same."""
    line = "依公司法向主管機關登記者應於變更後十五日內辦理"
    amended, typo = line.replace("者應於", "者得於"), line.replace("記者應", "記中者應")
    assert substantively_different(_lines(typo), _lines(amended))
    assert not substantively_different(_lines(line), _lines(typo))
    beside = line.replace("者應於", "者應躨於")  # the slip right after the modal verb: 得 / 應躨
    assert substantively_different(_lines(beside), _lines(amended))
    assert not substantively_different(_lines(line), _lines(beside))


def test_a_last_sentence_extended_is_a_version_of_copies_rewrapped_typed_or_under_a_header(realdata):
    """The amendment goes on after the old version's last sentence (施行。 -> 施行；其辦法，由主管機關定之。). A
    copy of the old version that wrapped its last line elsewhere still stops where the amendment goes on; and
    the amendment, shorter than a copy of the old version under a site's header, is no partial copy of it. A
    typo copy with a slip in its last line stops there too."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    assert old.endswith("參加行政程序之人。")
    new = old[:-1] + "；其辦法，由主管機關定之。"
    last = old.rsplit("\n", 1)[1]
    wrapped = old[: -len(last)] + last[: len(last) // 2] + "\n" + last[len(last) // 2 :]
    header = "首頁 > 法規資訊 > 法規查詢\n資料來源：法務部全國法規資料庫\n發布日期：2024-01-02\n" + old
    assert len(dedup_view(header, frozenset()).text) > len(dedup_view(new, frozenset()).text)
    typo = old[: -len(last)] + last.replace("依本法規定", "依本去規定")
    assert typo != old
    for copy in (wrapped, header, typo):
        assert _apart(_match(copy, new)), copy[:20]
        reps = _cluster([old, copy, new])
        assert reps[0] == reps[1] != reps[2]
    cut = old[: old.rindex("。", 0, len(old) - 1) + 1]
    assert len(set(_cluster([old, cut, header]))) == 1


def test_a_word_put_in_is_a_rewording_beside_a_copy_that_ran_the_lines_of_the_law_together(realdata):
    """A copy that ran a law's lines into one (第 3 條 no longer a line of its own) is still a law: the amendment
    that put 中央 in is a version of it as of the law."""
    law = _piece(realdata, "A0030055", slice(0, 12))
    assert law.count("視為行政機關") == 1
    run_on = law.replace("\n", " ")
    amended = law.replace("視為行政機關", "視為中央行政機關")
    assert _match(law, run_on) == COPY
    assert _apart(_match(law, amended))
    assert _apart(_match(run_on, amended)) and _apart(_match(amended, run_on))


def test_a_last_sentence_extended_is_a_version_of_a_copy_that_moved_lines_after_it(realdata):
    """A copy that moved two articles to its end has the old version's last sentence inside it: what the
    amendment has past that sentence is text, not a copy's tail or a site's footer."""
    name, arts = _law(realdata, "A0030055")
    old = "\n".join([name, *arts[:20]])
    new = old[:-1] + "；其辦法，由主管機關定之。"
    moved = "\n".join([name, arts[0], arts[1], *arts[4:20], arts[2], arts[3]])
    assert _match(old, moved) == COPY
    assert _apart(_match(moved, new)) and _apart(_match(new, moved))
    reps = _cluster([old, moved, new])
    assert reps[0] == reps[1] != reps[2]


def test_an_article_added_after_a_piece_that_stops_mid_sentence_is_a_version_of_its_framed_copy(realdata):
    """A piece of a law cut at a chunk's end stops mid-sentence; the amendment has the same piece with an article
    added after it. The piece's copy under a site's header stops where the amendment's line stops too, before
    its article: no copy cut short of the amendment, though it does not start where the amendment starts."""
    name, arts = _law(realdata, "A0030055", slice(0, 12))
    old = "\n".join([name, *arts[:8], arts[8][: len(arts[8]) * 2 // 3]])
    assert old[-1] not in "。；：，、"
    new = old + "\n第 9-1 條\n行政機關對於前條之申請，應於受理後三十日內為之；必要時得延長一次。"
    header = "首頁 / 新聞與公告 / 即時新聞\n發布日期：109-07-04\n瀏覽人次：38692\n" + old
    assert len(dedup_view(header, frozenset()).text) < len(dedup_view(new, frozenset()).text)
    assert _match(old, header) == COPY
    assert _apart(_match(header, new))
    reps = _cluster([old, header, new])
    assert reps[0] == reps[1] != reps[2]


def test_a_table_cut_after_a_row_is_a_copy_cut_short_the_next_row_number_heads_no_article():
    """A gazette's 公示送達 list cut after a whole row stops where the whole list's line stops too, before a line
    that is a bare number: the next row's, not an article's heading (第 6-1 條) the list would own."""
    rows = [
        ("A10067****", "韋思修", "臺中市大里區公所", "4,494", "臺北市大安區龍安里"),
        ("A10111****", "張標明", "彰化縣彰化市公所", "8,988", "彰化縣彰化市介壽里"),
        ("A10206****", "雷劉榮", "台中市北屯區公所", "3,745", "臺中市北屯區仁和里"),
        ("B12033****", "林秀琴", "高雄市鳳山區公所", "2,247", "高雄市鳳山區文衡里"),
        ("C20155****", "陳志明", "新北市板橋區公所", "6,741", "新北市板橋區港尾里"),
    ]
    head = "\n".join(["全民健康保險保險費暨滯納金繳款單公示送達名冊", "編號", "被保險人", "姓名", "單位名稱", "欠費別"])
    head += "\n欠費年月\n金額（元）\n應受送達處所"
    table = head + "".join(
        f"\n{k}\n{pid}\n{who}\n{office}\n保險費\n102/07~102/12\n{amount}\n{address}"
        for k, (pid, who, office, amount, address) in enumerate(rows, 1)
    )
    cut = table[: table.index("\n4\n")]
    framed = "首頁 / 公告資訊 / 公示送達\n發布日期：103-03-12\n瀏覽人次：1024\n" + table
    assert not _apart(_match(cut, table)) and not _apart(_match(cut, framed))
    assert len(set(_cluster([table, framed, cut]))) == 1


def test_a_text_whose_view_keeps_no_line_is_read_without_an_end_to_find():
    """A page of rules and box-drawing alone (──── / ┘) stops open and keeps no line in its view: there is no
    last line to find in another text, so it stops where its empty view does, at the other's start -- read as
    before, not an error."""
    bare = dedup_view("────\n──┘", frozenset())
    assert bare.ends_open and not bare.lines
    law = dedup_view("本法自公布日施行。\n第 2 條\n本法施行細則，由主管機關定之。", frozenset())
    assert _cut_short(bare, law)


def _joins_its_law_not_the_amendment(law: str, copy: str, amended: str) -> None:
    """A typo copy of the law: a copy of it, not of the amendment, which is a version of the law; clustered, the
    copy joins the law and the amendment stays apart."""
    assert _match(copy, law) == COPY
    assert _match(copy, amended) != COPY
    assert _apart(_match(law, amended))
    reps = _cluster([law, copy, amended])
    assert reps[0] == reps[1] != reps[2]


def test_a_number_amended_beside_two_characters_a_copy_swapped_is_a_version_of_that_copy(realdata):
    """國家中山科學研究院設置條例 第 22 條: 每四年訂定十年期. A copy that typed 定訂 for 訂定 reads, against an
    amendment that made it 二十年期, 訂定二 / 定訂 -- an alignment takes the 二 for a letter typed in its place, a
    slip. Without the numeral the two are the swap: 二 was put into 十年, a number amended. The copy stays with its
    law; the amendment, a version of both, stays apart."""
    law = _piece(realdata, "F0000083", slice(16, 26))
    assert law.count("每四年訂定十年期") == 1
    copy = law.replace("每四年訂定十年期", "每四年定訂十年期").replace("第二十條第二項", "第二十條二項")
    amended = law.replace("每四年訂定十年期", "每四年訂定二十年期")
    _joins_its_law_not_the_amendment(law, copy, amended)


def test_a_typo_copy_s_amount_more_than_a_slip_from_an_amended_one_is_a_version_of_it(realdata):
    """臺灣地區與大陸地區人民關係條例 第 81 條: 併科新臺幣一千五百萬元以下罰金. A typo copy that lost the 五
    (一千百萬, a number no one writes) slipped from its own law's amount, one numeral away; an amendment's 二千萬 is
    two away, another number. The typo copy stays with its law, the amendment apart."""
    law = _piece(realdata, "Q0010001", slice(108, 116))
    amount = "併科新臺幣一千五百萬元以下罰金"
    assert law.count(amount) == 1
    copy = law.replace(amount, "併科新臺幣一千百萬元以下罰金", 1).replace("前二項情形", "前二項情制")
    amended = law.replace(amount, "併科新臺幣二千萬元以下罰金", 1)
    _joins_its_law_not_the_amendment(law, copy, amended)


def test_a_typo_copy_with_a_letter_for_the_modal_verb_an_amendment_changed_joins_the_law_copied_most(realdata):
    """專利師法 第 4 條: 仍得依本法之規定. A typo copy with 荓 there (and 侾 for 緩 above) is, as text, a copy of
    the law and of an amendment that made it 仍應: a slip replaced the one character they differ by. It joins
    the law, which another copy makes the version copied most often, and the amendment stays apart."""
    law = _piece(realdata, "J0070034", slice(0, 6))
    assert law.count("仍得依本法之規定") == 1 and law.count("受緩刑之宣告") == 1
    amended = law.replace("仍得依本法之規定", "仍應依本法之規定")
    typo = law.replace("仍得依本法之規定", "仍荓依本法之規定").replace("受緩刑之宣告", "受侾刑之宣告")
    other = law.replace("專利師證書：", "專利師證晝：", 1)  # another copy of the law, its slip elsewhere
    assert _apart(_match(law, amended))
    assert _match(typo, law) != COPY and _match(typo, amended) != COPY  # a copy of each, but for the modal verb
    for texts in ([law, other, typo, amended], [amended, typo, other, law]):
        reps = _cluster(texts)
        at = {text: reps[k] for k, text in enumerate(texts)}
        assert at[law] == at[other] == at[typo] != at[amended]
