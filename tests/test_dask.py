"""Scale-out on Dask: a 2-worker LocalCluster builds the same corpus as one machine, against a real Prefect
server, and the LSH band buckets grouped on dask.dataframe give the same candidate pairs as numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
import yaml

from pipeline.dedup.dask_bands import candidate_pairs_on_dask
from pipeline.dedup.lsh import band_keys, candidate_pairs
from pipeline.dedup.signing import signature_matrix
from tests.conftest import ROOT, SAMPLE_CONFIG, run_flow_in


def _near_copies(n: int, seed: int) -> list[str]:
    """Texts with planted near copies (a few characters changed), from the sample laws' characters."""
    rng = np.random.default_rng(seed)
    alphabet = list("".join(p.read_text(encoding="utf-8") for p in (ROOT / "data/sample/moj_laws").glob("*.json")))
    texts = ["".join(rng.choice(alphabet, 300)) for _ in range(n)]
    for i in range(n // 3):
        copy = list(texts[i])
        for at in rng.integers(0, len(copy), 6):
            copy[at] = "。"
        texts.append("".join(copy))
    return texts


def test_band_buckets_on_a_dask_cluster_give_the_numpy_pairs():
    from distributed import Client, LocalCluster

    keys = band_keys(signature_matrix(_near_copies(600, seed=3), num_perm=128, ngram=5), 16, 8)
    want = candidate_pairs(keys)
    assert len(want) >= 150  # the planted copies are found
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        got = candidate_pairs_on_dask(keys, client)
    np.testing.assert_array_equal(got, want)


def _config_with(tmp_path: Path, name: str, **extra: object) -> Path:
    """The sample config (absolute input paths) writing under tmp_path/name."""
    text = SAMPLE_CONFIG.read_text(encoding="utf-8").replace("../data/sample", str(ROOT / "data/sample"))
    body = {**yaml.safe_load(text), "output_dir": str(tmp_path / name / "corpus")}
    body.update(data_dir=str(tmp_path / name / "data"), **extra)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def _filter(api: str, what: str, body: dict) -> list[dict]:
    return httpx.post(f"{api}/{what}/filter", json=body, timeout=10).json()


def test_a_two_worker_local_cluster_builds_the_single_machine_corpus(tmp_path, prefect_server_api, prefect_harness):
    [alone] = run_flow_in(tmp_path, _config_with(tmp_path, "local"))
    config = _config_with(tmp_path, "dask", dask={"workers": 2})
    env = {**os.environ, "PREFECT_API_URL": prefect_server_api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--config", str(config)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    local = json.loads((tmp_path / "local/corpus/manifest.json").read_text(encoding="utf-8"))
    on_dask = json.loads((tmp_path / "dask/corpus/manifest.json").read_text(encoding="utf-8"))
    assert on_dask["content_sha256"] == local["content_sha256"]
    assert on_dask["documents"] == local["documents"] == alone["published"]
    assert on_dask["dedup_stats"] == local["dedup_stats"]

    # The tasks ran in a child flow on the cluster and reported to the server; publish grouped on the cluster.
    [child] = _filter(prefect_server_api, "flow_runs", {"flows": {"name": {"any_": ["build-corpus-on-dask"]}}})
    assert child["state_type"] == "COMPLETED"
    tasks = _filter(prefect_server_api, "task_runs", {"flow_runs": {"id": {"any_": [child["id"]]}}})
    names = {t["name"].rsplit("-", 1)[0] for t in tasks if t["state_type"] == "COMPLETED"}
    assert {"discover", "publish", "report"} <= names and any(n.startswith("extract-") for n in names)
    logs = _filter(prefect_server_api, "logs", {"logs": {"flow_run_id": {"any_": [child["id"]]}}})
    assert any("grouped on the Dask cluster" in entry["message"] for entry in logs)


def test_dask_mode_without_a_prefect_server_is_refused():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.build_corpus import DaskModeError, dask_task_runner
    from pipeline.config import DaskConfig

    with temporary_settings({PREFECT_API_URL: None}), pytest.raises(DaskModeError, match="PREFECT_API_URL"):
        dask_task_runner(DaskConfig(address="tcp://127.0.0.1:1"))
