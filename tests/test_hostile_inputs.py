"""Hostile and broken files through a `local` source: the run exits 0, publishes every good record, rejects
every bad one with a reason, writes nothing outside its folders and stays under 2 GB. Then hypothesis feeds
arbitrary bytes to every reader and arbitrary text to the normaliser: nothing crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import cli_env, jsonl_source
from tests.hostile import hostile_config, write_hostile

MAX_RSS_KIB = 2 * 1024 * 1024

_MEASURED_RUN = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(done.returncode)
"""


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_hostile_files_are_rejected_with_reasons_and_good_records_published(tmp_path):
    hostile = write_hostile(tmp_path / "in")
    config = tmp_path / "hostile.yaml"
    config.write_text(yaml.safe_dump(hostile_config(hostile, tmp_path / "out"), allow_unicode=True), encoding="utf-8")
    before = _files(tmp_path)
    neighbours = set(os.listdir(tmp_path.parent))
    env = cli_env(tmp_path / "prefect")
    cmd = [sys.executable, "-m", "flows.cli", "run", "--config", str(config)]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED_RUN, *cmd], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    assert peak_kib < MAX_RSS_KIB, f"peak RSS {peak_kib / 1024:.0f} MiB"

    published = pq.read_table(tmp_path / "out/corpus/data").to_pylist()
    rejected = pq.read_table(tmp_path / "out/corpus/rejected").to_pylist()
    texts = {r["text"] for r in published}
    assert set(hostile.good_texts) <= texts, "every good record is published"
    assert len(published) == len(hostile.good_texts), "nothing bad is published"
    assert all(r["reason"] and r["reason_detail"] for r in rejected)
    by_file: dict[str, set[str]] = {}
    for r in rejected:
        # named below its glob's folder (csv/*.csv names binary.csv); the dataset says which folder
        by_file.setdefault(f"{r['dataset_id'].removeprefix('hostile-')}/{r['resource_url']}", set()).add(r["reason"])
    assert set(hostile.bad_files) <= set(by_file), "every bad file has a rejected row naming it"
    expected = {
        "csv/binary.csv": "binary_content",
        "csv/empty.csv": "empty_resource",
        "csv/huge_cell.csv": "too_long",
        "csv/nul.csv": "nul_bytes",
        "csv/unbalanced.csv": "unbalanced_quote",
        "jsonl/deep.jsonl": "invalid_json",
        "jsonl/huge_field.jsonl": "too_long",
        "json/surrogates.json": "invalid_unicode",
        "xml/billion_laughs.xml": "unreadable_resource",
        "xml/xxe.xml": "unreadable_resource",
        "zip/bomb.zip": "unsafe_archive_member",
        "zip/traversal.zip": "unsafe_archive_member",
        "zip/truncated.zip": "unreadable_resource",
        "zip/damaged_member.zip": "unreadable_archive_member",
        "docs/bomb.odt": "unsafe_document",
        "docs/bomb.docx": "unsafe_document",
        "docs/entities.odt": "unreadable_document",
        "docs/entities.docx": "unreadable_document",
        "docs/page_flood.pdf": "too_many_pages",
        "docs/scan.pdf": "no_text_layer",
        "docs/truncated.pdf": "unreadable_document",
        "docs/encrypted.pdf": "encrypted",
        "docs/not_a_package.docx": "unreadable_resource",  # a broken ZIP, whatever its name says
    }
    for name, reason in expected.items():
        assert reason in by_file[name], (name, by_file[name])
    assert not any("extract_error" in reasons for reasons in by_file.values()), "every input met a reader that knew it"

    report = json.loads(next((tmp_path / "out/data/reports").glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["totals"]["records_read"] == len(published) + len(rejected)
    # nothing written outside the run's folders; the archive's ../ member went nowhere
    new = {p for p in _files(tmp_path) - before if not p.startswith(("out", "prefect"))}
    assert new == set(), new
    assert set(os.listdir(tmp_path.parent)) == neighbours
    assert not list(tmp_path.parent.rglob("escape.jsonl"))


# -- fuzzing ---------------------------------------------------------------------------------------------------------

_TEXTY = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.sampled_from('"{}[],:\n\r<>/&;=\\ab中文\u3000\x00'), max_size=300).map(str.encode),
    st.text(max_size=200).map(lambda s: s.encode("cp950", "ignore")),
)


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    """A config with one `local` source per format reading fuzz/<n>.<format>, and its run context."""
    from pipeline.config import load_config
    from pipeline.paths import make_context

    root = tmp_path_factory.mktemp("fuzz")
    formats = ["csv", "jsonl", "json", "xml", "html"]
    body = {
        "output_dir": str(root / "corpus"),
        "data_dir": str(root / "data"),
        "tokens": {"tokenizer": None},
        "sources": [
            {
                "kind": "local",
                "paths": [str(root / f"in/*.{fmt}")],
                "format": fmt,
                "text_field": "text",
                "record_tag": "r" if fmt == "xml" else None,
                "dataset": {"id": f"fuzz-{fmt}", "agency": "測試機關", "license": "OGDL-Taiwan-1.0"},
            }
            for fmt in formats
        ],
    }
    (root / "in").mkdir()
    (root / "c.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    cfg = load_config(root / "c.yaml")
    return root, cfg, make_context(cfg), formats


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_TEXTY, which=st.integers(min_value=0, max_value=4))
@example(data=b"<html", which=4)  # markup with no element: lxml finds the document empty
def test_any_bytes_in_any_format_become_rows_with_reasons(fuzz_env, data, which):
    from pipeline.extract.resource import extract_resource
    from pipeline.sources import local
    from pipeline.stages import fetch_resource

    root, cfg, ctx, formats = fuzz_env
    fmt = formats[which]
    path = root / "in" / f"x.{fmt}"
    for old in (root / "in").iterdir():
        old.unlink()
    path.write_bytes(data)
    [resource] = local.discover(cfg, which, cfg.corpus.sources[which])
    sidecar = extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource))
    assert sidecar.records_read >= 1, "a file always leaves a row"
    assert "extract_error" not in sidecar.rejected_at_extract, sidecar.rejected_at_extract


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_the_normaliser_takes_any_text(text):
    import unicodedata

    from pipeline.config import NormalizeConfig, PiiConfig
    from pipeline.normalize import Normalizer
    from pipeline.normalize.unicode import replace_surrogates

    out = Normalizer(NormalizeConfig(), PiiConfig())(replace_surrogates(text)).text
    out.encode("utf-8")  # storable
    assert unicodedata.is_normalized("NFC", out)
    assert "\x00" not in out and "\r" not in out


