"""Publishing is all-or-nothing: a failure mid-publish leaves the previous release untouched."""

import json

import pytest

from pipeline.config import PublishConfig, load_config
from pipeline.paths import make_context
from pipeline.publish import build as shards
from pipeline.publish.writers import release_tag
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source


def _stage(write_config, tmp_path, n: int):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "{i}", "text": "第{i}號公告內容"}}\n' for i in range(n)), encoding="utf-8")
    cfg = load_config(write_config({"publish": {"shard_rows": 4}, "sources": [jsonl_source("in.jsonl")]}))
    ctx = make_context(cfg)
    sidecars = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    return cfg, ctx, sidecars


def test_shards_rotate_and_names_carry_the_count(write_config, tmp_path):
    cfg, ctx, sidecars = _stage(write_config, tmp_path, 10)
    manifest = publish(cfg, ctx, sidecars)
    assert [s["rows"] for s in manifest["shards"]] == [4, 4, 2]
    # partitioned by licence class and source, for the card's configs
    # and tagged with the release: the digest of its Parquet files (so `datasets` caches each release apart)
    tag = manifest["release_tag"]
    assert [s["path"] for s in manifest["shards"]][-1] == f"data/attribution/local/train-{tag}-00002-of-00003.parquet"
    files = [(e["path"].replace(f"-{tag}-", "-"), e["sha256"]) for e in manifest["shards"] + manifest["rejected_files"]]
    assert tag == release_tag(files) and len(tag) == 12


def test_failure_mid_publish_keeps_the_previous_release(write_config, tmp_path, monkeypatch):
    cfg, ctx, sidecars = _stage(write_config, tmp_path, 6)
    publish(cfg, ctx, sidecars)
    before = sorted(p.name for p in (tmp_path / "corpus/data").iterdir())

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(shards, "render_card", boom)
    bigger = cfg.model_copy(update={"corpus": cfg.corpus.model_copy(update={"publish": PublishConfig(shard_rows=2)})})
    with pytest.raises(shards.PublishError, match="disk full; the release in place is unchanged"):
        publish(bigger, make_context(bigger), sidecars)  # a changed setting: the release is rewritten, and fails
    assert sorted(p.name for p in (tmp_path / "corpus/data").iterdir()) == before
    assert not list(tmp_path.glob(".corpus.tmp-*")), "the half-written release is removed"
    monkeypatch.undo()
    publish(bigger, make_context(bigger), sidecars)
    assert len(list((tmp_path / "corpus/data").rglob("*.parquet"))) == 3


def test_recover_restores_a_release_caught_between_renames(tmp_path):
    out = tmp_path / "corpus"
    old = tmp_path / ".corpus.old-run1"
    (old / "data").mkdir(parents=True)
    (old / "manifest.json").write_text("{}", encoding="utf-8")
    shards.recover(out)
    assert (out / "manifest.json").exists() and not old.exists()


def test_an_unchanged_release_is_kept_and_a_damaged_or_changed_one_rewritten(write_config, tmp_path):
    cfg, ctx, sidecars = _stage(write_config, tmp_path, 6)
    first = publish(cfg, ctx, sidecars)
    again = publish(cfg, make_context(cfg), sidecars)
    assert again["reused_release"] and again["run_id"] == first["run_id"]
    (tmp_path / "corpus" / first["shards"][0]["path"]).unlink()
    repaired = publish(cfg, make_context(cfg), sidecars)
    assert not repaired.get("reused_release") and (tmp_path / "corpus" / repaired["shards"][0]["path"]).exists()
    assert repaired["content_sha256"] == first["content_sha256"]
    stricter = cfg.model_copy(
        update={
            "corpus": cfg.corpus.model_copy(
                update={"licenses": cfg.corpus.licenses.model_copy(update={"review": ["OGDL-Taiwan-1.0"]})}
            )
        }
    )
    # Every document held back for review: a release without documents is not written (`datasets` cannot load
    # it); the one in place stays, and the refusal says why.
    gated = publish(stricter, make_context(stricter), sidecars)
    assert not gated.get("reused_release") and gated["documents"] == 0
    assert gated["refused"].startswith(f"nothing to publish into {tmp_path / 'corpus'}: 6 record(s) read, none ")
    assert "(license_review 6); the release in place is unchanged" in gated["refused"]
    assert sum(t["rejected"].get("license_review", 0) for t in gated["tallies"].values()) == 6
    in_place = json.loads((tmp_path / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    assert in_place["run_id"] == repaired["run_id"] and not list(tmp_path.glob(".corpus.tmp-*"))
