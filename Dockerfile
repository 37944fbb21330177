# One image for the web server and the workers. TORCH_SPEC picks the torch build (CPU by default;
# e.g. --build-arg TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128" for GPU workers).
FROM python:3.12-slim
ARG TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    DEEPRECALL_DATA_DIR=/data STATIC_ROOT=/app/staticfiles
WORKDIR /app
RUN pip install $TORCH_SPEC
COPY pyproject.toml README.md ./
COPY config config
COPY common common
COPY kb kb
COPY quizzes quizzes
COPY cards cards
COPY curriculum curriculum
COPY demos demos
COPY workers workers
COPY portal portal
COPY manage.py ./
RUN pip install . && SECRET_KEY=build-only-collectstatic-key-000000000 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput -v0
RUN useradd --create-home deeprecall && mkdir -p /data && chown deeprecall /data
USER deeprecall
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
