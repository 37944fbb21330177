#!/usr/bin/env bash
# Install DeepRecall with its test tools and run the whole suite: lint, format check, pytest on SQLite, then the
# database-facing tests on a throwaway PostgreSQL. Extra arguments go to the first pytest run only (and skip the
# PostgreSQL pass), e.g. scripts/test.sh -k api -x.
source "$(dirname "$0")/bootstrap.sh" dev

# The queue tests start a real redis-server on a loopback port of their own.
if ! command -v redis-server >/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null
  $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true  # the tests start their own
fi

# The browser tests (tests/browser) drive Debian's chromium through Playwright; Playwright never downloads a
# browser. The CJK font makes the Chinese pages readable in the screenshots under test-artifacts/.
if [ ! -x /usr/bin/chromium ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi

ruff check .
ruff format --check .
python -m pytest -q "$@"
if [ $# -eq 0 ]; then
  # The database-facing tests again on PostgreSQL (row locks, JSON, search), as study groups deploy it.
  echo "--- the same API, service and worker tests on PostgreSQL"
  scripts/with-postgres.sh python -m pytest -q tests/kb tests/quizzes tests/cards tests/demo_runs tests/test_upgrade.py \
    tests/test_settings.py
fi
