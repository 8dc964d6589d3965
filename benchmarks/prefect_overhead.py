"""What orchestration costs, apart from the work: Prefect start-up and the cost of one task.

Each figure runs in a fresh interpreter with a fresh PREFECT_HOME, started the way `twcorpus run` starts:
its API-only Prefect server launched first (`flows.serve.run_api`), Prefect and the flows imported while
it boots, then the wait left for it, the first flow run, an empty flow run, and flows of N no-op tasks
submitted to the same ThreadPoolTaskRunner the build uses, and called directly.

    .venv/bin/python benchmarks/prefect_overhead.py --tasks 100 --tasks 400
    .venv/bin/python benchmarks/prefect_overhead.py --startup 5

`--startup N`: `twcorpus run` itself, N times, on a config of one 5-record JSONL file and 2 workers (a used
PREFECT_HOME, as on a machine that has run before): seconds from the command's start to the flow run's first
line and to its first task's end (discover), and the whole run; beside them, `import prefect` alone in a
fresh interpreter (the floor every Prefect command pays). Medians, and each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time
from contextlib import ExitStack
t0 = time.perf_counter()
from flows.serve import run_api
stack = ExitStack()
ready = stack.enter_context(run_api())  # as `twcorpus run` does: the server boots during the imports
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
import flows.build_corpus  # what `twcorpus run` imports
imported = time.perf_counter() - t0
t = time.perf_counter(); ready(); api_wait = time.perf_counter() - t

@task(cache_policy=NO_CACHE)
def noop(i: int) -> int:
    return i

@flow(task_runner=ThreadPoolTaskRunner(max_workers=8))
def submitted(n: int) -> None:
    for f in [noop.submit(i) for i in range(n)]:
        f.result()

@flow
def called(n: int) -> None:
    for i in range(n):
        noop(i)

@flow
def empty() -> None:
    pass

def best(f, n, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); f(n); times.append(time.perf_counter() - t)
    return min(times)

t = time.perf_counter(); empty(); first = time.perf_counter() - t
again = best(lambda n: empty(), 0)
out = {"import_s": imported, "api_wait_s": api_wait, "first_flow_s": first, "empty_flow_s": again}
base_submit, base_call = best(submitted, 0), best(called, 0)
for n in map(int, sys.argv[1:]):
    out[f"submit_{n}"] = (best(submitted, n) - base_submit) / n
    out[f"call_{n}"] = (best(called, n) - base_call) / n
stack.close()
print(json.dumps(out))
"""


def _stamped(cmd: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Seconds from launching `cmd` (a `twcorpus run`) to its flow's first line, its first task, its exit."""
    import time

    marks: dict[str, float] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.perf_counter() - started
        if "Beginning flow run" in line:
            marks.setdefault("flow", now)
        elif "Task run 'discover" in line:
            marks.setdefault("first_task", now)
    if proc.wait():
        raise SystemExit(f"{' '.join(cmd)} failed")
    marks["exit"] = time.perf_counter() - started
    return marks


def startup(runs: int) -> None:
    """`twcorpus run` on a 5-record config: the time to its first task, beside Prefect's import."""
    import statistics
    import time

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        env = {**os.environ, "PREFECT_HOME": str(work / "home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        text = "號公告：本部辦理資料開放作業，請各機關配合辦理。"
        lines = [json.dumps({"id": i, "text": f"第{i}{text}"}, ensure_ascii=False) for i in range(5)]
        (work / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        source = {"kind": "local", "paths": ["in.jsonl"], "format": "jsonl", "text_field": "text", "id_field": "id"}
        source["dataset"] = {"id": "startup", "license": "OGDL-Taiwan-1.0"}
        config = {"workers": 2, "data_dir": "data", "output_dir": "corpus", "sources": [source]}
        (work / "c.yaml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        twcorpus = [str(ROOT / ".venv" / "bin" / "twcorpus"), "run", "-c", "c.yaml"]
        _stamped(twcorpus, env, work)  # the server's database is created on a machine's first run
        imports, marks = [], []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import prefect"], env=env, check=True)
            imports.append(time.perf_counter() - t)
            for folder in ("data", "corpus"):
                shutil.rmtree(work / folder, ignore_errors=True)
            marks.append(_stamped(twcorpus, env, work))
    median = {key: statistics.median(m[key] for m in marks) for key in ("flow", "first_task", "exit")}
    floor = statistics.median(imports)
    print(f"python -c 'import prefect'          {floor:6.2f} s  ({' / '.join(f'{t:.2f}' for t in imports)})")
    labels = {"flow": "to the flow run's first line", "first_task": "to the first task", "exit": "whole run"}
    for key, label in labels.items():
        each = " / ".join(f"{m[key]:.2f}" for m in marks)
        print(f"twcorpus run: {label:<29}{median[key]:6.2f} s  ({each})")
    print(f"first task - Prefect's import       {median['first_task'] - floor:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, action="append", help="no-op tasks per flow (repeatable)")
    parser.add_argument("--startup", type=int, metavar="N", help="time `twcorpus run` to its first task, N runs")
    args = parser.parse_args()
    if args.startup:
        startup(args.startup)
        return
    sizes = [str(n) for n in (args.tasks or [100])]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
        env.pop("PREFECT_API_URL", None)
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *sizes], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"import prefect + twcorpus flows   {figures['import_s']:6.2f} s  (the API server booting meanwhile)")
    print(f"then waiting for the API          {figures['api_wait_s']:6.2f} s")
    print(f"first flow run                    {figures['first_flow_s']:6.2f} s")
    print(f"an empty flow run afterwards      {figures['empty_flow_s'] * 1000:6.0f} ms (best of 3)")
    for n in sizes:
        print(
            f"per task, {n:>4} tasks: submitted {figures[f'submit_{n}'] * 1000:5.1f} ms, "
            f"called {figures[f'call_{n}'] * 1000:5.1f} ms"
        )


if __name__ == "__main__":
    main()
