#!/usr/bin/env bash
# Install DeepRecall and start it on its embedded defaults: SQLite and a filesystem task queue under ./data,
# one local Celery worker, the web server on http://127.0.0.1:${PORT:-8000}/. Ctrl-C stops both.
source "$(dirname "$0")/bootstrap.sh"

python manage.py migrate --noinput
python manage.py load_kb
python manage.py collectstatic --noinput -v0

# One worker for demo runs (queue cpu) and the periodic maintenance (queue maintenance, embedded beat).
celery -A workers.celery_app worker --beat --queues cpu,maintenance --concurrency 1 --loglevel INFO &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM

address=${HOST:-127.0.0.1}:${PORT:-8000}
echo
echo "DeepRecall is running: open the study portal at http://$address/  (API docs: http://$address/api/docs/)"
echo
python manage.py runserver "$address" --noreload
