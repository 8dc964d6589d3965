"""`twcorpus serve --interval`: a schedule really fires runs, on a Prefect server `serve` starts itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from flows.serve import free_port
from tests.conftest import ROOT, SAMPLE_CONFIG, cli_env


def _completed_scheduled_runs(api: str) -> list[dict]:
    body = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    try:
        runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=5).json()
    except httpx.HTTPError:
        return []
    return [r for r in runs if r.get("deployment_id")]


def test_an_interval_schedule_fires_runs_on_a_real_server(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = cli_env(tmp_path / "prefect")
    env.update(
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",  # the server's scheduler looks every 2 s
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # the served runner asks for due runs every 2 s
    )
    cmd = [sys.executable, "-m", "flows.cli", "serve", "--config", str(SAMPLE_CONFIG), "--interval", "5"]
    serving = subprocess.Popen(
        [*cmd, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while len(runs := _completed_scheduled_runs(api)) < 2:
            assert serving.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "no scheduled run completed"
            time.sleep(1)
        assert len({r["deployment_id"] for r in runs}) == 1
        assert (tmp_path / "data/corpus/manifest.json").exists()  # the runs built the corpus where serve runs
    finally:
        serving.send_signal(signal.SIGTERM)
        try:
            serving.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serving.pid, signal.SIGKILL)
    time.sleep(1)
    try:
        alive = httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        alive = False
    assert not alive, "the server serve started is stopped with it"


def test_prefect_yaml_deploys_the_flow_with_its_schedule():
    import yaml

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = spec["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert (ROOT / path).is_file() and f"def {name}(" in (ROOT / path).read_text(encoding="utf-8")
    assert (ROOT / deployment["parameters"]["config_path"]).is_file()
    from prefect.schedules import Cron

    [schedule] = deployment["schedules"]
    Cron(schedule["cron"], timezone=schedule["timezone"])  # a valid cron in a valid zone
