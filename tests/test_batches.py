"""Batches of resources: by bytes where files are on disk (shrinking towards a dataset's end), by count for
downloads; never mixing datasets, never losing or repeating a resource."""

import os
from pathlib import Path

from pipeline.batches import MIN_BYTES, local_size, plan_batches
from pipeline.config import DatasetInfo
from pipeline.sources import Resource
from pipeline.sources.files import fetch_location


def _resource(location: str, dataset: str, index: int = 0) -> Resource:
    return Resource(
        source_index=index,
        source_kind="local",
        source_name="t",
        url=location,
        fetch_url=location,
        format="jsonl",
        dataset=DatasetInfo(id=dataset),
    )


def _files(folder: Path, sizes: list[int], dataset: str) -> list[Resource]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, size in enumerate(sizes):
        path = folder / f"part-{i:04d}.jsonl"
        path.touch()
        os.truncate(path, size)  # sparse: the size is what counts
        out.append(_resource(fetch_location(path), dataset))
    return out


def _flat(batches: list[list[Resource]]) -> list[Resource]:
    return [r for b in batches for r in b]


def test_big_files_are_cut_in_shrinking_batches_so_workers_finish_together(tmp_path):
    resources = _files(tmp_path / "big", [3 * MIN_BYTES] * 60, "big")
    batches = plan_batches(resources, spread=4)
    assert _flat(batches) == resources  # every file once, in order
    lengths = [len(b) for b in batches]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] > 5
    assert lengths[-3:] == [1, 1, 1]  # the end of the dataset: one file per batch
    assert lengths[0] <= 60 / 4  # the first batch takes at most a `spread` share


def test_small_files_fill_batches_up_to_the_count_limit(tmp_path):
    resources = _files(tmp_path / "laws", [2_000] * 100, "laws")
    batches = plan_batches(resources, max_resources=64, spread=4)
    assert [len(b) for b in batches] == [64, 36]  # 200 kB: two tasks, not a hundred


def test_downloads_have_no_size_and_are_cut_by_count():
    resources = [_resource(f"https://data.example.gov.tw/{i}.csv", "d") for i in range(10)]
    assert [local_size(r) for r in resources] == [None] * 10
    assert [len(b) for b in plan_batches(resources, spread=4)] == [3, 3, 3, 1]


def test_a_batch_never_mixes_datasets(tmp_path):
    a = _files(tmp_path / "a", [1_000] * 3, "a")
    b = [_resource(f"https://x.gov.tw/{i}.csv", "b") for i in range(2)]
    c = _files(tmp_path / "c", [1_000] * 2, "c")
    batches = plan_batches(a + b + c, spread=2)
    assert _flat(batches) == a + b + c
    assert all(len({r.dataset.id for r in batch}) == 1 for batch in batches)


def test_local_size_reads_paths_and_file_uris(tmp_path):
    path = tmp_path / "名 稱.jsonl"
    path.write_bytes(b"12345")
    assert local_size(_resource(str(path), "d")) == 5
    assert local_size(_resource(fetch_location(path), "d")) == 5
    assert local_size(_resource(str(tmp_path / "missing.jsonl"), "d")) is None
