# One image for the web server, the workers and beat. The torch wheels come from TORCH_INDEX_URL: the CPU build
# by default; --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 for GPU workers.
FROM python:3.12-slim
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production DEEPRECALL_DATA_DIR=/data STATIC_ROOT=/app/staticfiles
WORKDIR /app
# torch first and alone: it is most of the image and changes least, so this layer stays cached.
RUN pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"
# Everything .dockerignore lets through: a new app is never left out of the image.
COPY . .
RUN pip install . \
    && SECRET_KEY=build-only-collectstatic-key-000000000 ALLOWED_HOSTS=build \
       python manage.py collectstatic --noinput -v0
RUN groupadd --gid 10001 deeprecall \
    && useradd --uid 10001 --gid 10001 --no-log-init --create-home deeprecall \
    && mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
