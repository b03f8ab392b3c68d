# Production image: gunicorn serving the back office and API; the same image runs the worker
# and beat (see docker-compose.yml). Static files are collected at build time and served by
# whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media

WORKDIR /app

RUN groupadd --system oms && useradd --system --gid oms --home /app oms \
    && mkdir -p /data/media && chown oms:oms /data/media

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings; DEBUG=true lets it import them without the production secret.
RUN DEBUG=true python manage.py collectstatic --noinput --verbosity 0 \
    && DEBUG=false SECRET_KEY=build-time-only-key-that-is-long-enough-to-pass-the-startup-check-xyz \
       python -c "import oms.settings" \
    && chown -R oms:oms /app

USER oms
EXPOSE 8000
CMD ["gunicorn", "oms.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
