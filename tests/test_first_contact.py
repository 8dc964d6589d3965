"""What a new user meets first, through real `twcorpus` subprocesses: `load_dataset(<folder>)` returns the rows
on disk every time (the real `datasets` cache, a fresh process per load), inputs that match nothing are a
one-line error, a release without documents is refused, and ids do not depend on where things are."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from tests.conftest import ROOT, cli_env, notices

TWCORPUS = str(Path(sys.executable).with_name("twcorpus"))
LOADER = """
import hashlib, json, sys
from datasets import load_dataset
folder, names = sys.argv[1], json.loads(sys.argv[2])
out = {}
for name in names:
    ds = load_dataset(folder, None if name == "default" else name, split="train")
    out[name] = sorted(f"{r['id']} {hashlib.md5((r['text'] or '').encode()).hexdigest()} {r['run_id']}" for r in ds)
print(json.dumps(out))
"""


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _config(path: Path, sources: list[dict], **top) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": sources, **top}, allow_unicode=True), encoding="utf-8")
    return path


def _local(paths: list[str], dataset: str = "notices", license: str = "OGDL-Taiwan-1.0", **extra) -> dict:
    return {
        "kind": "local",
        "paths": paths,
        "format": "jsonl",
        "text_field": "text",
        "id_field": "id",
        "dataset": {"id": dataset, "license": license},
        **extra,
    }


def _twcorpus(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TWCORPUS, *args], cwd=cwd, env=cli_env(home / "prefect"), capture_output=True, text=True, timeout=900
    )


def _run(config: Path, out: Path, cwd: Path, home: Path) -> dict:
    done = _twcorpus("run", "--config", str(config), "--output", str(out), cwd=cwd, home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _card_configs(folder: Path) -> list[str]:
    header = (folder / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    return [c["config_name"] for c in yaml.safe_load(header)["configs"]]


def _load(folder: Path, hf_home: Path) -> dict[str, list[str]]:
    """Every config the card declares, loaded by `datasets` in a fresh process with the given cache."""
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", LOADER, str(folder), json.dumps(_card_configs(folder))],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rows_of(path: Path) -> list[str]:
    """What LOADER prints of a row: id, digest of the text, run id."""
    t = pq.read_table(path, columns=["id", "text", "run_id"]).to_pydict()
    return [
        f"{i} {hashlib.md5((text or '').encode()).hexdigest()} {run}"
        for i, text, run in zip(t["id"], t["text"], t["run_id"], strict=True)
    ]


def _on_disk(folder: Path) -> dict[str, list[str]]:
    """The rows each card config should load, read from the Parquet files the manifest lists."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {"default": []}
    for shard in manifest["shards"]:
        _, licence_class, source, _ = shard["path"].split("/")
        rows = _rows_of(folder / shard["path"])
        for name in ("default", f"license-{licence_class}", f"source-{source}"):
            out.setdefault(name, []).extend(rows)
    if manifest["rejected_files"]:
        out["rejected"] = [row for e in manifest["rejected_files"] for row in _rows_of(folder / e["path"])]
    return {k: sorted(v) for k, v in out.items()}


