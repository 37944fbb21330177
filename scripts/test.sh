#!/usr/bin/env bash
# Install DeepRecall with its test tools and run the whole suite: lint, format check, pytest on SQLite and, at the
# same time, the database-facing tests on a throwaway PostgreSQL. Extra arguments run pytest with them alone (no
# PostgreSQL pass), e.g. scripts/test.sh -k api -x.
source "$(dirname "$0")/bootstrap.sh" dev

# System programs the tests drive for real, from Debian's packages (only those missing are installed):
# - redis-server: the queue and fault tests start their own on a loopback port;
# - postgresql: the fault tests and the second pass run throwaway clusters (scripts/with-postgres.sh);
# - chromium + fonts-wqy-zenhei: the browser tests (tests/browser) drive Debian's chromium through Playwright, which
#   never downloads a browser; the CJK font makes the Chinese pages readable in the screenshots;
# - docker-compose: tests/test_deployment.py validates docker-compose.yml with a real Compose implementation.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-wqy-zenhei)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # The tests start their own servers; stop the ones the packages started.
  $sudo systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
fi

# One BLAS thread: the tests run beside worker processes on few cores, where threaded BLAS only contends.
export OPENBLAS_NUM_THREADS=1

ruff check .
ruff format --check .
if [ $# -gt 0 ]; then
  exec python -m pytest -q "$@"
fi

# Two streams at once, so that both cores work (each stream is mostly one busy process plus waits on servers and
# workers), of about the same length: in the background, the database-facing tests again on PostgreSQL (row locks,
# JSON, search), as study groups deploy it, then the tests that run the service as deployed (faults, API fuzzing,
# deployment files) and the demo worker's own tests; in the foreground, everything else on SQLite.
side_tests=(tests/faults tests/test_api_fuzz.py tests/test_deployment.py tests/demo_runs/test_worker.py
  tests/demo_runs/test_command.py)
side_log=$(mktemp)
(
  status=0
  echo "--- the API, service and worker tests on PostgreSQL"
  scripts/with-postgres.sh python -m pytest -q tests/kb tests/quizzes tests/cards tests/study tests/demo_runs \
    tests/test_upgrade.py tests/test_settings.py || status=1
  echo "--- the service as deployed (faults, API fuzzing, deployment files) and the demo worker"
  python -m pytest -q "${side_tests[@]}" || status=1
  exit $status
) >"$side_log" 2>&1 &
side=$!
main_status=0
python -m pytest -q "${side_tests[@]/#/--ignore=}" || main_status=$?
side_status=0
wait "$side" || side_status=$?
cat "$side_log"
rm -f "$side_log"
exit $((main_status || side_status))