def _staged_rows(write_config, body: dict) -> list[dict]:
    from pipeline.config import load_config
    from pipeline.extract.resource import extract_resource
    from pipeline.paths import make_context
    from pipeline.publish.decisions import read_staged
    from pipeline.stages import discover_resources, fetch_resource

    cfg = load_config(write_config(body))
    ctx = make_context(cfg)
    [resource] = discover_resources(cfg, ctx)
    return read_staged(extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource))).to_pylist()


def test_a_file_over_max_resource_bytes_is_one_row_naming_the_limit(write_config, tmp_path):
    (tmp_path / "big.json").write_text(json.dumps([{"text": "公告內容"}] * 200, ensure_ascii=False), "utf-8")
    source = jsonl_source("big.json", format="json")  # a JSON document is parsed whole
    [row] = _staged_rows(write_config, {"max_resource_bytes": 1000, "sources": [source]})
    assert row["reason"] == "too_large" and "max_resource_bytes 1,000" in row["reason_detail"]


def test_json_lines_and_csv_are_read_a_line_at_a_time_up_to_their_own_limit(write_config, tmp_path):
    (tmp_path / "big.jsonl").write_text('{"text": "公告內容"}\n' * 200, encoding="utf-8")
    (tmp_path / "big.csv").write_text("text\n" + "公告內容\n" * 200, encoding="utf-8")
    for source in (jsonl_source("big.jsonl"), jsonl_source("big.csv", format="csv")):
        rows = _staged_rows(write_config, {"max_resource_bytes": 1000, "sources": [source]})
        assert len(rows) == 200 and not any(r["reason"] for r in rows)  # never held whole: within their own limit
        [row] = _staged_rows(write_config, {"max_streamed_bytes": 1000, "sources": [source]})
        assert row["reason"] == "too_large" and "max_streamed_bytes 1,000" in row["reason_detail"]
