"""The API-only Prefect server of one `twcorpus run`: `python -m flows.api_server PORT`.

What `prefect server start --no-services` runs in the foreground -- Prefect's app, without its background
services, under uvicorn on 127.0.0.1 -- minus the command-line layer, whose imports cost the run's start-up
some 0.4 s of a core while it waits for this server to answer.
"""

from __future__ import annotations

import sys


def main(port: int) -> None:
    import uvicorn
    from prefect.server.api.server import create_app

    app = create_app(final=True, webserver_only=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


if __name__ == "__main__":  # pragma: no cover - run as a process by flows.serve.launch_server
    main(int(sys.argv[1]))
