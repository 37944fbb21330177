import json
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demos.catalog import CATALOG, UnknownDemo, get_demo
from demos.trainings.base import ParamError


class Command(BaseCommand):
    help = "Run one demo training in the foreground and print its result (no worker or database needed)."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"One of: {', '.join(sorted(CATALOG))}")
        parser.add_argument(
            "--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE", help="Set a parameter."
        )
        parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
        parser.add_argument("--threads", type=int, help="torch CPU threads (default: DEMO_TORCH_THREADS).")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the whole result as JSON.")

    def handle(self, name, assignments, device, as_json, threads=None, **options):
        try:
            demo = get_demo(name)
            params = dict(self._pair(item) for item in assignments)
            demo.validate(params)
        except UnknownDemo as exc:
            raise CommandError(exc.message, returncode=2) from None
        except ParamError as exc:
            raise CommandError(f"Invalid parameters for {name}: {exc}", returncode=2) from None
        import torch

        if device == "cuda" and not torch.cuda.is_available():
            raise CommandError("--device cuda: torch sees no CUDA device on this machine.", returncode=2)
        torch.set_num_threads(threads or settings.DEMO_TORCH_THREADS)
        started = time.perf_counter()
        result = demo.run(params, device, self._progress_bar)
        elapsed = time.perf_counter() - started
        sys.stderr.write("\n")
        if as_json:
            payload = {
                "demo": name,
                "device": device,
                "seconds": round(elapsed, 3),
                "metrics": result.metrics,
                "series": result.series,
                "summary": result.summary,
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(f"{demo.title} ({elapsed:.1f} s on {device})"))
        for key, value in result.metrics.items():
            self.stdout.write(f"  {key}: {value}")
        self.stdout.write(f"\n{result.summary}")

    @staticmethod
    def _pair(item: str) -> tuple[str, str]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--set expects KEY=VALUE, got '{item}'", returncode=2)
        return key.strip(), value.strip()

    @staticmethod
    def _progress_bar(fraction: float, message: str, **live) -> None:
        """The terminal shows the bar only; the live curves (``series``) that demos report are for the portal."""
        filled = int(30 * fraction)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {message[:50]:<50}")
        sys.stderr.flush()