def test_load_dataset_returns_the_rows_on_disk_after_every_release(tmp_path):
    """Re-run after a change, re-run with no change, a second folder of the same base name: each load in a fresh
    process, one `datasets` cache throughout, returns exactly what the Parquet files hold, for every config."""
    hf = tmp_path / "hf"
    work = tmp_path / "work"
    _write_jsonl(work / "in" / "notices.jsonl", notices("甲", 6))
    (work / "in" / "laws").mkdir()
    shutil.copy(ROOT / "data/sample/moj_laws/Z0000001.json", work / "in" / "laws")
    sources = [
        _local(["in/*.jsonl"]),
        _local(["in/*.jsonl"], dataset="held-back", license="CC BY-ND 3.0 TW"),  # rejected: license_denied
        {"kind": "moj_laws", "paths": ["in/laws/*.json"], "dataset": {"id": "laws", "license": "著作權法第9條"}},
    ]
    config = _config(work / "c.yaml", sources, data_dir=str(work / "data"))
    corpus = work / "a" / "corpus"

    first = _run(config, corpus, work, tmp_path)
    assert set(_card_configs(corpus)) == {
        "default",
        "license-attribution",
        "license-public-domain",
        "source-local",
        "source-moj_laws",
        "rejected",
    }
    loaded = _load(corpus, hf)
    assert loaded == _on_disk(corpus) and len(loaded["default"]) == 7 and len(loaded["rejected"]) == 6

    # The input changes, two notices replaced: same folder, same number of rows in every config, same card shape.
    _write_jsonl(work / "in" / "notices.jsonl", notices("甲", 4) + notices("乙", 2))
    second = _run(config, corpus, work, tmp_path)
    assert second["content_sha256"] != first["content_sha256"]
    reloaded = _load(corpus, hf)
    assert reloaded == _on_disk(corpus) and reloaded != loaded and len(reloaded["default"]) == 7

    # Nothing changes: the release in place is kept, and loads the same.
    third = _run(config, corpus, work, tmp_path)
    assert third["run_id"] == second["run_id"]
    assert _load(corpus, hf) == reloaded

    # Another corpus in another folder with the same base name and a card alike: its own rows, not a's.
    other = tmp_path / "elsewhere"
    _write_jsonl(other / "in" / "notices.jsonl", notices("丙", 6))
    other_corpus = other / "a" / "corpus"
    _run(
        _config(other / "c.yaml", [_local(["in/*.jsonl"])], data_dir=str(other / "data")), other_corpus, other, tmp_path
    )
    loaded_b = _load(other_corpus, hf)
    assert loaded_b == _on_disk(other_corpus) and len(loaded_b["default"]) == 6
    assert _load(corpus, hf) == reloaded  # and a's still loads as a's


def test_inputs_that_match_nothing_are_named_in_one_line_each(tmp_path):
    _write_jsonl(tmp_path / "in" / "ok.jsonl", notices("甲", 2))
    config = _config(
        tmp_path / "c.yaml",
        [
            _local(["in/*.jsonl"]),
            {**_local(["missing/*.jsonl"], dataset="m1"), "name": "first gap"},
            {"kind": "moj_laws", "paths": ["laws/*.json", "in/*.jsonl"], "dataset": {"id": "m2"}},
        ],
        data_dir=str(tmp_path / "data"),
    )
    for command in ("validate", "run"):
        done = _twcorpus(command, "--config", str(config), cwd=tmp_path, home=tmp_path)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 2, done.stderr
        assert "sources[1] (first gap): no file matches 'missing/*.jsonl'" in errors[0]
        assert "sources[2]: no file matches 'laws/*.json'" in errors[1] and "optional: true" in errors[1]
        assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "data" / "reports").exists()  # nothing ran

    # Marked optional, the empty sources are skipped and the run publishes the rest.
    optional = _config(
        tmp_path / "c2.yaml",
        [_local(["in/*.jsonl"]), _local(["missing/*.jsonl"], dataset="m1", optional=True)],
        data_dir=str(tmp_path / "data"),
    )
    assert _twcorpus("validate", "--config", str(optional), cwd=tmp_path, home=tmp_path).returncode == 0
    assert _run(optional, tmp_path / "corpus", tmp_path, tmp_path)["documents"] == 2


