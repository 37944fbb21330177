#!/usr/bin/env bash
# Install DeepRecall with its test tools and run the whole suite: lint, format check, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k api -x).
source "$(dirname "$0")/bootstrap.sh" dev

ruff check .
ruff format --check .
python -m pytest -q "$@"
