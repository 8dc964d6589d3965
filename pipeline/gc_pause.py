"""Loading without the cyclic garbage collector: for a process's imports and warm-up.

Importing Prefect's server, FastAPI, SQLAlchemy, pydantic models or the pipeline's dictionaries builds many
long-lived objects and almost no garbage, yet every 700 new objects start a collection that walks the
objects built so far. With the collector paused, the run's API server answers about 0.4 s sooner on 2
cores. Once loaded, what was built is frozen (`gc.freeze`): later collections, in a long extraction or a
publish, no longer walk the modules and dictionaries at every full pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = True) -> Iterator[None]:
    """No cyclic collection in the block; after it, what was built is frozen (`freeze`) and collection resumes.
    Inside a block already paused (or with the collector off), nothing changes. A freeze keeps any garbage
    cycle alive at that moment for good (a few thousand objects after Prefect's imports): fine once at a
    process's start, not in code a long-lived process calls again and again (`run` invoked in-process)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()
