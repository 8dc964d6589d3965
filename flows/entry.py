"""The `twcorpus` command. `twcorpus run` launches its Prefect API server before anything else -- before the
command line library is imported, the arguments read or the config loaded -- since the server's boot is the
longest part of a run's start (`flows.serve.run_api` takes it over, or stops it when the run needs none)."""

from __future__ import annotations

import sys


def main() -> None:  # pragma: no cover - console script entry
    if sys.argv[1:2] == ["run"] and not {"--help", "-h"} & set(sys.argv[2:]):
        from flows.serve import launch_run_api

        launch_run_api()
    from pipeline.gc_pause import collector_paused

    with collector_paused():
        from flows.cli import main as cli_main

    cli_main()
