"""What orchestration costs, apart from the work: Prefect start-up and the cost of one task.

Each figure runs in a fresh interpreter with a fresh PREFECT_HOME, started the way `twcorpus run` starts:
its API-only Prefect server launched first (`flows.serve.run_api`), Prefect and the flows imported while
it boots, then the wait left for it, the first flow run, an empty flow run, and flows of N no-op tasks
submitted to the same ThreadPoolTaskRunner the build uses, and called directly.

    .venv/bin/python benchmarks/prefect_overhead.py --tasks 100 --tasks 400
"""

from __future__ import annotations

import argparse
import json
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, action="append", help="no-op tasks per flow (repeatable)")
    args = parser.parse_args()
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
