"""The words and tokens of a file split across workers are counted at publish, for the documents published: the
counts are those of their text, its rejected rows carry none, and its counts are kept for the next publish of
it. A file extracted whole is counted at extraction, every row, as before."""

from __future__ import annotations

import json
import shutil

import pyarrow.feather as feather
import pyarrow.parquet as pq

from pipeline.config import load_config
from pipeline.extract import resource as staging
from pipeline.extract.split import Share, plan_split
from pipeline.normalize.segment import count_words
from pipeline.paths import make_context
from pipeline.publish import counts
from pipeline.publish.counts import count_texts, counts_path, here
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source


def _laws(realdata, n: int) -> list[str]:
    """The first articles of real MOJ laws, one text per law."""
    texts = []
    for path in sorted((realdata / "moj_laws" / "split_ch_law").glob("*.json")):
        law = json.loads(path.read_text(encoding="utf-8-sig"))
        articles = [a.get("ArticleContent") or "" for a in law.get("LawArticles", []) if a.get("ArticleType") == "A"]
        text = "\n".join(a for a in articles[:6] if a)
        if len(text) > 200:
            texts.append(f"{law['LawName']}\n{text}")
        if len(texts) == n:
            break
    return texts


def _staged(tmp_path, write_config, texts: list[str], split: bool = True, **corpus):
    """The texts as one JSON Lines file, staged split in two parts (what two workers do) or whole."""
    rows = [{"id": f"d{i}", "text": t} for i, t in enumerate(texts)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    cfg = load_config(write_config({"sources": [jsonl_source("in.jsonl")], "split_bytes": 1, **corpus}))
    ctx = make_context(cfg)
    staged = []
    for resource in discover_resources(cfg, ctx):
        got = fetch_resource(cfg, ctx, resource)
        plan = plan_split(cfg, resource, got, 2)
        if not split:
            staged.append(extract_resource(cfg, ctx, resource, got))
            continue
        for k in range(plan.parts):
            staging.extract_part(cfg, ctx, resource, got, Share(k, plan.parts, plan.mode))
        staged.append(staging.merge_parts(cfg, ctx, resource, got, plan.parts))
    return cfg, ctx, staged


def _rows(folder) -> list[dict]:
    return [row for path in sorted(folder.rglob("*.parquet")) for row in pq.read_table(path).to_pylist()]


def _released(tmp_path) -> tuple[list[dict], list[dict]]:
    return _rows(tmp_path / "corpus" / "data"), _rows(tmp_path / "corpus" / "rejected")


def test_published_documents_carry_the_counts_of_their_text_and_rejected_ones_none(realdata, write_config, tmp_path):
    laws = _laws(realdata, 12)
    assert len(laws) == 12
    copies = [law + "\n（轉載）" for law in laws[:4]]  # copies with a line added: removed as duplicates
    cfg, ctx, staged = _staged(tmp_path, write_config, laws + copies)
    # a split file is not counted at extraction: its staged rows have no counts
    assert not staged[0].counted and "tokens" not in staged[0].steps
    table = feather.read_table(staged[0].staged, columns=["n_words", "n_tokens"])
    assert table["n_words"].null_count == table["n_tokens"].null_count == table.num_rows == 16
    manifest = publish(cfg, ctx, staged)
    published, rejected = _released(tmp_path)
    assert len(published) == 12 and len(rejected) == 4
    counter = cfg.token_counter()
    for row in published:
        assert row["n_words"] == count_words(row["text"]) > 20
        assert row["n_tokens"] == counter.count(row["text"]) > 20 and row["tokenizer"] == counter.label
    assert all(r["n_words"] is None and r["n_tokens"] is None and r["tokenizer"] is None for r in rejected)
    assert manifest["decision_steps"]["tokens"]["docs_in"] == 12  # the four copies were never counted
    total = sum(t["tokens"] for t in manifest["tallies"].values())
    assert total == sum(r["n_tokens"] for r in published)


def test_a_staged_file_published_again_is_not_counted_again(realdata, write_config, tmp_path):
    laws = _laws(realdata, 8)
    cfg, ctx, staged = _staged(tmp_path, write_config, laws)
    publish(cfg, ctx, staged)
    first, _ = _released(tmp_path)
    assert counts_path(staged[0]).exists()
    # published again from the same staged file (the release deleted): every count is read back, none made again
    shutil.rmtree(tmp_path / "corpus")
    again = publish(cfg, make_context(cfg), staged)
    assert "tokens" not in again["decision_steps"]
    second, _ = _released(tmp_path)
    assert [(r["id"], r["n_words"], r["n_tokens"]) for r in second] == [
        (r["id"], r["n_words"], r["n_tokens"]) for r in first
    ]


def test_counts_made_with_another_tokenizer_are_not_reused(realdata, write_config, tmp_path):
    laws = _laws(realdata, 6)
    cfg, ctx, staged = _staged(tmp_path, write_config, laws)
    publish(cfg, ctx, staged)
    # the same staged rows, words only: the kept counts (with tokens) are not this configuration's
    words_only = load_config(
        write_config({"sources": [jsonl_source("in.jsonl")], "tokens": {"tokenizer": None}}, "words.yaml")
    )
    manifest = publish(words_only, make_context(words_only), staged)
    assert manifest["run_id"] != ctx.run_id  # published again: what is counted is part of what a release depends on
    assert manifest["decision_steps"]["words"]["docs_in"] == 6 and "tokens" not in manifest["decision_steps"]
    published, _ = _released(tmp_path)
    assert all(r["n_tokens"] is None and r["n_words"] == count_words(r["text"]) for r in published)


def test_counting_workers_count_as_this_process_does(realdata, write_config, tmp_path, monkeypatch):
    laws = _laws(realdata, 10)
    cfg = load_config(write_config({"sources": [jsonl_source("in.jsonl")], "workers": 2}))
    chunks = [(k, laws[k * 3 : k * 3 + 3]) for k in range(4)]
    monkeypatch.setattr(counts, "PARALLEL_TEXTS", 1)
    with counts.counter(cfg, 10) as count:
        got = dict(count(iter(chunks)))
    want = dict(here(cfg)(iter(chunks)))
    assert sorted(got) == [0, 1, 2, 3]
    for k in got:
        alone = count_texts(cfg, chunks[k][1])
        assert (got[k].words, got[k].tokens) == (want[k].words, want[k].tokens) == (alone.words, alone.tokens)
    assert all(w > 20 for k in got for w in got[k].words)


def test_a_file_extracted_whole_is_counted_at_extraction_every_row(realdata, write_config, tmp_path):
    laws = _laws(realdata, 6)
    cfg, ctx, staged = _staged(tmp_path, write_config, [*laws, laws[0] + "\n（轉載）"], split=False)
    assert staged[0].counted and staged[0].steps["tokens"].docs_in == 7
    manifest = publish(cfg, ctx, staged)
    assert "tokens" not in manifest["decision_steps"] and not counts_path(staged[0]).exists()
    published, rejected = _released(tmp_path)
    assert len(published) == 6 and len(rejected) == 1
    assert all(r["n_tokens"] == cfg.token_counter().count(r["text"]) for r in published + rejected)
