"""manage.py run_demo: foreground runs, clear messages and exit code 2 for bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_demo(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", "run_demo", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_prints_metrics_summary_and_progress():
    result = run_demo("gradient-checking")
    assert result.returncode == 0, result.stderr
    assert "one_sided_estimate: 3.0301" in result.stdout
    assert "two_sided_estimate: 3.0001" in result.stdout
    assert "100%" in result.stderr  # the progress bar


def test_a_demo_that_reports_live_curves_runs_in_the_terminal():
    result = run_demo("optimizers", "--json")
    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr
    assert json.loads(result.stdout)["series"]


def test_json_output_with_parameters():
    result = run_demo("gradient-checking", "--set", "x=2", "--set", "eps=0.001", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["metrics"]["true_derivative"] == 12.0
    assert payload["series"] and payload["summary"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-demo"], "No demo named 'no-such-demo'"),
        (["gradient-checking", "--set", "eps=-1"], "eps: must be at least"),
        (["gradient-checking", "--set", "colour=red"], "colour: unknown parameter"),
        (["gradient-checking", "--set", "eps"], "--set expects KEY=VALUE"),
        (
            [
                "conv-arithmetic",
                "--set",
                "stack=custom",
                "--set",
                "input_size=4",
                "--set",
                "kernel=7",
                "--set",
                "padding=0",
            ],
            "input_size: too small for this stack",
        ),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args, message):
    result = run_demo(*args)
    assert result.returncode == 2
    assert message in result.stderr