def test_a_release_without_documents_is_refused_and_the_one_in_place_kept(tmp_path):
    """`datasets` cannot load a split with no rows, so such a release is never written: the run says why (exit 2),
    the report lists every rejection, and a release already in place stays as it was."""
    _write_jsonl(tmp_path / "in" / "a.jsonl", notices("甲", 3))
    corpus = tmp_path / "corpus"
    denied = _config(tmp_path / "denied.yaml", [_local(["in/*.jsonl"], license="CC BY-ND 3.0 TW")], data_dir="data")
    done = _twcorpus("run", "--config", str(denied), "--output", str(corpus), cwd=tmp_path, home=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"error: nothing to publish into {corpus}: 3 record(s) read, none published (license_denied 3)" in (
        " ".join(done.stderr.split())
    )
    assert "no release was written" in done.stderr and "Traceback" not in done.stderr
    assert not corpus.exists() and not list(tmp_path.glob(".corpus.tmp-*"))
    report = json.loads((tmp_path / "data/reports/latest/report.json").read_text(encoding="utf-8"))
    assert report["totals"]["rejected_by_reason"] == {"license_denied": 3} and len(report["refused"]) == 1

    allowed = _config(tmp_path / "allowed.yaml", [_local(["in/*.jsonl"])], data_dir="data")
    before = _run(allowed, corpus, tmp_path, tmp_path)
    files = sorted(p.name for p in corpus.rglob("*.parquet"))
    done = _twcorpus("run", "--config", str(denied), "--output", str(corpus), cwd=tmp_path, home=tmp_path)
    assert done.returncode == 2 and "the release in place is unchanged" in done.stderr
    assert json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["run_id"] == before["run_id"]
    assert sorted(p.name for p in corpus.rglob("*.parquet")) == files


def _ids_and_digest(manifest: dict, corpus: Path) -> tuple[Counter, str]:
    ids = Counter(pq.read_table(corpus / "data", columns=["id"])["id"].to_pylist())
    return ids, manifest["content_sha256"]


def test_ids_depend_on_the_data_not_on_where_the_config_or_the_shell_is(tmp_path):
    rows = notices("甲", 4)
    home = tmp_path / "home"

    # 1. The config beside its data, run from its folder.
    beside = tmp_path / "beside"
    _write_jsonl(beside / "data" / "notices.jsonl", rows)
    shutil.copytree(ROOT / "data/sample/moj_laws", beside / "data" / "laws")
    sources = [
        _local(["data/*.jsonl"]),
        {"kind": "moj_laws", "paths": ["data/laws/*.json"], "dataset": {"id": "laws", "license": "著作權法第9條"}},
    ]
    a = _run(_config(beside / "c.yaml", sources, data_dir="state"), beside / "out", beside, home)

    # 2. Config and data moved together one folder deeper, run from the filesystem root.
    deeper = tmp_path / "x" / "y"
    shutil.copytree(beside / "data", deeper / "data")
    b = _run(_config(deeper / "c.yaml", sources, data_dir=str(deeper / "state")), deeper / "out", Path("/"), home)

    # 3. The config alone elsewhere, its globs adjusted to reach the data; run from a third folder.
    apart = tmp_path / "configs" / "team"
    moved = [
        _local(["../../beside/data/*.jsonl"]),
        {
            "kind": "moj_laws",
            "paths": ["../../beside/data/laws/Z*.json"],
            "dataset": {"id": "laws", "license": "著作權法第9條"},
        },
    ]
    shell = tmp_path / "shell"
    shell.mkdir()
    c = _run(_config(apart / "c.yaml", moved, data_dir=str(apart / "state")), apart / "out", shell, home)

    first = _ids_and_digest(a, beside / "out")
    assert sum(first[0].values()) == a["documents"] >= 5 and max(first[0].values()) == 1
    assert _ids_and_digest(b, deeper / "out") == first
    assert _ids_and_digest(c, apart / "out") == first
    # Files are named below their glob's fixed folder: data/*.jsonl -> notices.jsonl, data/laws/*.json -> Z....json
    names = set(pq.read_table(beside / "out" / "data", columns=["resource_url"])["resource_url"].to_pylist())
    assert "notices.jsonl" in names and names - {"notices.jsonl"} <= {f"Z000000{i}.json" for i in (1, 2, 3)}
