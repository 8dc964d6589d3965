"""`twcorpus serve --interval`: a schedule really fires runs, on a Prefect server `serve` starts itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from flows.serve import free_port
from tests.conftest import ROOT, SAMPLE_CONFIG, cli_env, start_cli


def _completed_scheduled_runs(api: str) -> list[dict]:
    body = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    try:
        runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=5).json()
    except httpx.HTTPError:
        return []
    return [r for r in runs if r.get("deployment_id")]


def _serve(cwd: Path, port: int, interval_s: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`twcorpus serve` of the sample every `interval_s` seconds, its server on `port`."""
    args = ["serve", "--config", str(SAMPLE_CONFIG), "--interval", str(interval_s), "--port", str(port)]
    return start_cli(cwd, *args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_an_interval_schedule_fires_runs_on_a_real_server(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = cli_env(tmp_path / "prefect")
    env.update(
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",  # the server's scheduler looks every 2 s
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # the served runner asks for due runs every 2 s
    )
    serving = _serve(tmp_path, port, 5, env)
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


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _running(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.NoSuchProcess:
            continue
    return out


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_serve_stopped_on_a_saturated_machine_leaves_no_process(tmp_path, how):
    """Every core busy with processes the test starts: `serve` ended by SIGTERM, or killed outright (SIGKILL,
    no clean-up of its own), leaves none of the processes it started (the server and the API process under
    it) once a generous deadline has passed."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 2))]
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    serving = _serve(tmp_path, port, 3600)
    try:
        deadline = time.monotonic() + 300
        while True:  # up, and the deployment registered: serve is past its start-up
            assert serving.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve never served"
            try:
                if httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json():
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(1)
        started = _tree(serving.pid)
        assert len(started) >= 2, "serve and the server it started"
        serving.send_signal(how)
        serving.wait(timeout=180)
        deadline = time.monotonic() + 180
        while _running(started) and time.monotonic() < deadline:
            time.sleep(1)
        left = [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in _running(started)]
        assert not left, f"processes outlived serve: {left}"
    finally:
        for burner in burners:
            burner.kill()
            burner.wait(timeout=60)  # reaped: no zombie left among this process's children
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGKILL)
            serving.wait(timeout=60)
        for proc in _running(_tree(serving.pid)):
            proc.kill()
