"""The dedup index written into every release, and later runs deduplicated against it (dedup.against)."""

import json
import random
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.dedup.hashing import hashing_view, key_of_view
from pipeline.dedup.index import DedupIndexError, IndexWriter, PublishedIndex, settings_of
from pipeline.dedup.lsh import band_keys
from pipeline.dedup.signing import signature_matrix, signatures

HAN = [chr(c) for c in range(0x4E00, 0x9FA5)]
FOOTER = "\n（本公告轉載自某機關網站，依政府資料開放授權條款提供）"


def _texts(seed: int, n: int, length: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [f"第{i}則公告：" + "".join(rng.choices(HAN, k=length)) for i in range(n)]


def test_index_round_trip_finds_copies_by_bucket_and_by_exact_key(tmp_path):
    settings = settings_of(num_perm=128, ngram=5, seed=1, bands=16, rows=8)
    texts = _texts(1, 50)
    views = [hashing_view(t) for t in texts]
    writer = IndexWriter(tmp_path / "release" / "dedup-index", settings)
    half = 25
    for lo, hi in ((0, half), (half, 50)):  # two staged files' worth
        writer.add(
            [f"p{i}" for i in range(lo, hi)],
            [key_of_view(v) for v in views[lo:hi]],
            [len(t) for t in texts[lo:hi]],
            signatures(views[lo:hi], num_perm=128, ngram=5),
        )
    writer.close()
    index = PublishedIndex(tmp_path / "release")
    assert index.documents == 50
    index.check(settings)
    with pytest.raises(DedupIndexError, match="num_perm 128 \\(this run: 64\\)"):
        index.check({**settings, "num_perm": 64})

    queries = [texts[3] + FOOTER, texts[37], _texts(99, 1)[0]]  # near copy, exact copy, unrelated
    q_views = [hashing_view(t) for t in queries]
    keys = band_keys(signature_matrix(q_views, num_perm=128, ngram=5), 16, 8)
    found = index.match(keys, [key_of_view(v) for v in q_views], exclude_ids=set())
    assert sorted(found.columns["id"]) == ["p3", "p37"]  # rows of both record batches
    assert found.candidates(priority=-1).published.all()
    assert not index.match(keys, [key_of_view(v) for v in q_views], exclude_ids={"p3", "p37"}).columns["id"]


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def _config(path: Path, folder: str, dataset: str, data_dir: Path, extra: str = "") -> Path:
    path.write_text(
        f"data_dir: {data_dir}\n"
        f"sources:\n  - kind: local\n    paths: ['{folder}/*.jsonl']\n    format: jsonl\n    text_field: text\n"
        f"    id_field: id\n    dataset: {{id: {dataset}, title: 公告 {dataset}, agency: 某機關,\n"
        "      license: OGDL-Taiwan-1.0}\n" + extra,
        encoding="utf-8",
    )
    return path


def _rows(folder: Path) -> list[dict]:
    return [r for p in sorted(folder.rglob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def test_a_later_run_removes_copies_of_an_already_published_corpus(prefect_harness, tmp_path):
    from flows.cli import app

    first = _texts(1, 40)
    _write_jsonl(tmp_path / "a" / "notices.jsonl", [{"id": f"a{i}", "text": t} for i, t in enumerate(first)])
    cfg_a = _config(tmp_path / "a.yaml", "a", "set-a", tmp_path / "data-a")
    out_a = tmp_path / "release-a"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg_a), "--output", str(out_a)])
    assert result.exit_code == 0, result.output
    manifest_a = json.loads((out_a / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_a["dedup_index"]["documents"] == 40 and manifest_a["dedup_index"]["num_perm"] == 128
    ids_a = {r["source_record_id"]: r["id"] for r in _rows(out_a / "data")}

    later = [{"id": f"near{i}", "text": first[i] + FOOTER} for i in range(5)]
    later += [{"id": f"same{i}", "text": first[10 + i]} for i in range(3)]
    later += [{"id": f"new{i}", "text": t} for i, t in enumerate(_texts(2, 10))]
    _write_jsonl(tmp_path / "b" / "notices.jsonl", later)
    cfg_b = _config(
        tmp_path / "b.yaml",
        "b",
        "set-b",
        tmp_path / "data-b",
        "dedup:\n  against: [release-a]\n  verify_margin: 1.0\n",  # every pair checked on the published text
    )
    out_b = tmp_path / "release-b"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg_b), "--output", str(out_b)])
    assert result.exit_code == 0, result.output

    published = _rows(out_b / "data")
    assert sorted(r["source_record_id"] for r in published) == sorted(f"new{i}" for i in range(10))
    rejected = {r["source_record_id"]: r for r in _rows(out_b / "rejected")}
    assert set(rejected) == {f"near{i}" for i in range(5)} | {f"same{i}" for i in range(3)}
    for i in range(5):
        r = rejected[f"near{i}"]
        assert r["reason"] == "near_duplicate" and r["dup_cluster"] == ids_a[f"a{i}"]
        assert f"already published in {out_a.resolve()}" in r["reason_detail"]
    for i in range(3):
        assert rejected[f"same{i}"]["reason"] == "exact_duplicate"
        assert rejected[f"same{i}"]["dup_cluster"] == ids_a[f"a{10 + i}"]
    manifest_b = json.loads((out_b / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_b["deduplicated_against"] == [str(out_a.resolve())]
    assert PublishedIndex(out_b).documents == 10
    stats = manifest_b["dedup_stats"]
    assert stats["published_matches"] == 8 and stats["removed_as_published_copies"] == 8
    assert stats["checked_exactly"] >= 5  # near copies verified against the text read back from release-a

    # the published corpus is read, never changed
    assert json.loads((out_a / "manifest.json").read_text(encoding="utf-8")) == manifest_a


def test_rows_a_rule_rejects_still_name_the_published_document_they_copy(prefect_harness, tmp_path):
    """Copies of published documents that a rule rejects (min_chars here; quality thresholds alike), in a run
    whose own documents copy nothing published: they meet the published corpus themselves and name what they
    copy."""
    from flows.cli import app

    first = _texts(3, 12)
    _write_jsonl(tmp_path / "a" / "notices.jsonl", [{"id": f"a{i}", "text": t} for i, t in enumerate(first)])
    out_a = tmp_path / "release-a"
    cfg_a = _config(tmp_path / "a.yaml", "a", "set-a", tmp_path / "data-a")
    result = CliRunner().invoke(app, ["run", "--config", str(cfg_a), "--output", str(out_a)])
    assert result.exit_code == 0, result.output
    ids_a = {r["source_record_id"]: r["id"] for r in _rows(out_a / "data")}

    later = [{"id": "near", "text": first[2] + FOOTER}, {"id": "same", "text": first[5]}]
    later.append({"id": "new", "text": _texts(4, 1, length=600)[0]})
    _write_jsonl(tmp_path / "b" / "notices.jsonl", later)
    extra = "min_chars: 400\ndedup:\n  against: [release-a]\n"  # the copies are ~310-340 characters
    cfg_b = _config(tmp_path / "b.yaml", "b", "set-b", tmp_path / "data-b", extra)
    out_b = tmp_path / "release-b"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg_b), "--output", str(out_b)])
    assert result.exit_code == 0, result.output

    published = _rows(out_b / "data")
    assert [r["source_record_id"] for r in published] == ["new"]
    assert published[0]["dup_cluster"] == published[0]["id"]  # copies nothing: a cluster of its own
    rejected = {r["source_record_id"]: r for r in _rows(out_b / "rejected")}
    assert {k: r["reason"] for k, r in rejected.items()} == {"near": "too_short", "same": "too_short"}
    assert rejected["near"]["dup_cluster"] == ids_a["a2"]
    assert rejected["same"]["dup_cluster"] == ids_a["a5"]


