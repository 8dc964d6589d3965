"""The API-only Prefect server of one `twcorpus run`: started at once, gone when the run is gone."""

import os
import signal
import subprocess
import sys

import httpx
import psutil

from tests.conftest import ROOT, cli_env

HOLDER = """
import os, sys, time
from flows.serve import run_api
with run_api() as ready:
    ready()
    print(os.environ["PREFECT_API_URL"], flush=True)
    time.sleep(600)
"""


def _server_of(holder: psutil.Process) -> psutil.Process:
    [server] = [p for p in holder.children() if "flows.api_server" in p.cmdline()]
    return server


def test_the_run_server_answers_and_dies_with_a_killed_run(tmp_path):
    env = cli_env(tmp_path / "prefect")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        api = holder.stdout.readline().strip()
        assert api.startswith("http://127.0.0.1:") and httpx.get(f"{api}/health", timeout=5).status_code == 200
        server = _server_of(psutil.Process(holder.pid))
        assert os.getpgid(server.pid) == os.getpgid(holder.pid)  # Ctrl-C or a group kill reaches it too
        processes = [server, *server.children(recursive=True)]
        os.kill(holder.pid, signal.SIGKILL)  # only the run's process: no finally, no atexit
        holder.wait(timeout=10)
        _, alive = psutil.wait_procs(processes, timeout=20)
        assert not alive, f"outlived the run: {[p.cmdline() for p in alive]}"
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_given_api_is_used_and_nothing_is_started(monkeypatch):
    from flows.serve import run_api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with run_api() as ready:
        assert ready() == "http://127.0.0.1:9/api"  # nothing to wait for
        assert {p.pid for p in psutil.Process().children(recursive=True)} == before
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"


TWO_RUNS = """
import sys
from pathlib import Path
from flows.cli import run
for out in sys.argv[1:]:
    try:
        run(config=Path("configs/sample.yaml"), output=out, workers=1)
        code = 0
    except SystemExit as exc:
        code = exc.code
    print("RESULT", out, code, flush=True)
"""


def test_two_runs_in_one_process_each_use_their_own_server(tmp_path):
    """Prefect reads its settings once, when first imported (here: during the first run, whose server is
    gone by the second): each run names its API explicitly, so the second does not call a stopped one."""
    env = cli_env(tmp_path / "not-yet" / "prefect")  # folders the server must create
    outs = [str(tmp_path / "a"), str(tmp_path / "b")]
    done = subprocess.run(
        [sys.executable, "-c", TWO_RUNS, *outs], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    results = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert results == [[outs[0], "0"], [outs[1], "0"]], done.stdout[-2000:] + done.stderr[-2000:]


def _gone(proc: psutil.Process) -> bool:
    try:
        proc.wait(timeout=60)  # generous: a busy machine is slow to stop a server
    except psutil.TimeoutExpired:
        return False
    return True


def test_a_server_launched_first_thing_is_the_runs_or_is_stopped(tmp_path, monkeypatch):
    """`twcorpus run` launches its API server before it reads its config (`flows.entry`); the run takes that
    server over and stops it at its end, and one the run turns out not to need is stopped."""
    from flows import serve

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    serve.launch_run_api()
    early = psutil.Process(serve._LAUNCHED[0].pid)
    with serve.run_api() as ready:
        api = ready()
        port = api.split(":")[2].split("/")[0]
        assert port in early.cmdline() and httpx.get(f"{api}/health", timeout=5).status_code == 200
        assert serve._LAUNCHED is None  # taken over: not launched twice, not stopped at exit twice
    assert _gone(early)
    serve.launch_run_api()
    unneeded = psutil.Process(serve._LAUNCHED[0].pid)
    serve.discard_run_api()
    assert _gone(unneeded) and serve._LAUNCHED is None
