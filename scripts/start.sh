#!/usr/bin/env bash
# Install DeepRecall and start it on its embedded defaults: SQLite and a filesystem task queue under ./data,
# two local Celery workers, the web server on http://127.0.0.1:${PORT:-8000}/. Ctrl-C stops them all.
source "$(dirname "$0")/bootstrap.sh"

python manage.py migrate --noinput
python manage.py load_kb
python manage.py collectstatic --noinput -v0

# One worker for demo runs (queue cpu) and one for the periodic maintenance (queue maintenance, embedded
# beat), so that a maintenance task never takes the warm process a demo run is waiting for.
celery -A workers.celery_app worker --queues cpu --concurrency 1 --hostname demos@%h --loglevel INFO &
demo_worker=$!
celery -A workers.celery_app worker --beat --queues maintenance --concurrency 1 --hostname maintenance@%h \
    --loglevel INFO &
maintenance_worker=$!
trap 'kill $demo_worker $maintenance_worker 2>/dev/null; wait $demo_worker $maintenance_worker 2>/dev/null' \
    EXIT INT TERM

address=${HOST:-127.0.0.1}:${PORT:-8000}
echo
echo "DeepRecall is running: open the study portal at http://$address/  (API docs: http://$address/api/docs/)"
echo
python manage.py runserver "$address" --noreload
