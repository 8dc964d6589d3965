import json

from pipeline.config import MojLawsSource
from pipeline.sources.base import Draft, Resource
from pipeline.sources.moj_laws import drafts, law_text, pcode

DATASET = {"id": "moj", "agency": "法務部"}


def _source(**kw) -> MojLawsSource:
    return MojLawsSource(kind="moj_laws", paths=["x"], dataset=DATASET, **kw)


def _resource() -> Resource:
    return Resource(
        source_index=0,
        source_kind="moj_laws",
        source_name="moj",
        url="x.json",
        fetch_url="x.json",
        format="json",
        dataset=DATASET,
    )


def test_constitution_articles_in_order_with_chapters(realdata):
    law = json.loads((realdata / "moj_laws/split_ch_law/A0000001.json").read_text(encoding="utf-8"))
    text = law_text(law)
    assert pcode(law) == "A0000001"
    assert text.startswith("中華民國憲法\n中華民國國民大會受全體國民之付託")
    first_chapter = text.index("第 一 章 總綱")
    assert first_chapter < text.index("第 1 條\n中華民國基於三民主義") < text.index("第 2 條\n")
    articles = [a for a in law["LawArticles"] if a["ArticleType"] == "A"]
    assert text.count(" 條\n") >= len(articles)
    assert text.rindex(articles[-1]["ArticleNo"]) > text.rindex(articles[-2]["ArticleNo"])


def test_bulk_envelope_and_abolished_laws(realdata):
    folder = realdata / "moj_laws/split_ch_order_sample"
    laws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))[:40]]
    abolished = [law for law in laws if law["LawAbandonNote"]]
    assert abolished, "the sample should hold abolished orders"
    envelope = json.dumps({"UpdateDate": "2026/7/17 上午 12:00:00", "Laws": laws}, ensure_ascii=False)
    out = list(drafts(_source(), _resource(), "\ufeff" + envelope))
    assert [d.locator for d in out] == [f"$.Laws[{i}]" for i in range(len(laws))]
    assert all(isinstance(d, Draft) for d in out)
    # Abolished laws are flagged, never rejected here: whether to publish them is publish's decision.
    flagged = [d for d in out if "abolished_law" in d.flags]
    assert len(flagged) == len(abolished) and not any(d.rejection for d in out)


def test_not_a_law_is_a_bad_record():
    out = list(drafts(_source(), _resource(), json.dumps({"Laws": [{"LawName": "甲", "LawArticles": []}, 5]})))
    assert out[0].title == "甲"
    assert out[1].reason == "not_a_law" and out[1].locator == "$.Laws[1]"


def test_legacy_english_laws_are_read_in_english_with_their_chinese_names(realdata):
    """The English translations converted from the old Eng_FalVMingLing.xml name a law only by 英文法規名稱 and
    中文法規名稱 (no 法規名稱): every real file is a law, `language: en`, its Chinese name kept as metadata."""
    files = sorted((realdata / "external/moj_legacy_english").glob("*.json"))
    assert len(files) == 60
    for path in files:
        law = json.loads(path.read_text(encoding="utf-8"))
        (draft,) = drafts(_source(include_abolished=True), _resource(), path.read_text(encoding="utf-8"))
        assert isinstance(draft, Draft), (path.name, draft)
        assert draft.title == law["英文法規名稱"] and draft.language == "en"
        assert draft.metadata == {"title_zh": law["中文法規名稱"]}
        assert draft.source_record_id == path.stem
        assert draft.text.startswith(law["英文法規名稱"] + "\n")
        last = [a for a in law["法規內容"] if "條文內容" in a][-1]
        assert last["條文內容"].split("\r\n")[0][:40] in draft.text
        assert draft.flags == ("abolished_law",) if law.get("廢止註記") else not draft.flags
    aa = json.loads((realdata / "external/moj_legacy_english/A0020050.json").read_text(encoding="utf-8"))
    (flagged,) = drafts(_source(), _resource(), json.dumps(aa, ensure_ascii=False))
    assert flagged.flags == ("abolished_law",)  # 廢止註記: 廢


def test_current_english_files_carry_the_chinese_name(realdata):
    text = (realdata / "moj_laws/split_en_sample/A0000001.json").read_text(encoding="utf-8")
    (draft,) = drafts(_source(), _resource(), text)
    assert draft.language == "en" and draft.metadata == {"title_zh": "中華民國憲法"}
    assert draft.title == "Constitution of the Republic of China (Taiwan)"


def test_a_bulk_file_cut_short_keeps_its_complete_laws(realdata):
    folder = realdata / "moj_laws/split_ch_law"
    laws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))[:6]]
    envelope = json.dumps({"UpdateDate": "2026/7/17 上午 12:00:00", "Laws": laws}, ensure_ascii=False)
    cut = envelope[: envelope.index(laws[4]["LawName"]) + 3]
    out = list(drafts(_source(include_abolished=True), _resource(), "\ufeff" + cut))
    assert [d.title for d in out[:4]] == [law["LawName"] for law in laws[:4]]
    assert out[4].reason == "truncated_json" and out[4].locator == "$.Laws[4]"
