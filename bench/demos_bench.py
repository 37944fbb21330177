"""Demo timings, measured in one run on this machine:

- raw: the demo's default run in this process (DEMO_TORCH_THREADS threads), after a warm-up run,
- queued: the same run submitted through the API, sent through a real redis-server to a real Celery worker (one
  fresh child per run, as in production), until the API reports it finished,
- overhead: queued minus raw, in ms, and where it went: from the submission until the worker started the run
  ("to start"), the run's own time in the worker (started to finished) minus raw ("in run": its database writes,
  and what a fresh process pays the first time), and from the run's row written as finished until the API showed
  it ("to see"),
- cache hit: the identical submission again, answered from the stored result.

Each demo is measured --repeat times (raw and queued alternating); the medians are printed, so that a busy
machine's noise weighs less. The process polls the run's row every 5 ms and then reads it through the API. Each
measurement starts --settle seconds (default 0.5) after the previous one ended, once the worker has replaced the
child that ran the previous run: with --settle 0 a run sent while that child exits and its replacement starts also
pays for their work on the same cores.

Usage: .venv/bin/python bench/demos_bench.py [demo ...] [--device cuda] [--seeds N] [--repeat N] [--settle S]
With --seeds N every run trains N seeds (the demos' ``seeds`` parameter) and reports their means.
With --device cuda the raw runs use the GPU and the queued ones go to a GPU worker (queue gpu).
It starts its own redis-server and worker on loopback and leaves nothing behind.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from support import free_port, wait_for  # noqa: E402 - bench/ is on the path when run as a script


def start_worker(queue: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-Q", queue, "--concurrency", "1"]
    return subprocess.Popen(
        [*command, "--loglevel", "WARNING"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def finished_poller(run_id):
    """Whether the run has finished, read with SQL compiled once: through the ORM each read costs about 0.6 ms of
    CPU, 200 times a second, which on a busy machine is taken from the worker it is timing."""
    from django.db import connection

    from demos.models import DemoRun

    sql, params = DemoRun.objects.filter(pk=run_id).values_list("status").query.sql_with_params()

    def finished() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] in ("succeeded", "failed", "cancelled")

    return finished


def measure(client, name: str, params: dict, device: str, settle: float = 0) -> dict:
    """One raw run and one queued run of ``name``, each ``settle`` seconds after what came before; in seconds."""
    from demos.catalog import get_demo
    from demos.models import DemoRun

    time.sleep(settle)
    started = time.perf_counter()
    get_demo(name).run(params, device)
    raw = time.perf_counter() - started

    time.sleep(settle)
    submitted = time.time()
    started = time.perf_counter()
    body = {"demo": name, "params": params, "fresh": True, "device": device}
    run_id = client.post("/api/demo-runs/", body, format="json").json()["id"]
    wait_for(finished_poller(run_id), 600, interval=0.005)
    shown = client.get(f"/api/demo-runs/{run_id}/").json()
    queued = time.perf_counter() - started
    seen = time.time()
    assert shown["status"] == "succeeded", shown["error"]
    run = DemoRun.objects.get(pk=run_id)
    return {
        "raw": raw,
        "queued": queued,
        "to_start": run.started_at.timestamp() - submitted,
        "in_run": (run.finished_at - run.started_at).total_seconds() - raw,
        "to_see": seen - run.finished_at.timestamp(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("demos", nargs="*", help="Demo names (default: all).")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="Device of the runs.")
    parser.add_argument("--seeds", type=int, default=1, help="Seeds per run, 1 to 10 (default 1).")
    parser.add_argument("--repeat", type=int, default=3, help="Measurements per demo; medians are printed.")
    parser.add_argument("--settle", type=float, default=0.5, help="Seconds of rest before each run (default 0.5).")
    args = parser.parse_args()
    if args.settle < 0 or args.repeat < 1:
        parser.error("--settle must be 0 or more seconds and --repeat at least 1.")

    data = Path(tempfile.mkdtemp(prefix="deeprecall-bench-"))
    (data / "static").mkdir()
    port = free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEEPRECALL_DATA_DIR=str(data),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        DEMO_MAX_ACTIVE_RUNS="1000",
        DEMO_SUBMIT_RATE="100000/hour",
        DEMO_GPU_QUEUE=str(args.device == "cuda").lower(),
    )
    from tests.processes import RedisServer  # the same redis-server the tests start (needs the settings above)

    redis = RedisServer(port, data)
    redis.start()  # waits until it answers PING
    worker = None
    try:
        import django

        django.setup()
        import torch
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from rest_framework.test import APIClient

        from demos.catalog import CATALOG, get_demo

        call_command("migrate", verbosity=0)
        client = APIClient(HTTP_HOST="localhost")
        client.force_authenticate(get_user_model().objects.create_user("bench"))
        worker = start_worker("gpu" if args.device == "cuda" else "cpu")
        from workers.celery_app import app

        wait_for(lambda: app.control.ping(timeout=0.5), 300)  # its start (and warm-up) is not measured
        measure(client, "gradient-checking", {}, args.device)  # nor this process's first request (imports, connections)
        torch.set_num_threads(settings.DEMO_TORCH_THREADS)
        names = args.demos or list(CATALOG)
        params = {"seeds": args.seeds}
        print(
            f"torch {torch.__version__}, {settings.DEMO_TORCH_THREADS} thread(s), runs on {args.device}, "
            f"{args.seeds} seed(s) per run, medians of {args.repeat}, {args.settle} s of rest before each run"
        )
        print(
            f"{'demo':24} {'raw s':>7} {'queued s':>9} {'overhead ms':>11} {'to start ms':>11} {'in run ms':>9} "
            f"{'to see ms':>9} {'cache hit ms':>12}"
        )
        for name in names:
            get_demo(name).run(params, args.device)  # warm-up: imports, data generation caches, allocator
            runs = [measure(client, name, params, args.device, args.settle) for _ in range(args.repeat)]
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            overhead = statistics.median(run["queued"] - run["raw"] for run in runs)

            started = time.perf_counter()
            hit = client.post("/api/demo-runs/", {"demo": name, "params": params, "device": args.device}, format="json")
            cache_ms = (time.perf_counter() - started) * 1000
            assert hit.status_code == 200 and hit.json()["cached"]
            print(
                f"{name:24} {median['raw']:7.2f} {median['queued']:9.2f} {overhead * 1000:11.0f} "
                f"{median['to_start'] * 1000:11.0f} {median['in_run'] * 1000:9.0f} {median['to_see'] * 1000:9.0f} "
                f"{cache_ms:12.1f}",
                flush=True,
            )
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        redis.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
