"""Demo timings, measured in one run on this machine:

- raw: the demo's default run in this process (DEMO_TORCH_THREADS threads),
- queued: the same run submitted through the API, sent through a real redis-server to a real Celery worker,
  until the API reports it finished (polled every 50 ms),
- cache hit: the identical submission again, answered from the stored result.

Usage: .venv/bin/python bench/demos_bench.py [demo ...] [--device cuda] [--seeds N]
With --seeds N every run trains N seeds (the demos' ``seeds`` parameter) and reports their means.
It starts its own redis-server and worker on loopback and leaves nothing behind.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from support import free_port, wait_for  # noqa: E402 - bench/ is on the path when run as a script


def finished(run: dict) -> dict | None:
    return run if run["status"] in ("succeeded", "failed", "cancelled") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("demos", nargs="*", help="Demo names (default: all).")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="Device of the raw runs.")
    parser.add_argument("--seeds", type=int, default=1, help="Seeds per run, 1 to 10 (default 1).")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="deeprecall-bench-"))
    (data / "static").mkdir()
    port = free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEEPRECALL_DATA_DIR=str(data),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        DEMO_MAX_ACTIVE_RUNS="1000",
        DEMO_SUBMIT_RATE="100000/hour",
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
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.celery_app",
                "worker",
                "-Q",
                "cpu",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        torch.set_num_threads(settings.DEMO_TORCH_THREADS)
        names = args.demos or list(CATALOG)
        params = {"seeds": args.seeds}
        print(
            f"torch {torch.__version__}, {settings.DEMO_TORCH_THREADS} thread(s), raw runs on {args.device}, "
            f"{args.seeds} seed(s) per run"
        )
        print(f"{'demo':24} {'raw s':>7} {'queued s':>9} {'overhead s':>10} {'queued/raw':>10} {'cache hit ms':>12}")
        for name in names:
            get_demo(name).run(params, args.device)  # warm-up: imports, data generation caches, allocator
            started = time.perf_counter()
            get_demo(name).run(params, args.device)
            raw = time.perf_counter() - started

            started = time.perf_counter()
            body = {"demo": name, "params": params, "fresh": True}
            run_id = client.post("/api/demo-runs/", body, format="json").json()["id"]
            body = wait_for(lambda url=f"/api/demo-runs/{run_id}/": finished(client.get(url).json()), 600)
            queued = time.perf_counter() - started
            assert body["status"] == "succeeded", body["error"]

            started = time.perf_counter()
            hit = client.post("/api/demo-runs/", {"demo": name, "params": params}, format="json")
            cache_ms = (time.perf_counter() - started) * 1000
            assert hit.status_code == 200 and hit.json()["cached"]
            print(f"{name:24} {raw:7.2f} {queued:9.2f} {queued - raw:10.2f} {queued / raw:10.2f} {cache_ms:12.1f}")
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        redis.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
