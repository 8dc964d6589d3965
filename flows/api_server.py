"""The API-only Prefect server of one `twcorpus run`: `python -m flows.api_server PORT`.

What `prefect server start --no-services` runs in the foreground -- Prefect's app, without its background
services, under uvicorn on 127.0.0.1 -- minus what a run's server never needs, which the run would wait for:
- the command-line layer, whose imports cost some 0.4 s of a core;
- registering Prefect's block types in the database (0.35 s: it imports every installed Prefect collection,
  prefect-dask and with it Dask, to hash their blocks). A run creates no blocks; a full server started on the
  same database later registers them then. Settings in the environment win (a Prefect profile's do not: the
  environment outranks it);
- the cyclic garbage collector while it loads (0.4 s: see `pipeline.gc_pause`);
- the final `gc.collect()` of `create_app(final=True)` (0.15 s), which reclaims the routes older FastAPI copied
  when routers were included; the FastAPI pinned here copies none.
"""

from __future__ import annotations

import os
import sys


def _without_block_registration() -> None:
    """Registration off, and its memoisation with it (the memoising wrapper imports every collection to hash
    the registry before it finds registration off), unless the environment names registration itself."""
    if "PREFECT_API_BLOCKS_REGISTER_ON_START" not in os.environ:
        os.environ["PREFECT_API_BLOCKS_REGISTER_ON_START"] = "false"
        os.environ.setdefault("PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION", "false")


def main(port: int) -> None:
    _without_block_registration()
    from pipeline.gc_pause import collector_paused

    with collector_paused():
        import uvicorn
        from prefect.server.api.server import create_app

        app = create_app(webserver_only=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


if __name__ == "__main__":  # pragma: no cover - run as a process by flows.serve.launch_server
    main(int(sys.argv[1]))