def test_against_errors_are_clear_and_stop_before_the_run(tmp_path):
    from flows.cli import app

    _write_jsonl(tmp_path / "a" / "n.jsonl", [{"id": "x", "text": _texts(1, 1)[0]}])
    missing = _config(tmp_path / "m.yaml", "a", "s", tmp_path / "d", "dedup:\n  against: [nowhere]\n")
    result = CliRunner().invoke(app, ["run", "--config", str(missing), "--output", str(tmp_path / "o")])
    said = " ".join(result.output.split())  # rich wraps long lines
    assert result.exit_code == 2 and "nowhere: no dedup index" in said

    own = _config(tmp_path / "own.yaml", "a", "s", tmp_path / "d", f"dedup:\n  against: [{tmp_path / 'o'}]\n")
    (tmp_path / "o" / "dedup-index").mkdir(parents=True)
    result = CliRunner().invoke(app, ["run", "--config", str(own), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2 and "own output folder" in " ".join(result.output.split())


def test_index_lookups_stay_on_disk(tmp_path):
    """The key tables are memory-mapped, not loaded: opening a large index costs no memory."""
    settings = settings_of(num_perm=16, ngram=5, seed=1, bands=4, rows=4)
    writer = IndexWriter(tmp_path / "r" / "dedup-index", settings)
    rng = np.random.default_rng(0)
    n = 20_000
    writer.add(
        [f"d{i}" for i in range(n)],
        [f"{i:032x}" for i in range(n)],
        [100] * n,
        [row.tobytes() for row in rng.integers(0, 2**32, (n, 16), dtype=np.uint32).astype("<u4")],
    )
    writer.close()
    index = PublishedIndex(tmp_path / "r")
    assert isinstance(index._band_keys, np.memmap) and len(index._band_keys) == 4 * n
    assert np.all(np.diff(index._band_keys.astype(np.float64)) >= 0)
