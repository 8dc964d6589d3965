"""LSH band buckets grouped on a Dask cluster: the dataframe form of `lsh.candidate_pairs`.

Every (band, key, document) membership is a row; a shuffle on the key puts each bucket whole into one
partition, where `bucket_pairs` finds its pairs. The pairs are the same as the single-machine ones (tested):
grouping is exact, and the union over partitions is made distinct and sorted the same way.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipeline.dedup.lsh import bucket_pairs, distinct_pairs

if TYPE_CHECKING:
    from distributed import Client

ROWS_PER_PARTITION = 2_000_000  # memberships per partition: ~50 MB of (key, band, doc)


def _partition_pairs(part: pd.DataFrame) -> pd.DataFrame:
    """Pairs of the whole buckets in one partition, band by band (equal keys of two bands never meet)."""
    found = [np.empty((0, 2), dtype=np.int64)]
    for _, rows in part.groupby("band", sort=False):
        found.append(bucket_pairs(rows["key"].to_numpy(), rows["doc"].to_numpy()))
    pairs = np.concatenate(found)
    return pd.DataFrame({"a": pairs[:, 0], "b": pairs[:, 1]})


def candidate_pairs_on_dask(keys: np.ndarray, client: Client) -> np.ndarray:
    """`lsh.candidate_pairs(keys)` computed on the cluster `client` is connected to."""
    import dask.dataframe as dd

    n, bands = keys.shape
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    members = pd.DataFrame(
        {
            "key": keys.reshape(-1),
            "band": np.tile(np.arange(bands, dtype=np.int16), n),
            "doc": np.repeat(np.arange(n, dtype=np.int64), bands),
        }
    )
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    partitions = max(2 * workers, math.ceil(len(members) / ROWS_PER_PARTITION))
    frame = dd.from_pandas(members, npartitions=partitions).shuffle("key", npartitions=partitions)
    meta = pd.DataFrame({"a": pd.Series(dtype=np.int64), "b": pd.Series(dtype=np.int64)})
    found = client.compute(frame.map_partitions(_partition_pairs, meta=meta)).result()
    return distinct_pairs(found[["a", "b"]].to_numpy(dtype=np.int64), n)


def on_dask_worker() -> bool:
    """True inside a task a Dask worker runs."""
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return False
    return True


def candidate_pairs_from_worker(keys: np.ndarray) -> np.ndarray:
    """`candidate_pairs_on_dask` from inside a task on a Dask worker: the task leaves its worker thread while
    the cluster groups the buckets, so a one-thread worker does not wait on itself."""
    from distributed import worker_client

    with worker_client() as client:
        return candidate_pairs_on_dask(keys, client)
